//! The figures of the agents compare: both sides' walls and the two shapes in words.

use super::state::use_app;
use crate::agent::AgentCompareFigures;
use crate::base::seconds_text;
use leptos::prelude::*;

/// Shown after (and during) an agents compare.
#[component]
pub fn AgentsCompareFigures() -> impl IntoView {
    let live = use_app().live;
    let figures = move || {
        live.with_view(|view| AgentCompareFigures::compute(view, live.now_ms.get_untracked()))
            .flatten()
    };
    move || {
        figures().map(|f| {
            let side = |run: &'static str, label: &'static str, a: &crate::engine::AgentFigures| {
                view! {
                    <div class="metric" data-testid="metric-wall-ms" data-run=run data-value=format!("{:.3}", a.wall_ms)>
                        <span class="metric-label">{label}</span>
                        <span class="metric-value">{seconds_text(a.wall_ms)}</span>
                        <span class="metric-note">{format!("{} turns · {} tool calls · {} tokens out", a.turns, a.tool_calls, a.tokens_out)}</span>
                    </div>
                }
            };
            view! {
                <section class="agents-compare" aria-label="Agents compare">
                    <div class="metrics">
                        {side("agent-serial", "One at a time", &f.serial)}
                        {side("agent-parallel", "In parallel", &f.parallel)}
                    </div>
                    <ul class="summary">
                        {f.sentences().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
