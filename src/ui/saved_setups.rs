//! What the person sees of their saved work: the set-ups put aside (one click to open), the
//! “Restore your set-up” offer after a link, and a sentence whenever changes are not saved.

use super::state::use_app;
use crate::workspace::recovery::Persistence;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// “Saved set-ups (n)”: the set-ups put aside, newest first, each one click from being opened.
#[component]
pub fn SavedSetupsMenu() -> impl IntoView {
    let app = use_app();
    let setups = app.session.setups;
    let count = move || setups.with(|l| l.entries.len());
    view! {
        <details class="saved-setups" data-testid="saved-setups">
            <summary>{move || format!("Saved set-ups ({})", count())}</summary>
            <div class="saved-setups-menu">
                <Show when=move || count() == 0>
                    <p class="hint">"Set-ups put aside (yours, before a link replaced it) appear here."</p>
                </Show>
                <ol>
                    {move || setups.get().entries.into_iter().enumerate().map(|(index, entry)| view! {
                        <li data-testid="saved-setup">
                            <span class="saved-setup-name">{entry.name}</span>
                            <span class="hint">{format!("{} · {}", entry.why, local_time(entry.saved_at_ms))}</span>
                            <button data-testid="open-saved-setup" on:click=move |_| app.open_saved_setup(index)>"Open"</button>
                        </li>
                    }).collect_view()}
                </ol>
            </div>
        </details>
    }
}

/// “Restore your set-up” while a link's set-up replaced the person's own.
#[component]
pub fn RestoreButton() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.session.restore.with(Option::is_some)>
            <button data-testid="restore-setup" on:click=move |_| app.restore_own_setup()>
                "Restore your set-up"
            </button>
        </Show>
    }
}

/// A lasting sentence when changes are not being saved: a failed write, or a tab in memory.
#[component]
pub fn SaveStatus() -> impl IntoView {
    let session = use_app().session;
    view! {
        {move || session.save_problem.get().map(|problem| view! {
            <p class="save-status notice-error" data-testid="error" data-save="failed" role="alert">{problem}</p>
        })}
        {move || match session.persistence.get() {
            Persistence::Save => None,
            Persistence::InMemory(why) => Some(view! {
                <p class="save-status" data-testid="save-status" role="status">{why}</p>
            }),
        }}
    }
}

/// `ms` since the epoch as this browser's local date and time.
fn local_time(ms: f64) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_locale_string("default", &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default()
}
