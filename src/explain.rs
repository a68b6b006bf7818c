//! The numbers of a run, told in plain words: the one-line summary beside the figures.

use crate::engine::{GroupFigures, RunFigures};
use crate::providers::seconds_text;

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
            let speedup = f.speedup.unwrap_or(1.0);
            Some(format!(
                "{}. {}. Parallel was {} faster{ideal}.",
                sequential_clause(s),
                parallel_clause(p),
                times(speedup)
            ))
        }
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
    fn nothing_is_said_before_a_run_finishes() {
        assert_eq!(summary_sentence(&RunFigures::default()), None);
    }
}
