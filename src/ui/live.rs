//! [`LiveRun`]: runs the engine in the page and folds its events into signals, once per
//! animation frame.
//!
//! Events are queued as they happen; a `requestAnimationFrame` loop drains the queue, folds it
//! into the pure [`RunView`], and touches only the signals of lanes that changed. The page
//! therefore re-renders at most once a frame, however many calls stream at once.

use crate::agent::{run_agents, AgentPlan};
use crate::browser::{page, BrowserClock};
use crate::engine::{
    log_line, run, CancelReason, CancelToken, Clock, Event, Group, LaneId, LaneInfo, LaneStatus,
    LaneView, LogLine, RunEnv, RunFigures, RunPlan, RunView, SynthesisSkip,
};
use crate::network::{match_entries, NetworkPhases, TimedCall};
use crate::providers::Provider;
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// One lane of the current run, with the signal the page renders from.
#[derive(Clone)]
pub struct LaneHandle {
    pub id: LaneId,
    pub info: LaneInfo,
    pub view: RwSignal<LaneView>,
    /// Network phases of its last request, once the browser reports them.
    pub network: RwSignal<Option<NetworkPhases>>,
}

/// The run on the page: its lanes, figures, log, and the controls to start and cancel it.
#[derive(Clone, Copy)]
pub struct LiveRun {
    /// Lanes in the order they opened.
    pub lanes: RwSignal<Vec<LaneHandle>>,
    /// Milliseconds since the run began (moves every frame while running).
    pub now_ms: RwSignal<f64>,
    pub running: RwSignal<bool>,
    pub figures: RwSignal<RunFigures>,
    pub log: RwSignal<Vec<LogLine>>,
    /// Why a run's synthesis did not happen, per run.
    pub synthesis_skipped: RwSignal<Vec<(Group, SynthesisSkip)>>,
    /// Increases with every new run.
    pub run_number: RwSignal<u64>,
    /// The whole folded run, once it has finished (for explanations).
    pub finished_view: RwSignal<Option<Rc<RunView>>, LocalStorage>,
    inner: StoredValue<Inner, LocalStorage>,
}

#[derive(Default)]
struct Inner {
    /// Events not yet folded into the page.
    pending: Rc<RefCell<Vec<Event>>>,
    /// Every event of the run (for export).
    all_events: Rc<RefCell<Vec<Event>>>,
    view: RunView,
    cancel: Option<CancelToken>,
    origin_ms: f64,
    finished: Rc<Cell<bool>>,
    frame_scheduled: Rc<Cell<bool>>,
    /// The plan of the run, as exported.
    plan: serde_json::Value,
    /// The URL HTTP calls go to (Resource Timing entries are looked up under it).
    network_url: Option<String>,
    /// Lanes that already have their network phases.
    network_matched: Vec<LaneId>,
    /// How many lanes have a handle (and rows) so far.
    created: usize,
}

/// The most rows built in one animation frame.
const NEW_LANES_PER_FRAME: usize = 50;

impl LiveRun {
    pub fn new() -> LiveRun {
        LiveRun {
            lanes: RwSignal::new(Vec::new()),
            now_ms: RwSignal::new(0.0),
            running: RwSignal::new(false),
            figures: RwSignal::new(RunFigures::default()),
            log: RwSignal::new(Vec::new()),
            synthesis_skipped: RwSignal::new(Vec::new()),
            run_number: RwSignal::new(0),
            finished_view: RwSignal::new_local(None),
            inner: StoredValue::new_local(Inner::default()),
        }
    }

