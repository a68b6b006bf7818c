//! The numbers of a run, told in plain words: the one-line summary beside the figures.

use crate::base::seconds_text;
use crate::engine::{GroupFigures, RunFigures};

mod measurement;
mod network;
pub use measurement::{explain_measurement, MeasurementSetup};

/// `2.8×`
pub fn times(x: f64) -> String {
    format!("{x:.1}×")
}

fn parallel_clause(p: &GroupFigures) -> String {
    match p.synthesis_ms {
        Some(s) => format!(
            "Parallel took {} — about its slowest call ({}) plus the synthesis ({})",
            seconds_text(p.wall_ms),
            seconds_text(p.slowest_ms),
            seconds_text(s)
        ),
        None => format!(
            "Parallel took {} — about its slowest call ({})",
            seconds_text(p.wall_ms),
            seconds_text(p.slowest_ms)
        ),
    }
}

fn sequential_clause(s: &GroupFigures) -> String {
    let what = if s.synthesis_ms.is_some() {
        format!("the sum of its {} calls and the synthesis", s.calls)
    } else {
        format!("the sum of its {} calls", s.calls)
    };
    format!("Sequential took {} — {what}", seconds_text(s.wall_ms))
}

/// One or two sentences that explain the figures of a finished run with its own numbers;
/// `None` while nothing has finished.
pub fn summary_sentence(f: &RunFigures) -> Option<String> {
    if let Some(a) = f.agents.as_ref().filter(|a| a.finished) {
        return Some(format!(
            "The agents took {} for {} of model turns and tool calls: {} from running them at \
             the same time ({} turns, {} tool calls).",
            seconds_text(a.wall_ms),
            seconds_text(a.serial_ms),
            times(a.speedup),
            a.turns,
            a.tool_calls
        ));
    }
    let seq = f.sequential.as_ref().filter(|g| g.finished);
    let par = f.parallel.as_ref().filter(|g| g.finished);
    match (seq, par) {
        (Some(s), Some(p)) => {
            let ideal = f
                .ideal_speedup
                .map(|i| format!(", of an ideal {}", times(i)))
                .unwrap_or_default();
            if let Some(why) = &f.speedup_withheld {
                return Some(format!(
                    "{}. {}. {why}",
                    sequential_clause(s),
                    parallel_clause(p)
                ));
            }
            let speedup = f.speedup.unwrap_or(1.0);
            Some(format!(
                "{}. {}. Parallel was {} faster{ideal}.",
                sequential_clause(s),
                parallel_clause(p),
                times(speedup)
            ))
        }
        (None, Some(p)) if f.speedup_withheld.is_some() => Some(format!(
            "{}. {}",
            parallel_clause(p),
            f.speedup_withheld.clone().unwrap_or_default()
        )),
        (None, Some(p)) => Some(format!(
            "{}, for calls that add up to {}: about {} faster than one at a time.",
            parallel_clause(p),
            seconds_text(p.sum_ms),
            times(f.estimated_speedup.unwrap_or(1.0))
        )),
        (Some(s), None) => Some(format!(
            "{}. Run in parallel, it would take about the slowest call plus the synthesis.",
            sequential_clause(s)
        )),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Group;

    fn group(group: Group, wall: f64, sum: f64, slowest: f64) -> GroupFigures {
        GroupFigures {
            group,
            wall_ms: wall,
            sum_ms: sum,
            slowest_ms: slowest,
            synthesis_ms: Some(1400.0),
            calls: 3,
            succeeded: 3,
            retries: 0,
            tokens_in: 0,
            tokens_out: 0,
            tokens_per_s: 0.0,
            mean_first_token_ms: None,
            cost_usd: None,
            finished: true,
        }
    }

    #[test]
    fn a_compare_is_told_with_its_own_numbers() {
        let f = RunFigures {
            sequential: Some(group(Group::Sequential, 14_200.0, 14_200.0, 5200.0)),
            parallel: Some(group(Group::Parallel, 5100.0, 14_000.0, 3600.0)),
            speedup: Some(14_200.0 / 5100.0),
            ideal_speedup: Some(3.0),
            ..RunFigures::default()
        };
        let text = summary_sentence(&f).expect("a sentence");
        assert_eq!(
            text,
            "Sequential took 14.2 s — the sum of its 3 calls and the synthesis. Parallel took \
             5.1 s — about its slowest call (3.6 s) plus the synthesis (1.4 s). Parallel was \
             2.8× faster, of an ideal 3.0×."
        );
    }

    #[test]
    fn only_calls_that_waited_for_another_call_to_end_count_as_stalled() {
        use crate::network::NetworkPhases;
        let call = |stall_to: f64, end: f64| NetworkPhases {
            stalled: (0.0, stall_to),
            connecting: (stall_to, stall_to),
            waiting: (stall_to, stall_to + 1000.0),
            downloading: (stall_to + 1000.0, end),
            protocol: "http/1.1".into(),
        };
        // Two calls sent at once (one after a 300 ms CORS check), a third only when the first
        // had ended.
        let facts = NetworkFacts::from_phases(&[
            call(1.0, 1500.0),
            call(300.0, 1800.0),
            call(1500.0, 3000.0),
        ])
        .expect("facts");
        assert_eq!(facts.calls, 3);
        assert_eq!(facts.stalled, 1);
        assert_eq!(facts.longest_stall_ms, 1500.0);
        assert_eq!(facts.protocol, "http/1.1");
    }

    #[test]
    fn nothing_is_said_before_a_run_finishes() {
        assert_eq!(summary_sentence(&RunFigures::default()), None);
    }
}

/// One point of the explain panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub title: &'static str,
    pub text: String,
}

