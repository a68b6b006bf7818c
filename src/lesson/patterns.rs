//! The lesson's steps on patterns: voting on a sum a model often gets wrong, racing three copies
//! of one request, hedging twenty calls with slow outliers, map-reduce over a council report and
//! four questions sharing a cached prefix. Each set-up and each explanation, with the run's
//! numbers (the pattern panel's own words for the first three; the lesson's own sentences, from
//! the same figures, for the last two).

use super::travel;
use crate::engine::{Group, RunView};
use crate::patterns::{explain, summarize, Pattern};
use crate::workspace::{preset, Workspace};

/// The preset `id` on the simulated model, keeping the person's provider settings.
fn pattern_preset(current: &Workspace, id: &str) -> Workspace {
    let base = travel(current);
    let mut ws = preset(id).map(|p| p.workspace()).unwrap_or_default();
    ws.provider = base.provider;
    ws.agents = base.agents;
    ws.mode = base.mode;
    ws.simulation.speed = 4.0;
    ws
}

pub(super) fn voting(current: &Workspace) -> Workspace {
    pattern_preset(current, "voting")
}

pub(super) fn racing(current: &Workspace) -> Workspace {
    pattern_preset(current, "racing")
}

pub(super) fn hedging(current: &Workspace) -> Workspace {
    let mut ws = pattern_preset(current, "hedging");
    // Seed 1 with 30% slow outliers: a set-up where the tail is plain to see.
    ws.simulation.seed = 1;
    ws.simulation.slow_rate = 0.3;
    ws.simulation.speed = 2.0;
    ws.patterns.hedge_after_ms = Some(500.0);
    ws
}

pub(super) fn map_reduce(current: &Workspace) -> Workspace {
    pattern_preset(current, "map-reduce")
}

pub(super) fn cached_prefix(current: &Workspace) -> Workspace {
    pattern_preset(current, "cached-prefix")
}

/// The explanation of a finished `pattern` run (`None` for a run of another pattern).
pub(super) fn explain_pattern(view: &RunView, id: &str, pattern: Pattern) -> Option<String> {
    let group: Group = pattern.strategy_group();
    if !view.lanes.iter().any(|l| l.info.group == group) {
        return None;
    }
    let settings = preset(id)?.workspace().patterns;
    let summary = summarize(view, pattern, &settings.extraction, view.last_event_ms);
    Some(explain(&summary)).filter(|t| !t.is_empty())
}
