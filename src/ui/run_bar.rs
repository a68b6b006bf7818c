//! The run controls — Compare, Parallel, Sequential (or Run agents), Cancel — and the messages
//! that stop a run.

use super::state::use_app;
use crate::engine::RunMode;
use crate::workspace::PageMode;
use leptos::prelude::*;

/// Buttons that start and cancel runs, and the error list.
#[component]
pub fn RunBar() -> impl IntoView {
    let app = use_app();
    let running = app.live.running;
    let agents = move || app.workspace.with(|w| w.mode == PageMode::Agents);
    view! {
        <div class="run-bar" role="toolbar" aria-label="Run controls" data-testid="run-bar"
            data-running=move || running.get().to_string()
            data-run-number=move || app.live.run_number.get()>
            <Show when=agents fallback=move || view! {
                <button class="primary" data-testid="run-compare" title="Ctrl+Enter"
                    on:click=move |_| app.run(RunMode::Compare)>"▶ Compare"</button>
                <button data-testid="run-parallel" on:click=move |_| app.run(RunMode::Parallel)>"Parallel"</button>
                <button data-testid="run-sequential" on:click=move |_| app.run(RunMode::Sequential)>"Sequential"</button>
            }>
                <button class="primary" data-testid="run-agents" title="Ctrl+Enter"
                    on:click=move |_| app.run_agents()>"▶ Run agents"</button>
                <button data-testid="run-agents-compare" title="The same prompts with tools and conversations one at a time, then in parallel"
                    on:click=move |_| app.run_agents_compare()>"Compare serial vs parallel"</button>
            </Show>
            <button data-testid="cancel-run" title="Esc" prop:disabled=move || !running.get()
                on:click=move |_| app.live.cancel()>"■ Cancel"</button>
            <span class="kbd-hint" aria-hidden="true">"Ctrl/⌘+Enter runs · Esc cancels"</span>
        </div>
        <Show when=move || !app.errors.read().is_empty()>
            <div class="errors" role="alert" data-testid="error">
                <ul>
                    {move || app.errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}
