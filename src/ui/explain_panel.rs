//! The explain panel beside the figures: sum versus max, Amdahl's bound, and why the measured
//! speedup differs — with the numbers of the run on the page.

use super::state::use_app;
use crate::engine::RunPlan;
use crate::engine::{Group, LaneKind};
use crate::explain::{explain_measurement, explain_run, MeasurementSetup, NetworkFacts};
use leptos::prelude::*;

/// Network facts from the lanes' Resource Timing phases.
fn network_facts(app: &super::state::AppState) -> Option<NetworkFacts> {
    app.live.lanes.with(|lanes| {
        // The research calls of the parallel run: the ones that compete for connections.
        let phases: Vec<_> = lanes
            .iter()
            .filter(|h| {
                h.info.group == Group::Parallel && matches!(h.info.kind, LaneKind::Question { .. })
            })
            .filter_map(|h| h.network())
            .collect();
        NetworkFacts::from_phases(&phases)
    })
}

/// "Why these numbers?" — shown once a research run has finished.
#[component]
pub fn ExplainPanel() -> impl IntoView {
    let app = use_app();
    let points = move || {
        // Nothing to explain while the run goes on: read no lane until then (reading the
        // network of every lane would make each lane's change cost the whole run).
        if app.live.running.get() {
            return None;
        }
        let facts = network_facts(&app);
        let mut points = app.live.with_finished_view(|view| {
            app.live.figures.with(|f| {
                let mut points = explain_run(view, f, facts.as_ref());
                points.extend(crate::explain_limits::explain_limits(view, f));
                points
            })
        })?;
        if let Ok(plan) = serde_json::from_value::<RunPlan>(app.live.plan()) {
            let setup = MeasurementSetup::of(&plan, app.live.over_http());
            points.extend(explain_measurement(&setup));
        }
        (!points.is_empty()).then_some(points)
    };
    view! {
        {move || points().map(|points| view! {
            <details class="explain" data-testid="explain-panel">
                <summary>"Why these numbers?"</summary>
                <dl>
                    {points.into_iter().map(|p| view! {
                        <dt>{p.title}</dt>
                        <dd>{p.text}</dd>
                    }).collect_view()}
                </dl>
            </details>
        })}
    }
}
