//! The guided lesson: seventeen steps over the real page. Each step sets up the workspace, names
//! the control to press, and — once that run has finished — explains what happened with the
//! numbers of that very run.

use crate::agent::AgentSetup;
use crate::base::seconds_text;
use crate::engine::FailurePolicy;
use crate::engine::{Group, LaneKind, LaneStatus, LaneView, RunFigures, RunKind, RunMode, RunView};
use crate::explain::times;
use crate::workspace::{preset, PageMode, ProviderKind, Workspace};

mod limits;
mod map_cache;
mod patterns;
mod tail;

/// One step of the lesson.
pub struct LessonStep {
    pub title: &'static str,
    /// What the step is about.
    pub goal: &'static str,
    /// What to do now.
    pub instruction: &'static str,
    /// The run the step asks for.
    pub action: RunKind,
    setup: fn(&Workspace) -> Workspace,
}

impl LessonStep {
    /// The `data-testid` of the control to press.
    pub fn control(&self) -> &'static str {
        match self.action {
            RunKind::Research(RunMode::Sequential) => "run-sequential",
            RunKind::Research(RunMode::Parallel) => "run-parallel",
            RunKind::Research(RunMode::Compare) => "run-compare",
            RunKind::Agents => "run-agents",
            RunKind::Pattern => "run-pattern",
        }
    }

    /// The workspace of this step, built from the person's current one (keeping its theme of
    /// things, replacing what the step is about).
    pub fn workspace(&self, current: &Workspace) -> Workspace {
        (self.setup)(current)
    }
}

/// The seeds' travel guide on the simulated model at a brisk pace: the lesson's starting point.
pub(crate) fn travel(current: &Workspace) -> Workspace {
    let mut ws = preset("travel").map(|p| p.workspace()).unwrap_or_default();
    ws.simulation = current.simulation.clone();
    ws.simulation.speed = 2.0;
    ws.simulation.failure_rate = 0.0;
    ws.simulation.rate_limit_rate = 0.0;
    ws.simulation.slow_rate = 0.0;
    ws.provider = current.provider.clone();
    ws.provider.kind = ProviderKind::Simulated;
    ws.mode = PageMode::Research;
    ws.agents = current.agents.clone();
    ws
}

fn with_limit(current: &Workspace) -> Workspace {
    let mut ws = travel(current);
    if let Some(many) = preset("many") {
        let many = many.workspace();
        ws.topic = many.topic;
        ws.questions = many.questions.into_iter().take(6).collect();
        ws.synthesis_prompt = many.synthesis_prompt;
        ws.system_prompt = many.system_prompt;
    }
    ws.preset = String::new();
    ws.run.concurrency_limit = Some(2);
    ws
}

fn with_failure(current: &Workspace, policy: FailurePolicy) -> Workspace {
    let mut ws = travel(current);
    if let Some(drill) = preset("failure-drill") {
        let drill = drill.workspace();
        ws.topic = drill.topic;
        ws.questions = drill.questions;
        ws.preset = drill.preset;
    }
    ws.run.failure_policy = policy;
    ws.run.quorum = 2;
    ws.run.max_retries = 1;
    ws
}

fn with_tools(current: &Workspace) -> Workspace {
    let mut ws = travel(current);
    ws.mode = PageMode::Agents;
    ws.agents.setup = AgentSetup::Calculator;
    ws.agents.prompts = vec!["What is (2 + 3) * (4 * 4) + (6 - 1)?".into()];
    ws.agents.parallel_tools = true;
    ws.agents.concurrent_conversations = true;
    ws.agents.tool_latency_ms = 800.0;
    ws
}

