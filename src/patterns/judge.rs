//! Voting with a judge: instead of a majority, one more call reads the N answers and names the
//! final result. It starts only once every sample has settled (it needs all of them), in the
//! vote's group, so the vote's wall time counts it; its result is read with the vote's
//! extraction. A judge can catch a majority that agrees on a wrong result, and costs one more
//! call whose prompt holds all N answers.

use super::{PatternPlan, PatternRun};
use crate::engine::{CallResult, CancelToken, Group, LaneInfo, LaneKind, Variant};
use crate::providers::simulated::JUDGE_OPENING;
use crate::providers::ModelRequest;

/// The judge's user prompt: the question and every sample's answer (or why it has none).
pub fn judge_prompt(question: &str, samples: &[CallResult]) -> String {
    let mut prompt = format!(
        "{JUDGE_OPENING} {} answers to the same question, sampled from one model. Read them, \
         decide which final result is right — the most common one is not always right — and \
         end with that final result alone, in the form the question asks for.\n\nThe \
         question: {}\n",
        samples.len(),
        question.trim()
    );
    for (i, sample) in samples.iter().enumerate() {
        let text = if sample.succeeded() {
            sample.text.trim().to_string()
        } else {
            format!(
                "(No answer: {})",
                sample.outcome.reason().unwrap_or_default()
            )
        };
        prompt.push_str(&format!("\nCandidate {}:\n{text}\n", i + 1));
    }
    prompt
}

/// Runs the judge of `samples` (all settled) on a lane of its own in the vote's group.
pub(super) async fn judge(
    run: &PatternRun,
    plan: &PatternPlan,
    samples: &[CallResult],
    cancel: &CancelToken,
) -> CallResult {
    let lane = run.ctx.emitter.open_lane(LaneInfo {
        group: Group::Vote,
        kind: LaneKind::Synthesis,
        label: format!("Judge: reads the {} answers", samples.len()),
        parent: None,
        variant: Variant::A,
    });
    let prompt = judge_prompt(plan.question(), samples);
    let mut request = ModelRequest::ask(
        &plan.base.model,
        plan.base.system_prompt.as_deref(),
        &prompt,
        plan.base.max_tokens,
    );
    request.temperature = plan.base.temperature;
    run.call(&run.ctx, lane, request, cancel, None).await
}
