//! Answers per question, in question order, streaming in as they arrive.

use super::run_store::LaneHandle;
use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::{Group, LaneKind};
use leptos::html::Div;
use leptos::prelude::*;

/// The answers of each run that has lanes, grouped by run.
#[component]
pub fn Answers() -> impl IntoView {
    let app = use_app();
    let lanes = app.live.lanes;
    let group_lanes = move |group: Group| {
        let mut list: Vec<LaneHandle> = lanes.with(|l| {
            l.iter()
                .filter(|h| {
                    h.info.group == group && matches!(h.info.kind, LaneKind::Question { .. })
                })
                .cloned()
                .collect()
        });
        // Per question, its variants side by side (A, B, …).
        list.sort_by_key(|h| match h.info.kind {
            LaneKind::Question { index } => (index, h.info.variant),
            _ => (usize::MAX, h.info.variant),
        });
        list
    };
    let variants = move || {
        lanes.with(|l| {
            let mut v: Vec<_> = l.iter().map(|h| h.info.variant).collect();
            v.sort();
            v.dedup();
            v.len()
        })
    };
    let section = move |group: Group| {
        view! {
            <Show when=move || !group_lanes(group).is_empty()>
                <section class="answers" aria-label=format!("{} answers", group.title())>
                    <h2>{format!("{} answers", group.title())}</h2>
                    <ol class:side-by-side={move || variants() > 1}
                        style={move || (variants() > 1).then(|| format!("--variants: {}", variants()))}>
                        <For each=move || group_lanes(group) key=|h| h.id let:handle>
                            <AnswerCard handle=handle />
                        </For>
                    </ol>
                </section>
            </Show>
        }
    };
    view! {
        <div class="answer-groups">
            {section(Group::Parallel)}
            {section(Group::Sequential)}
        </div>
    }
}

/// One question's answer with its status, time and tokens.
#[component]
fn AnswerCard(handle: LaneHandle) -> impl IntoView {
    let run = handle.info.run_name();
    let variant = handle.info.variant.letter().to_string();
    let label = if handle.info.variant == crate::engine::Variant::A {
        handle.info.label.clone()
    } else {
        format!("{variant} · {}", handle.info.label)
    };
    let status = {
        let handle = handle.clone();
        move || {
            handle
                .with_bar(|v| v.status.as_str())
                .unwrap_or("cancelled")
        }
    };
    let meta = {
        let handle = handle.clone();
        move || {
            handle
                .with(|v| {
                    let mut parts = vec![v.status.as_str().to_string()];
                    if let Some(d) = v.duration_ms() {
                        parts.push(seconds_text(d));
                    }
                    if v.usage.output_tokens > 0 {
                        parts.push(format!("{} tokens", v.usage.output_tokens));
                    }
                    if v.is_partial() {
                        parts.push("partial".into());
                    }
                    parts.join(" · ")
                })
                .unwrap_or_default()
        }
    };
    let reason = {
        let handle = handle.clone();
        move || {
            handle
                .with_bar(|v| v.outcome.as_ref().and_then(|o| o.reason()))
                .flatten()
                .map(|r| view! { <p class="reason">{r}</p> })
        }
    };
    view! {
        <li class="answer" data-testid="lane-answer" data-run=run data-variant=variant data-status=status>
            <h3>{label}</h3>
            <p class="meta">{meta}</p>
            <StreamedText handle=handle />
            {reason}
        </li>
    }
}

/// A lane's text as it streams: each frame appends only the new characters to one text node
/// (a retry, which starts the text again, replaces it).
#[component]
fn StreamedText(handle: LaneHandle) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    let mut node: Option<web_sys::Text> = None;
    // (attempt, bytes shown): what the text node holds.
    let mut state = (0u32, 0usize);
    Effect::new(move |_| {
        let Some(div) = container.get() else { return };
        if node.is_none() {
            node = web_sys::Text::new().ok();
            if let Some(text) = &node {
                let _ = div.append_child(text);
            }
        }
        let Some(text) = node.as_ref() else { return };
        handle.with(|v| {
            if v.retries != state.0 || v.text.len() < state.1 {
                text.set_data(&v.text);
            } else if let Some(new) = v.text.get(state.1..).filter(|n| !n.is_empty()) {
                let _ = text.append_data(new);
            }
            state = (v.retries, v.text.len());
        });
    });
    view! { <div class="answer-text" node_ref=container></div> }
}
