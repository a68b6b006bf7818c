//! What the timeline shows around its rows: the tooltip of the lane under the pointer, the
//! legend, and the request and response of the clicked call.

use super::state::use_app;
use super::timeline::ROW_HEIGHT;
use crate::base::seconds_text;
use crate::engine::{LaneId, LaneKind, LaneStatus, LaneView};
use leptos::prelude::*;

/// Exact times, tokens, status and error of the lane under the pointer.
#[component]
pub fn Tooltip(hovered: RwSignal<Option<(LaneId, f64)>>) -> impl IntoView {
    let app = use_app();
    let content = move || {
        let (id, y) = hovered.get()?;
        let handle = app.live.lanes.with(|l| l.get(id).cloned())?;
        handle.with(|v| (y, tooltip_lines(v)))
    };
    view! {
        {move || content().map(|(y, lines)| {
            let top = format!("{}px", y + ROW_HEIGHT + 4.0);
            view! {
                <div class="tooltip" role="tooltip" style:top=top>
                    {lines.into_iter().enumerate().map(|(i, l)| if i == 0 {
                        view! { <strong>{l}</strong> }.into_any()
                    } else {
                        view! { <div>{l}</div> }.into_any()
                    }).collect_view()}
                </div>
            }
        })}
    }
}

/// The tooltip's lines for one lane: label, status, times, tokens, retries and reason.
fn tooltip_lines(v: &LaneView) -> Vec<String> {
    let mut lines = vec![
        v.info.label.clone(),
        format!("Status: {}", v.status.as_str()),
    ];
    if let Some(start) = v.started_ms {
        lines.push(format!("Started at {}", seconds_text(start)));
    } else {
        lines.push(format!("Queued since {}", seconds_text(v.opened_ms)));
    }
    if let (Some(start), Some(first)) = (v.started_ms, v.first_token_ms) {
        lines.push(format!("First token after {}", seconds_text(first - start)));
    }
    if let Some(end) = v.ended_ms {
        lines.push(format!(
            "Ended at {}{}",
            seconds_text(end),
            v.duration_ms()
                .map(|d| format!(" (took {})", seconds_text(d)))
                .unwrap_or_default()
        ));
    }
    if v.usage.input_tokens + v.usage.output_tokens > 0 {
        lines.push(format!(
            "Tokens: {} in, {} out",
            v.usage.input_tokens, v.usage.output_tokens
        ));
    }
    if let Some(cache) = cache_text(&v.usage) {
        lines.push(cache);
    }
    if v.retries > 0 {
        lines.push(format!("Retries: {}", v.retries));
    }
    for (at, error) in &v.retry_errors {
        lines.push(format!("At {}: {error}", seconds_text(*at)));
    }
    if let Some(reason) = v.outcome.as_ref().and_then(|o| o.reason()) {
        lines.push(reason);
    }
    lines
}

/// What each colour and pattern means (network and tool entries only when they appear).
#[component]
pub fn Legend() -> impl IntoView {
    let app = use_app();
    let lanes = app.live.lanes;
    // Memos: a thousand lanes change their bars every frame, and the list is rebuilt only when
    // an entry appears, not each time one of them is read again.
    let has_network = Memo::new(move |_| lanes.with(|l| l.iter().any(|h| h.has_network())));
    let has_tools = Memo::new(move |_| {
        lanes.with(|l| {
            l.iter()
                .any(|h| matches!(h.info.kind, LaneKind::Tool { .. }))
        })
    });
    let items = Memo::new(move |_| {
        let mut items = vec![
            ("queued", "queued (waiting for a permit or its turn)"),
            ("waiting", "waiting for the first token"),
            ("streaming", "streaming"),
            ("retrying", "backing off before a retry"),
            ("done", "done"),
            ("failed", "failed"),
            ("timeout", "timed out"),
            ("cancelled", "cancelled"),
        ];
        if has_tools.get() {
            items.push(("tool", "tool call running"));
        }
        if has_network.get() {
            items.extend([
                ("net-stalled", "network: stalled (no free connection)"),
                ("net-waiting", "network: waiting for the server"),
                ("net-downloading", "network: downloading"),
            ]);
        }
        items
    });
    view! {
        <ul class="legend" aria-label="Legend">
            {move || items.get().into_iter().map(|(class, text)| view! {
                <li><span class=format!("swatch {class}") aria-hidden="true"></span>{text}</li>
            }).collect_view()}
        </ul>
    }
}

/// The request and response of the clicked call.
#[component]
pub fn CallDetails(selected: RwSignal<Option<LaneId>>) -> impl IntoView {
    let app = use_app();
    let lane = move || {
        let id = selected.get()?;
        app.live.lanes.with(|l| l.get(id).cloned())
    };
    view! {
        // Rebuilt when the selected lane changes (only that one lane is read).
        {move || lane().and_then(|handle| handle.with(LaneView::clone)).map(|v| {
            let request = v
                .request
                .as_ref()
                .and_then(|r| serde_json::to_string_pretty(r.as_ref()).ok())
                .unwrap_or_else(|| match &v.info.kind {
                    LaneKind::Tool { tool, input, .. } => format!("{tool}({input})"),
                    _ => "(no request: this lane never started)".into(),
                });
            let status = v.status;
            let outcome = v.outcome.as_ref().and_then(|o| o.reason());
            let rate_limit = crate::explain_limits::rate_limit_details(&v, app.live.over_http());
            let tokens = if v.usage_reported || v.usage.input_tokens + v.usage.output_tokens > 0 {
                let cache = cache_text(&v.usage).map(|c| format!(" · {c}")).unwrap_or_default();
                format!(" · {} tokens in, {} out{cache}", v.usage.input_tokens, v.usage.output_tokens)
            } else {
                " · tokens not reported by the server".to_string()
            };
            view! {
                <div class="call-details" role="dialog" aria-modal="false" aria-label="Call details">
                    <div class="call-details-head">
                        <h3>{v.info.label.clone()}</h3>
                        <button class="icon" aria-label="Close the call details" on:click=move |_| selected.set(None)>"✕"</button>
                    </div>
                    <p class="meta">
                        {format!("Status: {}", status.as_str())}
                        {v.duration_ms().map(|d| format!(" · took {}", seconds_text(d)))}
                        {tokens}
                        {(status == LaneStatus::Done).then_some("")}
                    </p>
                    {outcome.map(|o| view! { <p class="reason">{o}</p> })}
                    {rate_limit.map(|r| view! { <p class="rate-limit" data-testid="call-rate-limit">{r}</p> })}
                    <h4>"Request"</h4>
                    <pre class="code">{request}</pre>
                    <h4>{if v.is_partial() { "Response (partial)" } else { "Response" }}</h4>
                    <pre class="code">{v.text.clone()}</pre>
                </div>
            }
        })}
    }
}

/// The prompt-cache part of a lane's usage: "Cache: 1,600 written" / "… read", if any.
fn cache_text(usage: &crate::providers::Usage) -> Option<String> {
    let written = usage.cache_creation_input_tokens;
    let read = usage.cache_read_input_tokens;
    match (written, read) {
        (0, 0) => None,
        (w, 0) => Some(format!("Cache: {w} tokens written (1.25× the input price)")),
        (0, r) => Some(format!("Cache: {r} tokens read (0.1× the input price)")),
        (w, r) => Some(format!("Cache: {w} tokens written, {r} read")),
    }
}
