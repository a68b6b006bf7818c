//! What the distribution panel shows, computed from an [`Experiment`] in one cheap pass: the
//! summaries, one mark per call for the latency plot (as one SVG path per run group and
//! variant), and the tail. Pure, so the page only renders it.

use super::stats::{Metric, Summary};
use super::{DistKey, Experiment, TailFigures};
use std::fmt::Write;

/// Width of the plot's drawing area, in SVG units.
pub const PLOT_WIDTH: f64 = 600.0;
/// Height of one plot row.
pub const PLOT_ROW: f64 = 22.0;

/// One summarised distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelRow {
    pub key: DistKey,
    pub summary: Summary,
}

/// One row of the latency plot: every call of one run group and variant.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotRow {
    pub key: DistKey,
    /// One short vertical stroke per call (`M x y v h` …), in a row of height [`PLOT_ROW`].
    pub path: String,
    pub marks: usize,
}

/// Everything the panel draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    pub planned: u32,
    pub rounds: u32,
    pub rows: Vec<PanelRow>,
    pub plot: Vec<PlotRow>,
    /// The latency at the plot's right edge.
    pub plot_max_ms: f64,
    pub tail: Vec<TailFigures>,
}

impl Panel {
    pub fn of(e: &Experiment) -> Panel {
        let rows: Vec<PanelRow> = e
            .distributions()
            .filter_map(|(key, s)| {
                Some(PanelRow {
                    key,
                    summary: s.summary()?,
                })
            })
            .collect();
        let calls: Vec<_> = e
            .distributions()
            .filter(|(k, s)| k.metric == Metric::Call && !s.is_empty())
            .collect();
        let plot_max_ms = calls
            .iter()
            .filter_map(|(_, s)| s.sorted().last().copied())
            .fold(0.0, f64::max)
            .max(1.0);
        let plot = calls
            .into_iter()
            .map(|(key, samples)| {
                let mut path = String::with_capacity(samples.len() * 14);
                for ms in samples.sorted() {
                    let x = ms / plot_max_ms * PLOT_WIDTH;
                    let _ = write!(path, "M{x:.1} 4v14");
                }
                PlotRow {
                    key,
                    path,
                    marks: samples.len(),
                }
            })
            .collect();
        Panel {
            planned: e.planned,
            rounds: e.rounds.len() as u32,
            rows,
            plot,
            plot_max_ms,
            tail: e.tail(),
        }
    }
}

/// The tail in words, with the run's own numbers.
pub fn tail_sentence(t: &TailFigures) -> String {
    let percent = |share: f64| format!("{:.0} %", share * 100.0);
    format!(
        "{} of {} parallel runs were slow ({}); predicted 1 − (1 − p)^N = {} with p = {:.1} % of \
         calls above {:.2} s (the slowest {:.0} % of the calls measured) and N = {:.0} calls per run.",
        t.slow_runs,
        t.runs,
        percent(t.observed),
        percent(t.predicted),
        t.measured_share * 100.0,
        t.threshold_ms / 1000.0,
        t.slow_share * 100.0,
        t.calls_per_run,
    )
}
