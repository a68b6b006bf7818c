//! Client-side rate budgets: a requests-per-minute and a tokens-per-minute [`TokenBucket`], so
//! that calls wait their turn instead of being sent into a 429.
//!
//! A bucket holds a minute's budget, starts full and refills continuously (as the Anthropic and
//! OpenAI limits are described). A call *reserves* what it may spend when it asks; the bucket may
//! go into debt, and the call waits until the debt is repaid. Reserving ahead keeps the order
//! first-come, first-served and makes every wait exact: with 3,000 tokens a minute and calls of
//! 1,000, the first three go at once and the others every 20 s.
//!
//! ```
//! use parallel_playground::engine::TokenBucket;
//! let mut bucket = TokenBucket::per_minute(3000.0, 0.0);
//! let waits: Vec<f64> = (0..5).map(|_| bucket.reserve(0.0, 1000.0)).collect();
//! assert_eq!(waits, [0.0, 0.0, 0.0, 20_000.0, 40_000.0]);
//! ```

use crate::providers::ModelRequest;
use serde::{Deserialize, Serialize};

/// The budgets a run keeps to, besides the concurrency limit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientLimits {
    /// Requests per minute; `None` is no budget.
    #[serde(rename = "rpm")]
    pub requests_per_minute: Option<u32>,
    /// Tokens (input estimate + `max_tokens`) per minute; `None` is no budget. Saved as `tpm`,
    /// so no saved field name looks like it could hold an API token.
    #[serde(rename = "tpm")]
    pub tokens_per_minute: Option<u32>,
    /// Find the concurrency the provider tolerates (AIMD); the concurrency limit, if any, is
    /// then the most it may reach.
    pub adaptive: bool,
}

impl ClientLimits {
    /// Whether any budget is set.
    pub fn has_budget(&self) -> bool {
        self.requests_per_minute.is_some() || self.tokens_per_minute.is_some()
    }
}

/// What a queued call waits for, as in the lane's `data-queued-for`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueReason {
    /// A concurrency permit (the fixed or the adaptive limit).
    Permit,
    /// The requests-per-minute budget.
    Requests,
    /// The tokens-per-minute budget.
    Tokens,
}

impl QueueReason {
    /// The `data-queued-for` value.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueReason::Permit => "permit",
            QueueReason::Requests => "requests",
            QueueReason::Tokens => "tokens",
        }
    }

    /// What the call waits for, in words.
    pub fn describe(self) -> &'static str {
        match self {
            QueueReason::Permit => "waiting for a concurrency permit",
            QueueReason::Requests => "waiting for the request budget",
            QueueReason::Tokens => "waiting for the token budget",
        }
    }
}

/// A budget of `capacity` per minute, refilled continuously, that may go into debt.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    capacity: f64,
    per_ms: f64,
    level: f64,
    at_ms: f64,
}

impl TokenBucket {
    /// A full bucket of `capacity` a minute, at time `now_ms`.
    pub fn per_minute(capacity: f64, now_ms: f64) -> TokenBucket {
        let capacity = capacity.max(1.0);
        TokenBucket {
            capacity,
            per_ms: capacity / 60_000.0,
            level: capacity,
            at_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: f64) {
        let elapsed = (now_ms - self.at_ms).max(0.0);
        self.level = (self.level + elapsed * self.per_ms).min(self.capacity);
        self.at_ms = self.at_ms.max(now_ms);
    }

    /// Reserves `amount` now and returns how long to wait (ms) until the bucket has covered it.
    pub fn reserve(&mut self, now_ms: f64, amount: f64) -> f64 {
        self.refill(now_ms);
        self.level -= amount.max(0.0);
        if self.level >= 0.0 {
            0.0
        } else {
            -self.level / self.per_ms
        }
    }

    /// Gives back `amount` reserved but not spent (a cancelled call, a shorter answer).
    pub fn refund(&mut self, now_ms: f64, amount: f64) {
        self.refill(now_ms);
        self.level = (self.level + amount.max(0.0)).min(self.capacity);
    }

    /// What is left now (negative while in debt).
    pub fn level(&mut self, now_ms: f64) -> f64 {
        self.refill(now_ms);
        self.level
    }
}

/// The two buckets of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RateBudgets {
    requests: Option<TokenBucket>,
    tokens: Option<TokenBucket>,
}

