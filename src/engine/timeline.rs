//! [`RunView`]: events folded into lanes with phases — what the timeline draws, the answers list
//! shows, and the figures are computed from. Pure, so the page holds no timing logic.

use super::budget::QueueReason;
use super::event::{Event, EventKind, Group, LaneId, LaneInfo, LaneKind, Outcome};
use super::plan::RunKind;
use super::synthesis::SynthesisSkip;
use crate::providers::{ModelRequest, Usage};
use crate::wire::RateLimitInfo;
use std::sync::Arc;

/// A lane's state, as in the `data-status` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneStatus {
    Queued,
    Waiting,
    Streaming,
    Retrying,
    Done,
    Failed,
    Timeout,
    Cancelled,
}

impl LaneStatus {
    /// The `data-status` value.
    pub fn as_str(self) -> &'static str {
        match self {
            LaneStatus::Queued => "queued",
            LaneStatus::Waiting => "waiting",
            LaneStatus::Streaming => "streaming",
            LaneStatus::Retrying => "retrying",
            LaneStatus::Done => "done",
            LaneStatus::Failed => "failed",
            LaneStatus::Timeout => "timeout",
            LaneStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the lane has ended.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            LaneStatus::Done | LaneStatus::Failed | LaneStatus::Timeout | LaneStatus::Cancelled
        )
    }

    fn of_outcome(outcome: &Outcome) -> LaneStatus {
        match outcome {
            Outcome::Done => LaneStatus::Done,
            Outcome::Failed { .. } | Outcome::ToolFailed { .. } => LaneStatus::Failed,
            Outcome::TimedOut { .. } => LaneStatus::Timeout,
            Outcome::Cancelled { .. } => LaneStatus::Cancelled,
        }
    }
}

/// One stretch of a lane's bar: from `start_ms` to `end_ms` (`None` while it lasts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Phase {
    pub status: LaneStatus,
    pub start_ms: f64,
    pub end_ms: Option<f64>,
}

/// Everything known about one lane.
#[derive(Clone, Debug)]
pub struct LaneView {
    pub id: LaneId,
    pub info: LaneInfo,
    pub status: LaneStatus,
    pub opened_ms: f64,
    /// Start of the first attempt.
    pub started_ms: Option<f64>,
    pub first_token_ms: Option<f64>,
    pub ended_ms: Option<f64>,
    /// The bar's stretches, in time order; only the last may be open.
    pub phases: Vec<Phase>,
    pub retries: u32,
    /// Text of the current attempt (partial if the lane did not finish).
    pub text: String,
    /// Usage of finished attempts plus the current one.
    pub usage: Usage,
    usage_of_earlier_attempts: Usage,
    pub outcome: Option<Outcome>,
    /// The request of the latest attempt.
    pub request: Option<Arc<ModelRequest>>,
    /// Errors that led to retries: (time, message).
    pub retry_errors: Vec<(f64, String)>,
    /// What the lane waits for while queued (`None` when it waits for nothing in particular).
    pub queued_for: Option<QueueReason>,
    /// The last thing it waited for before it started, kept after it started.
    pub waited_for: Option<QueueReason>,
    /// The rate-limit headers of its latest response, when the page could read any.
    pub rate_limit: Option<RateLimitInfo>,
    /// Whether the server reported token usage at all (a local server may not: then the
    /// counts are unknown, not zero).
    pub usage_reported: bool,
}

impl LaneView {
    fn new(id: LaneId, info: LaneInfo, at_ms: f64) -> LaneView {
        LaneView {
            id,
            info,
            status: LaneStatus::Queued,
            opened_ms: at_ms,
            started_ms: None,
            first_token_ms: None,
            ended_ms: None,
            phases: vec![Phase {
                status: LaneStatus::Queued,
                start_ms: at_ms,
                end_ms: None,
            }],
            retries: 0,
            text: String::new(),
            usage: Usage::default(),
            usage_of_earlier_attempts: Usage::default(),
            outcome: None,
            request: None,
            retry_errors: Vec::new(),
            queued_for: None,
            waited_for: None,
            rate_limit: None,
            usage_reported: false,
        }
    }

