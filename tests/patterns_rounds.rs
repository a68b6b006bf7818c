//! Hedging over rounds under virtual time: twenty rounds of four calls against a server whose
//! every tenth request is a slow outlier. The rounds' plain calls and hedged calls are folded
//! into one distribution each: the hedged p95 is below the plain one, every backup was sent for
//! a call still waiting for its first token at the delay, never more than one per call, and the
//! explanation quotes the percentiles and the extra calls and tokens.

use parallel_playground::base::seconds_text;
use parallel_playground::engine::*;
use parallel_playground::experiment::{run_rounds_of, RoundRecord};
use parallel_playground::patterns::hedge_rounds::{explain_rounds, hedge_over_rounds, HedgeRounds};
use parallel_playground::patterns::*;
use parallel_playground::providers::{
    EventStream, ModelRequest, Provider, ProviderEvent, StopReason, Usage,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

const FAST_MS: f64 = 40.0;
const SLOW_MS: f64 = 900.0;
const DELAY_MS: f64 = 200.0;
const CALLS: usize = 4;
const ROUNDS: u32 = 20;

/// Request n (counted over all rounds) answers all at once after `FAST_MS`, or after
/// `SLOW_MS` when n is one less than a multiple of ten (the mock's `ttfts` cycle).
struct OneInTenSlow {
    clock: VirtualClock,
    served: Cell<usize>,
}

impl Provider for OneInTenSlow {
    fn stream(&self, _request: &ModelRequest, _attempt: u32) -> EventStream {
        let n = self.served.replace(self.served.get() + 1);
        let wait = if n % 10 == 9 { SLOW_MS } else { FAST_MS };
        let clock = self.clock.clone();
        let events = async move {
            clock.sleep(wait).await;
            futures::stream::iter(
                [
                    ProviderEvent::TextDelta {
                        text: "An answer.".into(),
                    },
                    ProviderEvent::Usage {
                        usage: Usage::new(10, 5),
                    },
                    ProviderEvent::Stop {
                        reason: StopReason::EndTurn,
                    },
                ]
                .map(Ok),
            )
        };
        Box::pin(futures::stream::StreamExt::flatten(futures::stream::once(
            events,
        )))
    }
}

fn hedging_plan() -> PatternPlan {
    PatternPlan {
        base: RunPlan {
            questions: vec![
                "Who was Ada Lovelace?".into(),
                "What did Unix change?".into(),
            ],
            compare_timing: CompareTiming::OneAfterTheOther,
            ..RunPlan::default()
        },
        settings: PatternSettings {
            pattern: Pattern::Hedging,
            samples: CALLS,
            hedge_after_ms: Some(DELAY_MS),
            ..PatternSettings::default()
        },
    }
}

/// Runs `rounds` rounds of the hedging plan on one server and returns their records.
fn run_hedging_rounds(rounds: u32) -> Vec<RoundRecord> {
    let clock = VirtualClock::new();
    let provider: Rc<dyn Provider> = Rc::new(OneInTenSlow {
        clock: clock.clone(),
        served: Cell::new(0),
    });
    let plan = hedging_plan();
    let records = Rc::new(RefCell::new(Vec::new()));
    let keep = records.clone();
    let env_clock = clock.clone();
    let env_for = move |round: u32| RunEnv {
        clock: Rc::new(env_clock.clone()),
        provider: provider.clone(),
        sink: Rc::new(|_: Event| {}),
        jitter_seed: u64::from(round),
    };
    let runner = move |_, env: RunEnv, cancel: CancelToken| {
        let plan = plan.clone();
        async move {
            let _ = run_pattern(&plan, env, cancel).await;
        }
    };
    let ran = run_virtual(&clock, async move {
        let on_round = |r| keep.borrow_mut().push(r);
        run_rounds_of(rounds, env_for, CancelToken::new(), on_round, runner).await
    })
    .expect("the rounds end");
    assert_eq!(ran, rounds);
    records.take()
}

/// The hedged group's calls of every round: (backup, index, start, first token).
fn hedge_calls(records: &[RoundRecord]) -> Vec<(u32, bool, usize, f64, f64)> {
    records
        .iter()
        .flat_map(|r| r.calls.iter())
        .filter(|c| c.info.group == Group::Hedge)
        .filter_map(|c| match c.info.kind {
            LaneKind::PatternCall { index, backup, .. } => Some((
                c.round,
                backup,
                index,
                c.start_ms?,
                c.first_token_ms.unwrap_or(f64::INFINITY),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn hedging_over_twenty_rounds_cuts_the_p95_of_the_calls_for_a_few_extra_calls() {
    let records = run_hedging_rounds(ROUNDS);
    let h = hedge_over_rounds(&records).expect("hedging rounds");
    assert_eq!(h.rounds, ROUNDS as usize);
    let n = CALLS * ROUNDS as usize;
    assert_eq!((h.plain.len(), h.hedged.len(), h.calls), (n, n, n));
    let [_, p95_plain, _, _] = HedgeRounds::stats(&h.plain);
    let [_, p95_hedged, _, _] = HedgeRounds::stats(&h.hedged);
    let (plain, hedged) = (p95_plain.expect("p95"), p95_hedged.expect("p95"));
    assert!(
        plain >= SLOW_MS,
        "plain p95 {plain}: the outliers are in it"
    );
    assert!(hedged < SLOW_MS, "hedged p95 {hedged}");
    // A backup exactly at the delay for each call still without a first token, one at most.
    let calls = hedge_calls(&records);
    let mut expected_backups = 0;
    for &(round, _, index, start, first) in calls.iter().filter(|c| !c.1) {
        let copies: Vec<_> = calls
            .iter()
            .filter(|c| c.0 == round && c.1 && c.2 == index)
            .collect();
        assert!(copies.len() <= 1, "round {round} call {index}: {copies:?}");
        if first - start > DELAY_MS {
            expected_backups += 1;
            let copy = copies.first().expect("a slow call is hedged");
            assert_eq!(copy.3, start + DELAY_MS, "round {round} call {index}");
        } else {
            assert!(copies.is_empty(), "round {round} call {index} was quick");
        }
    }
    assert_eq!(h.backups, expected_backups);
    assert!(h.backups > 0 && h.backups < n / 4, "{} backups", h.backups);
    assert!(h.backup_tokens > 0 && h.backup_tokens < h.plain_tokens);
}

#[test]
fn the_rounds_explanation_quotes_the_percentiles_and_the_extra_calls_and_tokens() {
    let h = hedge_over_rounds(&run_hedging_rounds(ROUNDS)).expect("hedging rounds");
    let text = explain_rounds(&h);
    for value in [HedgeRounds::stats(&h.plain), HedgeRounds::stats(&h.hedged)] {
        let [p50, p95, p99, _] = value.map(|v| v.map(seconds_text).unwrap_or_default());
        assert!(text.contains(&format!("{p50} / {p95} / {p99}")), "{text}");
    }
    assert!(text.contains(&format!("Over {ROUNDS} rounds")), "{text}");
    assert!(
        text.contains(&format!("{} extra calls", h.backups)),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} extra tokens", h.backup_tokens)),
        "{text}"
    );
}

#[test]
fn one_round_is_not_a_distribution() {
    assert_eq!(hedge_over_rounds(&run_hedging_rounds(1)), None);
}
