//! [`RunStore`]: the one projection of a run on the page — the engine's events and their fold
//! ([`RunView`]), with one change signal per lane.
//!
//! Data flows one way: plan → engine events → store → view. Components never hold copies of a
//! lane's state: a [`LaneHandle`] reads the lane inside the store and subscribes to that lane's
//! trigger, so a frame notifies only the lanes that changed and clones nothing. The store and
//! its triggers live under the run's own reactive [`Owner`]; starting the next run disposes it,
//! which frees every lane of the finished run.

use crate::engine::{Event, LaneId, LaneInfo, LaneStatus, LaneView, QueueReason, RunView};
use crate::network::NetworkPhases;
use leptos::prelude::*;

/// Everything the page knows about one run.
pub struct RunStore {
    /// Every event of the run, in order (what the export writes).
    pub events: Vec<Event>,
    /// How many of `events` are folded into `view` (the rest arrived since the last frame).
    pub folded: usize,
    /// The events folded into lanes: the state every component reads.
    pub view: RunView,
    /// Network phases of each lane's last request, once the browser reports them.
    pub network: Vec<Option<NetworkPhases>>,
    /// The plan of the run, as exported.
    pub plan: serde_json::Value,
    /// `performance.now()` at the engine's time zero: every `at_ms` counts from here. Read from
    /// the first event, which the engine emits synchronously into the sink.
    pub origin_ms: Option<f64>,
}

impl RunStore {
    pub fn new(plan: serde_json::Value) -> RunStore {
        RunStore {
            events: Vec::new(),
            folded: 0,
            view: RunView::default(),
            network: Vec::new(),
            plan,
            origin_ms: None,
        }
    }
}

/// The store of one run and the reactive owner its signals belong to.
#[derive(Clone)]
pub struct RunScope {
    pub owner: Owner,
    pub store: StoredValue<RunStore, LocalStorage>,
    /// The round of the run this store holds (1-based; `data-round` of its rows).
    pub round: u32,
}

impl RunScope {
    /// A new, empty run owned by a child of `parent`.
    pub fn new(parent: &Owner, plan: serde_json::Value) -> RunScope {
        let owner = parent.child();
        let store = owner.with(|| StoredValue::new_local(RunStore::new(plan)));
        RunScope {
            owner,
            store,
            round: 1,
        }
    }

    /// The same scope, holding round `round`.
    pub fn with_round(mut self, round: u32) -> RunScope {
        self.round = round;
        self
    }

    /// A handle for lane `id`: its change trigger is owned by the run.
    pub fn lane_handle(&self, id: LaneId, info: LaneInfo) -> LaneHandle {
        let (changed, bar) = self.owner.with(|| (Trigger::new(), Trigger::new()));
        LaneHandle {
            id,
            info,
            round: self.round,
            store: self.store,
            changed,
            bar,
        }
    }

    /// Frees the run's store and signals (rows still on screen then read nothing).
    pub fn dispose(self) {
        self.owner.cleanup();
    }
}

/// One lane of a run: what it is, and a way to read its state in the store.
#[derive(Clone)]
pub struct LaneHandle {
    pub id: LaneId,
    pub info: LaneInfo,
    /// The round the lane belongs to (1-based).
    pub round: u32,
    store: StoredValue<RunStore, LocalStorage>,
    /// Any change of the lane.
    changed: Trigger,
    /// A change of what its bar shows: status, phases, times, retries, queue, cache, network — not
    /// its text or tokens, which change on almost every frame while it streams.
    bar: Trigger,
}

impl LaneHandle {
    /// Reads the lane's state, subscribing the caller to its changes. `None` once its run has
    /// been replaced.
    pub fn with<R>(&self, f: impl FnOnce(&LaneView) -> R) -> Option<R> {
        self.changed.track();
        self.store
            .try_with_value(|s| s.view.lanes.get(self.id).map(f))
            .flatten()
    }

    /// Reads the lane's state, subscribing the caller only to changes of its bar (see
    /// [`BarSignature`]): for readers of its status, phases, times, retries, queue and outcome.
    pub fn with_bar<R>(&self, f: impl FnOnce(&LaneView) -> R) -> Option<R> {
        self.bar.track();
        self.store
            .try_with_value(|s| s.view.lanes.get(self.id).map(f))
            .flatten()
    }

    /// Network phases of the lane's last request, subscribing the caller to its changes.
    pub fn network(&self) -> Option<NetworkPhases> {
        self.bar.track();
        self.store
            .try_with_value(|s| s.network.get(self.id).cloned().flatten())
            .flatten()
    }

    /// Whether the browser reported network phases for the lane, subscribing the caller to
    /// changes of its bar (like [`LaneHandle::network`], without a copy of the phases).
    pub fn has_network(&self) -> bool {
        self.bar.track();
        self.store
            .try_with_value(|s| s.network.get(self.id).is_some_and(Option::is_some))
            .unwrap_or(false)
    }

    /// Tells the lane's readers that it changed; `bar`: its bar changed too.
    pub fn notify(&self, bar: bool) {
        self.changed.notify();
        if bar {
            self.bar.notify();
        }
    }
}

/// What a lane's bar shows, in short: when it differs after a frame's events, the bar's
/// readers are notified; when only the text or the tokens moved, they are not.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct BarSignature {
    status: LaneStatus,
    phases: usize,
    retries: u32,
    started: bool,
    ended: bool,
    first_token: bool,
    queued_for: Option<QueueReason>,
    outcome: bool,
    /// Prompt-cache writes and reads (usage arrives a few times per call, not per chunk).
    cache_tokens: (u32, u32),
}

impl BarSignature {
    pub fn of(lane: &LaneView) -> BarSignature {
        BarSignature {
            status: lane.status,
            phases: lane.phases.len(),
            retries: lane.retries,
            started: lane.started_ms.is_some(),
            ended: lane.ended_ms.is_some(),
            first_token: lane.first_token_ms.is_some(),
            queued_for: lane.queued_for,
            outcome: lane.outcome.is_some(),
            cache_tokens: (
                lane.usage.cache_creation_input_tokens,
                lane.usage.cache_read_input_tokens,
            ),
        }
    }
}
