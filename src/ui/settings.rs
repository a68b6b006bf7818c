//! Settings: the provider (model, address, key), the run policies, the simulation knobs.

use super::state::use_app;
use crate::engine::{CompareTiming, FailurePolicy};
use crate::workspace::{ProviderKind, Workspace};
use leptos::prelude::*;

fn parse_f64(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Provider, model, base URL, key, max tokens, temperature.
#[component]
pub fn ProviderSettings() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let kind = move || ws.with(|w| w.provider.kind);
    let is_http = move || kind() != ProviderKind::Simulated;
    view! {
        <details class="settings" open=true>
            <summary>"Model & provider"</summary>
            <label class="field">
                <span>"Provider"</span>
                <select
                    data-testid="provider-select"
                    prop:value=move || kind().as_str()
                    on:change=move |ev| {
                        if let Some(k) = ProviderKind::parse(&event_target_value(&ev)) {
                            ws.update(|w| w.provider.kind = k);
                        }
                    }
                >
                    <option value="simulated">"Simulated (no key, offline)"</option>
                    <option value="anthropic">"Anthropic API (your key)"</option>
                    <option value="openai">"OpenAI-compatible (Ollama, LM Studio, vLLM…)"</option>
                </select>
            </label>
            <Show when=is_http>
                <label class="field">
                    <span>"Model"</span>
                    <input data-testid="model" type="text" spellcheck="false"
                        prop:value=move || ws.with(|w| w.provider.model().to_string())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            ws.update(|w| match w.provider.kind {
                                ProviderKind::Anthropic => w.provider.anthropic.model = v,
                                ProviderKind::OpenAi => w.provider.openai.model = v,
                                ProviderKind::Simulated => {}
                            });
                        }
                    />
                </label>
                <label class="field">
                    <span>"Base URL"</span>
                    <input data-testid="base-url" type="url" spellcheck="false"
                        prop:value=move || ws.with(|w| match w.provider.kind {
                            ProviderKind::Anthropic => w.provider.anthropic.base_url.clone(),
                            _ => w.provider.openai.base_url.clone(),
                        })
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            ws.update(|w| match w.provider.kind {
                                ProviderKind::Anthropic => w.provider.anthropic.base_url = v,
                                _ => w.provider.openai.base_url = v,
                            });
                        }
                    />
                </label>
                <label class="field">
                    <span>{move || if kind() == ProviderKind::Anthropic { "API key" } else { "API key (optional)" }}</span>
                    <input data-testid="api-key" type="password" autocomplete="off" spellcheck="false"
                        prop:value=move || app.api_key.get()
                        on:input=move |ev| app.api_key.set(event_target_value(&ev))
                    />
                </label>
                <label class="check">
                    <input data-testid="remember-key" type="checkbox"
                        prop:checked=move || app.remember_key.get()
                        on:change=move |ev| app.remember_key.set(event_target_checked(&ev))
                    />
                    <span>"Remember the key on this device (stored in this browser only)"</span>
                </label>
                <p class="hint">"The key is sent only to the base URL above; it never goes into links, exports or the saved set-up."</p>
            </Show>
            <div class="row">
                <NumberField testid="max-tokens" label="Max tokens" min="1" max="64000" read={|w| w.provider.max_tokens.to_string()} write={|w, v| if let Ok(v) = v.trim().parse::<u32>() { w.provider.max_tokens = v.clamp(1, 64_000) }} />
                <NumberField testid="temperature" label="Temperature" min="0" max="2" step="0.1" placeholder="default" read={|w| w.provider.temperature.map(|t| t.to_string()).unwrap_or_default()} write={|w, v| w.provider.temperature = parse_f64(v).map(|t| t.clamp(0.0, 2.0) as f32)} />
            </div>
        </details>
    }
}

