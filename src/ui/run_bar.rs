//! The run controls: Compare, Parallel, Sequential, Cancel — and the messages that stop a run.

use super::state::use_app;
use crate::engine::RunMode;
use leptos::prelude::*;

/// Buttons that start and cancel runs, and the error list.
#[component]
pub fn RunBar() -> impl IntoView {
    let app = use_app();
    let running = app.live.running;
    view! {
        <div class="run-bar" role="toolbar" aria-label="Run controls">
            <button class="primary" data-testid="run-compare" on:click=move |_| app.run(RunMode::Compare)>
                "Compare"
            </button>
            <button data-testid="run-parallel" on:click=move |_| app.run(RunMode::Parallel)>
                "Run parallel"
            </button>
            <button data-testid="run-sequential" on:click=move |_| app.run(RunMode::Sequential)>
                "Run sequential"
            </button>
            <button
                data-testid="cancel-run"
                prop:disabled=move || !running.get()
                on:click=move |_| app.live.cancel()
            >
                "Cancel"
            </button>
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
