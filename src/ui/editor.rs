//! The research set-up: preset, topic, questions (add, edit, remove, reorder, duplicate), prompts.

use super::state::use_app;
use crate::providers::simulated::SimBehaviour;
use crate::workspace::limits::{clip_text, list_full};
use crate::workspace::{
    preset, ProviderKind, Question, MAX_PROMPT_CHARS, MAX_QUESTIONS, MAX_QUESTION_CHARS,
    MAX_TOPIC_CHARS, PRESETS,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The text typed into the field of `ev`, cut to `max_chars` for the field called `field`; when
/// it had to be cut, the field shows what is kept and `note` says why (else `note` is cleared).
pub(super) fn typed_text(
    ev: &leptos::ev::Event,
    field: &str,
    max_chars: usize,
    note: RwSignal<Option<String>>,
) -> String {
    let clipped = clip_text(field, &event_target_value(ev), max_chars);
    if clipped.sentence.is_some() {
        // Show what is kept at once (the value may equal the one already in the workspace).
        if let Some(target) = ev.target() {
            if let Some(area) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                area.set_value(&clipped.text);
            } else if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
                input.set_value(&clipped.text);
            }
        }
    }
    if note.with_untracked(|n| *n != clipped.sentence) {
        note.set(clipped.sentence);
    }
    clipped.text
}

/// The sentence at a field about the limit it just enforced (nothing when there is none).
#[component]
pub(super) fn FieldNote(note: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        note.get()
            .map(|text| view! { <p class="field-note" data-testid="field-note" role="status">{text}</p> })
    }
}

/// Preset, topic, questions and prompts.
#[component]
pub fn QuestionEditor() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let count = move || ws.with(|w| w.questions.len());
    let simulated = move || ws.with(|w| w.provider.kind == ProviderKind::Simulated);
    let topic_note = RwSignal::new(None);
    let system_note = RwSignal::new(None);
    let synthesis_note = RwSignal::new(None);
    let full = move || count() >= MAX_QUESTIONS;
    view! {
        <label class="field">
            <span>"Preset"</span>
            <select
                data-testid="preset-select"
                prop:value=move || ws.with(|w| w.preset.clone())
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    if let Some(p) = preset(&id) {
                        ws.update(|w| *w = p.apply_to(w));
                    }
                }
            >
                {PRESETS.iter().map(|p| view! { <option value=p.id>{p.title}</option> }).collect_view()}
                <option value="" disabled=true>"(edited)"</option>
            </select>
        </label>
        <label class="field">
            <span>"Topic — fills every " <code>"{topic}"</code></span>
            <input
                data-testid="topic-input"
                type="text"
                prop:value=move || ws.with(|w| w.topic.clone())
                on:input=move |ev| {
                    let text = typed_text(&ev, "The topic", MAX_TOPIC_CHARS, topic_note);
                    ws.update(|w| w.topic = text);
                }
            />
            <FieldNote note=topic_note />
        </label>
        <fieldset class="questions-box">
            <legend>"Questions (independent of each other)"</legend>
            <ol class="questions">
                <For each=move || 0..count() key=|i| *i let:index>
                    <QuestionRow index=index simulated=Signal::derive(simulated) />
                </For>
            </ol>
            <button
                data-testid="add-question"
                prop:disabled=full
                on:click=move |_| ws.update(|w| if w.questions.len() < MAX_QUESTIONS {
                    w.questions.push(Question::new(""));
                    w.preset.clear();
                })
            >
                "+ Add question"
            </button>
            <Show when=full>
                <p class="field-note" data-testid="field-note" role="status">{list_full("questions", MAX_QUESTIONS)}</p>
            </Show>
        </fieldset>
        <details class="prompts">
            <summary>"Prompts"</summary>
            <label class="field">
                <span>"System prompt of the research calls"</span>
                <textarea
                    data-testid="system-prompt"
                    rows="2"
                    prop:value=move || ws.with(|w| w.system_prompt.clone())
                    on:input=move |ev| {
                        let text = typed_text(&ev, "The system prompt", MAX_PROMPT_CHARS, system_note);
                        ws.update(|w| w.system_prompt = text);
                    }
                ></textarea>
                <FieldNote note=system_note />
            </label>
            <label class="field">
                <span>"Synthesis prompt (the answers are appended)"</span>
                <textarea
                    data-testid="synthesis-prompt"
                    rows="3"
                    prop:value=move || ws.with(|w| w.synthesis_prompt.clone())
                    on:input=move |ev| {
                        let text = typed_text(&ev, "The synthesis prompt", MAX_PROMPT_CHARS, synthesis_note);
                        ws.update(|w| w.synthesis_prompt = text);
                    }
                ></textarea>
                <FieldNote note=synthesis_note />
            </label>
        </details>
    }
}

