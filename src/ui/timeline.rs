//! The live timeline: one row per call on one shared time axis, drawn in SVG.
//!
//! It stays cheap while hundreds of lanes stream. Bars are drawn in milliseconds inside a group
//! scaled to the axis, so a bar only changes when its phases change, and a rescale (a handful
//! per run, in nice steps) changes one transform per row. The still-open phase of every bar runs
//! far to the right, under a "future" mask — an HTML overlay whose left edge is the "now" line —
//! that moves by a composited transform once per frame: nothing in the SVG repaints for it.

use super::live::LaneHandle;
use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::{timeline_rows, Group, LaneId, LaneKind, LaneStatus, TimelineRow};
use crate::layout::{axis_label, nice_axis_ms, tick_ms, truncate_at_word};
use leptos::html::Div;
use leptos::prelude::*;
use std::collections::HashMap;

const ROW_HEIGHT: f64 = 24.0;
const BAR_HEIGHT: f64 = 14.0;
const AXIS_HEIGHT: f64 = 26.0;
const RIGHT_PAD: f64 = 16.0;

/// A row's identity, whatever its position.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum RowKey {
    Header(Group),
    Lane(LaneId),
}

impl RowKey {
    fn of(row: TimelineRow) -> RowKey {
        match row {
            TimelineRow::Header(group) => RowKey::Header(group),
            TimelineRow::Lane { id, .. } => RowKey::Lane(id),
        }
    }
}

/// The geometry every row shares.
#[derive(Clone, Copy, PartialEq)]
struct Scale {
    label_width: f64,
    plot_width: f64,
    axis_ms: f64,
}

impl Scale {
    fn x(&self, ms: f64) -> f64 {
        self.label_width + ms.max(0.0) * self.px_per_ms()
    }

    fn px_per_ms(&self) -> f64 {
        self.plot_width / self.axis_ms
    }

    /// The transform that turns milliseconds into pixels for a row's bars.
    fn bars_transform(&self) -> String {
        format!(
            "translate({:.2},0) scale({:.6},1)",
            self.label_width,
            self.px_per_ms()
        )
    }
}

/// Where still-open phases end: far beyond any axis, hidden by the future mask.
const OPEN_END_MS: f64 = 1.0e7;

