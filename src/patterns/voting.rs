//! Voting (self-consistency): the same question sampled N times at once, each answer's final
//! result read, and the majority taken — decided only after **every** sample has settled (no
//! early stop: the tally and agreement then count all N). Baseline: one call.

use super::{both, sample_label, tally, PatternPlan, PatternReport, PatternRun};
use crate::engine::{CallResult, CancelToken, Group};
use futures::future::join_all;

pub(super) async fn run(
    run: &PatternRun,
    plan: &PatternPlan,
    cancel: &CancelToken,
) -> PatternReport {
    let question = plan.question();
    let n = plan.samples();
    let baseline = run.one_call_baseline(plan, question, cancel);
    let strategy = run.group(Group::Vote, async {
        let semaphore = run.group_limit();
        // Every sample is asked for at once (t = 0 of the group); the limit may queue some.
        let lanes: Vec<_> = (0..n)
            .map(|k| {
                run.open(
                    Group::Vote,
                    k,
                    false,
                    None,
                    sample_label("Sample", k, question),
                )
            })
            .collect();
        join_all(lanes.into_iter().map(|lane| {
            let semaphore = semaphore.as_ref();
            async move {
                run.call(&run.ctx, lane, plan.request(question), cancel, semaphore)
                    .await
            }
        }))
        .await
    });
    let (baseline, samples) = both(plan.base.compare_timing, baseline, strategy).await;
    // The decision: only now, with every sample settled.
    let votes = tally(samples.iter().map(answer_of), &plan.settings.extraction);
    PatternReport {
        baseline,
        strategy: samples,
        tally: Some(votes),
        ..PatternReport::default()
    }
}

/// The text of a sample that answered completely.
fn answer_of(result: &CallResult) -> Option<&str> {
    result.succeeded().then_some(result.text.as_str())
}
