//! The figures beside the timeline: walls, speedup of the ideal, tokens, cost — and the sentence
//! that tells them.

use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::{Group, GroupFigures, RunFigures, TokenEstimate};
use crate::explain::{summary_sentence, times};
use leptos::prelude::*;

/// One figure with its automation hooks.
#[component]
fn Metric(
    testid: &'static str,
    run: &'static str,
    label: String,
    value: f64,
    shown: String,
    #[prop(optional)] note: Option<String>,
) -> impl IntoView {
    view! {
        <div class="metric" data-testid=testid data-run=run data-value=format!("{value:.3}")>
            <span class="metric-label">{label}</span>
            <span class="metric-value">{shown}</span>
            {note.filter(|n| !n.is_empty()).map(|n| view! { <span class="metric-note">{n}</span> })}
        </div>
    }
}

/// The token figures of a group: what the server reported, or — when some calls streamed text
/// without reporting usage — an estimate marked as one (never a false zero).
fn token_metrics(g: &GroupFigures, estimate: Option<&TokenEstimate>) -> impl IntoView + use<> {
    let run = g.group.as_str();
    let (tokens_in, tokens_out, marked, note_in) = match estimate {
        Some(e) if e.unreported_calls > 0 => (
            g.tokens_in + e.tokens_in,
            g.tokens_out + e.tokens_out,
            "≈ ",
            Some(format!(
                "estimated: {} calls not reported by the server",
                e.unreported_calls
            )),
        ),
        _ => (g.tokens_in, g.tokens_out, "", None),
    };
    view! {
        <Metric testid="metric-tokens-in" run=run label="Tokens in".into() value=tokens_in as f64 shown=format!("{marked}{tokens_in}") note=note_in.unwrap_or_default() />
        <Metric testid="metric-tokens-out" run=run label="Tokens out".into() value=tokens_out as f64 shown=format!("{marked}{tokens_out}")
            note=format!("{:.0} tokens/s", g.tokens_per_s) />
    }
}

fn estimate_of(f: &RunFigures, group: Group) -> Option<&TokenEstimate> {
    f.token_estimates.iter().find(|e| e.group == group)
}

fn group_metrics(g: &GroupFigures, estimate: Option<&TokenEstimate>) -> impl IntoView + use<> {
    let run = g.group.as_str();
    let what = match g.group {
        Group::Sequential => "= sum of the calls",
        _ => "≈ slowest call + synthesis",
    };
    let cost = g.cost_usd.map(|c| {
        if c == 0.0 {
            "$0".to_string()
        } else {
            format!("${c:.4}")
        }
    });
    view! {
        <div class="metric-group" data-run=run>
            <Metric
                testid="metric-wall-ms"
                run=run
                label=format!("{} wall", g.group.title())
                value=g.wall_ms
                shown=seconds_text(g.wall_ms)
                note=if g.finished { what.to_string() } else { "running…".to_string() }
            />
            {token_metrics(g, estimate)}
            {g.mean_first_token_ms.map(|t| view! {
                <Metric testid="metric-first-token-ms" run=run label="Time to first token".into() value=t shown=seconds_text(t) note="mean".to_string() />
            })}
            {cost.map(|c| view! {
                <Metric testid="metric-cost" run=run label="Estimated cost".into() value=g.cost_usd.unwrap_or(0.0) shown=c />
            })}
        </div>
    }
}

/// The figures of the current run.
#[component]
pub fn Figures() -> impl IntoView {
    let app = use_app();
    let figures = app.live.figures;
    view! {
        <section class="figures" aria-label="Figures" aria-live="polite">
            {move || figures.with(|f| {
                let speedup = match (f.speedup, f.estimated_speedup) {
                    (Some(s), _) => Some((s, false)),
                    (None, Some(e)) => Some((e, true)),
                    _ => None,
                };
                view! {
                    <div class="metrics">
                        {f.sequential.as_ref().map(|g| group_metrics(g, estimate_of(f, g.group)))}
                        {f.parallel.as_ref().map(|g| group_metrics(g, estimate_of(f, g.group)))}
                        {speedup.map(|(s, estimated)| view! {
                            <div class="metric-group">
                                <div class="metric speedup" data-testid="metric-speedup" data-run="parallel"
                                    data-value=format!("{s:.3}") data-estimated=estimated.to_string()>
                                    <span class="metric-label">{if estimated { "Speedup (estimated)" } else { "Speedup" }}</span>
                                    <span class="metric-value">{times(s)}</span>
                                    {f.ideal_speedup.map(|i| view! {
                                        <span class="metric-note" data-testid="metric-ideal-speedup" data-value=format!("{i:.3}")>
                                            {format!("of an ideal {}", times(i))}
                                        </span>
                                    })}
                                </div>
                            </div>
                        })}
                        {f.agents.as_ref().map(|a| view! {
                            <div class="metric-group" data-run="agent">
                                <Metric testid="metric-wall-ms" run="agent" label="Agents wall".into() value=a.wall_ms shown=seconds_text(a.wall_ms)
                                    note=if a.finished { "all conversations".to_string() } else { "running…".to_string() } />
                                <Metric testid="metric-sum-ms" run="agent" label="Sum of turns and tools".into() value=a.serial_ms shown=seconds_text(a.serial_ms)
                                    note="if nothing overlapped".to_string() />
                                <Metric testid="metric-speedup" run="agent" label="Speedup".into() value=a.speedup shown=times(a.speedup) />
                                <Metric testid="metric-tokens-in" run="agent" label="Tokens in".into() value=a.tokens_in as f64 shown=a.tokens_in.to_string() />
                                <Metric testid="metric-tokens-out" run="agent" label="Tokens out".into() value=a.tokens_out as f64 shown=a.tokens_out.to_string() />
                            </div>
                        })}
                    </div>
                    <p class="summary" data-testid="figures-summary">
                        {summary_sentence(f).unwrap_or_else(|| if app.live.running.get() {
                            "Running… the figures fill in as calls finish.".to_string()
                        } else {
                            "No run yet. Compare shows the same questions one at a time and all at once.".to_string()
                        })}
                    </p>
                }
            })}
        </section>
    }
}
