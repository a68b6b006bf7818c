//! Limits on the page: the concurrency field that also takes `auto`, the adaptive limit over
//! time (`limit-trace`), and the rate-limit gauge (`ratelimit-gauge`) — or, when the browser
//! cannot read the headers, a sentence that says so.

use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::RunView;
use crate::layout::step_path;
use crate::workspace::ProviderKind;
use leptos::prelude::*;

/// The `concurrency-limit` input: a number, empty (unlimited) or `auto` (adaptive).
#[component]
pub fn ConcurrencyField(hidden: Signal<bool>) -> impl IntoView {
    let ws = use_app().workspace;
    let shown = move || {
        ws.with(|w| {
            if w.run.limits.adaptive {
                "auto".to_string()
            } else {
                w.run
                    .concurrency_limit
                    .map(|l| l.to_string())
                    .unwrap_or_default()
            }
        })
    };
    view! {
        <label class="field" class:hidden=move || hidden.get()>
            <span>"Concurrency limit"</span>
            <input data-testid="concurrency-limit" type="text" inputmode="numeric"
                placeholder="unlimited" aria-describedby="limit-hint"
                prop:value=shown
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    let text = text.trim();
                    ws.update(|w| {
                        w.run.limits.adaptive = text.eq_ignore_ascii_case("auto");
                        w.run.concurrency_limit =
                            text.parse::<usize>().ok().filter(|l| *l > 0);
                    });
                }
            />
        </label>
    }
}

/// The limit chart's box, in SVG units (stretched to the page's width).
const TRACE_WIDTH: f64 = 300.0;
const TRACE_HEIGHT: f64 = 40.0;

/// The limit over time (drawn while the run goes) and the rate-limit gauge of the finished run.
#[component]
pub fn LimitsPanel() -> impl IntoView {
    let app = use_app();
    let live = app.live;
    let ws = app.workspace;
    // The limit's changes, and the run's end once it has finished: redrawn when either
    // changes, not every frame.
    let steps = Memo::new(move |_| {
        live.with_view(|view| {
            let steps: Vec<(f64, usize)> = view
                .limit_trace
                .iter()
                .map(|(at, _, l)| (*at, *l))
                .collect();
            (steps, view.finished.then_some(view.last_event_ms))
        })
        .unwrap_or_default()
    });
    let trace = move || {
        let (steps, end) = steps.get();
        let last = steps.last()?.1;
        let last_at = steps.last().map(|s| s.0).unwrap_or(0.0);
        let end_ms = end.unwrap_or(last_at * 1.1 + 500.0);
        let highest = steps.iter().map(|s| s.1).max().unwrap_or(last);
        let path = step_path(&steps, end_ms, 0, TRACE_WIDTH, TRACE_HEIGHT);
        let changes = steps.len().saturating_sub(1);
        let summary = format!(
            "Adaptive limit over time: from {} to {last} (highest {highest}), {changes} change{}{}.",
            steps[0].1,
            if changes == 1 { "" } else { "s" },
            if end.is_some() {
                format!(", over {}", seconds_text(end_ms))
            } else {
                " so far".to_string()
            }
        );
        Some(view! {
            <figure class="limit-trace" data-testid="limit-trace" data-final=last.to_string()
                data-running=end.is_none().to_string()>
                <svg viewBox=format!("0 0 {TRACE_WIDTH} {TRACE_HEIGHT}") preserveAspectRatio="none"
                    role="img" aria-label=summary.clone()>
                    <path class="limit-line" d=path vector-effect="non-scaling-stroke"></path>
                </svg>
                <figcaption>
                    <span>{summary}</span>
                    <span class="limit-axis">{format!("top: {highest}")}</span>
                </figcaption>
            </figure>
        })
    };
    let gauge = move || {
        let http = ws.with(|w| w.provider.kind != ProviderKind::Simulated);
        live.with_finished_view(|view| gauge_view(view, http))?
    };
    view! { {trace} {gauge} }
}

fn gauge_view(view: &RunView, http: bool) -> Option<AnyView> {
    let latest = view
        .lanes
        .iter()
        .filter(|l| l.rate_limit.is_some())
        .max_by(|a, b| {
            a.ended_ms
                .unwrap_or(0.0)
                .total_cmp(&b.ended_ms.unwrap_or(0.0))
        })
        .and_then(|l| l.rate_limit.clone());
    match latest {
        Some(info) => {
            let requests = info.requests.remaining;
            let tokens = info.tokens_remaining();
            let mut parts = Vec::new();
            if let Some(r) = requests {
                let reset = info
                    .requests
                    .reset_in_ms
                    .map(|ms| format!(" (full again in {})", seconds_text(ms)))
                    .unwrap_or_default();
                parts.push(format!("{r} requests left{reset}"));
            }
            if let Some(t) = tokens {
                parts.push(format!("{t} tokens left"));
            }
            Some(
                view! {
                    <p class="ratelimit-gauge" data-testid="ratelimit-gauge"
                        data-requests-remaining=requests.map(|r| r.to_string())
                        data-tokens-remaining=tokens.map(|t| t.to_string())>
                        {format!("Rate limit after the last call: {}.", parts.join(", "))}
                    </p>
                }
                .into_any(),
            )
        }
        None if http && view.finished => Some(
            view! {
                <p class="ratelimit-gauge" data-testid="ratelimit-gauge">
                    "The page could not read any rate-limit headers: the server sent none, or did \
                     not list them in Access-Control-Expose-Headers, so the browser hides them."
                </p>
            }
            .into_any(),
        ),
        None => None,
    }
}
