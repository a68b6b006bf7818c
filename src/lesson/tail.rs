//! The lesson's step on the tail of the slowest: ten questions with one call in ten a slow
//! outlier, repeated for twenty rounds. The explanation quotes the rounds' own numbers: the
//! share of slow calls measured, the prediction 1 − (1 − p)^N for N = 1, 10 and 50, and the
//! share of slow parallel runs observed.

use super::travel;
use crate::base::seconds_text;
use crate::engine::RunFigures;
use crate::experiment::Experiment;
use crate::workspace::{preset, Workspace};

/// Questions per run, rounds, and the slow-outlier knob of the step.
pub(super) const CALLS: usize = 10;
pub(super) const ROUNDS: u32 = 20;
pub(super) const SLOW_RATE: f64 = 0.1;

/// Ten questions on a fast simulated model with slow outliers, twenty rounds.
pub(super) fn slow_outliers(current: &Workspace) -> Workspace {
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
    ws.run.rounds = ROUNDS;
    ws.simulation.speed = 20.0;
    ws.simulation.slow_rate = SLOW_RATE;
    ws
}

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// What the rounds showed, once all of them have run; `None` before (or without a parallel run).
pub(super) fn explain(experiment: &Experiment, figures: &RunFigures) -> Option<String> {
    if experiment.rounds.len() < experiment.planned as usize || experiment.planned < 2 {
        return None;
    }
    let tail = experiment.tail().into_iter().next()?;
    let par = figures.parallel.as_ref()?;
    let p = tail.measured_share;
    let at = |n: i32| percent(1.0 - (1.0 - p).powi(n));
    Some(format!(
        "Over {} rounds, {} of the calls took longer than {} (the slowest {}): p = {:.1} %. A \
         parallel run lasts as long as its slowest call, so it is slow if any of its N calls is: \
         1 − (1 − p)^N is {} for N = 1, {} for N = 10 and {} for N = 50. With N = {:.0} here, {} \
         of {} parallel runs were slow ({}, predicted {}). The last round's parallel run took {}. \
         The more calls you fan out, the more the tail of one call becomes the typical run — \
         hedging or a timeout on the slowest calls is how large systems cope (\"The Tail at \
         Scale\", Dean & Barroso).",
        tail.runs,
        percent(p),
        seconds_text(tail.threshold_ms),
        percent(tail.slow_share),
        p * 100.0,
        at(1),
        at(10),
        at(50),
        tail.calls_per_run,
        tail.slow_runs,
        tail.runs,
        percent(tail.observed),
        percent(tail.predicted),
        seconds_text(par.wall_ms),
    ))
}
