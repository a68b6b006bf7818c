//! Network phases of HTTP lanes: the browser's Resource Timing entries matched to the calls that
//! made them, once their bodies have ended.

use super::LiveRun;
use crate::browser::page;
use crate::engine::LaneStatus;
use crate::network::{match_entries, NetworkPhases, TimedCall};
use leptos::prelude::*;
use std::time::Duration;

impl LiveRun {
    /// Gives finished HTTP lanes their network phases from the Resource Timing entries; looks
    /// again a little later (up to 7 times, about 6 s in all) while some have none, since a busy
    /// browser may file an entry late.
    pub(super) fn match_network_timings(&self, attempt: u32) {
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
