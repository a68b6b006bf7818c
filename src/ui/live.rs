//! [`LiveRun`]: runs the engine in the page and folds its events into the run's store, once per
//! animation frame.
//!
//! Events are recorded in the [`RunStore`] as they happen and queued; a `requestAnimationFrame`
//! loop drains the queue, folds it into the store's [`RunView`], and notifies only the lanes that
//! changed. The page therefore re-renders at most once a frame, however many calls stream at once.

use super::run_store::{BarSignature, LaneHandle, RunScope, RunStore};
use crate::agent::{run_agents, run_agents_compare, AgentPlan};
use crate::browser::{page, BrowserClock};
use crate::engine::{
    log_line, CancelReason, CancelToken, Clock, CompareTiming, Event, EventKind, Group, LaneId,
    LaneInfo, LaneStatus, LogLine, RunEnv, RunFigures, RunPlan, RunView, SynthesisSkip, Variant,
};
use crate::network::{match_entries, NetworkPhases, TimedCall};
use crate::providers::Provider;
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

    fn schedule_frame(&self) {
        let Some(scheduled) = self
            .inner
            .try_with_value(|inner| inner.frame_scheduled.clone())
        else {
            return;
        };
        if scheduled.replace(true) {
            return;
        }
        let this = *self;
        let callback = Closure::once_into_js(move || {
            scheduled.set(false);
            this.frame();
        });
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(callback.unchecked_ref());
        }
    }

    /// One animation frame: fold the queued events into the store, notify the lanes that
    /// changed, keep the clock moving.
    fn frame(&self) {
        let Some((finished, scope, created)) = self
            .inner
            .try_with_value(|inner| (inner.finished.get(), inner.scope.clone(), inner.created))
        else {
            return;
        };
        let row_batch = self
            .inner
            .try_update_value(|inner| inner.row_batch.next(BrowserClock.now_ms()))
            .unwrap_or(crate::layout::RowBatch::MIN);
        let Some(scope) = scope else { return };
        // Lanes whose state changed this frame, and whether their bar did.
        let mut changed: Vec<(LaneId, bool)> = Vec::new();
        let mut new_lines: Vec<LogLine> = Vec::new();
        let folded = scope.store.try_update_value(|s| {
            let RunStore {
                events,
                folded,
                view,
                ..
            } = s;
            let new_events = &events[*folded..];
            *folded = events.len();
            let some_ended = new_events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Finished { .. }));
            let any_events = !new_events.is_empty();
            let bars_before: Vec<BarSignature> = if any_events {
                view.lanes.iter().map(BarSignature::of).collect()
            } else {
                Vec::new()
            };
            let mut touched = vec![false; view.lanes.len()];
            let mut changed_lanes = Vec::new();
            for event in new_events {
                if let Some(lane) = view.apply(event) {
                    if lane >= touched.len() {
                        touched.resize(lane + 1, false);
                    }
                    if !std::mem::replace(&mut touched[lane], true) {
                        changed_lanes.push(lane);
                    }
                }
                if let Some(line) = log_line(event, view) {
                    new_lines.push(line);
                }
            }
            // A bar is notified only when what it shows changed, not for each chunk of text.
            changed.extend(changed_lanes.into_iter().map(|lane| {
                let bar = match (bars_before.get(lane), view.lanes.get(lane)) {
                    (Some(before), Some(after)) => *before != BarSignature::of(after),
                    _ => true,
                };
                (lane, bar)
            }));
            s.network.resize(s.view.lanes.len(), None);
            let now = match (finished, s.origin_ms) {
                (false, Some(origin)) => BrowserClock.now_ms() - origin,
                _ => s.view.last_event_ms,
            };
            // Rows are built a batch per frame, so hundreds of lanes opening at once never make
            // one long task; the batch follows how late the frames come (see `RowBatch`).
            let end = (created + row_batch).min(s.view.lanes.len());
            let new_lanes: Vec<(LaneId, LaneInfo)> = s.view.lanes[created..end]
                .iter()
                .map(|l| (l.id, l.info.clone()))
                .collect();
            // With variants, the run's own figures are variant A's (the table shows them all).
            let figures = (any_events || finished).then(|| {
                if s.view.lanes.iter().any(|l| l.info.variant != Variant::A) {
                    RunFigures::compute(&s.view.only_variant(Variant::A), now)
                } else {
                    RunFigures::compute(&s.view, now)
                }
            });
            (
                now,
                new_lanes,
                figures,
                end < s.view.lanes.len(),
                some_ended,
            )
        });
        let Some((now, new_lanes, figures, more_to_create, some_ended)) = folded else {
            return;
        };
        let end = created + new_lanes.len();
        self.inner.update_value(|inner| inner.created = end);
        if !new_lanes.is_empty() {
            let handles: Vec<LaneHandle> = new_lanes
                .into_iter()
                .map(|(id, info)| scope.lane_handle(id, info))
                .collect();
            self.lanes.update(|lanes| lanes.extend(handles));
        }
        if !changed.is_empty() {
            let lanes = self.lanes.read_untracked();
            for (id, bar) in changed.iter().filter(|(id, _)| *id < created) {
                if let Some(handle) = lanes.get(*id) {
                    handle.notify(*bar);
                }
            }
        }
        if !new_lines.is_empty() {
            self.log.update(|log| log.extend(new_lines));
        }
        if let Some(figures) = figures {
            self.figures.set(figures);
            self.run_changed.notify();
        }
        self.now_ms.set(now);
        let over_http = self.inner.with_value(|inner| inner.network_url.is_some());
        if over_http && (some_ended || finished) {
            // The browser files a request's timing entry just after its body ends.
            let this = *self;
            set_timeout(
                move || this.match_network_timings(0),
                Duration::from_millis(60),
            );
        }
        if finished && !more_to_create {
            if self.running.get_untracked() {
                self.keep_in_history(&scope);
            }
            self.running.set(false);
            self.run_changed.notify();
        } else {
            self.schedule_frame();
        }
    }

    /// Keeps the run that just ended in the history (its record, not its store).
    fn keep_in_history(&self, scope: &RunScope) {
        let number = self.run_number.get_untracked();
        let round = self.round_shown.get_untracked();
        let entry = scope.store.try_with_value(|s| {
            crate::experiment::history::HistoryEntry::of_view(
                number,
                super::history::title_of(&s.view),
                round,
                &s.view,
            )
        });
        if let Some(entry) = entry {
            self.history.update(|h| h.push(entry));
        }
    }

    /// Gives finished HTTP lanes their network phases from the Resource Timing entries; looks
    /// again a little later (up to 7 times, about 6 s in all) while some have none, since a busy
    /// browser may file an entry late.
    fn match_network_timings(&self, attempt: u32) {
        let Some(Some((url, scope, matched, taken))) = self.inner.try_with_value(|inner| {
            Some((
                inner.network_url.clone()?,
                inner.scope.clone()?,
                inner.network_matched.clone(),
                inner.network_entries_taken.clone(),
            ))
        }) else {
            return;
        };
        let Some(Some((origin, calls))) = scope.store.try_with_value(|s| {
            let origin = s.origin_ms?;
            let calls: Vec<TimedCall> = s
                .view
                .lanes
                .iter()
                .filter(|l| !matched.contains(&l.id))
                .filter_map(|l| {
                    // The last attempt began at the last "waiting" phase.
                    let start = l
                        .phases
                        .iter()
                        .rev()
                        .find(|p| p.status == LaneStatus::Waiting)?
                        .start_ms;
                    Some(TimedCall {
                        lane: l.id,
                        start: origin + start,
                        end: origin + l.ended_ms?,
                    })
                })
                .collect();
            Some((origin, calls))
        }) else {
            return;
        };
        if calls.is_empty() {
            return;
        }
        let mut entries = page::resource_timings(&url);
        entries.retain(|e| !taken.contains(&(e.start, e.response_end)));
        let pairs = match_entries(&calls, &entries, 80.0);
        if pairs.len() < calls.len() && attempt < 7 {
            let this = *self;
            set_timeout(
                move || this.match_network_timings(attempt + 1),
                Duration::from_millis(50 << attempt),
            );
        }
        scope.store.try_update_value(|s| {
            for (lane, entry) in &pairs {
                if let Some(slot) = s.network.get_mut(*lane) {
                    *slot = Some(NetworkPhases::from_entry(&entries[*entry], origin));
                }
            }
        });
        let lanes = self.lanes.read_untracked();
        for (lane, _) in &pairs {
            if let Some(handle) = lanes.get(*lane) {
                handle.notify(true);
            }
        }
        self.run_changed.notify();
        self.inner.update_value(|inner| {
            inner
                .network_matched
                .extend(pairs.iter().map(|(lane, _)| *lane));
            inner.network_entries_taken.extend(
                pairs
                    .iter()
                    .map(|(_, e)| (entries[*e].start, entries[*e].response_end)),
            );
        });
    }
}

impl Default for LiveRun {
    fn default() -> Self {
        LiveRun::new()
    }
}
