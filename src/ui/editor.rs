//! The research set-up: preset, topic, questions (add, edit, remove, reorder, duplicate), prompts.

use super::state::use_app;
use crate::providers::simulated::SimBehaviour;
use crate::workspace::{preset, ProviderKind, Question, PRESETS};
use leptos::prelude::*;

/// Preset, topic, questions and prompts.
#[component]
pub fn QuestionEditor() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let count = move || ws.with(|w| w.questions.len());
    let simulated = move || ws.with(|w| w.provider.kind == ProviderKind::Simulated);
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
                on:input=move |ev| ws.update(|w| w.topic = event_target_value(&ev))
            />
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
                on:click=move |_| ws.update(|w| {
                    w.questions.push(Question::new(""));
                    w.preset.clear();
                })
            >
                "+ Add question"
            </button>
        </fieldset>
        <details class="prompts">
            <summary>"Prompts"</summary>
            <label class="field">
                <span>"System prompt of the research calls"</span>
                <textarea
                    data-testid="system-prompt"
                    rows="2"
                    prop:value=move || ws.with(|w| w.system_prompt.clone())
                    on:input=move |ev| ws.update(|w| w.system_prompt = event_target_value(&ev))
                ></textarea>
            </label>
            <label class="field">
                <span>"Synthesis prompt (the answers are appended)"</span>
                <textarea
                    data-testid="synthesis-prompt"
                    rows="3"
                    prop:value=move || ws.with(|w| w.synthesis_prompt.clone())
                    on:input=move |ev| ws.update(|w| w.synthesis_prompt = event_target_value(&ev))
                ></textarea>
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
    view! {
        <li class="question">
            <textarea
                data-testid="question-input"
                rows="2"
                aria-label=format!("Question {number}")
                prop:value=move || ws.with(|w| w.questions.get(index).map(|q| q.text.clone()).unwrap_or_default())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    ws.update(|w| if let Some(q) = w.questions.get_mut(index) { q.text = text; });
                }
            ></textarea>
            <div class="question-tools">
                <button class="icon" aria-label=format!("Move question {number} up") prop:disabled=move || index == 0
                    on:click=move |_| edit(&|q| if index > 0 && index < q.len() { q.swap(index - 1, index) })>"↑"</button>
                <button class="icon" aria-label=format!("Move question {number} down") prop:disabled=is_last
                    on:click=move |_| edit(&|q| if index + 1 < q.len() { q.swap(index, index + 1) })>"↓"</button>
                <button class="icon" data-testid="duplicate-question" aria-label=format!("Duplicate question {number}")
                    on:click=move |_| edit(&|q| if let Some(copy) = q.get(index).cloned() { q.insert(index + 1, copy) })>"⊕"</button>
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
