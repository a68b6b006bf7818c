//! Variants of the set-up: the editor (one block per variant, A being the set-up itself) and,
//! after a run, the figures of every variant side by side.

use super::editor::FieldNote;
use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::{variant_figures, GroupFigures, RunFigures, Variant, VariantTiming};
use crate::providers::simulated::SimProfile;
use crate::workspace::limits::{
    clip_text, MAX_MODEL_CHARS, MAX_PROMPT_CHARS, MAX_TOKENS, TEMPERATURE,
};
use crate::workspace::{ProviderKind, VariantSetup, Workspace};
use leptos::prelude::*;

/// Variant `index` (0 is A) of the workspace.
fn variant_at(ws: &Workspace, index: usize) -> VariantSetup {
    ws.all_variants().get(index).cloned().unwrap_or_default()
}

/// Changes variant `index`: A writes through to the set-up's own fields.
fn change_variant(ws: &mut Workspace, index: usize, change: impl FnOnce(&mut VariantSetup)) {
    if index > 0 {
        if let Some(v) = ws.variants.others.get_mut(index - 1) {
            change(v);
        }
        return;
    }
    let mut a = ws.variant_a();
    change(&mut a);
    ws.choose_provider(a.provider);
    match a.provider {
        ProviderKind::Simulated => {
            if let Some(profile) = SimProfile::parse(&a.model) {
                ws.simulation.profile = profile;
            }
        }
        ProviderKind::Anthropic => ws.provider.anthropic.model = a.model,
        ProviderKind::OpenAi => ws.provider.openai.model = a.model,
    }
    ws.system_prompt = a.system_prompt;
    ws.provider.max_tokens = a.max_tokens;
    ws.provider.temperature = a.temperature;
}

/// The variants: `add-variant`, and one `variant` block each.
#[component]
pub fn VariantEditor() -> impl IntoView {
    let ws = use_app().workspace;
    let count = move || ws.with(|w| w.variants.others.len() + 1);
    let full = move || count() >= Variant::MAX;
    view! {
        <section class="settings variants" aria-labelledby="variants-heading">
            <h2 id="variants-heading" class="settings-heading">"Variants (A–D side by side)"</h2>
            <p class="hint">"Run the same questions on up to four variants that differ in provider, model, system prompt, max tokens or temperature. A is the set-up above. A simulated variant's model names a profile: "
                {SimProfile::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")}"."</p>
            <datalist id="sim-profile-names">
                {SimProfile::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.title()}</option> }).collect_view()}
            </datalist>
            <Show when={move || count() > 1}>
                <For each=move || 0..count() key=|i| *i let:index>
                    <VariantBlock index=index />
                </For>
                <label class="field">
                    <span>"Variants run"</span>
                    <select class="variant-timing"
                        prop:value=move || ws.with(|w| match w.variants.timing { VariantTiming::SameTime => "same-time", VariantTiming::OneAfterTheOther => "one-after-the-other" })
                        on:change=move |ev| {
                            let timing = if event_target_value(&ev) == "one-after-the-other" { VariantTiming::OneAfterTheOther } else { VariantTiming::SameTime };
                            ws.update(|w| w.variants.timing = timing);
                        }
                    >
                        <option value="same-time">"at the same time"</option>
                        <option value="one-after-the-other">"one after the other"</option>
                    </select>
                </label>
            </Show>
            <button type="button" data-testid="add-variant" disabled=full
                on:click=move |_| ws.update(|w| { w.add_variant(); })
            >{move || if count() > 1 { "Add a variant" } else { "Compare variants: add variant B" }}</button>
        </section>
    }
}