impl RateBudgets {
    /// Full buckets for `limits`, or `None` when it sets no budget.
    pub fn new(limits: &ClientLimits, now_ms: f64) -> Option<RateBudgets> {
        limits.has_budget().then(|| RateBudgets {
            requests: limits
                .requests_per_minute
                .map(|n| TokenBucket::per_minute(f64::from(n), now_ms)),
            tokens: limits
                .tokens_per_minute
                .map(|n| TokenBucket::per_minute(f64::from(n), now_ms)),
        })
    }

    /// Reserves one request of `tokens`; the wait and, when there is one, which budget it is for
    /// (the longer of the two).
    pub fn reserve(&mut self, now_ms: f64, tokens: u32) -> (f64, Option<QueueReason>) {
        let requests = self
            .requests
            .as_mut()
            .map_or(0.0, |b| b.reserve(now_ms, 1.0));
        let tokens = self
            .tokens
            .as_mut()
            .map_or(0.0, |b| b.reserve(now_ms, f64::from(tokens)));
        if tokens <= 0.0 && requests <= 0.0 {
            (0.0, None)
        } else if tokens >= requests {
            (tokens, Some(QueueReason::Tokens))
        } else {
            (requests, Some(QueueReason::Requests))
        }
    }

    /// Gives back a whole reservation (the call never went out).
    pub fn cancel(&mut self, now_ms: f64, tokens: u32) {
        if let Some(b) = &mut self.requests {
            b.refund(now_ms, 1.0);
        }
        self.refund_tokens(now_ms, tokens);
    }

    /// Gives back tokens reserved but not spent.
    pub fn refund_tokens(&mut self, now_ms: f64, tokens: u32) {
        if let Some(b) = &mut self.tokens {
            b.refund(now_ms, f64::from(tokens));
        }
    }
}

/// What a request may spend: its input (about four characters a token) and `max_tokens`, as
/// OpenAI counts a request against its token limit before it runs.
pub fn reserved_tokens(request: &ModelRequest) -> u32 {
    let chars: usize = request.system.as_deref().map_or(0, |s| s.chars().count())
        + request
            .messages
            .iter()
            .map(|m| m.text().chars().count())
            .sum::<usize>();
    (chars as f64 / 4.0).ceil() as u32 + request.max_tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_continuously_up_to_its_capacity() {
        let mut bucket = TokenBucket::per_minute(60.0, 0.0);
        assert_eq!(bucket.reserve(0.0, 60.0), 0.0);
        assert_eq!(bucket.level(30_000.0), 30.0);
        assert_eq!(bucket.level(600_000.0), 60.0);
        // In debt: 30 more than there is waits 30 s.
        assert_eq!(bucket.reserve(600_000.0, 90.0), 30_000.0);
        bucket.refund(600_000.0, 90.0);
        assert_eq!(bucket.level(600_000.0), 60.0);
    }

    #[test]
    fn the_longer_wait_names_the_budget() {
        let limits = ClientLimits {
            requests_per_minute: Some(2),
            tokens_per_minute: Some(100_000),
            adaptive: false,
        };
        let mut budgets = RateBudgets::new(&limits, 0.0).expect("budgets");
        assert_eq!(budgets.reserve(0.0, 10), (0.0, None));
        assert_eq!(budgets.reserve(0.0, 10), (0.0, None));
        assert_eq!(
            budgets.reserve(0.0, 10),
            (30_000.0, Some(QueueReason::Requests))
        );
        assert!(RateBudgets::new(&ClientLimits::default(), 0.0).is_none());
    }

    #[test]
    fn a_request_reserves_its_input_and_max_tokens() {
        let request = ModelRequest::ask("m", Some("abcd"), "abcdefgh", 100);
        assert_eq!(reserved_tokens(&request), 103);
    }
}