    /// Time from first start to end, once both are known.
    pub fn duration_ms(&self) -> Option<f64> {
        Some(self.ended_ms? - self.started_ms?)
    }

    /// Whether the text shown is incomplete (the lane ended without success).
    pub fn is_partial(&self) -> bool {
        self.status.is_terminal() && self.status != LaneStatus::Done && !self.text.is_empty()
    }

    fn enter(&mut self, status: LaneStatus, at_ms: f64) {
        if let Some(last) = self.phases.last_mut() {
            if last.end_ms.is_none() {
                if last.status == status {
                    return;
                }
                last.end_ms = Some(at_ms);
            }
        }
        self.status = status;
        if !status.is_terminal() {
            self.phases.push(Phase {
                status,
                start_ms: at_ms,
                end_ms: None,
            });
        }
    }
}

/// A run as the page sees it: lanes in the order they opened, plus run-level facts.
#[derive(Clone, Debug, Default)]
pub struct RunView {
    pub lanes: Vec<LaneView>,
    pub mode: Option<RunKind>,
    pub model: String,
    pub concurrency_limit: Option<usize>,
    /// Groups with their start and end (end `None` while running).
    pub groups: Vec<(Group, f64, Option<f64>)>,
    /// Why a group's synthesis did not run.
    pub synthesis_skipped: Vec<(Group, SynthesisSkip)>,
    /// The time of the latest event.
    pub last_event_ms: f64,
    /// The adaptive concurrency limit over time: (time, group, limit).
    pub limit_trace: Vec<(f64, Group, usize)>,
    pub finished: bool,
    pub cancelled: bool,
}

impl RunView {
    /// Folds one event in; returns the lane it changed, if any.
    pub fn apply(&mut self, event: &Event) -> Option<LaneId> {
        let at = event.at_ms;
        self.last_event_ms = self.last_event_ms.max(at);
        match &event.kind {
            EventKind::RunStarted {
                mode,
                model,
                concurrency_limit,
                ..
            } => {
                self.mode = Some(*mode);
                self.model = model.clone();
                self.concurrency_limit = *concurrency_limit;
                None
            }
            EventKind::GroupStarted { group } => {
                self.groups.push((*group, at, None));
                None
            }
            EventKind::GroupFinished { group } => {
                if let Some(entry) = self.groups.iter_mut().find(|(g, _, _)| g == group) {
                    entry.2 = Some(at);
                }
                None
            }
            EventKind::SynthesisSkipped { group, reason } => {
                self.synthesis_skipped.push((*group, reason.clone()));
                None
            }
            EventKind::SynthesisStarted { .. } => None,
            EventKind::RunFinished { cancelled } => {
                self.finished = true;
                self.cancelled = *cancelled;
                None
            }
            EventKind::LaneOpened { lane, info } => {
                // Lanes arrive in id order; tolerate gaps rather than panic.
                if *lane == self.lanes.len() {
                    self.lanes.push(LaneView::new(*lane, info.clone(), at));
                    Some(*lane)
                } else {
                    None
                }
            }
            EventKind::Started {
                lane,
                attempt,
                request,
            } => self.with_lane(*lane, |l| {
                l.started_ms.get_or_insert(at);
                l.queued_for = None;
                if *attempt > 0 {
                    l.usage_of_earlier_attempts = l.usage;
                    l.text.clear();
                }
                if request.is_some() {
                    l.request = request.clone();
                }
                l.enter(LaneStatus::Waiting, at);
            }),
            EventKind::FirstToken { lane } => self.with_lane(*lane, |l| {
                l.first_token_ms.get_or_insert(at);
                l.enter(LaneStatus::Streaming, at);
            }),
            EventKind::TextDelta { lane, text } => self.with_lane(*lane, |l| {
                l.text.push_str(text);
                l.enter(LaneStatus::Streaming, at);
            }),
            EventKind::Usage { lane, usage } => self.with_lane(*lane, |l| {
                l.usage = l.usage_of_earlier_attempts + *usage;
                l.usage_reported = true;
            }),
            EventKind::Queued { lane, reason } => self.with_lane(*lane, |l| {
                l.queued_for = Some(*reason);
                l.waited_for = Some(*reason);
            }),
            EventKind::RateLimit { lane, info } => self.with_lane(*lane, |l| {
                l.rate_limit = Some(info.clone());
            }),
            EventKind::LimitChanged { group, limit } => {
                self.limit_trace.push((at, *group, *limit));
                None
            }
            EventKind::RetryScheduled {
                lane, retry, error, ..
            } => self.with_lane(*lane, |l| {
                l.retries = *retry;
                l.retry_errors.push((at, error.to_string()));
                l.enter(LaneStatus::Retrying, at);
            }),
            EventKind::Finished { lane, outcome } => self.with_lane(*lane, |l| {
                l.ended_ms = Some(at);
                l.enter(LaneStatus::of_outcome(outcome), at);
                l.outcome = Some(outcome.clone());
            }),
        }
    }

