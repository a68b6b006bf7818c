//! The live timeline: one row per call on one shared time axis, drawn in SVG.
//!
//! It stays cheap while hundreds of lanes stream. Bars are drawn in milliseconds inside a group
//! scaled to the axis, so a bar only changes when its phases change, and a rescale (a handful
//! per run, in nice steps) changes one transform per row. The still-open phase of every bar runs
//! far to the right, under a "future" mask — an HTML overlay whose left edge is the "now" line —
//! that moves by a composited transform once per frame: nothing in the SVG repaints for it.
//!
//! It scales with the rows on screen, not with the rows of the run (windowing): rows come in
//! chunks of [`CHUNK_ROWS`], each its own `<svg>` in a box with `content-visibility: auto`, and
//! only the chunks within [`DRAWN_MARGIN_PX`] of the viewport draw their rows' labels and bars
//! (an `IntersectionObserver` says which, see [`use_in_view`]). Every other row is a shell: its
//! `<g>` with the automation attributes, focus and click handlers and one transparent hit
//! rectangle, nothing else — so scripts and tests that read every lane at once, Tab through the
//! rows or click one off screen still find them all, and scrolling never replaces an element
//! (the focus stays where it was). The axis and its grid lines are one SVG behind all chunks;
//! every row keeps its place (`row × ROW_HEIGHT`), so the hover and the "now" line stay right.
//!
//! And a frame costs what changed, not what exists: no signal has a subscriber per row of the
//! run. A rescale sets three CSS variables on the timeline (`--bars-x`, `--bars-k`, `--frame-w`)
//! that every row's bars and hit area read in CSS; a row's place comes from its chunk (forty
//! readers, not a thousand); and a row reads its lane through [`LaneHandle::with_bar`], which
//! is notified when the bar changes, not for each chunk of text.
//!
//! [`LaneHandle::with_bar`]: super::run_store::LaneHandle::with_bar
//! [`use_in_view`]: super::in_view::use_in_view

use super::in_view::use_in_view;
use super::state::use_app;
use super::timeline_details::{CallDetails, Legend, Tooltip};
use super::timeline_rows::{GroupHeader, LaneRow};
use crate::engine::{timeline_rows, LaneId, TimelineRow};
use crate::layout::{axis_label, nice_axis_ms, tick_ms};
use leptos::html::Div;
use leptos::prelude::*;
use std::collections::HashMap;

pub(super) const ROW_HEIGHT: f64 = 24.0;
pub(super) const BAR_HEIGHT: f64 = 14.0;
pub(super) const AXIS_HEIGHT: f64 = 26.0;
const RIGHT_PAD: f64 = 16.0;
/// Rows per `<svg>`: small enough that the chunks near the viewport draw only about a hundred
/// rows, large enough that a thousand lanes make only a few dozen boxes.
const CHUNK_ROWS: usize = 25;
/// How far above and below the viewport a chunk still draws its rows, so that a scroll of
/// less than this finds them drawn already.
const DRAWN_MARGIN_PX: u32 = 400;

/// A row's identity, whatever its position.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum RowKey {
    Header(crate::engine::Group),
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

/// Where each row of one chunk is drawn: its index among all rows, and its depth.
pub(super) type RowPositions = Memo<HashMap<RowKey, (usize, usize)>>;

/// The widths every row shares (they change only when the timeline is resized).
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Geometry {
    pub label_width: f64,
    pub plot_width: f64,
}

impl Geometry {
    fn of_width(w: f64) -> Geometry {
        let label_width = (w * 0.3).clamp(110.0, 240.0);
        Geometry {
            label_width,
            plot_width: (w - label_width - RIGHT_PAD).max(80.0),
        }
    }
}

/// The geometry and the time axis.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Scale {
    pub label_width: f64,
    pub plot_width: f64,
    pub axis_ms: f64,
}

impl Scale {
    pub fn x(&self, ms: f64) -> f64 {
        self.label_width + ms.max(0.0) * self.px_per_ms()
    }

    pub fn px_per_ms(&self) -> f64 {
        self.plot_width / self.axis_ms
    }

    /// The CSS variables the rows read: where bars begin, pixels per millisecond (bars are
    /// drawn in milliseconds), and the width of a row's hit area.
    pub fn css_variables(&self) -> [(&'static str, String); 3] {
        [
            ("--bars-x", format!("{:.2}px", self.label_width)),
            ("--bars-k", format!("{:.6}", self.px_per_ms())),
            (
                "--frame-w",
                format!("{:.1}px", self.label_width + self.plot_width),
            ),
        ]
    }
}

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

    let hovered = RwSignal::new(None::<(LaneId, f64)>);
    let selected = RwSignal::new(None::<LaneId>);
    // Everything that rows subscribe to is made anew for each run and dropped with it: a
    // reactive source keeps an entry for every subscriber it ever had (Leptos prunes none when
    // a subscriber is dropped), so a memo that outlived the runs would keep ~500 bytes per
    // row of every finished run.
    let run = move || {
        live.run_number.track();
        view! { <RunTimeline width=width hovered=hovered selected=selected /> }
    };
    view! {
        <div class="timeline-wrap" node_ref=wrap>
            {run}
            <Legend />
            <CallDetails selected=selected />
        </div>
    }
}

