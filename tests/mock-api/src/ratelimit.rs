//! Rate-limit budgets (`rpm=N`, `tpm=N`): token buckets per key that refill continuously, as the
//! real APIs describe theirs, the rate-limit headers of both families on every answer, and the
//! 429 with `retry-after` once a budget is spent.
//!
//! A request costs one request, its input tokens and its output tokens (known up front: the mock
//! is deterministic). `tpm` limits input + output together (`anthropic-ratelimit-tokens-*`,
//! `x-ratelimit-*-tokens`); the Anthropic input and output headers report the same limit for
//! each part alone.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::http::ExtraHeaders;

/// The budget directives of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetParams {
    /// Requests per minute.
    pub rpm: Option<u64>,
    /// Tokens (input + output) per minute.
    pub tpm: Option<u64>,
}

impl BudgetParams {
    /// The keys this module reads.
    pub const KEYS: [&'static str; 2] = ["rpm", "tpm"];

    /// Sets `rpm` or `tpm` (at least 1).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let n = value
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("invalid value '{value}' for '{key}'"))?;
        match key {
            "rpm" => self.rpm = Some(n),
            _ => self.tpm = Some(n),
        }
        Ok(())
    }

    /// Whether any budget is set.
    pub fn is_set(&self) -> bool {
        self.rpm.is_some() || self.tpm.is_some()
    }
}

/// A bucket of `capacity` that refills `capacity` per minute, continuously; starts full.
#[derive(Debug, Clone)]
struct Bucket {
    capacity: f64,
    level: f64,
    at: Instant,
}

impl Bucket {
    fn per_minute(capacity: u64, now: Instant) -> Bucket {
        Bucket {
            capacity: capacity as f64,
            level: capacity as f64,
            at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.level = (self.level + elapsed * self.capacity / 60.0).min(self.capacity);
        self.at = now;
    }

    /// Time until `amount` is available (capped at the capacity, so a request larger than the
    /// budget waits for a full bucket rather than forever).
    fn wait_for(&self, amount: f64) -> Duration {
        let missing = amount.min(self.capacity) - self.level;
        if missing <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(missing * 60.0 / self.capacity)
        }
    }

    /// Time until the bucket is full again.
    fn until_full(&self) -> Duration {
        Duration::from_secs_f64((self.capacity - self.level).max(0.0) * 60.0 / self.capacity)
    }

    fn remaining(&self) -> u64 {
        self.level.max(0.0).floor() as u64
    }
}

/// The buckets of one key.
#[derive(Debug, Clone)]
pub struct Ledger {
    requests: Option<Bucket>,
    tokens: Option<[Bucket; 3]>,
}

/// Which bucket ran dry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Requests,
    Tokens,
}

/// A 429 for a spent budget: when to come back, and the headers to send.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub spent: Spent,
    pub retry_after_s: u64,
    pub headers: ExtraHeaders,
}

impl Ledger {
    /// Full buckets for `params`.
    pub fn new(params: BudgetParams, now: Instant) -> Ledger {
        Ledger {
            requests: params.rpm.map(|n| Bucket::per_minute(n, now)),
            tokens: params
                .tpm
                .map(|n| std::array::from_fn(|_| Bucket::per_minute(n, now))),
        }
    }

    /// Charges one request of `input` + `output` tokens: the headers to send with the answer,
    /// or a refusal (nothing charged) when a bucket lacks room.
    pub fn charge(
        &mut self,
        now: Instant,
        input: u64,
        output: u64,
    ) -> Result<ExtraHeaders, Refusal> {
        let amounts = [(input + output) as f64, input as f64, output as f64];
        let mut wait = Duration::ZERO;
        let mut spent = None;
        if let Some(bucket) = &mut self.requests {
            bucket.refill(now);
            let w = bucket.wait_for(1.0);
            if w > wait {
                (wait, spent) = (w, Some(Spent::Requests));
            }
        }
        if let Some(buckets) = &mut self.tokens {
            for (bucket, amount) in buckets.iter_mut().zip(amounts) {
                bucket.refill(now);
                let w = bucket.wait_for(amount);
                if w > wait {
                    (wait, spent) = (w, Some(Spent::Tokens));
                }
            }
        }
        if let Some(spent) = spent {
            let retry_after_s = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut headers = self.headers();
            headers.push(("retry-after", retry_after_s.to_string()));
            headers.push(("x-should-retry", "true".to_string()));
            return Err(Refusal {
                spent,
                retry_after_s,
                headers,
            });
        }
        if let Some(bucket) = &mut self.requests {
            bucket.level -= 1.0;
        }
        if let Some(buckets) = &mut self.tokens {
            for (bucket, amount) in buckets.iter_mut().zip(amounts) {
                bucket.level -= amount;
            }
        }
        Ok(self.headers())
    }

