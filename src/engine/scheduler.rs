//! [`run`]: turns a [`RunPlan`] into calls — one at a time, all at once, or both — and the
//! synthesis that follows each run.

use super::call::{run_call, CallContext, CallResult};
use super::cancel::{CancelReason, CancelToken};
use super::event::{Emitter, EventKind, EventSink, Group, LaneInfo, LaneKind, Outcome};
use super::plan::{CompareTiming, FailurePolicy, RunMode, RunPlan};
use super::semaphore::Semaphore;
use super::synthesis::{below_quorum_reason, synthesis_prompt, ResearchOutcome};
use crate::base::{Clock, SplitMix64};
use crate::providers::{ModelRequest, Provider};
use futures::future::{join, join_all};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;

/// What a run needs from its surroundings: time, a model, and somewhere to send events.
#[derive(Clone)]
pub struct RunEnv {
    pub clock: Rc<dyn Clock>,
    pub provider: Rc<dyn Provider>,
    pub sink: EventSink,
    /// Seed of the retry jitter (fixed in tests, random in the browser).
    pub jitter_seed: u64,
}

/// The results of one run (sequential or parallel), answers in question order.
#[derive(Clone, Debug, Serialize)]
pub struct GroupReport {
    pub group: Group,
    pub answers: Vec<CallResult>,
    pub synthesis: Option<CallResult>,
    /// Why the synthesis did not run, when it did not.
    pub synthesis_skipped: Option<String>,
    pub started_ms: f64,
    pub ended_ms: f64,
}

impl GroupReport {
    /// Wall time of the run, synthesis included.
    pub fn wall_ms(&self) -> f64 {
        self.ended_ms - self.started_ms
    }
}

/// Everything a run produced.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub groups: Vec<GroupReport>,
    pub cancelled: bool,
}

impl RunReport {
    /// The report of one group, if it ran.
    pub fn group(&self, group: Group) -> Option<&GroupReport> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// Runs the plan: the research calls of each run, then its synthesis. `cancel` stops everything
/// still going; every lane still ends with an event.
pub async fn run(plan: &RunPlan, env: RunEnv, cancel: CancelToken) -> RunReport {
    let emitter = Emitter::new(env.clock.clone(), env.sink.clone());
    let ctx = CallContext {
        emitter: emitter.clone(),
        provider: env.provider.clone(),
        retry: plan.retry.clone(),
        timeout_ms: plan.timeout_ms,
        rng: Rc::new(RefCell::new(SplitMix64::new(env.jitter_seed))),
    };
    emitter.emit(EventKind::RunStarted {
        mode: plan.mode,
        questions: plan.questions.len(),
        model: plan.model.clone(),
        concurrency_limit: plan.concurrency_limit,
    });
    let groups = match plan.mode {
        RunMode::Sequential => vec![run_group(plan, &ctx, Group::Sequential, &cancel).await],
        // Agent runs have their own entry point (`agent::run_agents`); as a research plan they
        // behave like a parallel run.
        RunMode::Parallel | RunMode::Agents => {
            vec![run_group(plan, &ctx, Group::Parallel, &cancel).await]
        }
        RunMode::Compare => match plan.compare_timing {
            CompareTiming::SameTime => {
                let (seq, par) = join(
                    run_group(plan, &ctx, Group::Sequential, &cancel),
                    run_group(plan, &ctx, Group::Parallel, &cancel),
                )
                .await;
                vec![seq, par]
            }
            CompareTiming::OneAfterTheOther => {
                let seq = run_group(plan, &ctx, Group::Sequential, &cancel).await;
                let par = run_group(plan, &ctx, Group::Parallel, &cancel).await;
                vec![seq, par]
            }
        },
    };
    let cancelled = cancel.is_cancelled();
    emitter.emit(EventKind::RunFinished { cancelled });
    RunReport { groups, cancelled }
}

/// One run: its questions (one at a time or concurrently), then its synthesis.
async fn run_group(
    plan: &RunPlan,
    ctx: &CallContext,
    group: Group,
    run_cancel: &CancelToken,
) -> GroupReport {
    let emitter = &ctx.emitter;
    let started_ms = emitter.elapsed_ms();
    emitter.emit(EventKind::GroupStarted { group });
    let lanes: Vec<_> = plan
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            emitter.open_lane(LaneInfo {
                group,
                kind: LaneKind::Question { index },
                label: question.clone(),
                parent: None,
            })
        })
        .collect();
    let research_request = |question: &str| {
        let mut request = ModelRequest::ask(
            &plan.model,
            plan.system_prompt.as_deref(),
            question,
            plan.max_tokens,
        );
        request.temperature = plan.temperature;
        request
    };
    // Fail-fast cancels this group only; a run cancel reaches it through the parent.
    let group_cancel = run_cancel.child();
    let fail_fast = plan.failure_policy == FailurePolicy::FailFast;
    let on_result = |result: &CallResult| {
        if fail_fast
            && matches!(
                result.outcome,
                Outcome::Failed { .. } | Outcome::TimedOut { .. }
            )
        {
            group_cancel.cancel(CancelReason::FailFast {
                failed_lane: result.lane,
            });
        }
    };

    let answers: Vec<CallResult> = match group {
        Group::Sequential => {
            let mut answers = Vec::with_capacity(lanes.len());
            for (lane, question) in lanes.iter().zip(&plan.questions) {
                let result =
                    run_call(ctx, *lane, research_request(question), &group_cancel, None).await;
                on_result(&result);
                answers.push(result);
            }
            answers
        }
        _ => {
            let semaphore = plan.concurrency_limit.map(Semaphore::new);
            // Results come back in question order whatever order they finish in. Above 30
            // calls `futures::join_all` runs them in a `FuturesOrdered`, which polls only the
            // calls that were woken and hands the thread back when calls yield: each provider
            // yields once right after its start is stamped, so a batch of 1,000 gets all its
            // starts stamped before any of them does its heavier work.
            join_all(lanes.iter().zip(&plan.questions).map(|(lane, question)| {
                let semaphore = semaphore.as_ref();
                let group_cancel = &group_cancel;
                let on_result = &on_result;
                async move {
                    let result = run_call(
                        ctx,
                        *lane,
                        research_request(question),
                        group_cancel,
                        semaphore,
                    )
                    .await;
                    on_result(&result);
                    result
                }
            }))
            .await
        }
    };

    let (synthesis, synthesis_skipped) =
        synthesize(plan, ctx, group, &answers, run_cancel, &group_cancel).await;
    emitter.emit(EventKind::GroupFinished { group });
    GroupReport {
        group,
        answers,
        synthesis,
        synthesis_skipped,
        started_ms,
        ended_ms: emitter.elapsed_ms(),
    }
}

