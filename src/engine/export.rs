//! [`RunExport`]: the "Export run" file — plan, figures, lanes and every event, never the key —
//! built from the run's events alone, so the file says what the engine said.

use super::event::{Event, LaneId};
use super::figures::RunFigures;
use super::timeline::RunView;
use crate::providers::Usage;
use serde::Serialize;

/// The version of the export file's shape; raise it when a field changes meaning or goes away.
pub const EXPORT_FORMAT: u32 = 1;

/// What the `app` field of an export says.
pub const EXPORT_APP: &str = "parallel-playground";

/// One exported run.
#[derive(Clone, Debug, Serialize)]
pub struct RunExport {
    pub app: &'static str,
    pub format: u32,
    /// When the file was made (an ISO 8601 time from the browser), if known.
    pub exported_at: Option<String>,
    /// The research plan or the agents-lab plan, as run.
    pub plan: serde_json::Value,
    pub figures: RunFigures,
    pub lanes: Vec<LaneExport>,
    pub events: Vec<Event>,
}

/// One lane of the export: its times, retries, usage, text and why it failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LaneExport {
    pub lane: LaneId,
    pub run: &'static str,
    pub label: String,
    pub status: &'static str,
    pub started_ms: Option<f64>,
    pub first_token_ms: Option<f64>,
    pub ended_ms: Option<f64>,
    pub retries: u32,
    pub usage: Usage,
    pub text: String,
    pub error: Option<String>,
}

impl RunExport {
    /// The export of a run from its plan and its events.
    pub fn from_events(
        plan: serde_json::Value,
        events: Vec<Event>,
        exported_at: Option<String>,
    ) -> RunExport {
        let view = RunView::from_events(events.iter());
        let figures = RunFigures::compute(&view, view.last_event_ms);
        let lanes = view
            .lanes
            .iter()
            .map(|v| LaneExport {
                lane: v.id,
                run: v.info.run_name(),
                label: v.info.label.clone(),
                status: v.status.as_str(),
                started_ms: v.started_ms,
                first_token_ms: v.first_token_ms,
                ended_ms: v.ended_ms,
                retries: v.retries,
                usage: v.usage,
                text: v.text.clone(),
                error: v.outcome.as_ref().and_then(|o| o.reason()),
            })
            .collect();
        RunExport {
            app: EXPORT_APP,
            format: EXPORT_FORMAT,
            exported_at,
            plan,
            figures,
            lanes,
            events,
        }
    }

    /// The file's text: pretty JSON.
    pub fn to_json(&self) -> String {
        // Every field is plain data (no maps with non-string keys), so this cannot fail; an
        // empty file would still be better than a panic.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