    /// Starts a research run of `plan` on `provider`, cancelling any run still going.
    /// `network_url` is where an HTTP provider sends its requests.
    pub fn start(&self, plan: RunPlan, provider: Rc<dyn Provider>, network_url: Option<String>) {
        let exported = serde_json::to_value(&plan).unwrap_or_default();
        self.launch(exported, provider, network_url, move |env, cancel| {
            Box::pin(async move {
                run(&plan, env, cancel).await;
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
        self.launch(exported, provider, network_url, move |env, cancel| {
            Box::pin(async move {
                run_agents(&plan, env, cancel).await;
            })
        });
    }

    /// Resets the page's run state and starts `runner` with a fresh environment.
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
        let clock = BrowserClock;
        let pending = Rc::new(RefCell::new(Vec::new()));
        let all_events = Rc::new(RefCell::new(Vec::new()));
        let finished = Rc::new(Cell::new(false));
        let cancel = CancelToken::new();
        self.inner.update_value(|inner| {
            *inner = Inner {
                pending: pending.clone(),
                all_events: all_events.clone(),
                view: RunView::default(),
                cancel: Some(cancel.clone()),
                origin_ms: clock.now_ms(),
                finished: finished.clone(),
                frame_scheduled: Rc::new(Cell::new(false)),
                plan,
                network_url,
                network_matched: Vec::new(),
                created: 0,
            }
        });
        self.lanes.set(Vec::new());
        self.log.set(Vec::new());
        self.figures.set(RunFigures::default());
        self.synthesis_skipped.set(Vec::new());
        self.finished_view.set(None);
        self.now_ms.set(0.0);
        self.running.set(true);
        self.run_number.update(|n| *n += 1);

        let this = *self;
        let sink_pending = pending.clone();
        let sink = Rc::new(move |event: Event| {
            all_events.borrow_mut().push(event.clone());
            sink_pending.borrow_mut().push(event);
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

    /// Every event of the current run so far.
    pub fn events(&self) -> Vec<Event> {
        self.inner
            .with_value(|inner| inner.all_events.borrow().clone())
    }

    /// The plan of the current run, as exported.
    pub fn plan(&self) -> serde_json::Value {
        self.inner.with_value(|inner| inner.plan.clone())
    }

    fn schedule_frame(&self) {
        let scheduled = self.inner.with_value(|inner| inner.frame_scheduled.clone());
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

    /// One animation frame: fold the queued events, update what changed, keep the clock moving.
    fn frame(&self) {
        let Some((events, finished, origin)) = self.inner.try_with_value(|inner| {
            (
                std::mem::take(&mut *inner.pending.borrow_mut()),
                inner.finished.get(),
                inner.origin_ms,
            )
        }) else {
            return;
        };
        let mut changed: Vec<LaneId> = Vec::new();
        let mut new_lanes: Vec<LaneHandle> = Vec::new();
        let mut new_lines: Vec<LogLine> = Vec::new();
        let mut more_to_create = false;
        self.inner.update_value(|inner| {
            let mut touched = vec![false; inner.view.lanes.len()];
            for event in &events {
                if let Some(lane) = inner.view.apply(event) {
                    if lane >= touched.len() {
                        touched.resize(lane + 1, false);
                    }
                    if !std::mem::replace(&mut touched[lane], true) {
                        changed.push(lane);
                    }
                }
                if let Some(line) = log_line(event, &inner.view) {
                    new_lines.push(line);
                }
            }
            // Rows are built at most a batch per frame, so hundreds of lanes opening at once
            // never make one long task.
            let end = (inner.created + NEW_LANES_PER_FRAME).min(inner.view.lanes.len());
            for lane in &inner.view.lanes[inner.created..end] {
                new_lanes.push(LaneHandle {
                    id: lane.id,
                    info: lane.info.clone(),
                    view: RwSignal::new(lane.clone()),
                    network: RwSignal::new(None),
                });
            }
            changed.retain(|id| *id < inner.created);
            inner.created = end;
            more_to_create = end < inner.view.lanes.len();
        });
        let now = if finished {
            self.inner.with_value(|inner| inner.view.last_event_ms)
        } else {
            BrowserClock.now_ms() - origin
        };
        if !new_lanes.is_empty() {
            self.lanes.update(|lanes| lanes.extend(new_lanes));
        }
        if !changed.is_empty() {
            let lanes = self.lanes.read_untracked();
            self.inner.with_value(|inner| {
                for id in &changed {
                    if let (Some(handle), Some(view)) = (lanes.get(*id), inner.view.lanes.get(*id))
                    {
                        handle.view.set(view.clone());
                    }
                }
            });
        }
        if !new_lines.is_empty() {
            self.log.update(|log| log.extend(new_lines));
        }
        if !events.is_empty() || finished {
            let (skipped, figures) = self.inner.with_value(|inner| {
                (
                    inner.view.synthesis_skipped.clone(),
                    RunFigures::compute(&inner.view, now),
                )
            });
            self.figures.set(figures);
            if skipped != self.synthesis_skipped.get_untracked() {
                self.synthesis_skipped.set(skipped);
            }
        }
        self.now_ms.set(now);
        let some_ended = events
            .iter()
            .any(|e| matches!(e.kind, crate::engine::EventKind::Finished { .. }));
        let over_http = self.inner.with_value(|inner| inner.network_url.is_some());
        if over_http && (some_ended || finished) {
            // The browser files a request's timing entry just after its body ends.
            let this = *self;
            set_timeout(
                move || this.match_network_timings(),
                Duration::from_millis(60),
            );
        }
        if finished && !more_to_create {
            let view = self.inner.with_value(|inner| Rc::new(inner.view.clone()));
            self.finished_view.set(Some(view));
            self.running.set(false);
        } else {
            self.schedule_frame();
        }
    }

    /// Gives finished HTTP lanes their network phases from the Resource Timing entries.
    fn match_network_timings(&self) {
        let Some(Some((url, origin, calls))) = self.inner.try_with_value(|inner| {
            let url = inner.network_url.clone()?;
            let calls: Vec<TimedCall> = inner
                .view
                .lanes
                .iter()
                .filter(|l| !inner.network_matched.contains(&l.id))
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
                        start: inner.origin_ms + start,
                        end: inner.origin_ms + l.ended_ms?,
                    })
                })
                .collect();
            Some((url, inner.origin_ms, calls))
        }) else {
            return;
        };
        if calls.is_empty() {
            return;
        }
        let entries = page::resource_timings(&url);
        let pairs = match_entries(&calls, &entries, 80.0);
        let lanes = self.lanes.read_untracked();
        for (lane, entry) in &pairs {
            if let Some(handle) = lanes.get(*lane) {
                handle
                    .network
                    .set(Some(NetworkPhases::from_entry(&entries[*entry], origin)));
            }
        }
        self.inner.update_value(|inner| {
            inner
                .network_matched
                .extend(pairs.iter().map(|(lane, _)| *lane))
        });
    }
}

impl Default for LiveRun {
    fn default() -> Self {
        LiveRun::new()
    }
}
