//! [`RetryPolicy`]: when and how long to wait before trying a failed call again, as the official
//! SDKs do it.

use crate::base::SplitMix64;
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
}
