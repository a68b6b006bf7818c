//! The attributes of a lane's row that follow its state — `class`, `aria-label` and the
//! automation attributes `data-status`, `data-start-ms`, … of DESIGN.md — kept current by one
//! effect per row.
//!
//! Why not one reactive attribute each: a row exists for every lane, drawn or not, and written
//! the usual way its dozen state attributes were a dozen render effects and six memos per row.
//! At 1,000 lanes building them was most of the first frames (the first one 37–49 ms in a trace);
//! one effect that reads the lane once and sets only the attributes whose value changed does the
//! same work for a fraction of the cost (figures in the closing note of issue 12).

use super::run_store::LaneHandle;
use crate::engine::{Group, LaneStatus};
use leptos::prelude::*;
use leptos::svg::G;

/// What the state attributes of a row show, compared between runs of its effect.
#[derive(Clone, PartialEq)]
struct RowState {
    status: LaneStatus,
    /// What a queued lane waits for (a permit, the request or token budget).
    queued_for: Option<&'static str>,
    start_ms: Option<f64>,
    end_ms: Option<f64>,
    retries: u32,
    /// Prompt-cache writes and reads, when the request marked a cached prefix or the server
    /// reported any.
    cache: Option<(u32, u32)>,
    stalled_ms: Option<f64>,
    protocol: Option<String>,
}

impl RowState {
    /// What a lane whose run was replaced shows: cancelled, nothing else.
    const REPLACED: RowState = RowState {
        status: LaneStatus::Cancelled,
        queued_for: None,
        start_ms: None,
        end_ms: None,
        retries: 0,
        cache: None,
        stalled_ms: None,
        protocol: None,
    };

    fn of(handle: &LaneHandle) -> RowState {
        let network = handle.network();
        handle
            .with_bar(|v| {
                let u = v.usage;
                let marked = v.request.as_ref().is_some_and(|r| r.cache_system);
                RowState {
                    status: v.status,
                    queued_for: v
                        .queued_for
                        .filter(|_| v.status == LaneStatus::Queued)
                        .map(|r| r.as_str()),
                    start_ms: v.started_ms,
                    end_ms: v.ended_ms,
                    retries: v.retries,
                    cache: (marked
                        || u.cache_creation_input_tokens + u.cache_read_input_tokens > 0)
                        .then_some((u.cache_creation_input_tokens, u.cache_read_input_tokens)),
                    stalled_ms: network.as_ref().map(|n| n.stalled_ms()),
                    protocol: network.map(|n| n.protocol),
                }
            })
            .unwrap_or(RowState::REPLACED)
    }
}

/// Keeps the state attributes of the row `element` current with its lane. `kind_class` is the
/// row's kind (`question`, `synthesis`, …) and `aria` its label.
pub fn keep_row_attributes(
    element: NodeRef<G>,
    handle: LaneHandle,
    kind_class: &'static str,
    aria: String,
) {
    let racing = handle.info.group == Group::Race;
    Effect::new(move |previous: Option<Option<RowState>>| {
        let element = element.get()?;
        let now = RowState::of(&handle);
        let before = previous.flatten();
        let set = |name: &str, value: Option<String>| {
            let _ = match value {
                Some(value) => element.set_attribute(name, &value),
                None => element.remove_attribute(name),
            };
        };
        let ms = |v: Option<f64>| v.map(|ms| format!("{ms:.1}")).unwrap_or_default();
        if before.as_ref().is_none_or(|b| b.status != now.status) {
            let status = now.status.as_str();
            set("class", Some(format!("lane {kind_class} status-{status}")));
            set("data-status", Some(status.to_string()));
            set("aria-label", Some(format!("{aria} ({status})")));
            set(
                "data-winner",
                (racing && now.status == LaneStatus::Done).then(|| "true".to_string()),
            );
        }
        if before
            .as_ref()
            .is_none_or(|b| b.queued_for != now.queued_for)
        {
            set("data-queued-for", now.queued_for.map(str::to_string));
        }
        if before.as_ref().is_none_or(|b| b.start_ms != now.start_ms) {
            set("data-start-ms", Some(ms(now.start_ms)));
        }
        if before.as_ref().is_none_or(|b| b.end_ms != now.end_ms) {
            set("data-end-ms", Some(ms(now.end_ms)));
        }
        if before.as_ref().is_none_or(|b| b.retries != now.retries) {
            set("data-retries", Some(now.retries.to_string()));
        }
        if before.as_ref().is_none_or(|b| b.cache != now.cache) {
            set(
                "data-cache-write-tokens",
                now.cache.map(|c| c.0.to_string()),
            );
            set("data-cache-read-tokens", now.cache.map(|c| c.1.to_string()));
        }
        if before
            .as_ref()
            .is_none_or(|b| b.stalled_ms != now.stalled_ms)
        {
            set("data-stalled-ms", now.stalled_ms.map(|s| format!("{s:.1}")));
        }
        if before.as_ref().is_none_or(|b| b.protocol != now.protocol) {
            set("data-protocol", now.protocol.clone());
        }
        Some(now)
    });
}
