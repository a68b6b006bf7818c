//! [`RetryPolicy`]: when and how long to wait before trying a failed call again, as the official
//! SDKs do it.

use super::rng::SplitMix64;
use serde::{Deserialize, Serialize};

/// Retries with exponential backoff, honouring the server's `retry-after`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the SDKs default to 2).
    pub max_retries: u32,
    /// First backoff delay.
    pub initial_delay_ms: f64,
    /// Longest backoff delay.
    pub max_delay_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_delay_ms: 500.0,
            max_delay_ms: 8000.0,
        }
    }
}

/// Server-requested delays above this are ignored in favour of backoff, as the SDKs do.
const MAX_SERVER_DELAY_MS: f64 = 60_000.0;

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry): the server's delay when it
    /// gave a sensible one, else `min(0.5 s · 2^retry, 8 s)` reduced by up to 25 % of jitter.
    pub fn delay_ms(&self, retry: u32, server_delay_ms: Option<f64>, rng: &mut SplitMix64) -> f64 {
        if let Some(ms) = server_delay_ms {
            if (0.0..=MAX_SERVER_DELAY_MS).contains(&ms) {
                return ms;
            }
        }
        let backoff =
            (self.initial_delay_ms * 2f64.powi(retry.min(30) as i32)).min(self.max_delay_ms);
        backoff * (1.0 - 0.25 * rng.next_f64())
    }
}

/// Reads the delay a server asked for: `retry-after-ms` (milliseconds) first, else `retry-after`
/// as seconds or as an HTTP date (relative to `now_unix_ms`).
pub fn parse_retry_after(
    retry_after_ms: Option<&str>,
    retry_after: Option<&str>,
    now_unix_ms: f64,
) -> Option<f64> {
    if let Some(ms) = retry_after_ms.and_then(|v| v.trim().parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(ms);
        }
    }
    let value = retry_after?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then_some(seconds * 1000.0);
    }
    parse_http_date_ms(value).map(|at| (at - now_unix_ms).max(0.0))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix milliseconds.
pub fn parse_http_date_ms(value: &str) -> Option<f64> {
    let rest = value.split_once(',').map(|(_, r)| r).unwrap_or(value);
    let mut parts = rest.split_whitespace();
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_at_most_a_quarter_of_jitter() {
        let policy = RetryPolicy::default();
        let mut rng = SplitMix64::new(7);
        for (retry, full) in [
            (0, 500.0),
            (1, 1000.0),
            (2, 2000.0),
            (4, 8000.0),
            (9, 8000.0),
        ] {
            let d = policy.delay_ms(retry, None, &mut rng);
            assert!(d <= full && d >= full * 0.75, "retry {retry}: {d}");
        }
    }

    #[test]
    fn the_server_delay_wins_when_sensible() {
        let policy = RetryPolicy::default();
        let mut rng = SplitMix64::new(1);
        assert_eq!(policy.delay_ms(0, Some(1000.0), &mut rng), 1000.0);
        assert!(policy.delay_ms(0, Some(3_600_000.0), &mut rng) <= 500.0);
    }

    #[test]
    fn reads_retry_after_ms_then_seconds_then_dates() {
        assert_eq!(parse_retry_after(Some("250"), Some("9"), 0.0), Some(250.0));
        assert_eq!(parse_retry_after(None, Some("2"), 0.0), Some(2000.0));
        assert_eq!(parse_retry_after(Some("x"), Some("1.5"), 0.0), Some(1500.0));
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let at = parse_http_date_ms(date).expect("date");
        assert_eq!(at, 784_111_777_000.0);
        assert_eq!(
            parse_retry_after(None, Some(date), at - 3000.0),
            Some(3000.0)
        );
        assert_eq!(parse_retry_after(None, Some("soon"), 0.0), None);
        assert_eq!(parse_retry_after(None, None, 0.0), None);
    }
}
