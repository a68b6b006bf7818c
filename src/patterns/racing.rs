//! Racing (`Promise.any`): the same request to N contestants; the first complete answer wins
//! and the others are cancelled at that moment — their requests aborted (an HTTP provider
//! closes the connection when its stream is dropped), their partial text kept and marked.
//! Contestants are N samples of the set-up or, when the set-up has variants, one per variant
//! (each with its own provider, model, system prompt and max tokens; its lane carries the
//! variant). Baseline: one call of the set-up (variant A).

use super::{both, sample_label, PatternPlan, PatternReport, PatternRun};
use crate::engine::{CallContext, CancelReason, CancelToken, Group, LaneId, Variant, VariantRun};
use crate::providers::ModelRequest;
use futures::future::join_all;
use std::cell::Cell;

/// One contestant: the variant it runs as, its request and who answers it.
struct Contestant {
    variant: Variant,
    label: String,
    request: ModelRequest,
    ctx: CallContext,
}

/// The contestants: one per variant when there are variants, else N samples of the set-up.
fn contestants(run: &PatternRun, plan: &PatternPlan, variants: &[VariantRun]) -> Vec<Contestant> {
    let question = plan.question();
    if variants.is_empty() {
        return (0..plan.samples())
            .map(|k| Contestant {
                variant: Variant::A,
                label: sample_label("Contestant", k, question),
                request: plan.request(question),
                ctx: run.ctx.clone(),
            })
            .collect();
    }
    variants
        .iter()
        .take(Variant::MAX)
        .map(|v| {
            let own = PatternPlan {
                base: v.plan.clone(),
                settings: plan.settings.clone(),
            };
            Contestant {
                variant: v.variant,
                label: format!(
                    "Variant {} ({}): {question}",
                    v.variant.letter(),
                    v.plan.model
                ),
                request: own.request(question),
                ctx: CallContext {
                    provider: v.provider.clone(),
                    ..run.ctx.clone()
                },
            }
        })
        .collect()
}

pub(super) async fn run(
    run: &PatternRun,
    plan: &PatternPlan,
    variants: &[VariantRun],
    cancel: &CancelToken,
) -> PatternReport {
    let question = plan.question();
    let baseline = run.one_call_baseline(plan, question, cancel);
    let winner: Cell<Option<LaneId>> = Cell::new(None);
    let strategy = run.group(Group::Race, async {
        let semaphore = run.group_limit();
        // The race's own token: the winner cancels it; a run cancel reaches it as a parent.
        let race = cancel.child();
        let lanes: Vec<_> = contestants(run, plan, variants)
            .into_iter()
            .enumerate()
            .map(|(k, c)| {
                let lane = run.open_as(c.variant, Group::Race, k, false, None, c.label.clone());
                (lane, c)
            })
            .collect();
        join_all(lanes.into_iter().map(|(lane, c)| {
            let semaphore = semaphore.as_ref();
            let race = &race;
            let winner = &winner;
            async move {
                let result = run.call(&c.ctx, lane, c.request, race, semaphore).await;
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
