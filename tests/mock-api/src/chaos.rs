//! `chaos=SEED`: a deterministic mix of healthy and failing responses. Each request draws from
//! a hash of the seed, the request body and the attempt number, so a run can be replayed exactly
//! and a retry of a failed request draws again.
//!
//! Weights, out of 100:
//!
//! | outcome                       | weight |
//! |-------------------------------|--------|
//! | ok                            | 50     |
//! | 429 (`retry-after: 1`)        | 14     |
//! | 529 overloaded                | 10     |
//! | 500 api error                 | 8      |
//! | cut (connection closed)       | 6      |
//! | malformed (non-JSON data)     | 6      |
//! | stall (nothing more is sent)  | 6      |

use crate::behaviour::{error_reply, Decision, Failure, Params};
use crate::text::fnv1a;

/// The outcomes and their weights, in drawing order; the weights add up to 100.
pub const WEIGHTS: &[(&str, u64)] = &[
    ("ok", 50),
    ("429", 14),
    ("529", 10),
    ("500", 8),
    ("cut", 6),
    ("malformed", 6),
    ("stall", 6),
];

/// Draws the outcome for one attempt. Failures inside the stream happen after a drawn number of
/// pieces below `tokens`; a 429 carries `retry-after: 1` (or the request's `retry_after`).
pub fn pick(seed: &str, body: &[u8], attempt: u32, tokens: usize, params: &Params) -> Decision {
    let mut input = Vec::with_capacity(seed.len() + body.len() + 8);
    input.extend_from_slice(seed.as_bytes());
    input.push(0);
    input.extend_from_slice(body);
    input.extend_from_slice(&attempt.to_le_bytes());
    let hash = fnv1a(&input);
    let total: u64 = WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut roll = hash % total;
    let after = ((hash >> 32) % tokens.max(1) as u64) as usize;
    let mut chosen = "ok";
    for (name, weight) in WEIGHTS {
        if roll < *weight {
            chosen = name;
            break;
        }
        roll -= weight;
    }
    match chosen {
        "429" => Decision::Error(error_reply(params, 429)),
        "529" => Decision::Error(error_reply(params, 529)),
        "500" => Decision::Error(error_reply(params, 500)),
        "cut" => Decision::Answer(Some(Failure::Cut(after))),
        "malformed" => Decision::Answer(Some(Failure::Malformed(after))),
        "stall" => Decision::Answer(Some(Failure::Stall(after))),
        _ => Decision::Answer(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(seed: &str, n: u32) -> Vec<String> {
        let params = Params::default();
        (0..n)
            .map(|i| pick(seed, format!("body {i}").as_bytes(), 0, 30, &params).name())
            .collect()
    }

    #[test]
    fn same_seed_and_body_draw_the_same() {
        assert_eq!(draw("7", 50), draw("7", 50));
        assert_ne!(draw("7", 50), draw("8", 50));
    }

    #[test]
    fn about_half_are_ok_and_every_failure_shows_up() {
        let names = draw("42", 2000);
        let ok = names.iter().filter(|n| *n == "ok").count();
        assert!((850..=1150).contains(&ok), "ok = {ok}");
        for expected in [
            "error_429",
            "error_529",
            "error_500",
            "cut",
            "malformed",
            "stall",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} never drawn"
            );
        }
    }

    #[test]
    fn a_retry_draws_again() {
        let params = Params::default();
        let draws: Vec<_> = (0..20)
            .map(|attempt| pick("1", b"same body", attempt, 30, &params))
            .collect();
        assert!(draws.iter().any(|d| *d != draws[0]));
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let params = Params::default();
        let limited = (0..500)
            .map(|i| pick("3", format!("{i}").as_bytes(), 0, 30, &params))
            .find(|d| d.name() == "error_429");
        match limited {
            Some(Decision::Error(e)) => assert_eq!(e.retry_after_s, Some(1)),
            other => panic!("no 429 drawn: {other:?}"),
        }
    }
}
