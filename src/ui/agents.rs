//! The agents lab's set-up: prompts (one conversation each), the agent, and the two toggles.

use super::state::use_app;
use crate::agent::AgentSetup;
use crate::workspace::limits::{list_full, TOOL_LATENCY_MS};
use crate::workspace::{AgentSettings, MAX_AGENT_PROMPTS, MAX_AGENT_PROMPT_CHARS};
use leptos::prelude::*;

/// Prompts, agent set-up, `parallel-tools` and concurrent conversations.
#[component]
pub fn AgentEditor() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let count = move || ws.with(|w| w.agents.prompts.len());
    let full = move || count() >= MAX_AGENT_PROMPTS;
    let latency_note = RwSignal::new(None::<String>);
    view! {
        <label class="field">
            <span>"Agent"</span>
            <select
                data-testid="agent-setup"
                prop:value=move || ws.with(|w| match w.agents.setup { AgentSetup::Calculator => "calculator", AgentSetup::Orchestrator => "orchestrator" })
                on:change=move |ev| {
                    let setup = if event_target_value(&ev) == "orchestrator" { AgentSetup::Orchestrator } else { AgentSetup::Calculator };
                    ws.update(|w| {
                        w.agents.setup = setup;
                        w.agents.prompts = AgentSettings::default_prompts(setup);
                    });
                }
            >
                <option value="calculator">"One calculator agent with math tools"</option>
                <option value="orchestrator">"An orchestrator that uses calculator agents as its tools"</option>
            </select>
        </label>
        <fieldset class="questions-box">
            <legend>"Prompts — one conversation each, on the same agent"</legend>
            <ol class="questions">
                <For each=move || 0..count() key=|i| *i let:index>
                    {let note = RwSignal::new(None);
                    view! {
                    <li class="question">
                        <textarea
                            data-testid="agent-prompt"
                            rows="2"
                            aria-label=format!("Prompt {}", index + 1)
                            prop:value=move || ws.with(|w| w.agents.prompts.get(index).cloned().unwrap_or_default())
                            on:input=move |ev| {
                                let text = super::editor::typed_text(&ev, &format!("Prompt {}", index + 1), MAX_AGENT_PROMPT_CHARS, note);
                                ws.update(|w| if let Some(p) = w.agents.prompts.get_mut(index) { *p = text; });
                            }
                        ></textarea>
                        <super::editor::FieldNote note=note />
                        <div class="question-tools">
                            <button class="icon" aria-label=format!("Remove prompt {}", index + 1)
                                on:click=move |_| ws.update(|w| if index < w.agents.prompts.len() { w.agents.prompts.remove(index); })>"✕"</button>
                        </div>
                    </li>
                    }}
                </For>
            </ol>
            <button data-testid="add-prompt" prop:disabled=full
                on:click=move |_| ws.update(|w| if w.agents.prompts.len() < MAX_AGENT_PROMPTS { w.agents.prompts.push(String::new()) })>
                "+ Add prompt"
            </button>
            <Show when=full>
                <p class="field-note" data-testid="field-note" role="status">{list_full("agent prompts", MAX_AGENT_PROMPTS)}</p>
            </Show>
        </fieldset>
        <fieldset class="toggles">
            <legend>"What runs at the same time"</legend>
            <label class="check">
                <input data-testid="parallel-tools" type="checkbox"
                    prop:checked=move || ws.with(|w| w.agents.parallel_tools)
                    on:change=move |ev| { let on = event_target_checked(&ev); ws.update(|w| w.agents.parallel_tools = on); }
                />
                <span>"Parallel tool calls: run all tool calls of one turn together (" <code>"Promise.all"</code> ")"</span>
            </label>
            <label class="check">
                <input data-testid="concurrent-conversations" type="checkbox"
                    prop:checked=move || ws.with(|w| w.agents.concurrent_conversations)
                    on:change=move |ev| { let on = event_target_checked(&ev); ws.update(|w| w.agents.concurrent_conversations = on); }
                />
                <span>"Concurrent conversations: start every prompt at once"</span>
            </label>
            <label class="field">
                <span>"Tool latency (ms of simulated I/O per calculator call; 0 = instant)"</span>
                <input data-testid="tool-latency-ms" type="number" min=TOOL_LATENCY_MS.min_attr() max=TOOL_LATENCY_MS.max_attr() step="100"
                    prop:value=move || ws.with(|w| w.agents.tool_latency_ms.to_string())
                    on:change=move |ev| { if let Ok(ms) = event_target_value(&ev).trim().parse::<f64>() {
                        if ms.is_finite() {
                            let (kept, sentence) = TOOL_LATENCY_MS.fit(ms.round());
                            ws.update(|w| w.agents.tool_latency_ms = kept);
                            event_target::<web_sys::HtmlInputElement>(&ev).set_value(&kept.to_string());
                            latency_note.set(sentence);
                        }
                    } }
                />
                <super::editor::FieldNote note=latency_note />
            </label>
            <p class="hint">
                "With instant tools, parallel tool calls change little: the win comes from tools that wait — "
                "I/O, or whole agents used as tools."
            </p>
        </fieldset>
    }
}
