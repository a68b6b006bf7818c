//! [`RunFigures`]: the numbers beside the timeline, computed from the folded events.
//!
//! Sequential wall = the sum of its calls; parallel wall ≈ the slowest call + the synthesis;
//! speedup = sequential wall ÷ parallel wall; the ideal is what Amdahl's law allows for this plan
//! (the synthesis is serial; with a limit of k, the calls run in rounds).

use super::event::{Group, LaneKind};
use super::pricing::{cache_multipliers, price_of, usage_cost_with};
use super::timeline::{LaneStatus, LaneView, RunView};
use serde::Serialize;

/// The figures of one run (sequential or parallel).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupFigures {
    pub group: Group,
    /// From the group's start to its last lane's end (or to now while running).
    pub wall_ms: f64,
    /// Sum of every call's duration, synthesis included: the time a one-at-a-time run would take.
    pub sum_ms: f64,
    /// The longest research call.
    pub slowest_ms: f64,
    pub synthesis_ms: Option<f64>,
    pub calls: usize,
    pub succeeded: usize,
    pub retries: u32,
    pub tokens_in: u64,
    pub tokens_out: u64,
    /// Output tokens per second of wall time.
    pub tokens_per_s: f64,
    /// Mean time to first token of the research calls that got one.
    pub mean_first_token_ms: Option<f64>,
    pub cost_usd: Option<f64>,
    pub finished: bool,
}

/// The figures of a whole run, and how the two runs compare.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunFigures {
    pub sequential: Option<GroupFigures>,
    pub parallel: Option<GroupFigures>,
    /// Sequential wall ÷ parallel wall, when both ran to the end.
    pub speedup: Option<f64>,
    /// Sum of call times ÷ parallel wall: the speedup estimated from the parallel run alone.
    pub estimated_speedup: Option<f64>,
    /// The best speedup this plan allows (Amdahl, with the concurrency limit).
    pub ideal_speedup: Option<f64>,
    /// Speedup ÷ the calls that could run at once.
    pub efficiency: Option<f64>,
    /// How many calls could run at once: min(questions, limit).
    pub parallelism: usize,
    /// The agents lab's figures, when agents ran.
    pub agents: Option<AgentFigures>,
    /// Why there is no speedup although both runs finished (they are not alike: failed calls).
    pub speedup_withheld: Option<String>,
    /// Groups whose server reported no token usage for calls that streamed text: estimates,
    /// to be shown as such (never as a false zero).
    pub token_estimates: Vec<super::honest::TokenEstimate>,
}

/// The figures of an agents-lab run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentFigures {
    pub wall_ms: f64,
    /// The sum of every model turn and tool call: the time if nothing had overlapped.
    pub serial_ms: f64,
    /// Serial time ÷ wall time.
    pub speedup: f64,
    pub conversations: usize,
    pub turns: usize,
    pub tool_calls: usize,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub cost_usd: Option<f64>,
    pub finished: bool,
}

