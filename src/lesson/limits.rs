//! The lesson's steps on limits: eight calls sent at once against a server that takes two at a
//! time (429s and retries), the same with the adaptive limit, and a local server with one slot
//! (the staircase of first tokens). Each set-up and each explanation, with the run's numbers.

use super::{list_seconds, question_lanes, travel};
use crate::base::seconds_text;
use crate::engine::{Group, LaneStatus, RunFigures, RunView, Waves};
use crate::explain_limits::refusals;
use crate::providers::simulated::ServerCapacity;
use crate::workspace::{preset, Workspace};

/// Calls in the limits steps, and what the simulated server takes at once.
const CALLS: usize = 8;
const SERVER_LIMIT: usize = 2;

/// Eight questions on the simulated model, no client limit, retries enough to get through.
fn eight_calls(current: &Workspace) -> Workspace {
    let mut ws = travel(current);
    if let Some(many) = preset("many") {
        let many = many.workspace();
        ws.topic = many.topic;
        ws.questions = many.questions.into_iter().take(CALLS).collect();
        ws.synthesis_prompt = many.synthesis_prompt;
        ws.system_prompt = many.system_prompt;
    }
    ws.preset = String::new();
    ws.run.concurrency_limit = None;
    ws.run.limits = Default::default();
    ws.run.max_retries = 6;
    ws.simulation.server = ServerCapacity::default();
    ws
}

/// A provider that refuses (429, `retry-after: 1`) what goes beyond two calls in flight.
pub(super) fn against_a_limit(current: &Workspace) -> Workspace {
    let mut ws = eight_calls(current);
    ws.simulation.server.max_concurrent = Some(SERVER_LIMIT);
    ws
}

/// The same provider, with the concurrency limit "auto".
pub(super) fn adaptive(current: &Workspace) -> Workspace {
    let mut ws = against_a_limit(current);
    ws.run.limits.adaptive = true;
    ws
}

/// A local server with one slot: the calls wait inside it before their first token.
pub(super) fn one_slot(current: &Workspace) -> Workspace {
    let mut ws = eight_calls(current);
    ws.questions.truncate(4);
    ws.simulation.server.slots = Some(1);
    ws
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn failed_calls(view: &RunView) -> usize {
    question_lanes(view, Group::Parallel)
        .iter()
        .filter(|l| l.status == LaneStatus::Failed)
        .count()
}

/// Unlimited against the server's limit.
pub(super) fn explain_unlimited(view: &RunView, figures: &RunFigures) -> Option<String> {
    let par = figures.parallel.as_ref()?;
    let calls = question_lanes(view, Group::Parallel).len();
    let refused = refusals(view);
    let retried = question_lanes(view, Group::Parallel)
        .iter()
        .filter(|l| l.retries > 0)
        .count();
    let failed = failed_calls(view);
    let gave_up = if failed == 0 {
        "every call got through in the end".to_string()
    } else {
        format!(
            "{} gave up after its retries",
            plural(failed, "call", "calls")
        )
    };
    Some(format!(
        "All {calls} calls went out at once to a server that takes {SERVER_LIMIT} at a time: it \
         refused {} with 429, and {} waited for its retry-after and tried again; {gave_up}. The \
         parallel run took {} — each refusal costs a round trip and a second of waiting. A \
         concurrency limit of {SERVER_LIMIT} would have sent none into a 429; the next step finds \
         that number by itself.",
        plural(refused, "attempt", "attempts"),
        plural(retried, "call", "calls"),
        seconds_text(par.wall_ms),
    ))
}

/// The same with "auto".
pub(super) fn explain_adaptive(view: &RunView, figures: &RunFigures) -> Option<String> {
    let par = figures.parallel.as_ref()?;
    let first = view.limit_trace.first()?.2;
    let last = view.limit_trace.last()?.2;
    let highest = view.limit_trace.iter().map(|t| t.2).max().unwrap_or(last);
    let refused = refusals(view);
    Some(format!(
        "With the limit on auto, the page started at {first} call{} at a time, added one per \
         success and cut back by 30 % on each 429, ending at {last} (highest {highest}) against a \
         server that takes {SERVER_LIMIT}. The server refused {} in all, and the parallel run \
         took {} — compare both with the unlimited run before. The line under the timeline is \
         the limit over time: additive increase, multiplicative decrease, as TCP does.",
        if first == 1 { "" } else { "s" },
        plural(refused, "attempt", "attempts"),
        seconds_text(par.wall_ms),
    ))
}

/// The staircase of one slot.
pub(super) fn explain_one_slot(view: &RunView, figures: &RunFigures) -> Option<String> {
    let par = figures.parallel.as_ref()?;
    let lanes = question_lanes(view, Group::Parallel);
    let mut waits: Vec<f64> = lanes
        .iter()
        .filter_map(|l| Some(l.first_token_ms? - l.started_ms?))
        .collect();
    waits.sort_by(f64::total_cmp);
    let waves = Waves::of_group(view, Group::Parallel);
    let at_a_time = match waves {
        Some(w) if w.per_wave == 1 => format!("one at a time, in {} waves", w.waves),
        Some(w) => format!("about {} at a time, in {} waves", w.per_wave, w.waves),
        None => "one after another".to_string(),
    };
    Some(format!(
        "The {} calls were all sent at once and none was refused, yet their first tokens came \
         {at_a_time}: the times to first token were {}. The server generates for one request at \
         a time and the rest wait inside it, which the browser sees only as a long wait for the \
         first token. The parallel run took {} — no faster than one call after another. More \
         slots help: llama-server --parallel N, OLLAMA_NUM_PARALLEL for Ollama.",
        lanes.len(),
        list_seconds(&waits),
        seconds_text(par.wall_ms),
    ))
}
