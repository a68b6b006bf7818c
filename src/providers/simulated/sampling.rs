//! Sampling for the patterns: with [`SimulatedProvider::sampling`], every request is a fresh
//! draw (as at a temperature above 0), and a question with one right answer — arithmetic — gets
//! a short worked answer that is wrong with the share [`SimulationSettings::wrong_rate`], so
//! the gain of voting shows offline.

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

/// A sampled answer to a prompt with arithmetic in it, or `None` for any other prompt.
pub(super) fn worked_answer(
    prompt: &str,
    settings: &SimulationSettings,
    rng: &mut SplitMix64,
) -> Option<String> {
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
