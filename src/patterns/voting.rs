//! Voting (self-consistency): the same question sampled N times at once, each answer's final
//! result read, and the majority taken — decided only after **every** sample has settled (no
//! early stop: the tally and agreement then count all N). Or, as an option, a judge call reads
//! the N answers and names the result ([`super::judge`]), started once all have settled.
//! Baseline: one call.

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
        let samples = join_all(lanes.into_iter().map(|lane| {
            let semaphore = semaphore.as_ref();
            async move {
                run.call(&run.ctx, lane, plan.request(question), cancel, semaphore)
                    .await
            }
        }))
        .await;
        // The judge needs every answer: it starts only now.
        let judged = match plan.settings.judge && !cancel.is_cancelled() {
            true => Some(super::judge::judge(run, plan, &samples, cancel).await),
            false => None,
        };
        (samples, judged)
    });
    let (baseline, (samples, judge)) = both(plan.base.compare_timing, baseline, strategy).await;
    // The decision: only now, with every sample settled.
    let votes = tally(samples.iter().map(answer_of), &plan.settings.extraction);
    PatternReport {
        baseline,
        strategy: samples,
        tally: Some(votes),
        judge,
        ..PatternReport::default()
    }
}

/// The text of a sample that answered completely.
fn answer_of(result: &CallResult) -> Option<&str> {
    result.succeeded().then_some(result.text.as_str())
}
