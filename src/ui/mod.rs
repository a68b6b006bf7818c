//! The page: Leptos components that show the workspace and fold the engine's events.
//!
//! Components stay thin: the set-up lives in [`crate::workspace`], timing and figures in
//! [`crate::engine`]; here we only render signals and forward clicks.

mod answers;
mod editor;
mod live;
mod run_bar;
mod state;

pub use live::{LaneHandle, LiveRun};
pub use state::{use_app, AppState};

use crate::workspace::Workspace;
use leptos::prelude::*;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new(Workspace::default());
    provide_context(state);
    view! {
        <header class="app-header">
            <h1>"Parallel Playground"</h1>
            <p class="tagline">
                "Ask independent questions one at a time or all at once, and watch the difference: "
                <strong>"sum of the times"</strong>" versus "<strong>"time of the slowest"</strong>"."
            </p>
        </header>
        <main class="layout">
            <section class="setup" aria-label="Set-up">
                <editor::QuestionEditor />
            </section>
            <section class="results" aria-label="Run">
                <run_bar::RunBar />
                <answers::Answers />
            </section>
        </main>
    }
}
