//! How a run over HTTP was measured, told in the explain panel: whether a compare's two runs
//! shared the browser's connections and the server's slots, and where the per-call timeout
//! starts.

use super::Explanation;
use crate::base::seconds_text;
use crate::engine::{CompareTiming, RunMode, RunPlan};

/// What the explain panel knows of how a finished research run was set up.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasurementSetup {
    /// The calls went to a server over HTTP (not the simulated model).
    pub over_http: bool,
    pub mode: RunMode,
    pub compare_timing: CompareTiming,
    pub timeout_ms: Option<f64>,
}

impl MeasurementSetup {
    /// The set-up of `plan`, run over HTTP or not.
    pub fn of(plan: &RunPlan, over_http: bool) -> MeasurementSetup {
        MeasurementSetup {
            over_http,
            mode: plan.mode,
            compare_timing: plan.compare_timing,
            timeout_ms: plan.timeout_ms,
        }
    }
}

/// The points about measuring: a compare's timing over HTTP, and the timeout's starting point.
pub fn explain_measurement(setup: &MeasurementSetup) -> Vec<Explanation> {
    let mut points = Vec::new();
    if setup.over_http && setup.mode == RunMode::Compare {
        let text = match setup.compare_timing {
            CompareTiming::SameTime => {
                "The sequential and the parallel run went to the server at the same time, so \
                 they shared the browser's connections (at most six per server over HTTP/1.1) \
                 and the server's slots (a local server answers only a few requests at once): \
                 each run's calls also waited for the other run's, and neither time is what \
                 that run takes alone. Choose “one after the other” (the default over HTTP) to \
                 measure each run on its own."
            }
            CompareTiming::OneAfterTheOther => {
                "The parallel run started when the sequential run had finished, so the two \
                 never shared the browser's connections or the server's slots: each time is \
                 that run's own."
            }
        };
        points.push(Explanation {
            title: "Two runs, one server",
            text: text.to_string(),
        });
    }
    if let Some(ms) = setup.timeout_ms {
        let queues = if setup.over_http {
            "waiting for a permit of the concurrency limit and waiting in the browser for a \
             free connection count alike, then connecting, the first token and streaming"
        } else {
            "waiting for a permit of the concurrency limit counts, then the first token and \
             streaming"
        };
        points.push(Explanation {
            title: "Where the timeout starts",
            text: format!(
                "Each call had {} from the moment the page asked for it: {queues}, retries \
                 included. A call whose time ran out while it waited ends timed out without \
                 starting.",
                seconds_text(ms)
            ),
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(over_http: bool, timing: CompareTiming) -> MeasurementSetup {
        MeasurementSetup {
            over_http,
            mode: RunMode::Compare,
            compare_timing: timing,
            timeout_ms: Some(30_000.0),
        }
    }

    #[test]
    fn a_compare_at_the_same_time_over_http_says_why_it_is_not_the_default() {
        let points = explain_measurement(&setup(true, CompareTiming::SameTime));
        let shared = &points[0];
        assert_eq!(shared.title, "Two runs, one server");
        assert!(shared.text.contains("shared the browser's connections"));
        assert!(shared.text.contains("one after the other"));
        let apart = explain_measurement(&setup(true, CompareTiming::OneAfterTheOther));
        assert!(apart[0].text.contains("never shared"));
        let simulated = explain_measurement(&setup(false, CompareTiming::SameTime));
        assert!(simulated.iter().all(|p| p.title != "Two runs, one server"));
    }

    #[test]
    fn the_timeout_is_said_to_count_every_queue_alike() {
        let points = explain_measurement(&setup(true, CompareTiming::OneAfterTheOther));
        let timeout = points
            .iter()
            .find(|p| p.title == "Where the timeout starts")
            .expect("a timeout point");
        assert!(timeout
            .text
            .contains("30.0 s from the moment the page asked for it"));
        assert!(timeout.text.contains("concurrency limit"));
        assert!(timeout.text.contains("free connection count alike"));
        let none = MeasurementSetup {
            timeout_ms: None,
            ..setup(true, CompareTiming::OneAfterTheOther)
        };
        assert!(explain_measurement(&none)
            .iter()
            .all(|p| p.title != "Where the timeout starts"));
    }
}
