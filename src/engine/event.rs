//! Events: what happened, when (milliseconds since the run began), to which lane.
//!
//! The engine and the agent loop only *emit* events; the page, the figures and the log only
//! *fold* them. A lane is one row of the timeline: a research call, a synthesis, an agent turn or
//! a tool call.

use super::cancel::CancelReason;
use super::plan::RunMode;
use crate::base::Clock;
use crate::providers::{ModelRequest, ProviderError, Usage};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

/// Identifies a lane within one run, in the order lanes were opened.
pub type LaneId = usize;

/// The run a lane belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Sequential,
    Parallel,
    Agent,
}

impl Group {
    /// The name used in `data-run` attributes and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Sequential => "sequential",
            Group::Parallel => "parallel",
            Group::Agent => "agent",
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Group::Sequential => "Sequential",
            Group::Parallel => "Parallel",
            Group::Agent => "Agents",
        }
    }
}

/// What a lane stands for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LaneKind {
    /// A research call for question `index` (0-based, question order).
    Question { index: usize },
    /// The synthesis call that merges the group's answers.
    Synthesis,
    /// A whole agent conversation; its turns nest under it.
    Conversation { conversation: usize },
    /// One model turn of an agent conversation.
    Turn {
        conversation: usize,
        agent: String,
        turn: usize,
    },
    /// One tool call of an agent conversation.
    Tool {
        conversation: usize,
        tool: String,
        input: serde_json::Value,
    },
}

/// A lane's identity: its group, kind, a label for people, and the lane it nests under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaneInfo {
    pub group: Group,
    pub kind: LaneKind,
    pub label: String,
    pub parent: Option<LaneId>,
}

impl LaneInfo {
    /// The `data-run` value of the lane: its group, or `synthesis`.
    pub fn run_name(&self) -> &'static str {
        match self.kind {
            LaneKind::Synthesis => "synthesis",
            _ => self.group.as_str(),
        }
    }
}

/// How a lane ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Failed {
        error: ProviderError,
    },
    /// A tool reported an error (the agent gets it back as an `is_error` result).
    ToolFailed {
        message: String,
    },
    TimedOut {
        after_ms: f64,
    },
    Cancelled {
        reason: CancelReason,
    },
}

impl Outcome {
    /// The `data-status` value of a lane that ended this way.
    pub fn status_name(&self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Failed { .. } | Outcome::ToolFailed { .. } => "failed",
            Outcome::TimedOut { .. } => "timeout",
            Outcome::Cancelled { .. } => "cancelled",
        }
    }

    /// Why it did not succeed, in words; `None` when it succeeded.
    pub fn reason(&self) -> Option<String> {
        match self {
            Outcome::Done => None,
            Outcome::Failed { error } => Some(error.to_string()),
            Outcome::ToolFailed { message } => Some(format!("The tool failed: {message}")),
            Outcome::TimedOut { after_ms } => Some(format!(
                "Timed out after {} (the per-call timeout).",
                crate::base::seconds_text(*after_ms)
            )),
            Outcome::Cancelled { reason } => Some(format!("Cancelled: {}.", reason.describe())),
        }
    }
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        mode: RunMode,
        questions: usize,
        model: String,
        concurrency_limit: Option<usize>,
    },
    GroupStarted {
        group: Group,
    },
    /// A lane exists and waits (for its turn, or for a concurrency permit).
    LaneOpened {
        lane: LaneId,
        info: LaneInfo,
    },
    /// An attempt began: the request is on its way (attempt 0 is the first).
    Started {
        lane: LaneId,
        attempt: u32,
        request: Option<Arc<ModelRequest>>,
    },
    FirstToken {
        lane: LaneId,
    },
    TextDelta {
        lane: LaneId,
        text: String,
    },
    /// Cumulative usage of the lane's current attempt.
    Usage {
        lane: LaneId,
        usage: Usage,
    },
    /// The attempt failed and another follows after `delay_ms`.
    RetryScheduled {
        lane: LaneId,
        retry: u32,
        delay_ms: f64,
        error: ProviderError,
    },
    Finished {
        lane: LaneId,
        outcome: Outcome,
    },
    SynthesisStarted {
        group: Group,
        answers: usize,
        questions: usize,
    },
    SynthesisSkipped {
        group: Group,
        reason: String,
    },
    GroupFinished {
        group: Group,
    },
    RunFinished {
        cancelled: bool,
    },
}

/// An event with its time in milliseconds since the run began.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at_ms: f64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Receives events as they happen.
pub type EventSink = Rc<dyn Fn(Event)>;

/// Stamps events with the time since the run began and hands them to the sink; also hands out
/// lane ids.
#[derive(Clone)]
pub struct Emitter {
    clock: Rc<dyn Clock>,
    origin_ms: f64,
    sink: EventSink,
    next_lane: Rc<Cell<LaneId>>,
}

impl Emitter {
    /// An emitter whose time zero is now.
    pub fn new(clock: Rc<dyn Clock>, sink: EventSink) -> Emitter {
        let origin_ms = clock.now_ms();
        Emitter {
            clock,
            origin_ms,
            sink,
            next_lane: Rc::new(Cell::new(0)),
        }
    }

    /// Milliseconds since the run began.
    pub fn elapsed_ms(&self) -> f64 {
        self.clock.now_ms() - self.origin_ms
    }

    /// The clock the run uses.
    pub fn clock(&self) -> &Rc<dyn Clock> {
        &self.clock
    }

    /// Emits `kind` stamped with the current time.
    pub fn emit(&self, kind: EventKind) {
        (self.sink)(Event {
            at_ms: self.elapsed_ms(),
            kind,
        });
    }

    /// Opens a new lane and returns its id.
    pub fn open_lane(&self, info: LaneInfo) -> LaneId {
        let lane = self.next_lane.get();
        self.next_lane.set(lane + 1);
        self.emit(EventKind::LaneOpened { lane, info });
        lane
    }
}