/// One variant's fields.
#[component]
fn VariantBlock(index: usize) -> impl IntoView {
    let ws = use_app().workspace;
    let letter = Variant(index as u8).letter().to_string();
    let read = move || ws.with(|w| variant_at(w, index));
    let note = RwSignal::new(None::<String>);
    let set = move |change: Box<dyn FnOnce(&mut VariantSetup)>| {
        ws.update(|w| change_variant(w, index, change));
    };
    let remove = (index > 0).then(|| {
        view! {
            <button type="button" class="link" data-testid="remove-variant"
                aria-label=format!("Remove variant {letter}")
                on:click=move |_| ws.update(|w| w.remove_variant(index - 1))
            >"Remove"</button>
        }
    });
    view! {
        <fieldset class="variant" data-testid="variant" data-variant=letter.clone()>
            <legend>{format!("Variant {letter}")}{(index == 0).then_some(" (the set-up)")}</legend>
            <div class="row">
                <label class="field">
                    <span>"Provider"</span>
                    <select data-testid="variant-provider"
                        prop:value=move || read().provider.as_str()
                        on:change=move |ev| {
                            if let Some(kind) = ProviderKind::parse(&event_target_value(&ev)) {
                                set(Box::new(move |v| {
                                    if v.provider != kind {
                                        v.provider = kind;
                                        v.model = match kind {
                                            ProviderKind::Simulated => SimProfile::Balanced.as_str().into(),
                                            ProviderKind::Anthropic => "claude-haiku-4-5".into(),
                                            ProviderKind::OpenAi => "llama3.2".into(),
                                        };
                                    }
                                }));
                            }
                        }
                    >
                        <option value="simulated">"Simulated"</option>
                        <option value="anthropic">"Anthropic API"</option>
                        <option value="openai">"OpenAI-compatible"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Model"</span>
                    <input data-testid="variant-model" type="text" spellcheck="false"
                        list=move || (read().provider == ProviderKind::Simulated).then_some("sim-profile-names")
                        prop:value=move || read().model
                        on:change=move |ev| {
                            let clipped = clip_text("The model", event_target_value(&ev).trim(), MAX_MODEL_CHARS);
                            let simulated = read().provider == ProviderKind::Simulated;
                            let known = SimProfile::parse(&clipped.text).is_some();
                            note.set(clipped.sentence.or_else(|| (simulated && !known && index == 0).then(|| {
                                "A simulated model is one of the profiles; the profile was left as it was.".to_string()
                            })));
                            set(Box::new(move |v| v.model = clipped.text));
                        }
                    />
                </label>
            </div>
            <label class="field">
                <span>"System prompt"</span>
                <textarea data-testid="variant-system-prompt" rows="2"
                    prop:value=move || read().system_prompt
                    on:change=move |ev| {
                        let clipped = clip_text("The system prompt", &event_target_value(&ev), MAX_PROMPT_CHARS);
                        note.set(clipped.sentence);
                        set(Box::new(move |v| v.system_prompt = clipped.text));
                    }
                ></textarea>
            </label>
            <div class="row">
                <label class="field">
                    <span>"Max tokens"</span>
                    <input data-testid="variant-max-tokens" type="number" min=MAX_TOKENS.min_attr() max=MAX_TOKENS.max_attr()
                        prop:value=move || read().max_tokens.to_string()
                        on:change=move |ev| {
                            if let Some((value, sentence)) = MAX_TOKENS.fit_typed_whole(&event_target_value(&ev)) {
                                note.set(sentence);
                                set(Box::new(move |v| v.max_tokens = value as u32));
                            }
                        }
                    />
                </label>
                <label class="field">
                    <span>"Temperature"</span>
                    <input data-testid="variant-temperature" type="number" step="0.1" placeholder="default"
                        min=TEMPERATURE.min_attr() max=TEMPERATURE.max_attr()
                        prop:value=move || read().temperature.map(|t| t.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            if text.trim().is_empty() {
                                note.set(None);
                                set(Box::new(|v| v.temperature = None));
                            } else if let Some((value, sentence)) = TEMPERATURE.fit_typed(&text) {
                                note.set(sentence);
                                set(Box::new(move |v| v.temperature = Some(value as f32)));
                            }
                        }
                    />
                </label>
                {remove}
            </div>
            <FieldNote note=note />
        </fieldset>
    }
}

/// A figure of a group for the table, or a dash.
fn cell(g: Option<&GroupFigures>, f: impl Fn(&GroupFigures) -> String) -> String {
    g.map(f).unwrap_or_else(|| "–".into())
}

/// The figures of each variant side by side, once a run had more than one.
#[component]
pub fn VariantFigures() -> impl IntoView {
    let live = use_app().live;
    let rows = move || {
        live.with_view(|view| {
            // One variant: no table, and no per-frame copy of its lanes (measured: with 500
            // lanes this was the page's busiest wasm path).
            if view.variants().len() <= 1 {
                return None;
            }
            let now = live.now_ms.get_untracked();
            let figures: Vec<(Variant, RunFigures, String)> = variant_figures(view, now)
                .into_iter()
                .map(|(v, f)| {
                    let model = view
                        .lanes
                        .iter()
                        .filter(|l| l.info.variant == v)
                        .find_map(|l| l.request.as_ref().map(|r| r.model.clone()))
                        .unwrap_or_default();
                    (v, f, model)
                })
                .collect();
            (figures.len() > 1).then_some(figures)
        })
        .flatten()
    };
    move || {
        rows().map(|figures| {
            view! {
                <section class="variant-figures" aria-label="Variants side by side">
                    <h2>"Variants side by side"</h2>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Variant"</th>
                                <th scope="col">"Model"</th>
                                <th scope="col">"Wall"</th>
                                <th scope="col">"First token (mean)"</th>
                                <th scope="col">"Tokens in / out"</th>
                                <th scope="col">"Tokens/s"</th>
                                <th scope="col">"Cost"</th>
                                <th scope="col">"Succeeded"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {figures.into_iter().map(|(v, f, model)| figure_row(v, &f, model)).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })
    }
}

/// One variant's row: its parallel run when it ran, else its sequential run.
fn figure_row(variant: Variant, f: &RunFigures, model: String) -> impl IntoView + use<> {
    let g = f.parallel.as_ref().or(f.sequential.as_ref());
    let wall = g.map(|g| g.wall_ms);
    let ttft = g.and_then(|g| g.mean_first_token_ms);
    view! {
        <tr data-variant=variant.letter().to_string() data-run=g.map(|g| g.group.as_str())
            data-wall-ms=wall.map(|w| format!("{w:.1}")) data-ttft-ms=ttft.map(|t| format!("{t:.1}"))>
            <th scope="row">{variant.letter().to_string()}</th>
            <td>{model}</td>
            <td>{cell(g, |g| seconds_text(g.wall_ms))}</td>
            <td>{ttft.map(seconds_text).unwrap_or_else(|| "–".into())}</td>
            <td>{cell(g, |g| format!("{} / {}", g.tokens_in, g.tokens_out))}</td>
            <td>{cell(g, |g| format!("{:.0}", g.tokens_per_s))}</td>
            <td>{cell(g, |g| g.cost_usd.map(|c| format!("${c:.4}")).unwrap_or_else(|| "–".into()))}</td>
            <td>{cell(g, |g| format!("{} of {}", g.succeeded, g.calls))}</td>
        </tr>
    }
}