impl RunFigures {
    /// Computes the figures from a run view; `now_ms` closes lanes still running.
    pub fn compute(view: &RunView, now_ms: f64) -> RunFigures {
        let sequential = group_figures(view, Group::Sequential, now_ms);
        let parallel = group_figures(view, Group::Parallel, now_ms);
        let questions = view
            .lanes
            .iter()
            .filter(|l| matches!(l.info.kind, LaneKind::Question { .. }))
            .map(|l| l.info.group)
            .fold(std::collections::HashMap::new(), |mut m, g| {
                *m.entry(g).or_insert(0usize) += 1;
                m
            })
            .into_values()
            .max()
            .unwrap_or(0);
        let parallelism = view
            .concurrency_limit
            .map_or(questions, |k| k.min(questions))
            .max(1);
        let speedup = match (&sequential, &parallel) {
            (Some(s), Some(p)) if s.finished && p.finished && p.wall_ms > 0.0 => {
                Some(s.wall_ms / p.wall_ms)
            }
            _ => None,
        };
        let estimated_speedup = parallel
            .as_ref()
            .filter(|p| p.finished && p.wall_ms > 0.0)
            .map(|p| p.sum_ms / p.wall_ms);
        // The ideal uses measured call times: the sequential run's when it ran, else the parallel's.
        let basis = [Group::Sequential, Group::Parallel]
            .into_iter()
            .find(|g| view.group_span(*g).is_some_and(|(_, end)| end.is_some()));
        let ideal_speedup = basis.and_then(|group| {
            let durations: Vec<f64> = view
                .question_lanes(group)
                .iter()
                .filter_map(|l| l.duration_ms())
                .collect();
            let synthesis = view
                .synthesis_lane(group)
                .and_then(LaneView::duration_ms)
                .unwrap_or(0.0);
            ideal_speedup(&durations, synthesis, view.concurrency_limit)
        });
        let speedup_withheld = super::honest::speedup_withheld(
            sequential.as_ref(),
            parallel.as_ref(),
            speedup,
            ideal_speedup,
        );
        let (speedup, estimated_speedup) = match speedup_withheld {
            Some(_) => (None, None),
            None => (speedup, estimated_speedup),
        };
        RunFigures {
            agents: agent_figures(view, now_ms),
            efficiency: speedup.map(|s| s / parallelism as f64),
            sequential,
            parallel,
            speedup,
            estimated_speedup,
            ideal_speedup,
            parallelism,
            speedup_withheld,
            token_estimates: super::honest::token_estimates(view),
        }
    }
}

/// The best speedup for calls of `durations` followed by a serial synthesis: everything one after
/// another, against the calls packed onto `limit` workers in order (as a FIFO semaphore does).
pub fn ideal_speedup(durations: &[f64], synthesis_ms: f64, limit: Option<usize>) -> Option<f64> {
    if durations.is_empty() {
        return None;
    }
    let serial: f64 = durations.iter().sum::<f64>() + synthesis_ms;
    let parallel = makespan(durations, limit) + synthesis_ms;
    (parallel > 0.0).then(|| serial / parallel)
}

/// How long `durations` take on `limit` workers (unlimited when `None`), each call taking the
/// first free worker in order.
pub fn makespan(durations: &[f64], limit: Option<usize>) -> f64 {
    let workers = limit
        .unwrap_or(durations.len())
        .clamp(1, durations.len().max(1));
    let mut free_at = vec![0.0f64; workers];
    for d in durations {
        let (slot, _) = free_at
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &0.0));
        free_at[slot] += d;
    }
    free_at.into_iter().fold(0.0, f64::max)
}

fn lane_duration(lane: &LaneView, now_ms: f64) -> f64 {
    match (lane.started_ms, lane.ended_ms) {
        (Some(s), Some(e)) => e - s,
        (Some(s), None) => now_ms - s,
        _ => 0.0,
    }
}

fn agent_figures(view: &RunView, now_ms: f64) -> Option<AgentFigures> {
    AgentFigures::of_group(view, Group::Agent, now_ms)
}

impl AgentFigures {
    /// The figures of one agent group (`Agent`, `AgentSerial` or `AgentParallel`), if it ran.
    pub fn of_group(view: &RunView, group: Group, now_ms: f64) -> Option<AgentFigures> {
        agent_group_figures(view, group, now_ms)
    }
}

fn agent_group_figures(view: &RunView, group: Group, now_ms: f64) -> Option<AgentFigures> {
    let (start, end) = view.group_span(group)?;
    let lanes: Vec<&LaneView> = view
        .lanes
        .iter()
        .filter(|l| l.info.group == group)
        .collect();
    // Leaves are the work itself: turns, and tool calls that are not agents themselves.
    let has_children = |id: usize| lanes.iter().any(|l| l.info.parent == Some(id));
    let serial_ms: f64 = lanes
        .iter()
        .filter(|l| match l.info.kind {
            LaneKind::Turn { .. } => true,
            LaneKind::Tool { .. } => !has_children(l.id),
            _ => false,
        })
        .map(|l| lane_duration(l, now_ms))
        .sum();
    let wall_ms = end.unwrap_or(now_ms) - start;
    let count = |pred: fn(&LaneKind) -> bool| lanes.iter().filter(|l| pred(&l.info.kind)).count();
    let tokens_in: u64 = lanes
        .iter()
        .map(|l| u64::from(l.usage.total_input_tokens()))
        .sum();
    let tokens_out: u64 = lanes.iter().map(|l| u64::from(l.usage.output_tokens)).sum();
    Some(AgentFigures {
        wall_ms,
        serial_ms,
        speedup: if wall_ms > 0.0 {
            serial_ms / wall_ms
        } else {
            1.0
        },
        conversations: count(|k| matches!(k, LaneKind::Conversation { .. })),
        turns: count(|k| matches!(k, LaneKind::Turn { .. })),
        tool_calls: count(|k| matches!(k, LaneKind::Tool { .. })),
        tokens_in,
        tokens_out,
        cost_usd: lanes_cost_usd(&view.model, &lanes),
        finished: end.is_some(),
    })
}