/// What the browser's network timings showed about the calls to one server.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkFacts {
    /// Calls with timing entries.
    pub calls: usize,
    /// Calls that waited for a connection another call had to free first.
    pub stalled: usize,
    pub longest_stall_ms: f64,
    /// The protocol most calls used (`http/1.1`, `h2`, …).
    pub protocol: String,
}

impl NetworkFacts {
    /// The facts of calls to one server. A call counts as stalled by the connection limit when
    /// it waited noticeably (50 ms or more) and its request only went out once another call's
    /// response had ended — it got a connection that call freed. Short waits for a connection
    /// being opened or a CORS check are not the limit.
    pub fn from_phases(phases: &[crate::network::NetworkPhases]) -> Option<NetworkFacts> {
        if phases.is_empty() {
            return None;
        }
        let stalls: Vec<f64> = phases
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                p.stalled_ms() >= 50.0
                    && phases
                        .iter()
                        .enumerate()
                        .any(|(j, other)| j != *i && other.downloading.1 <= p.waiting.0 + 5.0)
            })
            .map(|(_, p)| p.stalled_ms())
            .collect();
        let mut protocols: Vec<&str> = phases.iter().map(|p| p.protocol.as_str()).collect();
        protocols.sort_unstable();
        let protocol = protocols
            .iter()
            .max_by_key(|p| protocols.iter().filter(|q| q == p).count())
            .map(|p| p.to_string())
            .unwrap_or_default();
        Some(NetworkFacts {
            calls: phases.len(),
            stalled: stalls.len(),
            longest_stall_ms: stalls.iter().cloned().fold(0.0, f64::max),
            protocol,
        })
    }
}

