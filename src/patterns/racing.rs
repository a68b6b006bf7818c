//! Racing (`Promise.any`): the same request to N contestants; the first complete answer wins
//! and the others are cancelled at that moment — their requests aborted (an HTTP provider
//! closes the connection when its stream is dropped), their partial text kept and marked.
//! Baseline: one call.

use super::{both, sample_label, PatternPlan, PatternReport, PatternRun};
use crate::engine::{CancelReason, CancelToken, Group, LaneId};
use futures::future::join_all;
use std::cell::Cell;

pub(super) async fn run(
    run: &PatternRun,
    plan: &PatternPlan,
    cancel: &CancelToken,
) -> PatternReport {
    let question = plan.question();
    let n = plan.samples();
    let baseline = run.one_call_baseline(plan, question, cancel);
    let winner: Cell<Option<LaneId>> = Cell::new(None);
    let strategy = run.group(Group::Race, async {
        let semaphore = run.group_limit();
        // The race's own token: the winner cancels it; a run cancel reaches it as a parent.
        let race = cancel.child();
        let lanes: Vec<_> = (0..n)
            .map(|k| {
                run.open(
                    Group::Race,
                    k,
                    false,
                    None,
                    sample_label("Contestant", k, question),
                )
            })
            .collect();
        join_all(lanes.into_iter().map(|lane| {
            let semaphore = semaphore.as_ref();
            let race = &race;
            let winner = &winner;
            async move {
                let result = run
                    .call(&run.ctx, lane, plan.request(question), race, semaphore)
                    .await;
                if result.succeeded() && winner.get().is_none() {
                    winner.set(Some(lane));
                    race.cancel(CancelReason::Superseded { winner_lane: lane });
                }
                result
            }
        }))
        .await
    });
    let (baseline, contestants) = both(plan.base.compare_timing, baseline, strategy).await;
    PatternReport {
        baseline,
        strategy: contestants,
        winner: winner.get(),
        ..PatternReport::default()
    }
}