/// The timeline of the current run, with its legend, tooltip and call details.
#[component]
pub fn Timeline() -> impl IntoView {
    let app = use_app();
    let live = app.live;
    let wrap = NodeRef::<Div>::new();
    let width = RwSignal::new(900.0);
    let measure = move || {
        if let Some(el) = wrap.get_untracked() {
            let w = el.client_width() as f64;
            if w > 0.0 {
                width.set(w);
            }
        }
    };
    Effect::new(move |_| {
        wrap.track();
        measure();
    });
    let _resize = window_event_listener(leptos::ev::resize, move |_| measure());

    let rows = Memo::new(move |_| {
        live.lanes
            .with(|lanes| timeline_rows(&lanes.iter().map(|h| h.info.clone()).collect::<Vec<_>>()))
    });
    // Where each row is: rows keep their DOM when others are inserted above them.
    let row_of = Memo::new(move |_| {
        rows.with(|rows| {
            rows.iter()
                .enumerate()
                .map(|(i, r)| match r {
                    TimelineRow::Lane { id, depth } => (RowKey::Lane(*id), (i, *depth)),
                    TimelineRow::Header(group) => (RowKey::Header(*group), (i, 0)),
                })
                .collect::<HashMap<RowKey, (usize, usize)>>()
        })
    });
    let axis_ms = Memo::new(move |_| {
        let figures_end = live.figures.with(|f| {
            [&f.sequential, &f.parallel]
                .into_iter()
                .flatten()
                .map(|g| g.wall_ms)
                .fold(0.0, f64::max)
        });
        nice_axis_ms(live.now_ms.get().max(figures_end) * 1.05)
    });
    let scale = Memo::new(move |_| {
        let w = width.get();
        let label_width = (w * 0.3).clamp(110.0, 240.0);
        Scale {
            label_width,
            plot_width: (w - label_width - RIGHT_PAD).max(80.0),
            axis_ms: axis_ms.get(),
        }
    });
    let height = move || AXIS_HEIGHT + rows.with(|r| r.len()) as f64 * ROW_HEIGHT + 8.0;
    let now_x = move || scale.get().x(live.now_ms.get());
    let hovered = RwSignal::new(None::<(LaneId, f64)>);
    let selected = RwSignal::new(None::<LaneId>);

    let lane_handle = move |id: LaneId| live.lanes.with(|l| l.get(id).cloned());

    view! {
        <div class="timeline-wrap" node_ref=wrap>
            <Show
                when=move || !rows.with(|r| r.is_empty())
                fallback=|| view! {
                    <p class="empty-timeline">
                        "Press " <strong>"Compare"</strong>
                        " to run the questions one at a time and all at once, on one time axis."
                    </p>
                }
            >
                <svg
                    data-testid="timeline"
                    class="timeline"
                    role="group"
                    aria-label="Timeline of the calls: one row per call, time from left to right"
                    width=move || width.get()
                    height=height
                >
                    <defs>
                        // Bars are scaled by k horizontally: the hatching is scaled back by 1/k.
                        <pattern id="hatch-queued" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform=move || format!("scale({},1) rotate(45)", 1.0 / scale.get().px_per_ms())>
                            <rect class="hatch-bg queued" width="6" height="6"></rect>
                            <rect class="hatch-line queued" width="2" height="6"></rect>
                        </pattern>
                        <pattern id="hatch-retrying" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform=move || format!("scale({},1) rotate(-45)", 1.0 / scale.get().px_per_ms())>
                            <rect class="hatch-bg retrying" width="6" height="6"></rect>
                            <rect class="hatch-line retrying" width="3" height="6"></rect>
                        </pattern>
                    </defs>
                    <Axis scale=scale height=Signal::derive(height) />
                    <For each=move || rows.get() key=|row| RowKey::of(*row) let:row>
                        {
                            match row {
                                TimelineRow::Header(group) => view! { <GroupHeader group=group row_of=row_of scale=scale /> }.into_any(),
                                TimelineRow::Lane { id, .. } => match lane_handle(id) {
                                    Some(handle) => view! {
                                        <LaneRow handle=handle row_of=row_of scale=scale hovered=hovered selected=selected />
                                    }.into_any(),
                                    None => ().into_any(),
                                },
                            }
                        }
                    </For>
                </svg>
                <div
                    class="future-mask"
                    class:finished=move || !live.running.get()
                    aria-hidden="true"
                    style:top=format!("{AXIS_HEIGHT}px")
                    style:height=move || format!("{}px", height() - AXIS_HEIGHT)
                    style:width=move || format!("{}px", scale.get().plot_width + RIGHT_PAD)
                    style:transform=move || format!("translateX({now_x:.1}px)", now_x = now_x())
                ></div>
                <Tooltip hovered=hovered />
            </Show>
            <Legend />
            <CallDetails selected=selected />
        </div>
    }
}

/// Time ticks along the top.
#[component]
fn Axis(scale: Memo<Scale>, height: Signal<f64>) -> impl IntoView {
    let ticks = move || {
        let s = scale.get();
        let step = tick_ms(s.axis_ms);
        let count = (s.axis_ms / step).floor() as usize;
        (0..=count).map(|i| i as f64 * step).collect::<Vec<_>>()
    };
    view! {
        <g class="axis" aria-hidden="true">
            {move || ticks().into_iter().map(|ms| {
                let x = scale.get().x(ms);
                view! {
                    <line class="tick" x1=x x2=x y1=AXIS_HEIGHT - 6.0 y2=height.get()></line>
                    <text class="tick-label" x=x y=AXIS_HEIGHT - 10.0>{axis_label(ms)}</text>
                }
            }).collect_view()}
        </g>
    }
}

