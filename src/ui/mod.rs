//! The page: Leptos components that show the workspace and fold the engine's events.
//!
//! Components stay thin: the set-up lives in [`crate::workspace`], timing and figures in
//! [`crate::engine`], words in [`crate::explain`]; here we only render signals and forward clicks.

mod agents;
mod agents_compare;
mod answers;
mod batch;
mod batch_synthesis;
mod code;
mod distribution;
mod editor;
mod explain_panel;
mod figures;
mod header;
mod history;
mod in_view;
mod lesson;
mod limits;
mod live;
mod markdown_view;
mod mode_runs;
mod patterns;
mod patterns_map_cache;
mod results;
mod run_bar;
mod run_store;
mod saved_setups;
mod session;
mod settings;
mod state;
mod timeline;
mod timeline_details;
mod timeline_row_attributes;
mod timeline_rows;
mod variants;

pub use live::LiveRun;
pub use run_store::{LaneHandle, RunScope, RunStore};
pub use state::{use_app, AppState};

use crate::engine::RunMode;
use crate::workspace::PageMode;
use leptos::prelude::*;

/// Where the layout turns into one column (as in `style/main.css`).
const NARROW_SCREEN: &str = "(max-width: 860px)";

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::load();
    state.persist();
    provide_context(state);
    let lesson = lesson::Lesson::new(state);
    provide_context(lesson);
    batch::provide_batch_state();
    // A link can open a given step of the lesson: `#lesson=3`.
    if let Some(step) =
        crate::workspace::fragment_param(&crate::browser::page::fragment(), "lesson")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|s| (1..=crate::lesson::STEPS.len()).contains(s))
    {
        lesson.enter(step - 1);
    }
    // Ctrl/Cmd+Enter runs (compare, or the agents), Esc cancels.
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            state.run(RunMode::Compare);
        } else if ev.key() == "Escape" && state.shown_run().running.get_untracked() {
            state.shown_run().cancel();
        }
    });
    let agents = move || state.workspace.with(|w| w.mode == PageMode::Agents);
    // The page is here: the static shell of index.html (shown while the wasm loaded) goes.
    crate::browser::page::remove_element("boot-shell");
    // On a phone the questions, the run buttons and the timeline come first; the settings fold
    // away below them (the stylesheet orders the boxes; this only folds them).
    let narrow = crate::browser::page::media_matches(NARROW_SCREEN);
    view! {
        <header::Header />
        <main class="layout">
            <section class="setup" aria-label="Set-up">
                <Show when=agents fallback=|| view! { <editor::QuestionEditor /> }>
                    <agents::AgentEditor />
                </Show>
                <details class="settings-fold" open=!narrow>
                    <summary>"Settings: pattern, provider, run policy, simulated model"</summary>
                    <patterns::PatternControls />
                    <settings::ProviderSettings />
                    <settings::RunSettings />
                    <settings::SimulationSettings />
                    <Show when=move || !agents()>
                        <variants::VariantEditor />
                    </Show>
                </details>
            </section>
            <section class="run" aria-label="Run">
                // Each mode shows its own run (see `mode_runs`).
                <mode_runs::ShownRun>
                    <lesson::LessonCard />
                    <run_bar::RunBar />
                    <figures::Figures />
                    <patterns::PatternPanel />
                    <patterns_map_cache::MapCachePanel />
                    <variants::VariantFigures />
                    <agents_compare::AgentsCompareFigures />
                    <explain_panel::ExplainPanel />
                    <timeline::Timeline />
                    <distribution::Distribution />
                    <limits::LimitsPanel />
                    <batch::BatchTimeline />
                    <results::Results />
                    <history::HistoryPanel />
                    <batch::BatchPanel />
                </mode_runs::ShownRun>
            </section>
        </main>
    }
}
