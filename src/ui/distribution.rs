//! The distribution panel of a run with rounds: the round on show, p50/p95/p99/max per run
//! group and variant, one mark per call, and the tail beside its prediction. All numbers come
//! from [`Panel`], recomputed once per recorded round; the section's `data-panel-ms` says how
//! long the last recomputation took (the bench reads it: issue 13 asks for ≤ 5 ms at 1,000
//! samples).

use super::state::use_app;
use crate::base::Clock;
use crate::browser::BrowserClock;
use crate::experiment::panel::{tail_sentence, Panel, PanelRow, PLOT_ROW, PLOT_WIDTH};
use crate::experiment::Metric;
use leptos::prelude::*;

/// Shown once a run of more than one round has recorded a round.
#[component]
pub fn Distribution() -> impl IntoView {
    let live = use_app().live;
    let compute_ms = StoredValue::new(0.0_f64);
    let panel = Memo::new(move |_| {
        let started = BrowserClock.now_ms();
        let panel = live.with_experiment(Panel::of).unwrap_or_default();
        compute_ms.set_value(BrowserClock.now_ms() - started);
        panel
    });
    let shown = move || panel.with(|p| p.planned > 1 && p.rounds > 0);
    view! {
        <Show when=shown>
            <section class="distribution" data-testid="distribution" aria-label="Distributions over the rounds"
                data-rounds=move || panel.with(|p| p.rounds)
                data-panel-ms=move || { panel.track(); format!("{:.2}", compute_ms.get_value()) }>
                <h2>"Over the rounds"</h2>
                <RoundSelect panel=panel />
                {Metric::ALL.into_iter().map(|metric| view! { <MetricTable panel=panel metric=metric /> }).collect_view()}
                <MarkPlot panel=panel />
                <Tail panel=panel />
            </section>
        </Show>
    }
}

/// Chooses the round the timeline shows (the latest while the rounds run).
#[component]
fn RoundSelect(panel: Memo<Panel>) -> impl IntoView {
    let live = use_app().live;
    let running = live.running;
    let options = move || {
        let (done, planned) = panel.with(|p| (p.rounds, p.planned));
        // While running, the round in progress is listed too (it is the one on show).
        let last = if running.get() {
            (done + 1).min(planned)
        } else {
            done
        };
        (1..=last.max(1))
            .map(|r| view! { <option value=r.to_string()>{format!("Round {r}")}</option> })
            .collect_view()
    };
    view! {
        <label class="field inline">
            <span>{move || panel.with(|p| format!("Timeline shows (of {} rounds)", p.planned))}</span>
            <select data-testid="round-select"
                prop:disabled=move || running.get()
                prop:value=move || { options(); live.round_shown.get().to_string() }
                on:change=move |ev| {
                    if let Ok(round) = event_target_value(&ev).parse::<u32>() {
                        live.show_round(round);
                    }
                }>
                {options}
            </select>
        </label>
    }
}

/// p50, p95, p99 and max of one metric, a row per run group and variant.
#[component]
fn MetricTable(panel: Memo<Panel>, metric: Metric) -> impl IntoView {
    let rows = move || {
        panel.with(|p| {
            p.rows
                .iter()
                .filter(|r| r.key.metric == metric)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !rows().is_empty()>
            <table class="dist-table">
                <caption>{metric.title()}</caption>
                <thead><tr><th scope="col">"Run"</th><th scope="col">"p50"</th><th scope="col">"p95"</th><th scope="col">"p99"</th><th scope="col">"max"</th><th scope="col">"samples"</th></tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|row| view! { <SummaryRow row=row /> }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}

#[component]
fn SummaryRow(row: PanelRow) -> impl IntoView {
    let PanelRow { key, summary } = row;
    let variant = key.variant.letter().to_string();
    let cell = move |testid: &'static str, value: f64| {
        view! {
            <td data-testid=testid data-value=format!("{value:.1}") data-samples=summary.samples
                data-run=key.run data-variant=variant.clone() data-of=key.metric.as_str()>
                {crate::base::seconds_text(value)}
            </td>
        }
    };
    view! {
        <tr>
            <th scope="row">{format!("{} · {}", key.run, key.variant.letter())}</th>
            {cell("metric-p50-ms", summary.p50)}
            {cell("metric-p95-ms", summary.p95)}
            {cell("metric-p99-ms", summary.p99)}
            {cell("metric-max-ms", summary.max)}
            <td>{summary.samples}</td>
        </tr>
    }
}

/// Every call's latency as one mark, a row per run group and variant.
#[component]
fn MarkPlot(panel: Memo<Panel>) -> impl IntoView {
    const LABEL: f64 = 110.0;
    let height = move || panel.with(|p| p.plot.len() as f64 * PLOT_ROW + 18.0);
    view! {
        <figure class="mark-plot">
            <svg data-testid="latency-marks" role="img"
                aria-label="Latency of every call, one mark per call, per run group and variant"
                viewBox=move || format!("0 0 {} {}", LABEL + PLOT_WIDTH + 10.0, height())
                preserveAspectRatio="xMinYMin meet">
                {move || panel.with(|p| p.plot.iter().enumerate().map(|(i, row)| {
                    let y = i as f64 * PLOT_ROW;
                    view! {
                        <g transform=format!("translate(0,{y})") data-run=row.key.run
                            data-variant=row.key.variant.letter().to_string() data-marks=row.marks>
                            <text x="0" y="15" class="mark-label">{format!("{} · {}", row.key.run, row.key.variant.letter())}</text>
                            <path transform=format!("translate({LABEL},0)") class=format!("marks run-{}", row.key.run) d=row.path.clone() />
                        </g>
                    }
                }).collect_view())}
                <text x=LABEL y=move || height() - 4.0 class="mark-label">"0 s"</text>
                <text x=LABEL + PLOT_WIDTH y=move || height() - 4.0 class="mark-label" text-anchor="end">
                    {move || crate::base::seconds_text(panel.with(|p| p.plot_max_ms))}
                </text>
            </svg>
            <figcaption>"Latency of every call (start to end), one mark per call."</figcaption>
        </figure>
    }
}

/// The observed share of slow parallel runs beside 1 − (1 − p)^N.
#[component]
fn Tail(panel: Memo<Panel>) -> impl IntoView {
    view! {
        {move || panel.with(|p| p.tail.iter().map(|t| view! {
            <p class="tail-prediction" data-testid="tail-prediction"
                data-variant=t.variant.letter().to_string()
                data-predicted=format!("{:.4}", t.predicted)
                data-observed=format!("{:.4}", t.observed)
                data-threshold-ms=format!("{:.1}", t.threshold_ms)
                data-runs=t.runs>
                <strong>"The tail of the slowest: "</strong>{tail_sentence(t)}
            </p>
        }).collect_view())}
    }
}
