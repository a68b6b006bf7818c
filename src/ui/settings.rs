//! Settings: the provider (model, address, key), the run policies, the simulation knobs.

use super::state::use_app;
use crate::engine::{CompareTiming, FailurePolicy};
use crate::providers::simulated::SimProfile;
use crate::workspace::limits::{
    NumberRange, MAX_TOKENS, QUORUM, RATE, RETRIES, ROUNDS, SIMULATION_SPEED, TEMPERATURE,
    TIMEOUT_MS,
};
use crate::workspace::{ProviderKind, Workspace};
use leptos::prelude::*;

/// The number typed, brought into `range`, with the sentence when it had to be changed;
/// `None` when nothing readable was typed.
fn fitted(text: &str, range: NumberRange) -> Option<(f64, Option<String>)> {
    range.fit_typed(text)
}

/// As [`fitted`], rounded to a whole number first.
fn fitted_whole(text: &str, range: NumberRange) -> Option<(f64, Option<String>)> {
    range.fit_typed_whole(text)
}

/// Writes `value` with `set` when something readable was typed; returns the sentence.
fn apply<T>(
    fit: Option<(f64, Option<String>)>,
    convert: fn(f64) -> T,
    set: impl FnOnce(T),
) -> Option<String> {
    let (value, sentence) = fit?;
    set(convert(value));
    sentence
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
                            ws.update(|w| w.choose_provider(k));
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
                <NumberField testid="max-tokens" label="Max tokens" range=MAX_TOKENS read={|w| w.provider.max_tokens.to_string()} write={|w, v| apply(fitted_whole(v, MAX_TOKENS), |v| v as u32, |v| w.provider.max_tokens = v)} />
                <NumberField testid="temperature" label="Temperature" range=TEMPERATURE step="0.1" placeholder="default" read={|w| w.provider.temperature.map(|t| t.to_string()).unwrap_or_default()} write={|w, v| {
                    if v.trim().is_empty() { w.provider.temperature = None; return None; }
                    apply(fitted(v, TEMPERATURE), |t| t as f32, |t| w.provider.temperature = Some(t))
                }} />
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
                <NumberField testid="timeout-ms" label="Timeout per call (ms)" range=TIMEOUT_MS placeholder="none" read={|w| w.run.timeout_ms.map(|t| t.to_string()).unwrap_or_default()} write={|w, v| {
                    if v.trim().is_empty() { w.run.timeout_ms = None; return None; }
                    apply(fitted_whole(v, TIMEOUT_MS), |t| t, |t| w.run.timeout_ms = Some(t))
                }} />
            </div>
            <div class="row">
                <NumberField testid="rpm-budget" label="Requests per minute" placeholder="no budget" hidden=agents_mode read={|w| w.run.limits.requests_per_minute.map(|n| n.to_string()).unwrap_or_default()} write={|w, v| { w.run.limits.requests_per_minute = v.trim().parse::<u32>().ok().filter(|n| *n > 0); None }} />
                <NumberField testid="tpm-budget" label="Tokens per minute" placeholder="no budget" hidden=agents_mode read={|w| w.run.limits.tokens_per_minute.map(|n| n.to_string()).unwrap_or_default()} write={|w, v| { w.run.limits.tokens_per_minute = v.trim().parse::<u32>().ok().filter(|n| *n > 0); None }} />
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
                <NumberField testid="quorum" label="Quorum" range=QUORUM hidden=agents_mode read={|w| w.run.quorum.to_string()} write={|w, v| apply(fitted_whole(v, QUORUM), |q| q as usize, |q| w.run.quorum = q)} />
                <NumberField testid="max-retries" label="Retries" range=RETRIES read={|w| w.run.max_retries.to_string()} write={|w, v| apply(fitted_whole(v, RETRIES), |r| r as u32, |r| w.run.max_retries = r)} />
            </div>
            <div class="row">
                <NumberField testid="rounds" label="Rounds" range=ROUNDS hidden=agents_mode described_by="rounds-hint" read={|w| w.run.rounds.to_string()} write={|w, v| apply(fitted_whole(v, ROUNDS), |r| r as u32, |r| w.run.rounds = r)} />
                <p class="hint" id="rounds-hint" class:hidden=move || !research()>"Repeat the run, round after round, to see how much its times vary (percentiles below the timeline)."</p>
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
                    <NumberField testid="sim-seed" label="Seed" read={|w| w.simulation.seed.to_string()} write={|w, v| {
                        match v.trim().parse::<u64>() {
                            Ok(seed) => { w.simulation.seed = seed; None }
                            Err(_) => Some(format!("The seed must be a whole number from 0 to {}; it was left at {}.", u64::MAX, w.simulation.seed)),
                        }
                    }} />
                    <NumberField testid="sim-speed" label="Speed ×" range=SIMULATION_SPEED step="0.5" read={|w| w.simulation.speed.to_string()} write={|w, v| apply(fitted(v, SIMULATION_SPEED), |s| s, |s| w.simulation.speed = s)} />
                    <NumberField testid="sim-failure-rate" label="Failure rate" range=RATE step="0.05" read={|w| w.simulation.failure_rate.to_string()} write={|w, v| apply(fitted(v, RATE), |r| r, |r| w.simulation.failure_rate = r)} />
                </div>
                <div class="row">
                    <NumberField testid="sim-slow-rate" label="Slow outliers" range=RATE step="0.05" read={|w| w.simulation.slow_rate.to_string()} write={|w, v| apply(fitted(v, RATE), |r| r, |r| w.simulation.slow_rate = r)} />
                    <NumberField testid="sim-rate-limit-rate" label="Rate limits (429)" range=RATE step="0.05" read={|w| w.simulation.rate_limit_rate.to_string()} write={|w, v| apply(fitted(v, RATE), |r| r, |r| w.simulation.rate_limit_rate = r)} />
                    <NumberField testid="sim-wrong-rate" label="Wrong answers (patterns)" range=RATE step="0.05" read={|w| w.simulation.wrong_rate.to_string()} write={|w, v| apply(fitted(v, RATE), |r| r, |r| w.simulation.wrong_rate = r)} />
                </div>
                <label class="field">
                    <span>"Profile"</span>
                    <select data-testid="sim-profile"
                        prop:value=move || ws.with(|w| w.simulation.profile.as_str())
                        on:change=move |ev| {
                            if let Some(p) = SimProfile::parse(&event_target_value(&ev)) {
                                ws.update(|w| w.simulation.profile = p);
                            }
                        }
                    >
                        {SimProfile::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.title()}</option> }).collect_view()}
                    </select>
                </label>
                <p class="hint">"A profile shapes time to first token, token rate and answer length like a kind of real model (numbers from public measurements; ballparks). The demo pace is quickest."</p>
                <p class="hint">"Same seed, same answers and timings. Each question can also be set to be slow or to fail, beside it above."</p>
            </details>
        </Show>
    }
}