    /// Both families of rate-limit headers for the buckets as they are now.
    pub fn headers(&self) -> ExtraHeaders {
        let mut headers = ExtraHeaders::new();
        let mut family =
            |bucket: &Bucket, anthropic: [&'static str; 3], openai: [&'static str; 3]| {
                let limit = (bucket.capacity as u64).to_string();
                let remaining = bucket.remaining().to_string();
                let reset = bucket.until_full();
                headers.push((anthropic[0], limit.clone()));
                headers.push((anthropic[1], remaining.clone()));
                headers.push((anthropic[2], rfc3339_after(reset)));
                if !openai[0].is_empty() {
                    headers.push((openai[0], limit));
                    headers.push((openai[1], remaining));
                    headers.push((openai[2], go_duration(reset)));
                }
            };
        if let Some(bucket) = &self.requests {
            family(
                bucket,
                [
                    "anthropic-ratelimit-requests-limit",
                    "anthropic-ratelimit-requests-remaining",
                    "anthropic-ratelimit-requests-reset",
                ],
                [
                    "x-ratelimit-limit-requests",
                    "x-ratelimit-remaining-requests",
                    "x-ratelimit-reset-requests",
                ],
            );
        }
        if let Some([total, input, output]) = &self.tokens {
            family(
                total,
                [
                    "anthropic-ratelimit-tokens-limit",
                    "anthropic-ratelimit-tokens-remaining",
                    "anthropic-ratelimit-tokens-reset",
                ],
                [
                    "x-ratelimit-limit-tokens",
                    "x-ratelimit-remaining-tokens",
                    "x-ratelimit-reset-tokens",
                ],
            );
            family(
                input,
                [
                    "anthropic-ratelimit-input-tokens-limit",
                    "anthropic-ratelimit-input-tokens-remaining",
                    "anthropic-ratelimit-input-tokens-reset",
                ],
                ["", "", ""],
            );
            family(
                output,
                [
                    "anthropic-ratelimit-output-tokens-limit",
                    "anthropic-ratelimit-output-tokens-remaining",
                    "anthropic-ratelimit-output-tokens-reset",
                ],
                ["", "", ""],
            );
        }
        headers
    }
}

/// Every rate-limit header name as one literal, for `concat!` in `access-control-expose-headers`.
macro_rules! header_names {
    () => {
        "anthropic-ratelimit-requests-limit, \
anthropic-ratelimit-requests-remaining, anthropic-ratelimit-requests-reset, \
anthropic-ratelimit-tokens-limit, anthropic-ratelimit-tokens-remaining, \
anthropic-ratelimit-tokens-reset, anthropic-ratelimit-input-tokens-limit, \
anthropic-ratelimit-input-tokens-remaining, anthropic-ratelimit-input-tokens-reset, \
anthropic-ratelimit-output-tokens-limit, anthropic-ratelimit-output-tokens-remaining, \
anthropic-ratelimit-output-tokens-reset, x-ratelimit-limit-requests, \
x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, \
x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens"
    };
}
pub(crate) use header_names;

/// Every rate-limit header name, comma-separated.
pub const HEADER_NAMES: &str = header_names!();

/// A duration the way OpenAI writes its resets: `250ms`, `20s`, `1m30s`, `1m0.5s`.
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis() as u64;
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let minutes = ms / 60_000;
    let seconds = (ms % 60_000) as f64 / 1000.0;
    let seconds = format!("{seconds:.3}");
    let seconds = seconds.trim_end_matches('0').trim_end_matches('.');
    if minutes > 0 {
        format!("{minutes}m{seconds}s")
    } else {
        format!("{seconds}s")
    }
}

/// The UTC time `d` from now as RFC 3339 (`2026-12-02T01:02:03Z`), as Anthropic writes resets.
pub fn rfc3339_after(d: Duration) -> String {
    let at = SystemTime::now() + d;
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(headers: &'a ExtraHeaders, name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn requests_run_out_and_come_back_as_the_bucket_refills() {
        let t0 = Instant::now();
        let params = BudgetParams {
            rpm: Some(2),
            tpm: None,
        };
        let mut ledger = Ledger::new(params, t0);
        let first = ledger.charge(t0, 10, 10).expect("room");
        assert_eq!(value(&first, "x-ratelimit-remaining-requests"), Some("1"));
        assert_eq!(
            value(&first, "anthropic-ratelimit-requests-remaining"),
            Some("1")
        );
        ledger.charge(t0, 10, 10).expect("room");
        let refused = ledger.charge(t0, 10, 10).expect_err("spent");
        assert_eq!(refused.spent, Spent::Requests);
        // 2 per minute: one request back after 30 s.
        assert_eq!(refused.retry_after_s, 30);
        assert_eq!(value(&refused.headers, "retry-after"), Some("30"));
        assert!(ledger.charge(t0 + Duration::from_secs(30), 10, 10).is_ok());
    }

    #[test]
    fn tokens_count_input_and_output_together() {
        let t0 = Instant::now();
        let params = BudgetParams {
            rpm: None,
            tpm: Some(3000),
        };
        let mut ledger = Ledger::new(params, t0);
        for _ in 0..3 {
            ledger.charge(t0, 200, 800).expect("room");
        }
        let refused = ledger.charge(t0, 200, 800).expect_err("spent");
        assert_eq!(refused.spent, Spent::Tokens);
        assert_eq!(refused.retry_after_s, 20);
        let headers = ledger.headers();
        assert_eq!(value(&headers, "x-ratelimit-limit-tokens"), Some("3000"));
        assert_eq!(
            value(&headers, "anthropic-ratelimit-input-tokens-remaining"),
            Some("2400")
        );
        assert_eq!(
            value(&headers, "anthropic-ratelimit-output-tokens-remaining"),
            Some("600")
        );
        assert_eq!(value(&headers, "x-ratelimit-reset-tokens"), Some("1m0s"));
    }

    #[test]
    fn durations_and_dates_are_written_as_the_apis_write_them() {
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::from_secs(20)), "20s");
        assert_eq!(go_duration(Duration::from_millis(90_500)), "1m30.5s");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_423), (2025, 12, 1));
        let date = rfc3339_after(Duration::ZERO);
        assert_eq!(date.len(), 20);
        assert!(date.ends_with('Z'));
    }
}