/// Sum versus max, Amdahl's bound for this plan, and why the measured speedup differs from the
/// ideal — each with this run's numbers.
pub fn explain_run(
    view: &crate::engine::RunView,
    f: &RunFigures,
    network: Option<&NetworkFacts>,
) -> Vec<Explanation> {
    use crate::engine::{Group, LaneStatus};
    let mut points = Vec::new();
    let basis = [Group::Sequential, Group::Parallel]
        .into_iter()
        .find(|g| view.group_span(*g).is_some_and(|(_, end)| end.is_some()));
    let Some(group) = basis else {
        return points;
    };
    let lanes = view.question_lanes(group);
    let durations: Vec<f64> = lanes.iter().filter_map(|l| l.duration_ms()).collect();
    if durations.is_empty() {
        return points;
    }
    let sum: f64 = durations.iter().sum();
    let slowest = durations.iter().cloned().fold(0.0, f64::max);
    let terms = if durations.len() <= 6 {
        durations
            .iter()
            .map(|d| format!("{:.1}", d / 1000.0))
            .collect::<Vec<_>>()
            .join(" + ")
            + &format!(" = {}", seconds_text(sum))
    } else {
        format!("{} calls totalling {}", durations.len(), seconds_text(sum))
    };
    points.push(Explanation {
        title: "Sum versus max",
        text: format!(
            "One at a time, the calls add up: {terms}. All at once, the run waits only for the \
             slowest: {}. That is the whole idea — independent calls overlap their waiting.",
            seconds_text(slowest)
        ),
    });

    let synthesis = view
        .synthesis_lane(group)
        .and_then(|l| l.duration_ms())
        .unwrap_or(0.0);
    let n = durations.len();
    let ideal = f.ideal_speedup.unwrap_or(1.0);
    let limit_text = match view.concurrency_limit {
        Some(k) if k < n => format!(
            " With a limit of {k}, the {n} calls need ⌈{n}/{k}⌉ = {} rounds.",
            n.div_ceil(k)
        ),
        _ => String::new(),
    };
    points.push(Explanation {
        title: "The serial part (Amdahl's law)",
        text: format!(
            "The synthesis ({}) can only start when every answer is in, so it runs alone. Even with \
             unlimited parallelism the best speedup for this plan is (calls + synthesis) ÷ (slowest \
             + synthesis) = {}.{limit_text}",
            seconds_text(synthesis),
            times(ideal)
        ),
    });

    let mut reasons = Vec::new();
    let all: Vec<&crate::engine::LaneView> = view
        .lanes
        .iter()
        .filter(|l| l.info.group == Group::Parallel)
        .collect();
    let queued_ms: f64 = lanes
        .iter()
        .filter(|l| l.info.group == Group::Parallel)
        .filter_map(|l| Some(l.started_ms? - l.opened_ms))
        .filter(|w| *w > 1.0)
        .sum();
    if view.concurrency_limit.is_some() && queued_ms > 0.0 {
        reasons.push(format!(
            "queueing: calls waited {} in total for a permit",
            seconds_text(queued_ms)
        ));
    }
    let retries: u32 = all.iter().map(|l| l.retries).sum();
    if retries > 0 {
        let backoff: f64 = all
            .iter()
            .flat_map(|l| l.phases.iter())
            .filter(|p| p.status == LaneStatus::Retrying)
            .filter_map(|p| Some(p.end_ms? - p.start_ms))
            .sum();
        reasons.push(format!(
            "retries: {retries} retr{} added {} of waiting",
            if retries == 1 { "y" } else { "ies" },
            seconds_text(backoff)
        ));
    }
    let first_tokens: Vec<f64> = lanes
        .iter()
        .filter_map(|l| Some(l.first_token_ms? - l.started_ms?))
        .collect();
    if first_tokens.len() > 1 {
        let low = first_tokens.iter().cloned().fold(f64::MAX, f64::min);
        let high = first_tokens.iter().cloned().fold(0.0, f64::max);
        reasons.push(format!(
            "first tokens: the time to the first token ranged from {} to {}, and the slowest call sets the pace",
            seconds_text(low),
            seconds_text(high)
        ));
    }
    let failed = all
        .iter()
        .filter(|l| {
            matches!(
                l.status,
                LaneStatus::Failed | LaneStatus::Timeout | LaneStatus::Cancelled
            )
        })
        .count();
    if failed > 0 {
        reasons.push(format!(
            "failures: {failed} call{} did not finish, so the runs did different work",
            if failed == 1 { "" } else { "s" }
        ));
    }
    if let Some(net) = network.filter(|n| n.stalled > 0) {
        reasons.push(format!(
            "the browser's connection limit: {} of the {} calls waited up to {} for a free connection",
            net.stalled,
            net.calls,
            seconds_text(net.longest_stall_ms)
        ));
    }
    let measured = match (f.speedup, f.estimated_speedup) {
        (Some(s), _) => format!("Measured {} against the ideal {}", times(s), times(ideal)),
        (None, Some(e)) => format!("Estimated {} against the ideal {}", times(e), times(ideal)),
        _ => "The measured speedup differs from the ideal".to_string(),
    };
    points.push(Explanation {
        title: "Why the measured speedup differs",
        text: if reasons.is_empty() {
            format!(
                "{measured}: the difference is only the small gaps between one call ending and the \
                 next step starting."
            )
        } else {
            format!("{measured}. What got in the way: {}.", reasons.join("; "))
        },
    });

    if let Some(net) = network.filter(|n| n.calls > 0) {
        points.push(network::explain_network(view, group, net));
    }
    points
}
