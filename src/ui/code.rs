//! "Show me the code": the current set-up as a Python, TypeScript or Rust program that runs
//! against the real API, with copy and download.

use super::state::use_app;
use crate::browser::page;
use crate::codegen::{generate_rounds, generate_workspace_variants, CodeLanguage};
use crate::engine::RunMode;
use leptos::prelude::*;

/// The generated program for the current set-up, in the chosen language.
#[component]
pub fn CodePanel() -> impl IntoView {
    let app = use_app();
    let language = RwSignal::new(CodeLanguage::Python);
    let mode = RwSignal::new(RunMode::Compare);
    let code = Memo::new(move |_| {
        let ws = app.workspace.get();
        // Voting, racing, hedging, map-reduce and the cached prefix have programs of their own
        // (Python and TypeScript).
        if let Some(program) = ws.pattern_plan().ok().and_then(|plan| {
            crate::codegen::patterns_map_cache::generate_map_cache(&plan, language.get())
                .or_else(|| crate::codegen::generate_pattern(&plan, language.get()))
        }) {
            return Ok(program);
        }
        // With variants, one block per variant (the Rust program runs variant A and says so).
        let program = if ws.variants.is_empty() {
            ws.plan(mode.get())
                .map(|plan| generate_rounds(&plan, language.get(), ws.run.rounds))
        } else {
            ws.variant_plans(mode.get())
                .map(|plans| generate_workspace_variants(&ws, &plans, language.get()))
        };
        match program {
            Ok(program) => Ok(program),
            Err(problems) => Err(problems
                .into_iter()
                .map(|p| p.0)
                .collect::<Vec<_>>()
                .join(" ")),
        }
    });
    let languages = [
        CodeLanguage::Python,
        CodeLanguage::TypeScript,
        CodeLanguage::Rust,
    ];
    view! {
        <div class="code-panel" data-testid="code-panel">
            <div class="code-tools">
                <div role="radiogroup" aria-label="Language" class="segmented">
                    {languages.into_iter().map(|l| view! {
                        <button role="radio" data-testid=format!("code-{}", l.id())
                            aria-checked=move || (language.get() == l).to_string()
                            class:active=move || language.get() == l
                            on:click=move |_| language.set(l)>{l.label()}</button>
                    }).collect_view()}
                </div>
                <label class="inline">
                    <span>"Runs"</span>
                    <select data-testid="code-mode" on:change=move |ev| mode.set(match event_target_value(&ev).as_str() {
                        "sequential" => RunMode::Sequential,
                        "parallel" => RunMode::Parallel,
                        _ => RunMode::Compare,
                    })>
                        <option value="compare">"both (compare)"</option>
                        <option value="parallel">"parallel"</option>
                        <option value="sequential">"sequential"</option>
                    </select>
                </label>
                <button data-testid="copy-code" on:click=move |_| { if let Ok(text) = code.get_untracked() {
                    page::copy_to_clipboard(&text);
                } }>"Copy"</button>
                <button data-testid="download-code" on:click=move |_| { if let Ok(text) = code.get_untracked() {
                    let l = language.get_untracked();
                    page::download(l.file_name(), "text/plain", &text);
                } }>"Download"</button>
            </div>
            <p class="hint">
                "Reads your key from ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL if set); keeps this page's questions, prompts, model and policies."
            </p>
            {move || (app.workspace.with(|w| !w.variants.is_empty()) && language.get() == CodeLanguage::Rust).then(|| view! {
                <p class="hint">"The Rust program runs variant A (the set-up itself); the Python and TypeScript ones run every variant."</p>
            })}
            {move || match code.get() {
                Ok(text) => view! { <pre class="code" data-testid="generated-code" tabindex="0"><code>{text}</code></pre> }.into_any(),
                Err(problem) => view! { <p class="reason">{problem}</p> }.into_any(),
            }}
        </div>
    }
}