    fn with_lane(&mut self, lane: LaneId, f: impl FnOnce(&mut LaneView)) -> Option<LaneId> {
        let view = self.lanes.get_mut(lane)?;
        f(view);
        Some(lane)
    }

    /// Folds a whole list of events.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> RunView {
        let mut view = RunView::default();
        for event in events {
            view.apply(event);
        }
        view
    }

    /// The research lanes of `group`, in question order.
    pub fn question_lanes(&self, group: Group) -> Vec<&LaneView> {
        let mut lanes: Vec<&LaneView> = self
            .lanes
            .iter()
            .filter(|l| l.info.group == group && matches!(l.info.kind, LaneKind::Question { .. }))
            .collect();
        lanes.sort_by_key(|l| match l.info.kind {
            LaneKind::Question { index } => index,
            _ => usize::MAX,
        });
        lanes
    }

    /// The synthesis lane of `group`, once opened.
    pub fn synthesis_lane(&self, group: Group) -> Option<&LaneView> {
        self.lanes
            .iter()
            .find(|l| l.info.group == group && l.info.kind == LaneKind::Synthesis)
    }

    /// Start and end of a group (end `None` while it runs).
    pub fn group_span(&self, group: Group) -> Option<(f64, Option<f64>)> {
        self.groups
            .iter()
            .find(|(g, _, _)| *g == group)
            .map(|(_, start, end)| (*start, *end))
    }
}

/// One row of the drawn timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineRow {
    /// The heading of a run's group of lanes.
    Header(Group),
    /// A lane, indented `depth` levels under its parent.
    Lane { id: LaneId, depth: usize },
}

/// Where a lane's row goes in its group: its variant, then (level, index, backup).
type RowOrder = (super::event::Variant, (usize, usize, bool));

/// Groups drawn as flat lists, in this order (a pattern's baseline before its strategy).
const FLAT_GROUPS: [Group; 10] = [
    Group::Sequential,
    Group::Parallel,
    Group::Baseline,
    Group::Vote,
    Group::Race,
    Group::Hedge,
    Group::Map,
    Group::Reduce,
    Group::Warm,
    Group::FanOut,
];

