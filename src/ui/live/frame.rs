//! The frame loop of [`LiveRun`]: once per animation frame, fold the queued events into the
//! store, build the next batch of rows, notify the lanes that changed and keep the clock moving.

use super::super::run_store::{BarSignature, LaneHandle, RunScope, RunStore};
use super::LiveRun;
use crate::browser::BrowserClock;
use crate::engine::{log_line, Clock, EventKind, LaneId, LaneInfo, LogLine, RunFigures, Variant};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl LiveRun {
    pub(super) fn schedule_frame(&self) {
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
        let Some((finished, scope, created, row_batch)) = self.inner.try_update_value(|inner| {
            (
                inner.finished.get(),
                inner.scope.clone(),
                inner.created,
                inner.row_batch.next(BrowserClock.now_ms()),
            )
        }) else {
            return;
        };
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
                super::super::history::title_of(&s.view),
                round,
                &s.view,
            )
        });
        if let Some(entry) = entry {
            self.history.update(|h| h.push(entry));
        }
    }
}
