//! [`LiveRun`]: runs the engine in the page and folds its events into the run's store, once per
//! animation frame.
//!
//! Events are recorded in the [`RunStore`] as they happen and queued; a `requestAnimationFrame`
//! loop drains the queue, folds it into the store's [`RunView`], and notifies only the lanes that
//! changed. The page therefore re-renders at most once a frame, however many calls stream at once.
//!
//! Here: starting, cancelling and reading a run. The frame loop is in [`frame`], the network
//! phases of HTTP lanes in [`network_timings`], repeated rounds in [`rounds`] and
//! [`variant_rounds`].

use super::run_store::{LaneHandle, RunScope, RunStore};
use crate::agent::{run_agents, run_agents_compare, AgentPlan};
use crate::browser::{page, BrowserClock};
use crate::engine::{
    CancelReason, CancelToken, Clock, CompareTiming, Event, Group, LaneId, LogLine, RunEnv,
    RunFigures, RunPlan, RunView, SynthesisSkip,
};
use crate::providers::Provider;
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

mod frame;
mod network_timings;
mod rounds;
mod variant_rounds;
pub use rounds::ProviderForRound;
pub use variant_rounds::VariantsForRound;

/// The run on the page: its store, figures, log, and the controls to start and cancel it.
#[derive(Clone, Copy)]
pub struct LiveRun {
    /// Lanes in the order they opened (handles into the store; no state of their own).
    pub lanes: RwSignal<Vec<LaneHandle>>,
    /// Milliseconds since the run began, on the engine's clock (moves every frame while running).
    pub now_ms: RwSignal<f64>,
    pub running: RwSignal<bool>,
    pub figures: RwSignal<RunFigures>,
    pub log: RwSignal<Vec<LogLine>>,
    /// Increases with every new run.
    pub run_number: RwSignal<u64>,
    /// The round on show (1-based): the latest while running, any finished one after.
    pub round_shown: RwSignal<u32>,
    /// Notified whenever the store's run-level facts change (every frame with events).
    run_changed: Trigger,
    inner: StoredValue<Inner, LocalStorage>,
    /// The rounds of the current run (see [`rounds`]).
    experiment: StoredValue<crate::experiment::Experiment, LocalStorage>,
    /// Notified when a round is recorded.
    experiment_changed: Trigger,
    /// The last runs of the session, as plain records (see [`crate::experiment::history`]).
    pub history: RwSignal<crate::experiment::history::History, LocalStorage>,
}

/// What the frame loop keeps between frames.
#[derive(Default)]
struct Inner {
    /// The owner each run's scope is a child of (the page's).
    parent: Option<Owner>,
    /// The current run's store, disposed when the next run starts.
    scope: Option<RunScope>,
    cancel: Option<CancelToken>,
    finished: Rc<Cell<bool>>,
    frame_scheduled: Rc<Cell<bool>>,
    /// The URL HTTP calls go to (Resource Timing entries are looked up under it).
    network_url: Option<String>,
    /// Lanes that already have their network phases.
    network_matched: Vec<LaneId>,
    /// Resource Timing entries that already belong to a lane, by their start and end (the
    /// browser lists entries by start time, so a later list puts new ones between them).
    network_entries_taken: Vec<(f64, f64)>,
    /// How many lanes have a handle (and rows) so far.
    created: usize,
    /// How many rows the next frame builds.
    row_batch: crate::layout::RowBatch,
    /// The full events of the latest round while an older one is on show.
    latest_events: Option<Vec<Event>>,
}

impl LiveRun {
    /// A page's run state; call it inside the page's reactive owner, which will own every run.
    pub fn new() -> LiveRun {
        LiveRun {
            lanes: RwSignal::new(Vec::new()),
            now_ms: RwSignal::new(0.0),
            running: RwSignal::new(false),
            figures: RwSignal::new(RunFigures::default()),
            log: RwSignal::new(Vec::new()),
            run_number: RwSignal::new(0),
            round_shown: RwSignal::new(1),
            run_changed: Trigger::new(),
            inner: StoredValue::new_local(Inner {
                parent: Owner::current(),
                ..Inner::default()
            }),
            experiment: StoredValue::new_local(Default::default()),
            experiment_changed: Trigger::new(),
            history: RwSignal::new_local(Default::default()),
        }
    }

    /// Starts a research run of `plan` on `provider`, cancelling any run still going.
    /// `network_url` is where an HTTP provider sends its requests.
    pub fn start(&self, plan: RunPlan, provider: Rc<dyn Provider>, network_url: Option<String>) {
        self.start_rounds(
            plan,
            1,
            None,
            Rc::new(move |_| provider.clone()),
            network_url,
        );
    }

    /// Starts the agents compare of `plan`: serial and parallel sides on one axis.
    pub fn start_agents_compare(
        &self,
        plan: AgentPlan,
        timing: CompareTiming,
        provider: Rc<dyn Provider>,
        network_url: Option<String>,
    ) {
        let exported = serde_json::to_value(&plan).unwrap_or_default();
        self.launch(exported, provider, network_url, move |env, cancel| {
            Box::pin(async move {
                run_agents_compare(&plan, timing, env, cancel).await;
            })
        });
    }

    /// Starts an agents-lab run of `plan` on `provider`.
    pub fn start_agents(
        &self,
        plan: AgentPlan,
        provider: Rc<dyn Provider>,
        network_url: Option<String>,
    ) {
        let exported = serde_json::to_value(&plan).unwrap_or_default();
        self.reset_experiment(1, None);
        self.launch(exported, provider, network_url, move |env, cancel| {
            Box::pin(async move {
                run_agents(&plan, env, cancel).await;
            })
        });
    }

