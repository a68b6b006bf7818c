//! The page header: what this is, the Research/Agents switch, theme, share link, exports.

use super::state::{use_app, ResultsTab, Theme};
use crate::browser::page;
use crate::workspace::{share_fits, PageMode};
use leptos::prelude::*;

/// Title, mode switch and page actions.
#[component]
pub fn Header() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let share_url = RwSignal::new(None::<String>);
    let agents = move || ws.with(|w| w.mode == PageMode::Agents);
    let export_json = move |_| {
        let json = export_run_json(&app);
        page::download("parallel-playground-run.json", "application/json", &json);
    };
    view! {
        <header class="app-header">
            <div class="brand">
                <h1>"Parallel Playground"</h1>
                <p class="tagline">
                    "Independent questions, one at a time or all at once: "
                    <strong>"sum of the times"</strong>" versus "<strong>"time of the slowest"</strong>"."
                </p>
            </div>
            <nav class="header-actions" aria-label="Page">
                <div class="segmented" role="group" aria-label="What to explore">
                    <button data-testid="research-mode" aria-pressed=move || (!agents()).to_string()
                        class:active=move || !agents()
                        on:click=move |_| ws.update(|w| w.mode = PageMode::Research)>"Research"</button>
                    <button data-testid="agent-mode" aria-pressed=move || agents().to_string()
                        class:active=agents
                        on:click=move |_| ws.update(|w| w.mode = PageMode::Agents)>"Agents lab"</button>
                </div>
                <super::lesson::LessonButton />
                <super::saved_setups::SavedSetupsMenu />
                <button data-testid="share-link" on:click=move |_| {
                    if !ws.with_untracked(share_fits) {
                        app.notices.set(vec![("This set-up is too large for a link; export it instead.".into(), true)]);
                        return;
                    }
                    let url = app.share_link();
                    page::copy_to_clipboard(&url);
                    share_url.set(Some(url));
                }>"Share link"</button>
                <button data-testid="export-json" on:click=export_json>"Export run"</button>
                <button data-testid="export-csv" title="Every call of every round, one row each"
                    on:click=move |_| {
                        let csv = app.shown_run().with_experiment_untracked(|e| e.csv()).unwrap_or_default();
                        page::download("parallel-playground-calls.csv", "text/csv", &csv);
                    }>"Export CSV"</button>
                <button data-testid="export-code" on:click=move |_| app.tab.set(ResultsTab::Code)>"Show me the code"</button>
                // The accessible name starts with the visible word (WCAG 2.5.3); the icon is hidden.
                <button data-testid="theme-toggle"
                    aria-label=move || format!("{} theme (change)", match app.theme.get() { Theme::Light => "Light", Theme::Dark => "Dark", Theme::System => "Auto" })
                    on:click=move |_| app.theme.update(|t| *t = t.next())>
                    <span aria-hidden="true">{move || match app.theme.get() { Theme::Light => "☀ ", Theme::Dark => "☾ ", Theme::System => "◐ " }}</span>
                    {move || match app.theme.get() { Theme::Light => "Light", Theme::Dark => "Dark", Theme::System => "Auto" }}
                </button>
            </nav>
            {move || share_url.get().map(|url| view! {
                <div class="share-box" role="status">
                    <label class="inline">
                        <span>"Link to this set-up (copied; never includes your key):"</span>
                        <input data-testid="share-link-url" type="text" readonly=true prop:value=url.clone() />
                    </label>
                    <button class="icon" aria-label="Close" on:click=move |_| share_url.set(None)>"✕"</button>
                </div>
            })}
        </header>
        <Notices />
    }
}

/// Notices about the page itself: a link opened (with “Restore your set-up”), a damaged save
/// recovered, and whether changes are being saved.
#[component]
fn Notices() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || !app.notices.read().is_empty()>
            <div class="notices" role="status">
                {move || app.notices.get().into_iter().map(|(text, is_error)| view! {
                    <p class:notice-error=is_error data-testid=if is_error { "error" } else { "notice" }>{text}</p>
                }).collect_view()}
                <super::saved_setups::RestoreButton />
                <button class="icon" aria-label="Dismiss" on:click=move |_| app.notices.set(Vec::new())>"✕"</button>
            </div>
        </Show>
        <super::saved_setups::SaveStatus />
    }
}

/// The current run as JSON: plan, figures, lanes and every event — never the key. The format
/// is the engine's ([`crate::engine::RunExport`]), built from the events.
fn export_run_json(app: &super::state::AppState) -> String {
    let live = app.shown_run();
    let exported_at = js_sys::Date::new_0().to_iso_string().as_string();
    crate::engine::RunExport::from_events(live.plan(), live.events(), exported_at).to_json()
}
