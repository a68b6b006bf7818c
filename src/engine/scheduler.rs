//! [`run`]: turns a [`RunPlan`] into calls — one at a time, all at once, or both — and the
//! synthesis that follows each run.

use super::admission::{run_admitted_call, CallAdmission};
use super::call::{CallContext, CallResult};
use super::cancel::{CancelReason, CancelToken};
use super::event::{Emitter, EventKind, EventSink, Group, LaneInfo, LaneKind, Outcome, Variant};
use super::plan::{CompareTiming, FailurePolicy, RunKind, RunMode, RunPlan};
use super::semaphore::Semaphore;
use super::synthesis::{synthesis_prompt, ResearchOutcome, SynthesisSkip};
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
    pub synthesis_skipped: Option<SynthesisSkip>,
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
    emitter.emit(EventKind::RunStarted {
        mode: RunKind::Research(plan.mode),
        questions: plan.questions.len(),
        model: plan.model.clone(),
        concurrency_limit: plan.concurrency_limit,
    });
    let groups = run_groups(plan, &env, &cancel, &emitter, Variant::A).await;
    let cancelled = cancel.is_cancelled();
    emitter.emit(EventKind::RunFinished { cancelled });
    RunReport { groups, cancelled }
}

/// The groups of one plan (of one variant) on `base`'s time axis and lane ids, with
/// `env.provider`; emits neither the run's start nor its end.
pub(super) async fn run_groups(
    plan: &RunPlan,
    env: &RunEnv,
    cancel: &CancelToken,
    base: &Emitter,
    variant: Variant,
) -> Vec<GroupReport> {
    // Budgets and the adaptive limit watch the plan's events; they wait on the run's clock.
    let admission = CallAdmission::for_plan(plan, env.clock.clone());
    let sink = match &admission {
        Some(admission) => admission.observing(base.sink().clone()),
        None => base.sink().clone(),
    };
    let emitter = base.with_sink(sink);
    if let Some(admission) = &admission {
        admission.bind(&emitter);
    }
    let admission = admission.as_ref();
    let ctx = CallContext {
        emitter: emitter.clone(),
        provider: env.provider.clone(),
        retry: plan.retry.clone(),
        timeout_ms: plan.timeout_ms,
        rng: Rc::new(RefCell::new(SplitMix64::new(
            env.jitter_seed ^ u64::from(variant.0),
        ))),
    };
    let cancel = &cancel;
    let group = |group| run_group(plan, &ctx, admission, group, cancel, variant);
    match plan.mode {
        RunMode::Sequential => vec![group(Group::Sequential).await],
        // Agent runs have their own entry point (`agent::run_agents`); as a research plan they
        // behave like a parallel run.
        RunMode::Parallel => vec![group(Group::Parallel).await],
        RunMode::Compare => match plan.compare_timing {
            CompareTiming::SameTime => {
                let (seq, par) = join(group(Group::Sequential), group(Group::Parallel)).await;
                vec![seq, par]
            }
            CompareTiming::OneAfterTheOther => {
                let seq = group(Group::Sequential).await;
                let par = group(Group::Parallel).await;
                vec![seq, par]
            }
        },
    }
}

/// One run: its questions (one at a time or concurrently), then its synthesis.
async fn run_group(
    plan: &RunPlan,
    ctx: &CallContext,
    admission: Option<&Rc<CallAdmission>>,
    group: Group,
    run_cancel: &CancelToken,
    variant: Variant,
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
                variant,
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
                let request = research_request(question);
                let result =
                    run_admitted_call(ctx, admission, false, *lane, request, &group_cancel, None)
                        .await;
                on_result(&result);
                answers.push(result);
            }
            answers
        }
        _ => {
            // With an admission, it holds the concurrency limit (fixed or adaptive) itself.
            let semaphore = match admission {
                Some(_) => None,
                None => plan.concurrency_limit.map(Semaphore::new),
            };
            // Results come back in question order whatever order they finish in. Above 30
            // calls `futures::join_all` runs them in a `FuturesOrdered`, which polls only the
            // calls that were woken and hands the thread back when calls yield: each call
            // yields once right after its start is stamped, so a batch of 1,000 gets all its
            // starts stamped before any of them does its heavier work.
            // The requests are built before the first call starts, not between the starts.
            let requests: Vec<ModelRequest> =
                plan.questions.iter().map(|q| research_request(q)).collect();
            join_all(lanes.iter().zip(requests).map(|(lane, request)| {
                let semaphore = semaphore.as_ref();
                let group_cancel = &group_cancel;
                let on_result = &on_result;
                async move {
                    let result = run_admitted_call(
                        ctx,
                        admission,
                        true,
                        *lane,
                        request,
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

    let (synthesis, synthesis_skipped) = synthesize(
        plan,
        ctx,
        admission,
        (group, variant),
        &answers,
        run_cancel,
        &group_cancel,
    )
    .await;
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
    admission: Option<&Rc<CallAdmission>>,
    (group, variant): (Group, Variant),
    answers: &[CallResult],
    run_cancel: &CancelToken,
    group_cancel: &CancelToken,
) -> (Option<CallResult>, Option<SynthesisSkip>) {
    let answered = answers.iter().filter(|a| a.succeeded()).count();
    let total = answers.len();
    let skipped = if run_cancel.is_cancelled() {
        Some(SynthesisSkip::Cancelled)
    } else if let Some(CancelReason::FailFast { failed_lane }) = group_cancel.reason() {
        let question = answers
            .iter()
            .position(|a| a.lane == failed_lane)
            .map(|i| i + 1);
        Some(SynthesisSkip::FailFast { question })
    } else if total == 0 {
        Some(SynthesisSkip::NoQuestions)
    } else if answered < plan.quorum.max(1) {
        Some(SynthesisSkip::BelowQuorum {
            answered,
            total,
            quorum: plan.quorum.max(1),
        })
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
        label: if variant == Variant::A {
            format!("Synthesis ({} run)", group.as_str())
        } else {
            format!("Synthesis ({} run, {})", group.as_str(), variant.letter())
        },
        parent: None,
        variant,
    });
    let mut request = ModelRequest::ask(&plan.model, None, &prompt, plan.max_tokens);
    request.temperature = plan.temperature;
    // The synthesis obeys the run's cancel, not fail-fast (which already decided above).
    let result = run_admitted_call(ctx, admission, false, lane, request, run_cancel, None).await;
    (Some(result), None)
}
