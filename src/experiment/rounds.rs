//! [`run_rounds`]: the same plan R times, round after round (never overlapping), each round
//! folded into a compact [`RoundRecord`] as soon as it ends.

use super::record::RoundRecord;
use crate::base::stable_hash;
use crate::engine::{run, CancelToken, Event, RunEnv, RunPlan, RunView};
use std::cell::RefCell;
use std::rc::Rc;

/// The simulated model's seed for round `round` (1-based): round 1 keeps the set-up's seed, so
/// one round is exactly the run it always was; later rounds draw fresh timings.
pub fn round_seed(seed: u64, round: u32) -> u64 {
    if round <= 1 {
        seed
    } else {
        stable_hash(&[&seed.to_string(), "round", &round.to_string()])
    }
}

/// Runs `plan` `rounds` times (at least once; the page allows up to 100, see
/// `workspace::limits::ROUNDS`). `env_for(round)` gives each round
/// its environment (a fresh provider, the sink of that round's events); `on_round` receives each
/// round's record when it ends. A cancel ends the round in progress (its lanes end cancelled, and
/// it is still recorded) and starts no further round. Returns how many rounds ran.
pub async fn run_rounds(
    plan: &RunPlan,
    rounds: u32,
    env_for: impl FnMut(u32) -> RunEnv,
    cancel: CancelToken,
    on_round: impl FnMut(RoundRecord),
) -> u32 {
    run_rounds_of(rounds, env_for, cancel, on_round, |_, env, cancel| {
        run(plan, env, cancel)
    })
    .await
}

/// As [`run_rounds`], each round run by `runner(round, env, cancel)` (the variants of a set-up,
/// for instance, each round on one axis).
pub async fn run_rounds_of<F: std::future::Future>(
    rounds: u32,
    mut env_for: impl FnMut(u32) -> RunEnv,
    cancel: CancelToken,
    mut on_round: impl FnMut(RoundRecord),
    mut runner: impl FnMut(u32, RunEnv, CancelToken) -> F,
) -> u32 {
    let mut ran = 0;
    for round in 1..=rounds.max(1) {
        if cancel.is_cancelled() {
            break;
        }
        let mut env = env_for(round);
        // The round is folded as it happens; its events are not kept.
        let view = Rc::new(RefCell::new(RunView::default()));
        let (inner, folding) = (env.sink.clone(), view.clone());
        env.sink = Rc::new(move |event: Event| {
            folding.borrow_mut().apply(&event);
            inner(event);
        });
        runner(round, env, cancel.clone()).await;
        ran = round;
        let record = RoundRecord::from_view(round, &view.borrow());
        on_round(record);
    }
    ran
}
