//! The rows of the timeline: a run's heading, and one call's bar with its automation attributes.
//!
//! Each row is placed in its chunk's `<svg>` at `(row − first row of the chunk) × ROW_HEIGHT`;
//! the hover reports the row's place in the whole timeline. Bars are drawn in milliseconds: the
//! CSS of `.bars` scales them by the timeline's `--bars-k`, so a rescale touches no row.
//!
//! A lane's row is a shell that always exists — its `<g>` with the automation attributes, the
//! focus and click handlers and a transparent hit rectangle — and a [`LaneDrawing`] (label and
//! bars) inside it only while its chunk is near the viewport.

use super::run_store::LaneHandle;
use super::state::use_app;
use super::timeline::{Geometry, RowKey, RowPositions, AXIS_HEIGHT, BAR_HEIGHT, ROW_HEIGHT};
use super::timeline_row_attributes::keep_row_attributes;
use crate::base::seconds_text;
use crate::engine::{Group, LaneId, LaneKind, LaneStatus};
use crate::layout::truncate_at_word;
use leptos::prelude::*;
use leptos::svg::G;

/// Where still-open phases end: far beyond any axis, hidden by the future mask.
const OPEN_END_MS: f64 = 1.0e7;

/// The heading row of a run's group, with its wall time once known.
#[component]
pub fn GroupHeader(
    group: Group,
    row_of: RowPositions,
    first_row: usize,
    geometry: Memo<Geometry>,
) -> impl IntoView {
    let app = use_app();
    let y = move || {
        let index = row_of.with(|m| m.get(&RowKey::Header(group)).map_or(0, |p| p.0));
        index.saturating_sub(first_row) as f64 * ROW_HEIGHT
    };
    let summary = move || {
        app.live.figures.with(|f| {
            let figures = match group {
                Group::Sequential => f.sequential.as_ref(),
                Group::Parallel => f.parallel.as_ref(),
                _ => None,
            };
            match figures {
                Some(g) if g.finished => {
                    format!("{} run · {}", group.title(), seconds_text(g.wall_ms))
                }
                _ => format!("{} run", group.title()),
            }
        })
    };
    view! {
        <g class=format!("group-header {}", group.as_str()) transform=move || format!("translate(0,{})", y())>
            <text class="group-title" x="4" y=ROW_HEIGHT * 0.7>{summary}</text>
            <line class="group-rule" x1=move || geometry.get().label_width x2=move || geometry.get().label_width + geometry.get().plot_width y1=ROW_HEIGHT - 2.0 y2=ROW_HEIGHT - 2.0></line>
        </g>
    }
}

/// The automation attributes of one lane, and its label and bar while `drawn`.
#[component]
pub fn LaneRow(
    handle: LaneHandle,
    row_of: RowPositions,
    first_row: usize,
    geometry: Memo<Geometry>,
    drawn: Signal<bool>,
    hovered: RwSignal<Option<(LaneId, f64)>>,
    selected: RwSignal<Option<LaneId>>,
) -> impl IntoView {
    let id = handle.id;
    let round = handle.round;
    let info = handle.info.clone();
    let element = NodeRef::<G>::new();
    let position =
        Memo::new(move |_| row_of.with(|m| m.get(&RowKey::Lane(id)).copied().unwrap_or((0, 0))));
    // In the whole timeline (for the tooltip), and inside this chunk's svg.
    let y = move || AXIS_HEIGHT + position.get().0 as f64 * ROW_HEIGHT;
    let y_in_chunk = move || position.get().0.saturating_sub(first_row) as f64 * ROW_HEIGHT;
    let depth = Signal::derive(move || position.get().1);
    let (testid, tool, conversation) = match &info.kind {
        LaneKind::Tool {
            tool, conversation, ..
        } => ("tool-call", Some(tool.clone()), Some(*conversation)),
        LaneKind::Turn { conversation, .. } | LaneKind::Conversation { conversation } => {
            ("lane", None, Some(*conversation))
        }
        _ => ("lane", None, None),
    };
    let lane_index = match info.kind {
        LaneKind::Question { index } | LaneKind::PatternCall { index, .. } => index,
        _ => id,
    };
    // Patterns: a hedge's backup copy, a reduce level, the winner of a race (the one that
    // finished; the others end cancelled).
    let (hedge, level) = match info.kind {
        LaneKind::PatternCall { backup, level, .. } => (backup.then_some("true"), level),
        _ => (None, None),
    };
    let kind_class = match info.kind {
        LaneKind::Question { .. } => "question",
        LaneKind::Synthesis => "synthesis",
        LaneKind::Conversation { .. } => "conversation",
        LaneKind::Turn { .. } => "turn",
        LaneKind::Tool { .. } => "tool",
        LaneKind::PatternCall { .. } => "pattern-call",
    };
    // Variants B–D say so before their label (A's rows come first under each heading).
    let label = if info.variant == crate::engine::Variant::A {
        info.label.clone()
    } else {
        format!("{} · {}", info.variant.letter(), info.label)
    };
    keep_row_attributes(
        element,
        handle.clone(),
        kind_class,
        format!("{}: {}", info.run_name(), label),
    );
    view! {
        <g
            node_ref=element
            data-testid=testid
            data-run=info.run_name()
            data-round=round
            data-variant=info.variant.letter().to_string()
            data-lane-index=lane_index
            data-lane-id=id
            data-tool=tool
            data-conversation=conversation
            data-parent=info.parent
            data-hedge=hedge
            data-level=level
            transform=move || format!("translate(0,{})", y_in_chunk())
            tabindex="0"
            role="button"
            on:pointerenter=move |_| hovered.set(Some((id, y())))
            on:pointerleave=move |_| hovered.set(None)
            on:focus=move |_| hovered.set(Some((id, y())))
            on:blur=move |_| hovered.set(None)
            on:click=move |_| selected.set(Some(id))
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    selected.set(Some(id));
                }
            }
        >
            // Its width is the timeline's `--frame-w` (CSS).
            <rect class="row-hit" x="0" y="0" height=ROW_HEIGHT></rect>
            <Show when=move || drawn.get()>
                <LaneDrawing handle=handle.clone() label=label.clone() depth=depth geometry=geometry />
            </Show>
        </g>
    }
}

