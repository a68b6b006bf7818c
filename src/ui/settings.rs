//! Settings: the provider (model, address, key), the run policies, the simulation knobs.

use super::state::use_app;
use crate::engine::{CompareTiming, FailurePolicy};
use crate::workspace::ProviderKind;
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
                <label class="field">
                    <span>"Max tokens"</span>
                    <input data-testid="max-tokens" type="number" min="1" max="64000"
                        prop:value=move || ws.with(|w| w.provider.max_tokens.to_string())
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
                            ws.update(|w| w.provider.max_tokens = v.clamp(1, 64_000));
                        } }
                    />
                </label>
                <label class="field">
                    <span>"Temperature"</span>
                    <input data-testid="temperature" type="number" min="0" max="2" step="0.1" placeholder="default"
                        prop:value=move || ws.with(|w| w.provider.temperature.map(|t| t.to_string()).unwrap_or_default())
                        on:change=move |ev| {
                            let t = parse_f64(&event_target_value(&ev)).map(|t| t.clamp(0.0, 2.0) as f32);
                            ws.update(|w| w.provider.temperature = t);
                        }
                    />
                </label>
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
    view! {
        <details class="settings" open=true>
            <summary>"Run policy"</summary>
            <div class="row">
                <label class="field" class:hidden=move || !research()>
                    <span>"Concurrency limit"</span>
                    <input data-testid="concurrency-limit" type="number" min="1" placeholder="unlimited"
                        aria-describedby="limit-hint"
                        prop:value=move || ws.with(|w| w.run.concurrency_limit.map(|l| l.to_string()).unwrap_or_default())
                        on:change=move |ev| {
                            let limit = event_target_value(&ev).trim().parse::<usize>().ok().filter(|l| *l > 0);
                            ws.update(|w| w.run.concurrency_limit = limit);
                        }
                    />
                </label>
                <label class="field">
                    <span>"Timeout per call (ms)"</span>
                    <input data-testid="timeout-ms" type="number" min="1" placeholder="none"
                        prop:value=move || ws.with(|w| w.run.timeout_ms.map(|t| format!("{t:.0}")).unwrap_or_default())
                        on:change=move |ev| {
                            let t = parse_f64(&event_target_value(&ev)).filter(|t| *t > 0.0);
                            ws.update(|w| w.run.timeout_ms = t);
                        }
                    />
                </label>
            </div>
            <p class="hint" id="limit-hint" class:hidden=move || !research()>"Empty = unlimited. Calls beyond the limit wait, queued, for a free slot. Settle all lets every call finish; fail fast cancels the rest at the first failure."</p>
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
                <label class="field" class:hidden=move || !research()>
                    <span>"Quorum"</span>
                    <input data-testid="quorum" type="number" min="1"
                        prop:value=move || ws.with(|w| w.run.quorum.to_string())
                        on:change=move |ev| { if let Ok(q) = event_target_value(&ev).trim().parse::<usize>() {
                            ws.update(|w| w.run.quorum = q.max(1));
                        } }
                    />
                </label>
                <label class="field">
                    <span>"Retries"</span>
                    <input data-testid="max-retries" type="number" min="0" max="10"
                        prop:value=move || ws.with(|w| w.run.max_retries.to_string())
                        on:change=move |ev| { if let Ok(r) = event_target_value(&ev).trim().parse::<u32>() {
                            ws.update(|w| w.run.max_retries = r.min(10));
                        } }
                    />
                </label>
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
                    <label class="field">
                        <span>"Seed"</span>
                        <input data-testid="sim-seed" type="number" min="0"
                            prop:value=move || ws.with(|w| w.simulation.seed.to_string())
                            on:change=move |ev| { if let Ok(seed) = event_target_value(&ev).trim().parse::<u64>() {
                                ws.update(|w| w.simulation.seed = seed);
                            } }
                        />
                    </label>
                    <label class="field">
                        <span>"Speed ×"</span>
                        <input data-testid="sim-speed" type="number" min="0.1" max="100" step="0.5"
                            prop:value=move || ws.with(|w| w.simulation.speed.to_string())
                            on:change=move |ev| { if let Some(speed) = parse_f64(&event_target_value(&ev)) {
                                ws.update(|w| w.simulation.speed = speed.clamp(0.1, 100.0));
                            } }
                        />
                    </label>
                    <label class="field">
                        <span>"Failure rate"</span>
                        <input data-testid="sim-failure-rate" type="number" min="0" max="1" step="0.05"
                            prop:value=move || ws.with(|w| w.simulation.failure_rate.to_string())
                            on:change=move |ev| { if let Some(rate) = parse_f64(&event_target_value(&ev)) {
                                ws.update(|w| w.simulation.failure_rate = rate.clamp(0.0, 1.0));
                            } }
                        />
                    </label>
                </div>
                <div class="row">
                    <label class="field">
                        <span>"Slow outliers"</span>
                        <input data-testid="sim-slow-rate" type="number" min="0" max="1" step="0.05"
                            prop:value=move || ws.with(|w| w.simulation.slow_rate.to_string())
                            on:change=move |ev| { if let Some(rate) = parse_f64(&event_target_value(&ev)) {
                                ws.update(|w| w.simulation.slow_rate = rate.clamp(0.0, 1.0));
                            } }
                        />
                    </label>
                    <label class="field">
                        <span>"Rate limits (429)"</span>
                        <input data-testid="sim-rate-limit-rate" type="number" min="0" max="1" step="0.05"
                            prop:value=move || ws.with(|w| w.simulation.rate_limit_rate.to_string())
                            on:change=move |ev| { if let Some(rate) = parse_f64(&event_target_value(&ev)) {
                                ws.update(|w| w.simulation.rate_limit_rate = rate.clamp(0.0, 1.0));
                            } }
                        />
                    </label>
                </div>
                <p class="hint">"Same seed, same answers and timings. Each question can also be set to be slow or to fail, beside it above."</p>
            </details>
        </Show>
    }
}