/// The steps, in order.
pub const STEPS: [LessonStep; 17] = [
    LessonStep {
        title: "One at a time",
        goal: "Three independent questions for a travel guide, asked the plain way: each call waits for the one before.",
        instruction: "Press Sequential and watch the bars form a staircase.",
        action: RunKind::Research(RunMode::Sequential),
        setup: travel,
    },
    LessonStep {
        title: "All at once",
        goal: "The same three questions, started together — like asyncio.gather or Promise.all.",
        instruction: "Press Parallel: all three bars start at the same moment.",
        action: RunKind::Research(RunMode::Parallel),
        setup: travel,
    },
    LessonStep {
        title: "Side by side",
        goal: "Both runs on one time axis: the sum of the times against the time of the slowest.",
        instruction: "Press Compare.",
        action: RunKind::Research(RunMode::Compare),
        setup: travel,
    },
    LessonStep {
        title: "A semaphore caps the crowd",
        goal: "Six questions with a concurrency limit of 2: the rest wait, queued, for a free permit (rate limits are why you would do this).",
        instruction: "Press Parallel. Then try a limit of 1, and an empty (unlimited) limit.",
        action: RunKind::Research(RunMode::Parallel),
        setup: with_limit,
    },
    LessonStep {
        title: "Unlimited against a provider's limit",
        goal: "Eight questions sent at once to a provider that takes two at a time: it refuses the rest with 429 and a retry-after, and the page retries.",
        instruction: "Press Parallel and watch the retried stretches on the bars.",
        action: RunKind::Research(RunMode::Parallel),
        setup: limits::against_a_limit,
    },
    LessonStep {
        title: "Let the page find the limit",
        goal: "The same provider with the concurrency limit on auto: one more call per success, 30 % fewer on a 429 (AIMD).",
        instruction: "Press Parallel and watch the limit's line under the timeline.",
        action: RunKind::Research(RunMode::Parallel),
        setup: limits::adaptive,
    },
    LessonStep {
        title: "A local server with one slot",
        goal: "A local server (llama-server, Ollama) generates for a fixed number of requests at once; the others wait inside it, before their first token.",
        instruction: "Press Parallel: the calls start together, but their first tokens come as a staircase.",
        action: RunKind::Research(RunMode::Parallel),
        setup: limits::one_slot,
    },
    LessonStep {
        title: "When one call fails: settle all",
        goal: "One question is slow and one fails. With settle all (Promise.allSettled), the others carry on and the synthesis notes the gap.",
        instruction: "Press Parallel.",
        action: RunKind::Research(RunMode::Parallel),
        setup: |ws| with_failure(ws, FailurePolicy::SettleAll),
    },
    LessonStep {
        title: "…or fail fast",
        goal: "The same failure with fail fast (Promise.all): the first failure cancels everything still running.",
        instruction: "Press Parallel.",
        action: RunKind::Research(RunMode::Parallel),
        setup: |ws| with_failure(ws, FailurePolicy::FailFast),
    },
    LessonStep {
        title: "Parallel tool calls",
        goal: "An agent asks for several independent calculations in one turn; the tools run together and their results go back in one message.",
        instruction: "Press Run agents, then untick Parallel tool calls and run again.",
        action: RunKind::Agents,
        setup: with_tools,
    },
    LessonStep {
        title: "Parallel now, or half the price within the hour",
        goal: "The same questions as a batch job: the providers run it on their own machines at half the price, and most batches end within the hour.",
        instruction: "Press Parallel, then open Batch job below: export the program, run it, and import its results file to see the batch beside this run.",
        action: RunKind::Research(RunMode::Parallel),
        setup: travel,
    },
    LessonStep {
        title: "The tail of the slowest",
        goal: "Ten questions where one call in ten is a slow outlier, run twenty rounds: how often is the parallel run slow? It waits for its slowest call, so the more calls, the likelier one of them is slow.",
        instruction: "Press Parallel and watch the distribution panel fill, round after round.",
        action: RunKind::Research(RunMode::Parallel),
        setup: tail::slow_outliers,
    },
    LessonStep {
        title: "Voting: the same question, N times",
        goal: "A model that gets a sum wrong three times in ten, asked seven times at once: the majority of the answers is right far more often than one answer.",
        instruction: "Press Run pattern (voting is chosen); the majority is decided once every sample has settled.",
        action: RunKind::Pattern,
        setup: patterns::voting,
    },
    LessonStep {
        title: "Racing: first of N",
        goal: "The same request to three contestants: the first complete answer wins and the others are cancelled at that moment — their requests closed, their tokens paid.",
        instruction: "Press Run pattern (racing is chosen).",
        action: RunKind::Pattern,
        setup: patterns::racing,
    },
    LessonStep {
        title: "Hedging: a backup for the slow ones",
        goal: "Twenty calls, some of them slow outliers: a call with no first token after 0.5 s gets one backup copy, and the first of the two to finish wins.",
        instruction: "Press Run pattern (hedging is chosen), then compare the p95 and the max.",
        action: RunKind::Pattern,
        setup: patterns::hedging,
    },
    LessonStep {
        title: "Map-reduce: a long text in parts",
        goal: "A council report split into chunks by paragraphs, one call per chunk at once, then merging calls two by two, level by level — against one call over the whole text.",
        instruction: "Press Run pattern (map-reduce is chosen), then try a reduce fan-in of 4: fewer levels.",
        action: RunKind::Pattern,
        setup: patterns::map_reduce,
    },
    LessonStep {
        title: "A cached prefix: warm one, then fan out",
        goal: "Four questions about one long report, the report marked for the prompt cache: all at once, every call writes the cache; one first, the others read it at a tenth of the price.",
        instruction: "Press Run pattern (cached prefix is chosen), then compare the cache writes and reads, the cost and the time.",
        action: RunKind::Pattern,
        setup: patterns::cached_prefix,
    },
];

