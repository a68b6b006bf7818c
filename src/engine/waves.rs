//! [`detect_waves`]: from a finished run, whether the server ran the calls a few at a time.
//!
//! Local servers generate for a fixed number of requests at once (`llama-server --parallel N`,
//! `OLLAMA_NUM_PARALLEL`); the rest wait inside the server, which the browser sees only as a long
//! time to first token. The signature is a staircase: calls sent together, never more than k of
//! them streaming at once, and each later call's first token coming one "normal" time to first
//! token after another call ended (its slot freed, it was read, it began to answer).

use super::event::Group;
use super::timeline::{LaneStatus, RunView};

/// The times of one call, in ms since the run began.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallTimes {
    pub started_ms: f64,
    pub first_token_ms: f64,
    pub ended_ms: f64,
}

/// Calls that ran in waves: `per_wave` at a time, in `waves` waves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waves {
    pub per_wave: usize,
    pub waves: usize,
    pub calls: usize,
}

impl Waves {
    /// The research calls of `group` in `view` that got a first token and ended, when they ran
    /// in waves.
    pub fn of_group(view: &RunView, group: Group) -> Option<Waves> {
        let times: Vec<CallTimes> = view
            .question_lanes(group)
            .iter()
            .filter(|l| l.status == LaneStatus::Done)
            .filter_map(|l| {
                Some(CallTimes {
                    started_ms: l.started_ms?,
                    first_token_ms: l.first_token_ms?,
                    ended_ms: l.ended_ms?,
                })
            })
            .collect();
        detect_waves(&times)
    }
}

/// The staircase of the module docs, or `None` (too few calls, calls not sent together, all
/// streaming at once, or late first tokens that no earlier end explains).
pub fn detect_waves(calls: &[CallTimes]) -> Option<Waves> {
    let n = calls.len();
    if n < 2 {
        return None;
    }
    let shortest = calls
        .iter()
        .map(|c| c.ended_ms - c.started_ms)
        .fold(f64::INFINITY, f64::min);
    let first_start = calls
        .iter()
        .map(|c| c.started_ms)
        .fold(f64::INFINITY, f64::min);
    let last_start = calls.iter().map(|c| c.started_ms).fold(0.0, f64::max);
    // Sent together: a client-side limit would stagger the starts instead.
    if last_start - first_start > (shortest * 0.1).max(50.0) {
        return None;
    }
    let k = most_streaming_at_once(calls);
    if k == 0 || k >= n {
        return None;
    }
    let mut by_first_token: Vec<&CallTimes> = calls.iter().collect();
    by_first_token.sort_by(|a, b| a.first_token_ms.total_cmp(&b.first_token_ms));
    let (early, late) = by_first_token.split_at(k);
    let normal_ttft = median(
        early
            .iter()
            .map(|c| c.first_token_ms - c.started_ms)
            .collect(),
    );
    // Each late call answered soon after some call ended (within a few normal times to first
    // token, since prompts differ), and that wait for a slot is most of its own time to first
    // token.
    let before = normal_ttft * 0.5 + 50.0;
    let within = normal_ttft * 4.0 + 100.0;
    let explained = late.iter().all(|call| {
        let own_ttft = call.first_token_ms - call.started_ms;
        calls.iter().any(|other| {
            let after_end = call.first_token_ms - other.ended_ms;
            (-before..=within).contains(&after_end) && after_end <= own_ttft * 0.5
        })
    });
    explained.then(|| Waves {
        per_wave: k,
        waves: n.div_ceil(k),
        calls: n,
    })
}

/// The most calls streaming (first token to end) at one moment; an end at the same instant as
/// a first token frees its slot first.
fn most_streaming_at_once(calls: &[CallTimes]) -> usize {
    let mut edges: Vec<(f64, i32)> = calls
        .iter()
        .flat_map(|c| [(c.first_token_ms, 1), (c.ended_ms, -1)])
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0i32, 0i32);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most.max(0) as usize
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(first_token_ms: f64, ended_ms: f64) -> CallTimes {
        CallTimes {
            started_ms: 0.0,
            first_token_ms,
            ended_ms,
        }
    }

    #[test]
    fn slots_of_two_make_waves_of_two() {
        // ttft 200 ms, 1 s of streaming; a slot frees at each end.
        let calls = [
            call(200.0, 1200.0),
            call(200.0, 1200.0),
            call(1400.0, 2400.0),
            call(1400.0, 2400.0),
            call(2600.0, 3600.0),
        ];
        assert_eq!(
            detect_waves(&calls),
            Some(Waves {
                per_wave: 2,
                waves: 3,
                calls: 5
            })
        );
    }

    #[test]
    fn calls_streaming_together_are_not_waves() {
        let calls = [
            call(300.0, 2000.0),
            call(350.0, 2500.0),
            call(400.0, 1800.0),
        ];
        assert_eq!(detect_waves(&calls), None);
    }

    #[test]
    fn a_slow_thinker_after_a_quick_answer_is_not_a_wave() {
        // An unlimited server: one call thinks 5 s before answering, long after the quick
        // one ended, and nothing ended just before its first token.
        let calls = [
            call(300.0, 900.0),
            call(400.0, 3000.0),
            call(5000.0, 6000.0),
        ];
        assert_eq!(detect_waves(&calls), None);
    }

    #[test]
    fn staggered_starts_are_a_client_limit_not_server_slots() {
        let mut calls = [
            call(200.0, 1200.0),
            call(200.0, 1200.0),
            call(1400.0, 2400.0),
        ];
        calls[2].started_ms = 1200.0;
        assert_eq!(detect_waves(&calls), None);
    }
}
