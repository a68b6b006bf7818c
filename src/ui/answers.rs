//! Answers per question, in question order, streaming in as they arrive.

use super::live::LaneHandle;
use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::{Group, LaneKind};
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
        list.sort_by_key(|h| match h.info.kind {
            LaneKind::Question { index } => index,
            _ => usize::MAX,
        });
        list
    };
    let section = move |group: Group| {
        view! {
            <Show when=move || !group_lanes(group).is_empty()>
                <section class="answers" aria-label=format!("{} answers", group.title())>
                    <h2>{format!("{} answers", group.title())}</h2>
                    <ol>
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
    let view = handle.view;
    let run = handle.info.run_name();
    let status = move || view.with(|v| v.status.as_str());
    let meta = move || {
        view.with(|v| {
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
    };
    view! {
        <li class="answer" data-testid="lane-answer" data-run=run data-status=status>
            <h3>{handle.info.label.clone()}</h3>
            <p class="meta">{meta}</p>
            <div class="answer-text">{move || view.with(|v| v.text.clone())}</div>
            {move || view.with(|v| v.outcome.as_ref().and_then(|o| o.reason())).map(|r| view! { <p class="reason">{r}</p> })}
        </li>
    }
}
