//! The question editor: topic and questions.

use super::state::use_app;
use crate::workspace::Question;
use leptos::prelude::*;

/// Topic and question list.
#[component]
pub fn QuestionEditor() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let count = move || ws.with(|w| w.questions.len());
    view! {
        <label class="field">
            <span>"Topic"</span>
            <input
                data-testid="topic-input"
                type="text"
                prop:value=move || ws.with(|w| w.topic.clone())
                on:input=move |ev| ws.update(|w| w.topic = event_target_value(&ev))
            />
        </label>
        <ol class="questions">
            <For each=move || 0..count() key=|i| *i let:index>
                <li class="question">
                    <textarea
                        data-testid="question-input"
                        rows="2"
                        aria-label=format!("Question {}", index + 1)
                        prop:value=move || ws.with(|w| w.questions.get(index).map(|q| q.text.clone()).unwrap_or_default())
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            ws.update(|w| if let Some(q) = w.questions.get_mut(index) { q.text = text; });
                        }
                    ></textarea>
                    <button
                        class="icon"
                        data-testid="remove-question"
                        aria-label=format!("Remove question {}", index + 1)
                        on:click=move |_| ws.update(|w| { if index < w.questions.len() { w.questions.remove(index); } })
                    >"✕"</button>
                </li>
            </For>
        </ol>
        <button data-testid="add-question" on:click=move |_| ws.update(|w| w.questions.push(Question::new("")))>
            "Add question"
        </button>
    }
}