/// Concurrency limit, timeout, failure policy, quorum, retries, compare timing.
#[component]
pub fn RunSettings() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let research = move || ws.with(|w| w.mode == crate::workspace::PageMode::Research);
    let agents_mode = Signal::derive(move || !research());
    view! {
        <details class="settings" open=true>
            <summary>"Run policy"</summary>
            <div class="row">
                <super::limits::ConcurrencyField hidden=agents_mode />
                <NumberField testid="timeout-ms" label="Timeout per call (ms)" min="1" placeholder="none" read={|w| w.run.timeout_ms.map(|t| format!("{t:.0}")).unwrap_or_default()} write={|w, v| w.run.timeout_ms = parse_f64(v).filter(|t| *t > 0.0)} />
            </div>
            <div class="row">
                <NumberField testid="rpm-budget" label="Requests per minute" min="1" placeholder="no budget" hidden=agents_mode read={|w| w.run.limits.requests_per_minute.map(|n| n.to_string()).unwrap_or_default()} write={|w, v| w.run.limits.requests_per_minute = v.trim().parse::<u32>().ok().filter(|n| *n > 0)} />
                <NumberField testid="tpm-budget" label="Tokens per minute" min="1" placeholder="no budget" hidden=agents_mode read={|w| w.run.limits.tokens_per_minute.map(|n| n.to_string()).unwrap_or_default()} write={|w, v| w.run.limits.tokens_per_minute = v.trim().parse::<u32>().ok().filter(|n| *n > 0)} />
            </div>
            <p class="hint" id="limit-hint" class:hidden=move || !research()>"Empty = unlimited; auto = find what the server takes (AIMD). Calls beyond the limit or the budgets wait, queued, for a free slot. Settle all lets every call finish; fail fast cancels the rest at the first failure."</p>
            <div class="row">
                <label class="field" class:hidden=move || !research()>
                    <span>"When a call fails"</span>
                    <select data-testid="failure-policy"
                        prop:value=move || ws.with(|w| match w.run.failure_policy { FailurePolicy::SettleAll => "settle-all", FailurePolicy::FailFast => "fail-fast" })
                        on:change=move |ev| {
                            let policy = if event_target_value(&ev) == "fail-fast" { FailurePolicy::FailFast } else { FailurePolicy::SettleAll };
                            ws.update(|w| w.run.failure_policy = policy);
                        }
                    >
                        <option value="settle-all">"Settle all"</option>
                        <option value="fail-fast">"Fail fast"</option>
                    </select>
                </label>
                <NumberField testid="quorum" label="Quorum" min="1" hidden=agents_mode read={|w| w.run.quorum.to_string()} write={|w, v| if let Ok(q) = v.trim().parse::<usize>() { w.run.quorum = q.max(1) }} />
                <NumberField testid="max-retries" label="Retries" min="0" max="10" read={|w| w.run.max_retries.to_string()} write={|w, v| if let Ok(r) = v.trim().parse::<u32>() { w.run.max_retries = r.min(10) }} />
            </div>
            <label class="field" class:hidden=move || !research()>
                <span>"Compare runs"</span>
                <select data-testid="compare-mode"
                    prop:value=move || ws.with(|w| match w.run.compare_timing { CompareTiming::SameTime => "same-time", CompareTiming::OneAfterTheOther => "one-after-the-other" })
                    on:change=move |ev| {
                        let timing = if event_target_value(&ev) == "one-after-the-other" { CompareTiming::OneAfterTheOther } else { CompareTiming::SameTime };
                        ws.update(|w| w.run.compare_timing = timing);
                    }
                >
                    <option value="same-time">"at the same time"</option>
                    <option value="one-after-the-other">"one after the other"</option>
                </select>
            </label>
        </details>
    }
}

/// Seed, speed and failure rate of the simulated model.
#[component]
pub fn SimulationSettings() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    view! {
        <Show when=move || ws.with(|w| w.provider.kind == ProviderKind::Simulated)>
            <details class="settings">
                <summary>"Simulated model"</summary>
                <div class="row">
                    <NumberField testid="sim-seed" label="Seed" min="0" read={|w| w.simulation.seed.to_string()} write={|w, v| if let Ok(seed) = v.trim().parse::<u64>() { w.simulation.seed = seed }} />
                    <NumberField testid="sim-speed" label="Speed ×" min="0.1" max="100" step="0.5" read={|w| w.simulation.speed.to_string()} write={|w, v| if let Some(speed) = parse_f64(v) { w.simulation.speed = speed.clamp(0.1, 100.0) }} />
                    <NumberField testid="sim-failure-rate" label="Failure rate" min="0" max="1" step="0.05" read={|w| w.simulation.failure_rate.to_string()} write={|w, v| if let Some(rate) = parse_f64(v) { w.simulation.failure_rate = rate.clamp(0.0, 1.0) }} />
                </div>
                <div class="row">
                    <NumberField testid="sim-slow-rate" label="Slow outliers" min="0" max="1" step="0.05" read={|w| w.simulation.slow_rate.to_string()} write={|w, v| if let Some(rate) = parse_f64(v) { w.simulation.slow_rate = rate.clamp(0.0, 1.0) }} />
                    <NumberField testid="sim-rate-limit-rate" label="Rate limits (429)" min="0" max="1" step="0.05" read={|w| w.simulation.rate_limit_rate.to_string()} write={|w, v| if let Some(rate) = parse_f64(v) { w.simulation.rate_limit_rate = rate.clamp(0.0, 1.0) }} />
                </div>
                <p class="hint">"Same seed, same answers and timings. Each question can also be set to be slow or to fail, beside it above."</p>
            </details>
        </Show>
    }
}

/// A labelled number input bound to one field of the workspace. `read` shows the field and
/// `write` parses the text typed (ignoring what does not parse); plain function pointers keep
/// one copy of this component however many fields use it.
#[component]
fn NumberField(
    testid: &'static str,
    label: &'static str,
    read: fn(&Workspace) -> String,
    write: fn(&mut Workspace, &str),
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
    #[prop(optional)] step: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] described_by: Option<&'static str>,
    /// Hidden while this is true.
    #[prop(optional)]
    hidden: Option<Signal<bool>>,
) -> impl IntoView {
    let ws = use_app().workspace;
    view! {
        <label class="field" class:hidden=move || hidden.is_some_and(|h| h.get())>
            <span>{label}</span>
            <input data-testid=testid type="number" min=min max=max step=step placeholder=placeholder
                aria-describedby=described_by
                prop:value=move || ws.with(read)
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    ws.update(|w| write(w, &text));
                }
            />
        </label>
    }
}
