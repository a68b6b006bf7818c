//! Network phases of HTTP calls, from the browser's Resource Timing entries: how long each
//! request was stalled (waiting for a free connection), connecting, waiting for the first byte,
//! and downloading — like the DevTools waterfall.
//!
//! Every call goes to the same URL, so entries are matched to lanes by time: an entry belongs to
//! the lane whose start and end are closest to its own.

use serde::Serialize;

/// The parts of one `PerformanceResourceTiming` entry we use, in page milliseconds
/// (`performance.now()` time).
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceTiming {
    pub start: f64,
    pub domain_lookup_start: f64,
    pub domain_lookup_end: f64,
    pub connect_start: f64,
    pub connect_end: f64,
    pub request_start: f64,
    pub response_start: f64,
    pub response_end: f64,
    /// `http/1.1`, `h2`, … (empty when the server does not allow timing details).
    pub protocol: String,
}

/// The network phases of one call, in milliseconds since the run began.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPhases {
    /// Waiting in the browser for a connection (the six-per-server HTTP/1.1 limit shows here).
    pub stalled: (f64, f64),
    /// DNS lookup and TCP/TLS connection set-up (zero when a connection was reused).
    pub connecting: (f64, f64),
    /// Request sent, waiting for the first byte of the response.
    pub waiting: (f64, f64),
    /// Receiving the response body (the streamed answer).
    pub downloading: (f64, f64),
    pub protocol: String,
}

impl NetworkPhases {
    /// Milliseconds the request was stalled.
    pub fn stalled_ms(&self) -> f64 {
        self.stalled.1 - self.stalled.0
    }

    /// The phases of `entry`, with times shifted so that the run began at `origin`.
    pub fn from_entry(entry: &ResourceTiming, origin: f64) -> NetworkPhases {
        let at = |t: f64| t - origin;
        // Times a browser leaves at zero (no detail allowed, or a reused connection) collapse.
        let request = entry.request_start.max(entry.start);
        let has_connect = entry.connect_end > entry.connect_start && entry.connect_start > 0.0;
        let connect_from = if entry.domain_lookup_end > entry.domain_lookup_start
            && entry.domain_lookup_start > 0.0
        {
            entry.domain_lookup_start
        } else if has_connect {
            entry.connect_start
        } else {
            request
        };
        let connect_to = if has_connect {
            entry.connect_end
        } else {
            connect_from
        };
        let response_start = entry.response_start.max(request);
        let response_end = entry.response_end.max(response_start);
        NetworkPhases {
            stalled: (at(entry.start), at(connect_from.max(entry.start))),
            connecting: (
                at(connect_from.max(entry.start)),
                at(connect_to.max(entry.start)),
            ),
            waiting: (at(request), at(response_start)),
            downloading: (at(response_start), at(response_end)),
            protocol: entry.protocol.clone(),
        }
    }
}

/// A finished call attempt that may have a timing entry: its lane, and its start and end in
/// page milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedCall {
    pub lane: usize,
    pub start: f64,
    pub end: f64,
}

/// Pairs entries with calls: closest start and end first. The page notes a call's start just
/// before it calls `fetch` and its end once it has read the body, so a busy page may note its
/// start early and its end late: a pair is made when the entry starts between `tolerance_ms`
/// before and 4 × `tolerance_ms` after the call, and ends between `tolerance_ms` after and
/// 6 × `tolerance_ms` before the call's end. Returns (lane, entry index) pairs.
pub fn match_entries(
    calls: &[TimedCall],
    entries: &[ResourceTiming],
    tolerance_ms: f64,
) -> Vec<(usize, usize)> {
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (c, call) in calls.iter().enumerate() {
        for (e, entry) in entries.iter().enumerate() {
            let start_lag = entry.start - call.start;
            let end_lag = call.end - entry.response_end;
            let window = -tolerance_ms..=4.0 * tolerance_ms;
            let end_window = -tolerance_ms..=6.0 * tolerance_ms;
            if window.contains(&start_lag) && end_window.contains(&end_lag) {
                candidates.push((start_lag.abs() + end_lag.abs(), c, e));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut call_taken = vec![false; calls.len()];
    let mut entry_taken = vec![false; entries.len()];
    let mut pairs = Vec::new();
    for (_, c, e) in candidates {
        if !call_taken[c] && !entry_taken[e] {
            call_taken[c] = true;
            entry_taken[e] = true;
            pairs.push((calls[c].lane, e));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(start: f64, request: f64, response_start: f64, end: f64) -> ResourceTiming {
        ResourceTiming {
            start,
            domain_lookup_start: start,
            domain_lookup_end: start,
            connect_start: 0.0,
            connect_end: 0.0,
            request_start: request,
            response_start,
            response_end: end,
            protocol: "http/1.1".into(),
        }
    }

    #[test]
    fn a_request_that_waited_for_a_connection_is_stalled_until_it_was_sent() {
        let phases = NetworkPhases::from_entry(&entry(1000.0, 3000.0, 3100.0, 4000.0), 1000.0);
        assert_eq!(phases.stalled, (0.0, 2000.0));
        assert_eq!(phases.stalled_ms(), 2000.0);
        assert_eq!(phases.waiting, (2000.0, 2100.0));
        assert_eq!(phases.downloading, (2100.0, 3000.0));
    }

    #[test]
    fn a_new_connection_shows_its_set_up_time() {
        let mut e = entry(0.0, 30.0, 40.0, 50.0);
        e.connect_start = 10.0;
        e.connect_end = 30.0;
        e.domain_lookup_start = 0.0;
        e.domain_lookup_end = 0.0;
        let phases = NetworkPhases::from_entry(&e, 0.0);
        assert_eq!(phases.stalled, (0.0, 10.0));
        assert_eq!(phases.connecting, (10.0, 30.0));
    }

    #[test]
    fn entries_go_to_the_calls_with_the_closest_start_and_end() {
        let calls = [
            TimedCall {
                lane: 7,
                start: 100.0,
                end: 2100.0,
            },
            TimedCall {
                lane: 8,
                start: 100.5,
                end: 4100.0,
            },
        ];
        let entries = [
            entry(100.2, 2100.0, 2200.0, 4099.0),
            entry(100.1, 100.5, 200.0, 2101.0),
            entry(9000.0, 9000.0, 9001.0, 9002.0),
        ];
        let mut pairs = match_entries(&calls, &entries, 50.0);
        pairs.sort();
        assert_eq!(pairs, vec![(7, 1), (8, 0)]);
    }

    #[test]
    fn a_busy_page_that_read_the_end_late_still_gets_its_entry() {
        let calls = [TimedCall {
            lane: 3,
            start: 100.0,
            end: 1900.0,
        }];
        // The body ended at 1600 ms; the page was busy for 300 ms before it read the end.
        let entries = [entry(130.0, 130.0, 1500.0, 1600.0)];
        assert_eq!(match_entries(&calls, &entries, 80.0), vec![(3, 0)]);
        // An end long after the entry's is another request's.
        let late = [TimedCall {
            end: 2200.0,
            ..calls[0]
        }];
        assert_eq!(match_entries(&late, &entries, 80.0), vec![]);
    }
}