/// The step on the tail of the slowest (it explains its rounds, not one run).
pub const TAIL_STEP: usize = 11;

/// What step `step` showed: its rounds for the tail step ([`explain_step`] for the others).
pub fn explain_run(
    step: usize,
    view: &RunView,
    figures: &RunFigures,
    experiment: &crate::experiment::Experiment,
) -> Option<String> {
    if step != TAIL_STEP {
        return explain_step(step, view, figures);
    }
    if !view.finished || view.mode != Some(STEPS[TAIL_STEP].action) {
        return None;
    }
    if view.cancelled {
        return explain_step(step, view, figures);
    }
    tail::explain(experiment, figures)
}

pub(crate) fn question_lanes(view: &RunView, group: Group) -> Vec<&LaneView> {
    view.question_lanes(group)
}

pub(crate) fn list_seconds(values: &[f64]) -> String {
    let shown: Vec<String> = values.iter().map(|v| seconds_text(*v)).collect();
    match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the run of step `step` showed, in words with its own numbers; `None` until that run
/// has finished (or if it was a different kind of run).
pub fn explain_step(step: usize, view: &RunView, figures: &RunFigures) -> Option<String> {
    let action = STEPS.get(step)?.action;
    if !view.finished || view.mode != Some(action) {
        return None;
    }
    if view.cancelled {
        return Some(
            "This run was cancelled — press the highlighted button again to see the whole story."
                .into(),
        );
    }
    match step {
        0 => {
            let seq = figures.sequential.as_ref()?;
            let calls: Vec<f64> = question_lanes(view, Group::Sequential)
                .iter()
                .filter_map(|l| l.duration_ms())
                .collect();
            let research: f64 = calls.iter().sum();
            Some(format!(
                "The calls took {}, one after another: {} before the synthesis could even start. \
                 With the synthesis ({}), the sequential run took {} — the sum of its calls. \
                 Each call spent most of its time waiting for the model, and nothing else happened meanwhile.",
                list_seconds(&calls),
                seconds_text(research),
                seconds_text(seq.synthesis_ms.unwrap_or(0.0)),
                seconds_text(seq.wall_ms)
            ))
        }
        1 => {
            let par = figures.parallel.as_ref()?;
            let starts: Vec<f64> = question_lanes(view, Group::Parallel)
                .iter()
                .filter_map(|l| l.started_ms)
                .collect();
            let skew = starts.iter().cloned().fold(f64::MIN, f64::max)
                - starts.iter().cloned().fold(f64::MAX, f64::min);
            Some(format!(
                "All {} calls started within {:.1} ms of each other. The run waited only for the slowest \
                 ({}), then the synthesis ({}): the parallel run took {}, although its calls add up to {}. \
                 The answers arrived in their own order, yet stay in question order.",
                starts.len(),
                skew.max(0.0),
                seconds_text(par.slowest_ms),
                seconds_text(par.synthesis_ms.unwrap_or(0.0)),
                seconds_text(par.wall_ms),
                seconds_text(par.sum_ms)
            ))
        }
        2 => {
            let (seq, par) = (figures.sequential.as_ref()?, figures.parallel.as_ref()?);
            let speedup = figures.speedup?;
            let ideal = figures.ideal_speedup.unwrap_or(speedup);
            Some(format!(
                "Sequential {} against parallel {}: {} faster. The best this plan allows is {}, not {}×: \
                 the synthesis ({}) can only start once every answer is in, so that part stays serial \
                 (Amdahl's law). More questions would raise the ideal; a longer synthesis would lower it.",
                seconds_text(seq.wall_ms),
                seconds_text(par.wall_ms),
                times(speedup),
                times(ideal),
                seq.calls,
                seconds_text(par.synthesis_ms.unwrap_or(0.0)),
            ))
        }
        3 => {
            let par = figures.parallel.as_ref()?;
            let lanes = question_lanes(view, Group::Parallel);
            let limit = view.concurrency_limit.unwrap_or(lanes.len()).max(1);
            let rounds = lanes.len().div_ceil(limit);
            let queued: Vec<&&LaneView> = lanes
                .iter()
                .filter(|l| {
                    l.started_ms
                        .zip(Some(l.opened_ms))
                        .is_some_and(|(s, o)| s - o > 1.0)
                })
                .collect();
            let longest_wait = queued
                .iter()
                .filter_map(|l| Some(l.started_ms? - l.opened_ms))
                .fold(0.0, f64::max);
            Some(format!(
                "With a limit of {limit}, the {} calls ran in ⌈{}/{limit}⌉ = {rounds} rounds. {} calls waited \
                 in the queue (hatched), the longest for {}. The parallel run took {} — more than the \
                 slowest call, less than the sum. A limit of 1 is the sequential run; no limit is one round.",
                lanes.len(),
                lanes.len(),
                queued.len(),
                seconds_text(longest_wait),
                seconds_text(par.wall_ms)
            ))
        }
        4 => limits::explain_unlimited(view, figures),
        5 => limits::explain_adaptive(view, figures),
        6 => limits::explain_one_slot(view, figures),
        7 | 8 => {
            let par = figures.parallel.as_ref()?;
            let lanes = question_lanes(view, Group::Parallel);
            let failed = lanes.iter().position(|l| l.status == LaneStatus::Failed)?;
            let failed_lane = lanes[failed];
            let retries = failed_lane.retries;
            let cancelled = lanes
                .iter()
                .filter(|l| l.status == LaneStatus::Cancelled)
                .count();
            let done = lanes
                .iter()
                .filter(|l| l.status == LaneStatus::Done)
                .count();
            if step == 7 {
                Some(format!(
                    "Question {} failed ({} retr{}), but it cancelled nothing: the other {done} answers arrived, \
                     and the synthesis ran with {done} of {} answers, naming the gap. The parallel run took {} — \
                     set by the slow question, not by the failure. That is Promise.allSettled / gather(return_exceptions=True).",
                    failed + 1,
                    retries,
                    if retries == 1 { "y" } else { "ies" },
                    lanes.len(),
                    seconds_text(par.wall_ms),
                ))
            } else {
                Some(format!(
                    "Question {} failed at {} and fail fast cancelled the {cancelled} call{} still running — their \
                     requests were aborted and no synthesis ran. The parallel run took {}. Fail fast saves time \
                     and tokens when one missing answer makes the whole result useless.",
                    failed + 1,
                    seconds_text(failed_lane.ended_ms.unwrap_or(0.0)),
                    if cancelled == 1 { "" } else { "s" },
                    seconds_text(par.wall_ms),
                ))
            }
        }
        9 => {
            let agents = figures.agents.as_ref()?;
            // The widest turn: the one that asked for the most tool calls at once.
            let tools: Vec<&LaneView> = view
                .lanes
                .iter()
                .filter(|l| matches!(l.info.kind, LaneKind::Tool { .. }))
                .collect();
            let widest = view
                .lanes
                .iter()
                .filter(|l| matches!(l.info.kind, LaneKind::Turn { .. }))
                .map(|turn| {
                    tools
                        .iter()
                        .filter(|t| t.info.parent == Some(turn.id))
                        .collect::<Vec<_>>()
                })
                .max_by_key(|calls| calls.len())
                .unwrap_or_default();
            let durations: Vec<f64> = widest.iter().filter_map(|t| t.duration_ms()).collect();
            let span = widest.iter().filter_map(|t| t.ended_ms).fold(0.0, f64::max)
                - widest
                    .iter()
                    .filter_map(|t| t.started_ms)
                    .fold(f64::MAX, f64::min);
            Some(format!(
                "In one turn the model asked for {} tool calls. They took {} together; one at a time they \
                 would have taken {}. The agents took {} in all ({} turns, {} tool calls). Untick Parallel \
                 tool calls and run again to see the staircase.",
                widest.len(),
                seconds_text(span.max(0.0)),
                seconds_text(durations.iter().sum()),
                seconds_text(agents.wall_ms),
                agents.turns,
                agents.tool_calls
            ))
        }
        10 => {
            let par = figures.parallel.as_ref()?;
            let price = match par.cost_usd {
                Some(cost) if cost > 0.0 => format!(
                    "cost about ${cost:.4}; as a batch the same calls cost about ${:.4}",
                    cost * crate::batch::BATCH_DISCOUNT
                ),
                _ => "would cost half as much as a batch".to_string(),
            };
            Some(format!(
                "Parallel: {} calls answered in {} and {price}. A batch trades those seconds for \
                 minutes — most end within the hour, at most 24 hours — for half the price and no \
                 rate limits of yours to mind. Parallel now for ten or a hundred calls; a batch for \
                 ten thousand.",
                par.calls,
                seconds_text(par.wall_ms),
            ))
        }
        12 => patterns::explain_pattern(view, "voting", crate::patterns::Pattern::Voting),
        13 => patterns::explain_pattern(view, "racing", crate::patterns::Pattern::Racing),
        14 => patterns::explain_pattern(view, "hedging", crate::patterns::Pattern::Hedging),
        15 => map_cache::explain_map_reduce(view),
        16 => map_cache::explain_cached_prefix(view),
        _ => None,
    }
}