/// The heading row of a run's group, with its wall time once known.
#[component]
fn GroupHeader(
    group: Group,
    row_of: Memo<HashMap<RowKey, (usize, usize)>>,
    scale: Memo<Scale>,
) -> impl IntoView {
    let app = use_app();
    let y = move || {
        let index = row_of.with(|m| m.get(&RowKey::Header(group)).map_or(0, |p| p.0));
        AXIS_HEIGHT + index as f64 * ROW_HEIGHT
    };
    let summary = move || {
        app.live.figures.with(|f| {
            let figures = match group {
                Group::Sequential => f.sequential.as_ref(),
                Group::Parallel => f.parallel.as_ref(),
                Group::Agent => None,
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
            <line class="group-rule" x1=move || scale.get().label_width x2=move || scale.get().label_width + scale.get().plot_width y1=ROW_HEIGHT - 2.0 y2=ROW_HEIGHT - 2.0></line>
        </g>
    }
}

/// The automation attributes and bar of one lane.
#[component]
fn LaneRow(
    handle: LaneHandle,
    row_of: Memo<HashMap<RowKey, (usize, usize)>>,
    scale: Memo<Scale>,
    hovered: RwSignal<Option<(LaneId, f64)>>,
    selected: RwSignal<Option<LaneId>>,
) -> impl IntoView {
    let view = handle.view;
    let network = handle.network;
    let id = handle.id;
    let info = handle.info.clone();
    let status = Memo::new(move |_| view.with(|v| v.status));
    // `data-queued-for`: what a queued lane waits for (a permit, the request or token budget).
    let queued_for = Memo::new(move |_| {
        view.with(|v| {
            v.queued_for
                .filter(|_| v.status == crate::engine::LaneStatus::Queued)
                .map(|r| r.as_str())
        })
    });
    let phases = Memo::new(move |_| view.with(|v| v.phases.clone()));
    let times = Memo::new(move |_| view.with(|v| (v.started_ms, v.ended_ms, v.retries)));
    let position =
        Memo::new(move |_| row_of.with(|m| m.get(&RowKey::Lane(id)).copied().unwrap_or((0, 0))));
    let y = move || AXIS_HEIGHT + position.get().0 as f64 * ROW_HEIGHT;
    let depth = move || position.get().1;
    let bar_y = (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
    // Only a resize changes these; a rescale only changes the bars' transform.
    let label_width = Memo::new(move |_| scale.with(|s| s.label_width));
    let frame = Memo::new(move |_| scale.with(|s| s.label_width + s.plot_width));
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
        LaneKind::Question { index } => index,
        _ => id,
    };
    let kind_class = match info.kind {
        LaneKind::Question { .. } => "question",
        LaneKind::Synthesis => "synthesis",
        LaneKind::Conversation { .. } => "conversation",
        LaneKind::Turn { .. } => "turn",
        LaneKind::Tool { .. } => "tool",
    };
    let label = info.label.clone();
    let short_label = {
        let label = label.clone();
        move || {
            let indent = depth() as f64 * 12.0;
            let chars = (((label_width.get() - 12.0 - indent) / 6.6).max(6.0)) as usize;
            truncate_at_word(&label, chars)
        }
    };
    let aria = format!("{}: {}", info.run_name(), label);
    let ms_attr = |v: Option<f64>| v.map(|ms| format!("{ms:.1}")).unwrap_or_default();
    view! {
        <g
            class=move || format!("lane {kind_class} status-{}", status.get().as_str())
            data-testid=testid
            data-run=info.run_name()
            data-lane-index=lane_index
            data-lane-id=id
            data-status=move || status.get().as_str()
            data-queued-for=move || queued_for.get()
            data-start-ms=move || ms_attr(times.get().0)
            data-end-ms=move || ms_attr(times.get().1)
            data-retries=move || times.get().2
            data-tool=tool
            data-conversation=conversation
            data-parent=info.parent
            data-stalled-ms=move || network.with(|n| n.as_ref().map(|n| format!("{:.1}", n.stalled_ms())))
            data-protocol=move || network.with(|n| n.as_ref().map(|n| n.protocol.clone()))
            transform=move || format!("translate(0,{})", y())
            tabindex="0"
            role="button"
            aria-label=move || format!("{aria} ({})", status.get().as_str())
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
            <rect class="row-hit" x="0" y="0" width=move || frame.get() height=ROW_HEIGHT></rect>
            <text class="lane-label" x=move || 4.0 + depth() as f64 * 12.0 y=ROW_HEIGHT * 0.68>{short_label}</text>
            <g class="bars" transform=move || scale.get().bars_transform()>
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
                    times.get().1.filter(|_| st.is_terminal()).map(|end| view! {
                        <line class=format!("cap {}", st.as_str()) x1=end x2=end y1=bar_y - 2.0 y2=bar_y + BAR_HEIGHT + 2.0></line>
                    })
                }}
            </g>
        </g>
    }
}

/// Exact times, tokens, status and error of the lane under the pointer.
#[component]
fn Tooltip(hovered: RwSignal<Option<(LaneId, f64)>>) -> impl IntoView {
    let app = use_app();
    let content = move || {
        let (id, y) = hovered.get()?;
        let handle = app.live.lanes.with(|l| l.get(id).cloned())?;
        let v = handle.view.get();
        let mut lines = vec![
            v.info.label.clone(),
            format!("Status: {}", v.status.as_str()),
        ];
        if let Some(start) = v.started_ms {
            lines.push(format!("Started at {}", seconds_text(start)));
        } else {
            lines.push(format!("Queued since {}", seconds_text(v.opened_ms)));
        }
        if let (Some(start), Some(first)) = (v.started_ms, v.first_token_ms) {
            lines.push(format!("First token after {}", seconds_text(first - start)));
        }
        if let Some(end) = v.ended_ms {
            lines.push(format!(
                "Ended at {}{}",
                seconds_text(end),
                v.duration_ms()
                    .map(|d| format!(" (took {})", seconds_text(d)))
                    .unwrap_or_default()
            ));
        }
        if v.usage.input_tokens + v.usage.output_tokens > 0 {
            lines.push(format!(
                "Tokens: {} in, {} out",
                v.usage.input_tokens, v.usage.output_tokens
            ));
        }
        if v.retries > 0 {
            lines.push(format!("Retries: {}", v.retries));
        }
        for (at, error) in &v.retry_errors {
            lines.push(format!("At {}: {error}", seconds_text(*at)));
        }
        if let Some(reason) = v.outcome.as_ref().and_then(|o| o.reason()) {
            lines.push(reason);
        }
        Some((y, lines))
    };
    view! {
        {move || content().map(|(y, lines)| {
            let top = format!("{}px", y + ROW_HEIGHT + 4.0);
            view! {
                <div class="tooltip" role="tooltip" style:top=top>
                    {lines.into_iter().enumerate().map(|(i, l)| if i == 0 {
                        view! { <strong>{l}</strong> }.into_any()
                    } else {
                        view! { <div>{l}</div> }.into_any()
                    }).collect_view()}
                </div>
            }
        })}
    }
}

/// What each colour and pattern means (network and tool entries only when they appear).
#[component]
fn Legend() -> impl IntoView {
    let app = use_app();
    let lanes = app.live.lanes;
    let has_network = move || lanes.with(|l| l.iter().any(|h| h.network.with(Option::is_some)));
    let has_tools = move || {
        lanes.with(|l| {
            l.iter()
                .any(|h| matches!(h.info.kind, LaneKind::Tool { .. }))
        })
    };
    let items = move || {
        let mut items = vec![
            ("queued", "queued (waiting for a permit or its turn)"),
            ("waiting", "waiting for the first token"),
            ("streaming", "streaming"),
            ("retrying", "backing off before a retry"),
            ("done", "done"),
            ("failed", "failed"),
            ("timeout", "timed out"),
            ("cancelled", "cancelled"),
        ];
        if has_tools() {
            items.push(("tool", "tool call running"));
        }
        if has_network() {
            items.extend([
                ("net-stalled", "network: stalled (no free connection)"),
                ("net-waiting", "network: waiting for the server"),
                ("net-downloading", "network: downloading"),
            ]);
        }
        items
    };
    view! {
        <ul class="legend" aria-label="Legend">
            {move || items().into_iter().map(|(class, text)| view! {
                <li><span class=format!("swatch {class}") aria-hidden="true"></span>{text}</li>
            }).collect_view()}
        </ul>
    }
}

/// The request and response of the clicked call.
#[component]
fn CallDetails(selected: RwSignal<Option<LaneId>>) -> impl IntoView {
    let app = use_app();
    let lane = move || {
        let id = selected.get()?;
        app.live.lanes.with(|l| l.get(id).cloned())
    };
    view! {
        {move || lane().map(|handle| {
            let v = handle.view.get();
            let request = v
                .request
                .as_ref()
                .and_then(|r| serde_json::to_string_pretty(r.as_ref()).ok())
                .unwrap_or_else(|| match &v.info.kind {
                    LaneKind::Tool { tool, input, .. } => format!("{tool}({input})"),
                    _ => "(no request: this lane never started)".into(),
                });
            let status = v.status;
            let outcome = v.outcome.as_ref().and_then(|o| o.reason());
            view! {
                <div class="call-details" role="dialog" aria-modal="false" aria-label="Call details">
                    <div class="call-details-head">
                        <h3>{v.info.label.clone()}</h3>
                        <button class="icon" aria-label="Close the call details" on:click=move |_| selected.set(None)>"✕"</button>
                    </div>
                    <p class="meta">
                        {format!("Status: {}", status.as_str())}
                        {v.duration_ms().map(|d| format!(" · took {}", seconds_text(d)))}
                        {format!(" · {} tokens in, {} out", v.usage.input_tokens, v.usage.output_tokens)}
                        {(status == LaneStatus::Done).then_some("")}
                    </p>
                    {outcome.map(|o| view! { <p class="reason">{o}</p> })}
                    <h4>"Request"</h4>
                    <pre class="code">{request}</pre>
                    <h4>{if v.is_partial() { "Response (partial)" } else { "Response" }}</h4>
                    <pre class="code">{v.text.clone()}</pre>
                </div>
            }
        })}
    }
}