/// The synthesis of a group, or why it was skipped.
async fn synthesize(
    plan: &RunPlan,
    ctx: &CallContext,
    group: Group,
    answers: &[CallResult],
    run_cancel: &CancelToken,
    group_cancel: &CancelToken,
) -> (Option<CallResult>, Option<String>) {
    let answered = answers.iter().filter(|a| a.succeeded()).count();
    let total = answers.len();
    let skipped = if run_cancel.is_cancelled() {
        Some("No synthesis: the run was cancelled.".to_string())
    } else if let Some(CancelReason::FailFast { failed_lane }) = group_cancel.reason() {
        let which = answers
            .iter()
            .position(|a| a.lane == failed_lane)
            .map(|i| format!("question {}", i + 1))
            .unwrap_or_else(|| "a question".into());
        Some(format!(
            "No synthesis: {which} failed and fail-fast stopped the run."
        ))
    } else if total == 0 {
        Some("No synthesis: there are no questions.".to_string())
    } else if answered < plan.quorum.max(1) {
        Some(below_quorum_reason(answered, total, plan.quorum.max(1)))
    } else {
        None
    };
    if let Some(reason) = skipped {
        ctx.emitter.emit(EventKind::SynthesisSkipped {
            group,
            reason: reason.clone(),
        });
        return (None, Some(reason));
    }

    let outcomes: Vec<ResearchOutcome<'_>> = answers
        .iter()
        .zip(&plan.questions)
        .map(|(result, question)| ResearchOutcome {
            question,
            answer: match &result.outcome {
                Outcome::Done => Ok(result.text.as_str()),
                other => Err(other.reason().unwrap_or_default()),
            },
        })
        .collect();
    let prompt = synthesis_prompt(&plan.synthesis_prompt, &outcomes);
    ctx.emitter.emit(EventKind::SynthesisStarted {
        group,
        answers: answered,
        questions: total,
    });
    let lane = ctx.emitter.open_lane(LaneInfo {
        group,
        kind: LaneKind::Synthesis,
        label: format!("Synthesis ({} run)", group.as_str()),
        parent: None,
    });
    let mut request = ModelRequest::ask(&plan.model, None, &prompt, plan.max_tokens);
    request.temperature = plan.temperature;
    // The synthesis obeys the run's cancel, not fail-fast (which already decided above).
    let result = run_call(ctx, lane, request, run_cancel, None).await;
    (Some(result), None)
}
