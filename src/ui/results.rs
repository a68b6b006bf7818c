//! The results under the timeline, in tabs: the synthesis, the answers, the event log, the code.

use super::answers::Answers;
use super::code::CodePanel;
use super::markdown_view::Markdown;
use super::state::{use_app, ResultsTab};
use crate::base::seconds_text;
use crate::browser::page;
use crate::engine::{Group, LaneKind, LogTone};
use leptos::prelude::*;

/// The tab strip and the tab on show.
#[component]
pub fn Results() -> impl IntoView {
    let app = use_app();
    let tab = app.tab;
    let tab_button = move |which: ResultsTab, label: &'static str, id: &'static str| {
        view! {
            <button
                role="tab"
                id=format!("tab-{id}")
                data-testid=format!("tab-{id}")
                aria-selected=move || (tab.get() == which).to_string()
                aria-controls="results-panel"
                class:active=move || tab.get() == which
                on:click=move |_| tab.set(which)
            >{label}</button>
        }
    };
    view! {
        <section class="results-tabs">
            <div role="tablist" aria-label="Results">
                {tab_button(ResultsTab::Synthesis, "Synthesis", "synthesis")}
                {tab_button(ResultsTab::Answers, "Answers", "answers")}
                {tab_button(ResultsTab::Log, "Event log", "log")}
                {tab_button(ResultsTab::Code, "Show me the code", "code")}
            </div>
            <div id="results-panel" role="tabpanel" class="tab-panel">
                <div class:hidden=move || tab.get() != ResultsTab::Synthesis><SynthesisPanel /></div>
                // The answers, the log and the code are only built while their tab is open.
                <Show when=move || tab.get() == ResultsTab::Answers><Answers /></Show>
                <Show when=move || tab.get() == ResultsTab::Log><EventLog /></Show>
                <Show when=move || tab.get() == ResultsTab::Code><CodePanel /></Show>
            </div>
        </section>
    }
}

/// The synthesis (of the parallel run when there is one), streamed and rendered as Markdown.
#[component]
fn SynthesisPanel() -> impl IntoView {
    let app = use_app();
    let live = app.live;
    // The parallel run's synthesis when there is one, else the sequential run's.
    let lane = Memo::new(move |_| {
        live.lanes.with(|lanes| {
            let find = |group| {
                lanes
                    .iter()
                    .find(|h| h.info.group == group && h.info.kind == LaneKind::Synthesis)
                    .cloned()
            };
            find(Group::Parallel)
                .or_else(|| find(Group::Sequential))
                .map(|h| h.id)
        })
    });
    let handle = move || {
        lane.get()
            .and_then(|id| live.lanes.with(|l| l.get(id).cloned()))
    };
    let text = Signal::derive(move || {
        handle()
            .and_then(|h| h.with(|v| v.text.clone()))
            .unwrap_or_default()
    });
    let status = move || {
        handle()
            .and_then(|h| h.with(|v| v.status.as_str()))
            .unwrap_or(if live.running.get() {
                "waiting"
            } else {
                "none"
            })
    };
    let skipped = move || {
        live.synthesis_skipped()
            .iter()
            .map(|(group, reason)| format!("{}: {}", group.title(), reason.sentence()))
            .collect::<Vec<_>>()
    };
    let is_agent_run = move || {
        live.lanes.with(|l| {
            l.iter().any(|h| {
                matches!(
                    h.info.group,
                    Group::Agent | Group::AgentSerial | Group::AgentParallel
                )
            })
        })
    };
    view! {
        <div class="synthesis" data-testid="synthesis" data-status=status>
            <Show when=move || !is_agent_run() fallback=|| view! { <AgentAnswers /> }>
                {move || skipped().into_iter().map(|r| view! { <p class="reason" data-testid="synthesis-skipped">{r}</p> }).collect_view()}
                <Show when=move || lane.get().is_some() fallback=move || view! {
                    <p class="hint">{move || if live.running.get() {
                        "The synthesis starts when the research answers are in."
                    } else {
                        "After the research calls, one more call merges their answers here."
                    }}</p>
                }>
                    <div class="synthesis-tools">
                        <span class="meta">{move || handle().and_then(|h| h.with(|v| {
                            let mut parts = vec![v.status.as_str().to_string()];
                            if let Some(d) = v.duration_ms() { parts.push(seconds_text(d)); }
                            if v.usage.output_tokens > 0 { parts.push(format!("{} tokens", v.usage.output_tokens)); }
                            parts.join(" · ")
                        }))}</span>
                        <button data-testid="copy-synthesis" on:click=move |_| page::copy_to_clipboard(&text.get_untracked())>"Copy"</button>
                        <button data-testid="download-synthesis" on:click=move |_| {
                            page::download("synthesis.md", "text/markdown", &text.get_untracked());
                        }>"Download .md"</button>
                    </div>
                    <Markdown text=text testid="synthesis-text" />
                </Show>
            </Show>
        </div>
    }
}

/// The final answer of each agent conversation.
#[component]
fn AgentAnswers() -> impl IntoView {
    let app = use_app();
    let conversations = move || {
        app.live.lanes.with(|l| {
            l.iter()
                .filter(|h| matches!(h.info.kind, LaneKind::Conversation { .. }))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ol class="agent-answers">
            <For each=conversations key=|h| h.id let:handle>
                {
                    let (a, b, c) = (handle.clone(), handle.clone(), handle.clone());
                    view! {
                        <li class="answer" data-testid="lane-answer" data-run=handle.info.run_name()
                            data-status=move || a.with(|v| v.status.as_str()).unwrap_or("cancelled")>
                            <h3>{handle.info.label.clone()}</h3>
                            <p class="meta">{move || b.with(|v| {
                                let mut parts = vec![v.status.as_str().to_string()];
                                if let Some(d) = v.duration_ms() { parts.push(seconds_text(d)); }
                                parts.join(" · ")
                            })}</p>
                            // Only the conversation's final answer, once it has ended.
                            <div class="answer-text">{move || c.with(|v| if v.status.is_terminal() { v.text.clone() } else { "…".to_string() })}</div>
                        </li>
                    }
                }
            </For>
        </ol>
    }
}

/// The run told as lines with timestamps.
#[component]
fn EventLog() -> impl IntoView {
    let app = use_app();
    let entries = move || {
        app.live
            .log
            .get()
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
    };
    view! {
        <ol class="event-log" data-testid="event-log" aria-live="off">
            <For each=entries key=|entry| entry.0 let:entry>
                {
                    let line = entry.1;
                    let tone = match line.tone {
                        LogTone::Info => "info",
                        LogTone::Good => "good",
                        LogTone::Warning => "warning",
                        LogTone::Bad => "bad",
                    };
                    let group = line.group.map(|g| g.as_str()).unwrap_or("run");
                    view! {
                        <li class=format!("log-line {tone}") data-run=group>
                            <time>{format!("{:>7.2} s", line.at_ms / 1000.0)}</time>
                            <span class="log-group">{group}</span>
                            <span>{line.text}</span>
                        </li>
                    }
                }
            </For>
        </ol>
    }
}