/// The rows, axis and "now" mask of the current run; rebuilt (with every memo its rows read)
/// when the next run starts.
#[component]
fn RunTimeline(
    width: RwSignal<f64>,
    hovered: RwSignal<Option<(LaneId, f64)>>,
    selected: RwSignal<Option<LaneId>>,
) -> impl IntoView {
    let live = use_app().live;
    let rows = Memo::new(move |_| {
        live.lanes
            .with(|lanes| timeline_rows(&lanes.iter().map(|h| h.info.clone()).collect::<Vec<_>>()))
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
    let geometry = Memo::new(move |_| Geometry::of_width(width.get()));
    let scale = Memo::new(move |_| {
        let Geometry {
            label_width,
            plot_width,
        } = geometry.get();
        Scale {
            label_width,
            plot_width,
            axis_ms: axis_ms.get(),
        }
    });
    let row_count = Memo::new(move |_| rows.with(|r| r.len()));
    let chunk_count = Memo::new(move |_| row_count.get().div_ceil(CHUNK_ROWS));
    let height = move || AXIS_HEIGHT + row_count.get() as f64 * ROW_HEIGHT + 8.0;
    let now_x = move || scale.get().x(live.now_ms.get());
    // Set through the CSSOM: the page's CSP forbids style attributes written as text.
    let timeline = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let variables = scale.get().css_variables();
        if let Some(el) = timeline.get() {
            let style = web_sys::HtmlElement::style(&el);
            for (name, value) in variables {
                let _ = style.set_property(name, &value);
            }
        }
    });

    view! {
        <Show
                when=move || row_count.get() != 0
                fallback=|| view! {
                    <p class="empty-timeline">
                        "Press " <strong>"Compare"</strong>
                        " to run the questions one at a time and all at once, on one time axis."
                    </p>
                }
            >
                <div
                    data-testid="timeline"
                    class="timeline"
                    role="group"
                    aria-label="Timeline of the calls: one row per call, time from left to right"
                    node_ref=timeline
                    style:height=move || format!("{}px", height())
                >
                    <svg class="timeline-grid" aria-hidden="true" width=move || width.get() height=height>
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
                    </svg>
                    <div class="timeline-rows" style:padding-top=format!("{AXIS_HEIGHT}px")>
                        <For each=move || 0..chunk_count.get() key=|chunk| *chunk let:chunk>
                            <Chunk chunk=chunk rows=rows geometry=geometry width=width.into() hovered=hovered selected=selected />
                        </For>
                    </div>
                </div>
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
    }
}

/// Rows `chunk × CHUNK_ROWS ..` in their own `<svg>`, which the browser skips while off screen;
/// drawn in full only while near the viewport, shells otherwise.
#[component]
fn Chunk(
    chunk: usize,
    rows: Memo<Vec<TimelineRow>>,
    geometry: Memo<Geometry>,
    width: Signal<f64>,
    hovered: RwSignal<Option<(LaneId, f64)>>,
    selected: RwSignal<Option<LaneId>>,
) -> impl IntoView {
    let app = use_app();
    let first_row = chunk * CHUNK_ROWS;
    let mine = Memo::new(move |_| {
        rows.with(|r| {
            r.iter()
                .skip(first_row)
                .take(CHUNK_ROWS)
                .copied()
                .collect::<Vec<_>>()
        })
    });
    // Where each of its rows is: rows keep their DOM when others are inserted above them.
    let row_of: RowPositions = Memo::new(move |_| {
        mine.with(|rows| {
            rows.iter()
                .enumerate()
                .map(|(i, r)| match r {
                    TimelineRow::Lane { id, depth } => (RowKey::Lane(*id), (first_row + i, *depth)),
                    TimelineRow::Header(group) => (RowKey::Header(*group), (first_row + i, 0)),
                })
                .collect::<HashMap<RowKey, (usize, usize)>>()
        })
    });
    let height = move || format!("{}px", mine.with(|r| r.len()) as f64 * ROW_HEIGHT);
    let lane_handle = move |id: LaneId| app.live.lanes.with_untracked(|l| l.get(id).cloned());
    let element = NodeRef::<Div>::new();
    let drawn = use_in_view(element, DRAWN_MARGIN_PX);
    view! {
        <div class="timeline-chunk" node_ref=element style:height=height style:contain-intrinsic-size=move || format!("auto {}", height())>
            <svg width=move || width.get() height=move || mine.with(|r| r.len()) as f64 * ROW_HEIGHT>
                <For each=move || mine.get() key=|row| RowKey::of(*row) let:row>
                    {
                        match row {
                            TimelineRow::Header(group) => view! {
                                <GroupHeader group=group row_of=row_of first_row=first_row geometry=geometry />
                            }.into_any(),
                            TimelineRow::Lane { id, .. } => match lane_handle(id) {
                                Some(handle) => view! {
                                    <LaneRow handle=handle row_of=row_of first_row=first_row geometry=geometry drawn=drawn hovered=hovered selected=selected />
                                }.into_any(),
                                None => ().into_any(),
                            },
                        }
                    }
                </For>
            </svg>
        </div>
    }
}

/// Time ticks along the top, with grid lines down the whole timeline.
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