    /// Disposes the previous run, makes a fresh store and starts `runner` with a fresh
    /// environment.
    fn launch(
        &self,
        plan: serde_json::Value,
        provider: Rc<dyn Provider>,
        network_url: Option<String>,
        runner: impl FnOnce(RunEnv, CancelToken) -> LocalBoxFuture<'static, ()> + 'static,
    ) {
        self.cancel();
        if network_url.is_some() {
            page::reset_resource_timings();
        }
        let finished = Rc::new(Cell::new(false));
        let cancel = CancelToken::new();
        // The rows of the old run go first, then its store and signals.
        self.lanes.set(Vec::new());
        let (old, scope) = self.inner.with_value(|inner| {
            let parent = inner
                .parent
                .clone()
                .or_else(Owner::current)
                .unwrap_or_default();
            (inner.scope.clone(), RunScope::new(&parent, plan))
        });
        if let Some(old) = old {
            old.dispose();
        }
        self.inner.update_value(|inner| {
            inner.scope = Some(scope);
            inner.cancel = Some(cancel.clone());
            inner.finished = finished.clone();
            inner.frame_scheduled = Rc::new(Cell::new(false));
            inner.network_url = network_url;
            inner.network_matched = Vec::new();
            inner.network_entries_taken = Vec::new();
            inner.created = 0;
            inner.row_batch = Default::default();
            inner.latest_events = None;
        });
        self.log.set(Vec::new());
        self.figures.set(RunFigures::default());
        self.now_ms.set(0.0);
        self.running.set(true);
        self.run_number.update(|n| *n += 1);
        self.run_changed.notify();

        let this = *self;
        let clock = BrowserClock;
        let number = self.run_number.get_untracked();
        let sink = Rc::new(move |event: Event| {
            // Rounds replace the store; a cancelled earlier run's last events go nowhere.
            if this.run_number.try_get_untracked() != Some(number) {
                return;
            }
            let Some(store) = this.current_store() else {
                return;
            };
            store.try_update_value(|s| {
                if s.origin_ms.is_none() {
                    // The engine stamps events on its own zero; the first one tells us where.
                    s.origin_ms = Some(BrowserClock.now_ms() - event.at_ms);
                }
                s.events.push(event);
            });
            this.schedule_frame();
        });
        let env = RunEnv {
            clock: Rc::new(clock),
            provider,
            sink,
            jitter_seed: (js_sys::Math::random() * u32::MAX as f64) as u64,
        };
        let running = runner(env, cancel);
        leptos::task::spawn_local(async move {
            running.await;
            finished.set(true);
            this.schedule_frame();
        });
        self.schedule_frame();
    }

    /// Cancels the run in progress (every unfinished call ends as cancelled).
    pub fn cancel(&self) {
        let token = self.inner.with_value(|inner| inner.cancel.clone());
        if let Some(token) = token {
            token.cancel(CancelReason::RunCancelled);
        }
    }

    /// The store of the round on show.
    fn current_store(&self) -> Option<StoredValue<RunStore, LocalStorage>> {
        self.inner
            .try_with_value(|inner| inner.scope.as_ref().map(|s| s.store))
            .flatten()
    }

    /// Reads the current run's store without subscribing (for exports and clicks).
    pub fn with_store_untracked<R>(&self, f: impl FnOnce(&RunStore) -> R) -> Option<R> {
        self.current_store()?.try_with_value(f)
    }

    /// Reads the current run's folded state, subscribing the caller to its run-level changes.
    pub fn with_view<R>(&self, f: impl FnOnce(&RunView) -> R) -> Option<R> {
        self.run_changed.track();
        self.with_store_untracked(|s| f(&s.view))
    }

    /// Reads the run once it has finished (for explanations); `None` while it runs.
    pub fn with_finished_view<R>(&self, f: impl FnOnce(&RunView) -> R) -> Option<R> {
        if self.running.get() {
            return None;
        }
        self.with_view(f)
    }

    /// Why each group's synthesis did not run, subscribing the caller.
    pub fn synthesis_skipped(&self) -> Vec<(Group, SynthesisSkip)> {
        self.with_view(|v| v.synthesis_skipped.clone())
            .unwrap_or_default()
    }

    /// Every event of the current run so far.
    pub fn events(&self) -> Vec<Event> {
        self.with_store_untracked(|s| s.events.clone())
            .unwrap_or_default()
    }

    /// The plan of the current run, as exported.
    pub fn plan(&self) -> serde_json::Value {
        self.with_store_untracked(|s| s.plan.clone())
            .unwrap_or_default()
    }

    /// The plan of the current run when it is a pattern run (read in place, not copied),
    /// subscribing the caller to its run-level changes.
    pub fn pattern_plan(&self) -> Option<crate::patterns::PatternPlan> {
        use serde::Deserialize;
        self.run_changed.track();
        self.with_store_untracked(|s| {
            if s.view.mode != Some(crate::engine::RunKind::Pattern) {
                return None;
            }
            crate::patterns::PatternPlan::deserialize(&s.plan).ok()
        })
        .flatten()
    }

    /// Whether the current run's calls go over HTTP (not to the simulated model).
    pub fn over_http(&self) -> bool {
        self.inner.with_value(|inner| inner.network_url.is_some())
    }
}

impl Default for LiveRun {
    fn default() -> Self {
        LiveRun::new()
    }
}
