//! Events: what happened, when (milliseconds since the run began), to which lane.
//!
//! The engine and the agent loop only *emit* events; the page, the figures and the log only
//! *fold* them. A lane is one row of the timeline: a research call, a synthesis, an agent turn or
//! a tool call.

use super::budget::QueueReason;
use super::cancel::CancelReason;
use super::plan::RunKind;
use super::synthesis::SynthesisSkip;
use crate::base::Clock;
use crate::providers::{ModelRequest, ProviderError, Usage};
use crate::wire::RateLimitInfo;
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
    /// The agents-lab compare: the same prompts with tools (and conversations) one at a time…
    AgentSerial,
    /// …and in parallel.
    AgentParallel,
    /// A pattern's plain way (one call, or the calls unhedged, or a cold fan-out).
    Baseline,
    /// Voting: the same question sampled N times.
    Vote,
    /// Racing: the same request to N contestants, the first complete answer wins.
    Race,
    /// Hedging: the calls with a backup copy after a delay.
    Hedge,
    /// Map-reduce: one call per chunk…
    Map,
    /// …and the merging calls, level by level.
    Reduce,
    /// Cached prefix: the one call that writes the cache…
    Warm,
    /// …and the calls that read it.
    FanOut,
}

impl Group {
    /// The name used in `data-run` attributes and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Sequential => "sequential",
            Group::Parallel => "parallel",
            Group::Agent => "agent",
            Group::AgentSerial => "agent-serial",
            Group::AgentParallel => "agent-parallel",
            Group::Baseline => "baseline",
            Group::Vote => "vote",
            Group::Race => "race",
            Group::Hedge => "hedge",
            Group::Map => "map",
            Group::Reduce => "reduce",
            Group::Warm => "warm",
            Group::FanOut => "fan-out",
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Group::Sequential => "Sequential",
            Group::Parallel => "Parallel",
            Group::Agent => "Agents",
            Group::AgentSerial => "Agents, one at a time",
            Group::AgentParallel => "Agents, in parallel",
            Group::Baseline => "Baseline",
            Group::Vote => "Vote",
            Group::Race => "Race",
            Group::Hedge => "Hedged",
            Group::Map => "Map",
            Group::Reduce => "Reduce",
            Group::Warm => "Warm-up",
            Group::FanOut => "Fan-out",
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
    /// One call of a pattern (a voting sample, a racer, a hedged call or its backup copy, a
    /// map or reduce call, a warm-up or fan-out call): `index` in its group, `backup` for a
    /// hedge's copy, `level` for a reduce tree (map calls are level 0).
    PatternCall {
        index: usize,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        backup: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<usize>,
    },
    /// One tool call of an agent conversation.
    Tool {
        conversation: usize,
        tool: String,
        input: serde_json::Value,
    },
}

/// One of up to four variants of a set-up (A–D) run side by side; `A` when there are none.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Variant(pub u8);

impl Variant {
    pub const A: Variant = Variant(0);
    /// Most variants of one set-up.
    pub const MAX: usize = 4;

    /// `A`, `B`, `C` or `D` (the `data-variant` value).
    pub fn letter(self) -> char {
        char::from(b'A' + self.0.min(25))
    }
}

/// A lane's identity: its group, kind, a label for people, the lane it nests under, and the
/// variant of the set-up it belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaneInfo {
    pub group: Group,
    pub kind: LaneKind,
    pub label: String,
    pub parent: Option<LaneId>,
    #[serde(default)]
    pub variant: Variant,
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
            Outcome::Cancelled { reason } => Some(format!("Cancelled: {}.", reason.sentence())),
        }
    }
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        mode: RunKind,
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
        reason: SynthesisSkip,
    },
    GroupFinished {
        group: Group,
    },
    /// The lane has to wait before it may start: for a permit or a budget.
    Queued {
        lane: LaneId,
        reason: QueueReason,
    },
    /// The adaptive concurrency limit of `group` is now `limit` (the first gives its start).
    LimitChanged {
        group: Group,
        limit: usize,
    },
    /// The rate-limit headers of the lane's response.
    RateLimit {
        lane: LaneId,
        info: RateLimitInfo,
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

    /// The same run (clock, time zero, lane ids) sending its events to `sink` instead: variants
    /// of one set-up each watch their own events but share one time axis and one lane count.
    pub fn with_sink(&self, sink: EventSink) -> Emitter {
        Emitter {
            clock: self.clock.clone(),
            origin_ms: self.origin_ms,
            sink,
            next_lane: self.next_lane.clone(),
        }
    }

    /// The sink this emitter sends to.
    pub fn sink(&self) -> &EventSink {
        &self.sink
    }

    /// Opens a new lane and returns its id.
    pub fn open_lane(&self, info: LaneInfo) -> LaneId {
        let lane = self.next_lane.get();
        self.next_lane.set(lane + 1);
        self.emit(EventKind::LaneOpened { lane, info });
        lane
    }
}