/// The label and bar of a lane in a chunk near the viewport: its phases, network phases and end
/// cap, drawn in milliseconds (the CSS of `.bars` places and scales them).
#[component]
fn LaneDrawing(
    handle: LaneHandle,
    label: String,
    depth: Signal<usize>,
    geometry: Memo<Geometry>,
) -> impl IntoView {
    let status = {
        let h = handle.clone();
        Memo::new(move |_| h.with_bar(|v| v.status).unwrap_or(LaneStatus::Cancelled))
    };
    let ended_ms = {
        let h = handle.clone();
        Memo::new(move |_| h.with_bar(|v| v.ended_ms).flatten())
    };
    let network = {
        let h = handle.clone();
        Memo::new(move |_| h.network())
    };
    let phases = Memo::new(move |_| handle.with_bar(|v| v.phases.clone()).unwrap_or_default());
    let bar_y = (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
    // Only a resize changes it; a rescale changes only the CSS variables of the timeline.
    let label_width = move || geometry.with(|g| g.label_width);
    let short_label = move || {
        let indent = depth.get() as f64 * 12.0;
        let chars = (((label_width() - 12.0 - indent) / 6.6).max(6.0)) as usize;
        truncate_at_word(&label, chars)
    };
    view! {
        <text class="lane-label" x=move || 4.0 + depth.get() as f64 * 12.0 y=ROW_HEIGHT * 0.68>{short_label}</text>
        <g class="bars">
            {move || phases.get().into_iter().map(|p| {
                let end = p.end_ms.unwrap_or(OPEN_END_MS);
                view! {
                    <rect class=format!("phase {}", p.status.as_str()) x=p.start_ms y=bar_y width=(end - p.start_ms).max(0.0) height=BAR_HEIGHT></rect>
                }
            }).collect_view()}
            {move || network.get().map(|n| {
                let y = bar_y + BAR_HEIGHT + 1.0;
                [("stalled", n.stalled), ("connecting", n.connecting), ("waiting", n.waiting), ("downloading", n.downloading)]
                    .into_iter()
                    .filter(|(_, (from, to))| to > from)
                    .map(|(class, (from, to))| view! {
                        <rect class=format!("net {class}") x=from y=y width=to - from height="3"></rect>
                    })
                    .collect_view()
            })}
            {move || {
                let st = status.get();
                ended_ms.get().filter(|_| st.is_terminal()).map(|end| view! {
                    <line class=format!("cap {}", st.as_str()) x1=end x2=end y1=bar_y - 2.0 y2=bar_y + BAR_HEIGHT + 2.0></line>
                })
            }}
        </g>
    }
}
