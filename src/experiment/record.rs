//! Compact records of a finished round: one [`CallRecord`] per lane and the wall of each run
//! group. A round's full events (every streamed word) are dropped once it is recorded; the
//! records keep what the statistics, the CSV and a redrawn timeline need.

use crate::engine::{
    Event, EventKind, Group, LaneId, LaneInfo, LaneKind, LaneView, Outcome, RunKind, RunView,
    Variant,
};
use crate::providers::Usage;
use std::sync::Arc;

/// One lane of one round.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRecord {
    /// 1-based.
    pub round: u32,
    pub lane: LaneId,
    /// Shared with the same lane of the other rounds (see [`RoundRecord::share_infos`]).
    pub info: Arc<LaneInfo>,
    /// The lane opened (and began to wait) at this time, ms since the round began.
    pub queued_ms: f64,
    pub start_ms: Option<f64>,
    pub first_token_ms: Option<f64>,
    pub end_ms: Option<f64>,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub retries: u32,
    /// How it ended (`None`: it never did).
    pub outcome: Option<Outcome>,
}

impl CallRecord {
    fn of_lane(round: u32, lane: &LaneView) -> CallRecord {
        CallRecord {
            round,
            lane: lane.id,
            info: Arc::new(lane.info.clone()),
            queued_ms: lane.opened_ms,
            start_ms: lane.started_ms,
            first_token_ms: lane.first_token_ms,
            end_ms: lane.ended_ms,
            tokens_in: lane.usage.input_tokens,
            tokens_out: lane.usage.output_tokens,
            retries: lane.retries,
            outcome: lane.outcome.clone(),
        }
    }

    /// The `data-status` value.
    pub fn status(&self) -> &'static str {
        self.outcome
            .as_ref()
            .map_or("cancelled", Outcome::status_name)
    }

    /// The error in words, when it did not succeed.
    pub fn error(&self) -> Option<String> {
        match &self.outcome {
            Some(outcome) => outcome.reason(),
            None => Some("It never ended.".into()),
        }
    }

    /// Whether it is a model call (not a conversation or a tool call).
    pub fn is_model_call(&self) -> bool {
        matches!(
            self.info.kind,
            LaneKind::Question { .. } | LaneKind::Synthesis | LaneKind::Turn { .. }
        )
    }

    /// Start to end of a call that succeeded.
    pub fn latency_ms(&self) -> Option<f64> {
        self.succeeded()
            .then(|| Some(self.end_ms? - self.start_ms?))
            .flatten()
    }

    /// Start to first token of a call that succeeded.
    pub fn ttft_ms(&self) -> Option<f64> {
        self.succeeded()
            .then(|| Some(self.first_token_ms? - self.start_ms?))
            .flatten()
    }

    fn succeeded(&self) -> bool {
        self.outcome == Some(Outcome::Done) && self.is_model_call()
    }
}

/// The wall time of one run group (one variant's) in one round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupWall {
    pub group: Group,
    pub variant: Variant,
    pub wall_ms: f64,
    /// Research calls of the group that succeeded (the N of the tail).
    pub timed_calls: usize,
    /// The slowest of them, if any succeeded.
    pub slowest_call_ms: Option<f64>,
}

/// Everything kept of one round.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundRecord {
    pub round: u32,
    pub mode: Option<RunKind>,
    pub model: String,
    pub calls: Vec<CallRecord>,
    /// Groups that ran to their end (a cancelled group has no wall time).
    pub walls: Vec<GroupWall>,
    pub cancelled: bool,
}

