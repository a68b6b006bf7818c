//! Limits on the page: the concurrency field that also takes `auto`, the adaptive limit over
//! time (`limit-trace`), and the rate-limit gauge (`ratelimit-gauge`) — or, when the browser
//! cannot read the headers, a sentence that says so.

use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::RunView;
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

/// The limit over time and the rate-limit gauge of the finished run.
#[component]
pub fn LimitsPanel() -> impl IntoView {
    let app = use_app();
    let live = app.live;
    let ws = app.workspace;
    let trace = move || {
        let steps: Vec<(f64, usize)> = live.with_finished_view(|view| {
            view.limit_trace
                .iter()
                .map(|(at, _, l)| (*at, *l))
                .collect()
        })?;
        let last = steps.last()?.1;
        Some(view! {
            <div class="limit-trace" data-testid="limit-trace" data-final=last.to_string()>
                <span>"Adaptive limit over time: "</span>
                {steps.into_iter().map(|(at, limit)| view! {
                    <span class="limit-step" title=format!("at {}", seconds_text(at))>{limit.to_string()}</span>
                }).collect_view()}
            </div>
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