/// The order rows are drawn in: the sequential run, then the parallel run (each with its
/// synthesis last), then agent lanes as a tree (each lane followed by the lanes nested under it).
pub fn timeline_rows(lanes: &[LaneInfo]) -> Vec<TimelineRow> {
    let mut rows = Vec::with_capacity(lanes.len() + 3);
    for group in FLAT_GROUPS {
        let mut ids: Vec<(RowOrder, LaneId)> = lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.group == group)
            .map(|(id, l)| {
                // Question order; a pattern's calls by level, index, and a backup after its call.
                let order = match l.kind {
                    LaneKind::Question { index } => (0, index, false),
                    LaneKind::PatternCall {
                        index,
                        backup,
                        level,
                    } => (level.unwrap_or(0), index, backup),
                    _ => (usize::MAX, usize::MAX, false),
                };
                // Variants keep their own rows: A's, then B's, … under one heading.
                ((l.variant, order), id)
            })
            .collect();
        if ids.is_empty() {
            continue;
        }
        ids.sort();
        rows.push(TimelineRow::Header(group));
        rows.extend(
            ids.into_iter()
                .map(|(_, id)| TimelineRow::Lane { id, depth: 0 }),
        );
    }
    // Agent lanes as trees: the lab's own run, or the two sides of the agents compare.
    for group in [Group::Agent, Group::AgentSerial, Group::AgentParallel] {
        agent_rows(lanes, group, &mut rows);
    }
    rows
}

/// The rows of one agent group: each lane followed by the lanes nested under it.
fn agent_rows(lanes: &[LaneInfo], group: Group, rows: &mut Vec<TimelineRow>) {
    let agent: Vec<LaneId> = (0..lanes.len())
        .filter(|id| lanes[*id].group == group)
        .collect();
    if !agent.is_empty() {
        rows.push(TimelineRow::Header(group));
        // Depth-first from the roots, children in the order they opened.
        let mut stack: Vec<(LaneId, usize)> = agent
            .iter()
            .rev()
            .filter(|id| lanes[**id].parent.is_none_or(|p| p >= lanes.len()))
            .map(|id| (*id, 0))
            .collect();
        let mut seen = vec![false; lanes.len()];
        while let Some((id, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            rows.push(TimelineRow::Lane { id, depth });
            for child in agent.iter().rev() {
                if lanes[*child].parent == Some(id) {
                    stack.push((*child, depth + 1));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Variant;

    fn info(group: Group, kind: LaneKind, parent: Option<LaneId>) -> LaneInfo {
        LaneInfo {
            group,
            kind,
            label: String::new(),
            parent,
            variant: Variant::A,
        }
    }

    #[test]
    fn rows_put_runs_in_order_and_nest_agent_lanes_under_their_parents() {
        let turn = |t| LaneKind::Turn {
            conversation: 0,
            agent: "a".into(),
            turn: t,
        };
        let tool = LaneKind::Tool {
            conversation: 0,
            tool: "t".into(),
            input: serde_json::Value::Null,
        };
        let lanes = vec![
            info(Group::Parallel, LaneKind::Question { index: 1 }, None), // 0
            info(Group::Parallel, LaneKind::Question { index: 0 }, None), // 1
            info(Group::Sequential, LaneKind::Question { index: 0 }, None), // 2
            info(Group::Parallel, LaneKind::Synthesis, None),             // 3
            info(
                Group::Agent,
                LaneKind::Conversation { conversation: 0 },
                None,
            ), // 4
            info(Group::Agent, turn(0), Some(4)),                         // 5
            info(Group::Agent, tool.clone(), Some(5)),                    // 6
            info(Group::Agent, turn(1), Some(4)),                         // 7
            info(Group::Agent, tool, Some(5)),                            // 8
        ];
        let rows = timeline_rows(&lanes);
        let lane = |id, depth| TimelineRow::Lane { id, depth };
        assert_eq!(
            rows,
            vec![
                TimelineRow::Header(Group::Sequential),
                lane(2, 0),
                TimelineRow::Header(Group::Parallel),
                lane(1, 0),
                lane(0, 0),
                lane(3, 0),
                TimelineRow::Header(Group::Agent),
                lane(4, 0),
                lane(5, 1),
                lane(6, 2),
                lane(8, 2),
                lane(7, 1),
            ]
        );
    }
}
