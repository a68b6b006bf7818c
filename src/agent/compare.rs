//! The figures of the agents compare, folded from its lanes: both sides' walls, the
//! conversations one at a time against all at once (seed 003's "5 s + 4 s = 9 s serial vs 5 s
//! concurrent"), and the tool calls of a turn one at a time against together (seed 004's "23 s
//! sequential vs 6 s parallel").

use crate::base::seconds_text;
use crate::engine::{AgentFigures, Group, LaneKind, LaneView, RunView};

/// Both sides of an agents compare.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentCompareFigures {
    pub serial: AgentFigures,
    pub parallel: AgentFigures,
    /// Each conversation's time on the serial side, in prompt order.
    pub serial_conversations_ms: Vec<f64>,
    /// Each conversation's time on the parallel side.
    pub parallel_conversations_ms: Vec<f64>,
    /// Time spent in tool calls, turn by turn (from a turn's first tool call to its last), summed:
    /// one at a time, and together.
    pub serial_tools_ms: f64,
    pub parallel_tools_ms: f64,
    pub finished: bool,
}

impl AgentCompareFigures {
    /// The figures of both sides, once both have started.
    pub fn compute(view: &RunView, now_ms: f64) -> Option<AgentCompareFigures> {
        let serial = AgentFigures::of_group(view, Group::AgentSerial, now_ms)?;
        let parallel = AgentFigures::of_group(view, Group::AgentParallel, now_ms)?;
        let finished = serial.finished && parallel.finished;
        Some(AgentCompareFigures {
            serial_conversations_ms: conversations(view, Group::AgentSerial, now_ms),
            parallel_conversations_ms: conversations(view, Group::AgentParallel, now_ms),
            serial_tools_ms: tool_time(view, Group::AgentSerial, now_ms),
            parallel_tools_ms: tool_time(view, Group::AgentParallel, now_ms),
            serial,
            parallel,
            finished,
        })
    }

    /// The two shapes in words, with this run's numbers.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        let parts: Vec<String> = self
            .serial_conversations_ms
            .iter()
            .map(|ms| seconds_text(*ms))
            .collect();
        if parts.len() > 1 {
            let longest = self
                .parallel_conversations_ms
                .iter()
                .copied()
                .fold(0.0, f64::max);
            out.push(format!(
                "Conversations one at a time: {} = {}; all at once: {} (the longest one).",
                parts.join(" + "),
                seconds_text(self.serial_conversations_ms.iter().sum()),
                seconds_text(longest),
            ));
        }
        if self.serial_tools_ms > 0.0 {
            out.push(format!(
                "Tool calls: {} one at a time vs {} in parallel ({} tool calls per side).",
                seconds_text(self.serial_tools_ms),
                seconds_text(self.parallel_tools_ms),
                self.serial.tool_calls,
            ));
        }
        out.push(format!(
            "Wall: {} serial vs {} parallel.",
            seconds_text(self.serial.wall_ms),
            seconds_text(self.parallel.wall_ms)
        ));
        out
    }
}

fn duration(lane: &LaneView, now_ms: f64) -> Option<f64> {
    Some(lane.ended_ms.unwrap_or(now_ms) - lane.started_ms?)
}

/// The top-level conversations of `group`, in prompt order.
fn conversations(view: &RunView, group: Group, now_ms: f64) -> Vec<f64> {
    let mut list: Vec<(usize, f64)> = view
        .lanes
        .iter()
        .filter(|l| l.info.group == group && l.info.parent.is_none())
        .filter_map(|l| match l.info.kind {
            LaneKind::Conversation { conversation } => Some((conversation, duration(l, now_ms)?)),
            _ => None,
        })
        .collect();
    list.sort_by_key(|(c, _)| *c);
    list.into_iter().map(|(_, ms)| ms).collect()
}

/// Summed over the top-level turns of `group` that called tools (an orchestrator's, not those of
/// the agents it calls): from the turn's first tool call's start to its last one's end.
fn tool_time(view: &RunView, group: Group, now_ms: f64) -> f64 {
    let top_level = |turn: &LaneView| {
        turn.info
            .parent
            .and_then(|p| view.lanes.get(p))
            .is_some_and(|p| matches!(p.info.kind, LaneKind::Conversation { .. }))
    };
    view.lanes
        .iter()
        .filter(|t| t.info.group == group && matches!(t.info.kind, LaneKind::Turn { .. }))
        .filter(|t| top_level(t))
        .filter_map(|turn| {
            let tools = view.lanes.iter().filter(|l| {
                l.info.parent == Some(turn.id) && matches!(l.info.kind, LaneKind::Tool { .. })
            });
            let (start, end) = tools.fold((f64::INFINITY, f64::NEG_INFINITY), |(s, e), l| match l
                .started_ms
            {
                Some(start) => (s.min(start), e.max(l.ended_ms.unwrap_or(now_ms))),
                None => (s, e),
            });
            (end > start).then_some(end - start)
        })
        .sum()
}
