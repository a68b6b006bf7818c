//! [`RateLimitInfo`]: the rate-limit headers of a response, in both families — Anthropic's
//! `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
//! (resets as RFC 3339 times) and OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`
//! (resets as durations such as `1s`, `6m0s`, `250ms`) — plus `retry-after`.
//!
//! A browser reads them only when the server lists them in `Access-Control-Expose-Headers`;
//! when none can be read, there is no info (the page says so rather than showing nothing).
//!
//! ```
//! use parallel_playground::wire::RateLimitInfo;
//! let headers = [("x-ratelimit-remaining-requests", "4"), ("x-ratelimit-reset-requests", "1m30s")];
//! let get = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
//! let info = RateLimitInfo::from_headers(get, 0.0).expect("headers");
//! assert_eq!(info.requests.remaining, Some(4));
//! assert_eq!(info.requests.reset_in_ms, Some(90_000.0));
//! ```

use serde::{Deserialize, Serialize};

/// One budget as the server reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimitBudget {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// Milliseconds from the response until the budget is full again.
    pub reset_in_ms: Option<f64>,
}

impl RateLimitBudget {
    fn is_known(&self) -> bool {
        self.limit.is_some() || self.remaining.is_some() || self.reset_in_ms.is_some()
    }
}

/// The rate-limit headers of one response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimitInfo {
    pub requests: RateLimitBudget,
    /// Input + output tokens (Anthropic `tokens`, OpenAI `tokens`).
    pub tokens: RateLimitBudget,
    pub input_tokens: RateLimitBudget,
    pub output_tokens: RateLimitBudget,
    /// `retry-after`, in milliseconds.
    pub retry_after_ms: Option<f64>,
}

impl RateLimitInfo {
    /// Reads the headers through `get` (a header by lower-case name); `now_unix_ms` turns
    /// Anthropic's reset times into waits. `None` when no rate-limit header is there.
    pub fn from_headers(get: impl Fn(&str) -> Option<String>, now_unix_ms: f64) -> Option<Self> {
        let number = |name: &str| get(name).and_then(|v| v.trim().parse::<u64>().ok());
        let anthropic = |kind: &str| RateLimitBudget {
            limit: number(&format!("anthropic-ratelimit-{kind}-limit")),
            remaining: number(&format!("anthropic-ratelimit-{kind}-remaining")),
            reset_in_ms: get(&format!("anthropic-ratelimit-{kind}-reset"))
                .and_then(|v| parse_rfc3339_ms(&v))
                .map(|at| (at - now_unix_ms).max(0.0)),
        };
        let openai = |kind: &str| RateLimitBudget {
            limit: number(&format!("x-ratelimit-limit-{kind}")),
            remaining: number(&format!("x-ratelimit-remaining-{kind}")),
            reset_in_ms: get(&format!("x-ratelimit-reset-{kind}"))
                .and_then(|v| parse_duration_ms(&v)),
        };
        let either = |a: RateLimitBudget, b: RateLimitBudget| if a.is_known() { a } else { b };
        let info = RateLimitInfo {
            requests: either(anthropic("requests"), openai("requests")),
            tokens: either(anthropic("tokens"), openai("tokens")),
            input_tokens: anthropic("input-tokens"),
            output_tokens: anthropic("output-tokens"),
            retry_after_ms: get("retry-after")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| s * 1000.0),
        };
        let known = [
            info.requests,
            info.tokens,
            info.input_tokens,
            info.output_tokens,
        ]
        .iter()
        .any(RateLimitBudget::is_known);
        known.then_some(info)
    }

    /// The fewest tokens left in any token budget the server reported.
    pub fn tokens_remaining(&self) -> Option<u64> {
        [self.tokens, self.input_tokens, self.output_tokens]
            .iter()
            .filter_map(|b| b.remaining)
            .min()
    }
}

/// A Go-style duration as OpenAI sends resets: `1s`, `6m0s`, `1h2m3.5s`, `250ms`, `0.5s`.
pub fn parse_duration_ms(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit_ms, len) = if rest.starts_with("ms") {
            (1.0, 2)
        } else if rest.starts_with('h') {
            (3_600_000.0, 1)
        } else if rest.starts_with('m') {
            (60_000.0, 1)
        } else if rest.starts_with('s') {
            (1000.0, 1)
        } else {
            return None;
        };
        total += value * unit_ms;
        rest = &rest[len..];
    }
    total.is_finite().then_some(total)
}

/// An RFC 3339 UTC time (`2026-12-02T01:02:03Z`, fractions and `+00:00` allowed) in Unix ms.
pub fn parse_rfc3339_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, mo, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (clock, offset_min) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off.get(1..)?.split_once(':')?;
        (
            c,
            sign * (oh.parse::<i64>().ok()? * 60 + om.parse::<i64>().ok()?),
        )
    };
    let mut hms = clock.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let m: i64 = hms.next()?.parse().ok()?;
    let s: f64 = hms.next()?.parse().ok()?;
    if !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || m > 59
        || !(0.0..61.0).contains(&s)
    {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let secs = (days * 86_400 + h * 3600 + m * 60 - offset_min * 60) as f64 + s;
    Some(secs * 1000.0)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm; the same as `engine::retry`'s, kept here
/// so the wire layer needs nothing from the engine).
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

    fn read(headers: &[(&str, &str)], now: f64) -> Option<RateLimitInfo> {
        RateLimitInfo::from_headers(
            |name| {
                headers
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            },
            now,
        )
    }

    #[test]
    fn reads_the_anthropic_family_with_reset_times() {
        let now = parse_rfc3339_ms("2026-12-02T01:00:00Z").expect("date");
        let info = read(
            &[
                ("anthropic-ratelimit-requests-limit", "50"),
                ("anthropic-ratelimit-requests-remaining", "49"),
                ("anthropic-ratelimit-requests-reset", "2026-12-02T01:00:01Z"),
                ("anthropic-ratelimit-input-tokens-remaining", "9000"),
                ("anthropic-ratelimit-output-tokens-remaining", "700"),
                ("retry-after", "2"),
            ],
            now,
        )
        .expect("info");
        assert_eq!(info.requests.limit, Some(50));
        assert_eq!(info.requests.remaining, Some(49));
        assert_eq!(info.requests.reset_in_ms, Some(1000.0));
        assert_eq!(info.tokens_remaining(), Some(700));
        assert_eq!(info.retry_after_ms, Some(2000.0));
    }

    #[test]
    fn reads_the_openai_family_with_durations() {
        let info = read(
            &[
                ("x-ratelimit-limit-tokens", "3000"),
                ("x-ratelimit-remaining-tokens", "1200"),
                ("x-ratelimit-reset-tokens", "6m0s"),
            ],
            0.0,
        )
        .expect("info");
        assert_eq!(info.tokens.remaining, Some(1200));
        assert_eq!(info.tokens.reset_in_ms, Some(360_000.0));
        assert_eq!(info.requests, RateLimitBudget::default());
        assert_eq!(read(&[("retry-after", "1")], 0.0), None);
    }

    #[test]
    fn durations_and_dates_parse_or_are_refused_without_panics() {
        assert_eq!(parse_duration_ms("250ms"), Some(250.0));
        assert_eq!(parse_duration_ms("1h2m3.5s"), Some(3_723_500.0));
        assert_eq!(parse_duration_ms("0.5s"), Some(500.0));
        for bad in ["", "5", "s", "1x", "1.2.3s", "ms"] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339_ms("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00.5Z"), Some(500.0));
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "yesterday",
            "2026-01-01T00:00Z",
            "T:",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }
}