/// A labelled number input bound to one field of the workspace. `read` shows the field and
/// `write` takes the text typed (ignoring what does not parse) and returns a sentence when it
/// had to change it to fit `range` (shown at the field); plain function pointers keep one copy of
/// this component however many fields use it.
#[component]
fn NumberField(
    testid: &'static str,
    label: &'static str,
    read: fn(&Workspace) -> String,
    write: fn(&mut Workspace, &str) -> Option<String>,
    /// The limits (from `workspace::limits`), also given to the browser as `min` and `max`.
    #[prop(optional)]
    range: Option<NumberRange>,
    #[prop(optional)] step: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] described_by: Option<&'static str>,
    /// Hidden while this is true.
    #[prop(optional)]
    hidden: Option<Signal<bool>>,
) -> impl IntoView {
    let ws = use_app().workspace;
    let note = RwSignal::new(None::<String>);
    view! {
        <label class="field" class:hidden=move || hidden.is_some_and(|h| h.get())>
            <span>{label}</span>
            <input data-testid=testid type="number" min=range.map(|r| r.min_attr()) max=range.map(|r| r.max_attr())
                step=step placeholder=placeholder
                aria-describedby=described_by
                prop:value=move || ws.with(read)
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    let mut sentence = None;
                    ws.update(|w| sentence = write(w, &text));
                    // Show the value kept at once (it may equal the one already shown).
                    event_target::<web_sys::HtmlInputElement>(&ev).set_value(&ws.with_untracked(read));
                    note.set(sentence);
                }
            />
            <super::editor::FieldNote note=note />
        </label>
    }
}