fn group_figures(view: &RunView, group: Group, now_ms: f64) -> Option<GroupFigures> {
    let (start, end) = view.group_span(group)?;
    let questions = view.question_lanes(group);
    let synthesis = view.synthesis_lane(group);
    let lanes: Vec<&LaneView> = questions.iter().copied().chain(synthesis).collect();
    let duration = |l: &LaneView| lane_duration(l, now_ms);
    let wall_ms = end.unwrap_or(now_ms) - start;
    let tokens_in: u64 = lanes
        .iter()
        .map(|l| u64::from(l.usage.total_input_tokens()))
        .sum();
    let tokens_out: u64 = lanes.iter().map(|l| u64::from(l.usage.output_tokens)).sum();
    let first_tokens: Vec<f64> = questions
        .iter()
        .filter_map(|l| Some(l.first_token_ms? - l.started_ms?))
        .collect();
    Some(GroupFigures {
        group,
        wall_ms,
        sum_ms: lanes.iter().map(|l| duration(l)).sum(),
        slowest_ms: questions.iter().map(|l| duration(l)).fold(0.0, f64::max),
        synthesis_ms: synthesis.map(duration),
        calls: questions.len(),
        succeeded: questions
            .iter()
            .filter(|l| l.status == LaneStatus::Done)
            .count(),
        retries: lanes.iter().map(|l| l.retries).sum(),
        tokens_in,
        tokens_out,
        tokens_per_s: if wall_ms > 0.0 {
            tokens_out as f64 / (wall_ms / 1000.0)
        } else {
            0.0
        },
        mean_first_token_ms: (!first_tokens.is_empty())
            .then(|| first_tokens.iter().sum::<f64>() / first_tokens.len() as f64),
        cost_usd: lanes_cost_usd(&view.model, &lanes),
        finished: end.is_some(),
    })
}

/// What the lanes cost at `model`'s price, cache writes and reads at their multipliers.
/// The price is looked up once: the figures are computed every frame, over every lane.
pub fn lanes_cost_usd(model: &str, lanes: &[&LaneView]) -> Option<f64> {
    if lanes.is_empty() {
        return Some(0.0);
    }
    let price = price_of(model)?;
    let cache = cache_multipliers(model);
    Some(
        lanes
            .iter()
            .map(|l| usage_cost_with(price, cache, &l.usage))
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makespan_packs_calls_in_order_onto_free_workers() {
        assert_eq!(makespan(&[5.0, 4.0, 6.0], None), 6.0);
        assert_eq!(makespan(&[5.0, 4.0, 6.0], Some(1)), 15.0);
        assert_eq!(makespan(&[1.0; 5], Some(2)), 3.0);
        assert_eq!(makespan(&[], None), 0.0);
    }

    #[test]
    fn ideal_speedup_is_amdahl_with_a_serial_synthesis() {
        // Three 2 s calls and a 1 s synthesis: 7 s against 3 s.
        let ideal = ideal_speedup(&[2.0, 2.0, 2.0], 1.0, None).expect("ideal");
        assert!((ideal - 7.0 / 3.0).abs() < 1e-12);
        // With no synthesis and equal calls the ideal is the number of calls.
        assert_eq!(ideal_speedup(&[1.0; 4], 0.0, None), Some(4.0));
        // Limit 2 with 5 calls: three rounds.
        assert_eq!(ideal_speedup(&[1.0; 5], 0.0, Some(2)), Some(5.0 / 3.0));
    }
}
