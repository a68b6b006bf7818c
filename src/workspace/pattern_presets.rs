//! The presets of the patterns: which pattern, its N and delay, and the simulated model's knob
//! that makes the pattern's point offline (wrong answers for voting, slow outliers for
//! hedging).

use super::Workspace;
use crate::patterns::{Extraction, Pattern, PatternSettings};

/// The pattern settings of preset `id` (sectioning for the research presets).
pub fn patterns_of(id: &str) -> PatternSettings {
    let base = PatternSettings::default();
    match id {
        "voting" => PatternSettings {
            pattern: Pattern::Voting,
            samples: 7,
            extraction: Extraction::After {
                marker: "Answer:".into(),
            },
            ..base
        },
        "racing" => PatternSettings {
            pattern: Pattern::Racing,
            samples: 3,
            ..base
        },
        "hedging" => PatternSettings {
            pattern: Pattern::Hedging,
            samples: 20,
            hedge_after_ms: Some(1500.0),
            ..base
        },
        "map-reduce" => PatternSettings {
            pattern: Pattern::MapReduce,
            document: super::samples::SAMPLE_DOCUMENT.into(),
            chunk_size: 700,
            reduce_fan_in: 2,
            ..base
        },
        "cached-prefix" => PatternSettings {
            pattern: Pattern::CachedPrefix,
            shared_prefix: super::samples::SAMPLE_DOCUMENT.into(),
            ..base
        },
        _ => base,
    }
}

impl Workspace {
    /// The simulated model's knob that preset `id` is about (others are kept as they are).
    pub(super) fn with_pattern_knobs(mut self, id: &str) -> Workspace {
        match id {
            "voting" => self.simulation.wrong_rate = 0.3,
            "hedging" => self.simulation.slow_rate = 0.15,
            _ => {}
        }
        self
    }
}