impl RoundRecord {
    /// The record of round `round` (1-based), folded into `view`.
    pub fn from_view(round: u32, view: &RunView) -> RoundRecord {
        let calls: Vec<CallRecord> = view
            .lanes
            .iter()
            .map(|l| CallRecord::of_lane(round, l))
            .collect();
        let mut walls: Vec<GroupWall> = Vec::new();
        for call in &calls {
            let key = (call.info.group, call.info.variant);
            if walls.iter().any(|w| (w.group, w.variant) == key) {
                continue;
            }
            let of_group: Vec<&CallRecord> = calls
                .iter()
                .filter(|c| (c.info.group, c.info.variant) == key)
                .collect();
            let ended = of_group.iter().all(|c| c.end_ms.is_some());
            let cancelled = of_group
                .iter()
                .any(|c| matches!(c.outcome, Some(Outcome::Cancelled { .. }) | None));
            if !ended || cancelled {
                continue;
            }
            let start = of_group
                .iter()
                .map(|c| c.queued_ms)
                .fold(f64::MAX, f64::min);
            let end = of_group
                .iter()
                .filter_map(|c| c.end_ms)
                .fold(f64::MIN, f64::max);
            let research: Vec<f64> = of_group
                .iter()
                .filter(|c| matches!(c.info.kind, LaneKind::Question { .. }))
                .filter_map(|c| c.latency_ms())
                .collect();
            walls.push(GroupWall {
                group: key.0,
                variant: key.1,
                wall_ms: (end - start).max(0.0),
                timed_calls: research.len(),
                slowest_call_ms: research.iter().copied().reduce(f64::max),
            });
        }
        RoundRecord {
            round,
            mode: view.mode,
            model: view.model.clone(),
            calls,
            walls,
            cancelled: view.cancelled,
        }
    }

    /// Points each call's lane identity at the same lane's of `earlier` when they are equal, so
    /// that a hundred rounds of one plan keep one copy of its labels.
    pub fn share_infos(&mut self, earlier: &RoundRecord) {
        for (call, before) in self.calls.iter_mut().zip(&earlier.calls) {
            if call.lane == before.lane && call.info == before.info {
                call.info = before.info.clone();
            }
        }
    }

    /// Events that redraw this round's timeline (bars without their streamed text).
    pub fn to_events(&self) -> Vec<Event> {
        let mut events = Vec::with_capacity(self.calls.len() * 5 + 2);
        let at = |at_ms: f64, kind: EventKind| Event { at_ms, kind };
        if let Some(mode) = self.mode {
            events.push(at(
                0.0,
                EventKind::RunStarted {
                    mode,
                    questions: self
                        .calls
                        .iter()
                        .filter(|c| matches!(c.info.kind, LaneKind::Question { .. }))
                        .count(),
                    model: self.model.clone(),
                    concurrency_limit: None,
                },
            ));
        }
        for c in &self.calls {
            let lane = c.lane;
            events.push(at(
                c.queued_ms,
                EventKind::LaneOpened {
                    lane,
                    info: (*c.info).clone(),
                },
            ));
            if let Some(t) = c.start_ms {
                let attempt = 0;
                let request = None;
                events.push(at(
                    t,
                    EventKind::Started {
                        lane,
                        attempt,
                        request,
                    },
                ));
            }
            if let Some(t) = c.first_token_ms {
                events.push(at(t, EventKind::FirstToken { lane }));
            }
            let usage = Usage {
                input_tokens: c.tokens_in,
                output_tokens: c.tokens_out,
                ..Usage::default()
            };
            if let (Some(t), Some(outcome)) = (c.end_ms, &c.outcome) {
                events.push(at(t, EventKind::Usage { lane, usage }));
                let outcome = outcome.clone();
                events.push(at(t, EventKind::Finished { lane, outcome }));
            }
        }
        let mut groups: Vec<(Group, f64, f64)> = Vec::new();
        for c in &self.calls {
            let end = c.end_ms.unwrap_or(c.queued_ms);
            match groups.iter_mut().find(|g| g.0 == c.info.group) {
                Some(g) => {
                    g.1 = g.1.min(c.queued_ms);
                    g.2 = g.2.max(end);
                }
                None => groups.push((c.info.group, c.queued_ms, end)),
            }
        }
        for (group, start, end) in &groups {
            let group = *group;
            events.push(at(*start, EventKind::GroupStarted { group }));
            events.push(at(*end, EventKind::GroupFinished { group }));
        }
        let end = groups.iter().map(|g| g.2).fold(0.0, f64::max);
        let cancelled = self.cancelled;
        events.push(at(end, EventKind::RunFinished { cancelled }));
        // Lane ids must arrive in order; times may interleave, which the fold tolerates.
        events
    }
}