/// One question with its controls.
#[component]
fn QuestionRow(index: usize, simulated: Signal<bool>) -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let number = index + 1;
    let edit = move |f: &dyn Fn(&mut Vec<Question>)| {
        ws.update(|w| {
            f(&mut w.questions);
            w.preset.clear();
        })
    };
    let is_last = move || index + 1 >= ws.with(|w| w.questions.len());
    let full = move || ws.with(|w| w.questions.len() >= MAX_QUESTIONS);
    let note = RwSignal::new(None);
    view! {
        <li class="question">
            // Numbered by hand, not by the list's markers: inserting any list item anywhere in the
            // page made the browser renumber, and lay out again, every question (37 ms at 1,000).
            <span class="question-number" aria-hidden="true">{number}"."</span>
            <textarea
                data-testid="question-input"
                rows="2"
                aria-label=format!("Question {number}")
                prop:value=move || ws.with(|w| w.questions.get(index).map(|q| q.text.clone()).unwrap_or_default())
                on:input=move |ev| {
                    let text = typed_text(&ev, &format!("Question {number}"), MAX_QUESTION_CHARS, note);
                    ws.update(|w| if let Some(q) = w.questions.get_mut(index) { q.text = text; });
                }
            ></textarea>
            <FieldNote note=note />
            <div class="question-tools">
                <button class="icon" aria-label=format!("Move question {number} up") prop:disabled=move || index == 0
                    on:click=move |_| edit(&|q| if index > 0 && index < q.len() { q.swap(index - 1, index) })>"↑"</button>
                <button class="icon" aria-label=format!("Move question {number} down") prop:disabled=is_last
                    on:click=move |_| edit(&|q| if index + 1 < q.len() { q.swap(index, index + 1) })>"↓"</button>
                <button class="icon" data-testid="duplicate-question" aria-label=format!("Duplicate question {number}")
                    prop:disabled=full
                    on:click=move |_| edit(&|q| if q.len() < MAX_QUESTIONS { if let Some(copy) = q.get(index).cloned() { q.insert(index + 1, copy) } })>"⊕"</button>
                <button class="icon" data-testid="remove-question" aria-label=format!("Remove question {number}")
                    on:click=move |_| edit(&|q| if index < q.len() { q.remove(index); })>"✕"</button>
                <Show when=move || simulated.get()>
                    <select
                        class="sim-behaviour"
                        data-testid="question-behaviour"
                        aria-label=format!("What the simulated model does with question {number}")
                        prop:value=move || ws.with(|w| w.questions.get(index).map(|q| q.simulate.as_str()).unwrap_or("normal"))
                        on:change=move |ev| {
                            let behaviour = SimBehaviour::parse(&event_target_value(&ev));
                            ws.update(|w| if let Some(q) = w.questions.get_mut(index) { q.simulate = behaviour; });
                        }
                    >
                        {SimBehaviour::ALL.into_iter().map(|b| view! { <option value=b.as_str()>{behaviour_label(b)}</option> }).collect_view()}
                    </select>
                </Show>
            </div>
        </li>
    }
}

fn behaviour_label(b: SimBehaviour) -> &'static str {
    match b {
        SimBehaviour::Normal => "normal",
        SimBehaviour::Slow => "slow (3× longer)",
        SimBehaviour::Fail => "fails (HTTP 500)",
        SimBehaviour::RateLimited => "429 once, then OK",
        SimBehaviour::Stall => "stalls (needs a timeout)",
        SimBehaviour::Cut => "stream cut mid-way",
    }
}
