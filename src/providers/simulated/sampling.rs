//! Sampling for the patterns: with [`SimulatedProvider::sampling`], every request is a fresh
//! draw (as at a temperature above 0), and a question with one right answer — arithmetic — gets
//! a short worked answer that is wrong with the share [`SimulationSettings::wrong_rate`], so
//! the gain of voting shows offline. A judge's prompt (it begins with [`JUDGE_OPENING`]) gets
//! the most common final result among its candidates' `Answer:` lines: offline, the judge is as
//! good as the majority, no better.

use super::{format_number, Expression, SimulatedProvider, SimulationSettings};
use crate::base::SplitMix64;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// How many requests of each prompt a sampling provider has answered.
pub(super) type Draws = Rc<RefCell<HashMap<String, u64>>>;

/// Offsets of a wrong result: spread out, so wrong answers rarely agree with each other.
const WRONG_OFFSETS: [f64; 8] = [-10.0, -3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 10.0];

impl SimulatedProvider {
    /// The same model, answering each request as a fresh sample (see the module).
    pub fn sampling(mut self) -> SimulatedProvider {
        self.draws = Some(Rc::default());
        self
    }

    /// The draw number of the next request of `prompt`, when sampling.
    pub(super) fn next_draw(&self, prompt: &str) -> Option<u64> {
        let draws = self.draws.as_ref()?;
        let mut draws = draws.borrow_mut();
        let n = draws.entry(prompt.trim().to_string()).or_insert(0);
        *n += 1;
        Some(*n)
    }
}

/// How the prompt of a voting judge begins (`patterns::judge` writes it).
pub const JUDGE_OPENING: &str = "You are the judge of";

/// The simulated judge's answer to `prompt`, or `None` when it is not a judge's prompt.
fn judged(prompt: &str) -> Option<String> {
    let rest = prompt.trim_start().strip_prefix(JUDGE_OPENING)?;
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for line in rest.lines() {
        let Some(value) = line.trim().strip_prefix("Answer:").map(str::trim) else {
            continue;
        };
        match counts.iter_mut().find(|(v, _)| *v == value) {
            Some((_, n)) => *n += 1,
            None if !value.is_empty() => counts.push((value, 1)),
            None => {}
        }
    }
    // The first seen wins a tie.
    let best = counts
        .iter()
        .fold(None::<(&str, usize)>, |best, &(v, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((v, n)),
        });
    Some(match best {
        Some((value, n)) => format!(
            "Reading the candidates' working, {n} of them reach {value}, and that working \
             holds.\n\nAnswer: {value}"
        ),
        None => "None of the candidates has a final result to judge.".into(),
    })
}

/// A sampled answer to a prompt with arithmetic in it (or a judge's verdict), or `None` for any
/// other prompt.
pub(super) fn worked_answer(
    prompt: &str,
    settings: &SimulationSettings,
    rng: &mut SplitMix64,
) -> Option<String> {
    if let Some(verdict) = judged(prompt) {
        return Some(verdict);
    }
    let expression = Expression::find_in(prompt)?;
    let right = expression.evaluate()?;
    let wrong_rate = settings.wrong_rate.clamp(0.0, 1.0);
    let value = if rng.next_f64() < wrong_rate {
        right + WRONG_OFFSETS[rng.index(WRONG_OFFSETS.len())]
    } else {
        right
    };
    let working = expression.render(expression.root());
    Some(format!(
        "Working through {working} step by step, one operation at a time.\n\nAnswer: {}",
        format_number(value)
    ))
}
