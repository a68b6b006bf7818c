//! A pattern run's figures, folded from its events (the page's [`RunView`]): per group the wall
//! time, calls, tokens and cost; voting's tally (once every sample settled) and its judge, racing's winner
//! against each contestant and what the losers cost, hedging's percentiles and extra calls.

use super::{percentile, tally, Extraction, Pattern, Tally};
use crate::engine::{cost_usd, Group, LaneKind, LaneStatus, LaneView, RunView, Variant};

/// The figures of one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupSummary {
    pub group: Option<Group>,
    /// From the group's start to its end (or to now, while it runs).
    pub wall_ms: f64,
    pub finished: bool,
    /// Calls that left the queue.
    pub calls: usize,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub cost_usd: Option<f64>,
}

/// Racing: the winner and every contestant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RaceSummary {
    pub winner_lane: Option<usize>,
    /// From the race's start to the winner's end.
    pub winner_ms: Option<f64>,
    /// The winner's variant (A when the contestants are samples of the set-up).
    pub winner_variant: Option<Variant>,
    /// Every contestant, in lane order.
    pub contestants: Vec<Contestant>,
    /// Tokens the cancelled contestants had used (output streamed, input sent).
    pub loser_tokens_in: u64,
    pub loser_tokens_out: u64,
}

impl RaceSummary {
    /// Whether the contestants are variants (more than one variant raced), not samples.
    pub fn by_variant(&self) -> bool {
        self.contestants
            .iter()
            .any(|c| c.variant != self.contestants[0].variant)
    }
}

/// One racing contestant: its lane, its variant, its status, its time from the race's start to
/// its end and the tokens it used.
#[derive(Clone, Debug, PartialEq)]
pub struct Contestant {
    pub lane: usize,
    pub variant: Variant,
    pub status: LaneStatus,
    pub took_ms: Option<f64>,
    pub tokens_in: u64,
    pub tokens_out: u64,
}

/// Hedging: the latency distribution of plain against hedged calls, and what the backups cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HedgeSummary {
    pub plain: Vec<f64>,
    pub hedged: Vec<f64>,
    pub backups: usize,
    pub backups_won: usize,
    pub backup_tokens_in: u64,
    pub backup_tokens_out: u64,
}

impl HedgeSummary {
    /// p50, p95, p99 and max of `values`.
    pub fn stats(values: &[f64]) -> [Option<f64>; 4] {
        [
            percentile(values, 50.0),
            percentile(values, 95.0),
            percentile(values, 99.0),
            percentile(values, 100.0),
        ]
    }
}

/// Voting with a judge: its lane and the result it named.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JudgeSummary {
    pub status: Option<LaneStatus>,
    /// The judge's final result (read as the votes are), once it is done.
    pub result: Option<String>,
    pub started_ms: Option<f64>,
    pub ended_ms: Option<f64>,
    /// When the last sample settled (the judge may not start before).
    pub samples_settled_ms: Option<f64>,
    pub tokens_in: u64,
    pub tokens_out: u64,
}

/// Everything the pattern panel shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PatternSummary {
    pub pattern: Pattern,
    pub baseline: Option<GroupSummary>,
    pub strategy: Option<GroupSummary>,
    /// Voting: the tally, only once every sample has settled.
    pub tally: Option<Tally>,
    /// Voting: samples still running.
    pub pending: usize,
    /// Voting with a judge: the judge's call.
    pub judge: Option<JudgeSummary>,
    pub race: Option<RaceSummary>,
    pub hedge: Option<HedgeSummary>,
}

fn lanes_of(view: &RunView, group: Group) -> impl Iterator<Item = &LaneView> {
    view.lanes.iter().filter(move |l| l.info.group == group)
}

/// The judge of a vote (the vote's one synthesis-kind lane).
fn is_judge(lane: &LaneView) -> bool {
    lane.info.kind == LaneKind::Synthesis
}

fn is_backup(lane: &LaneView) -> bool {
    matches!(lane.info.kind, LaneKind::PatternCall { backup: true, .. })
}

fn index_of(lane: &LaneView) -> usize {
    match lane.info.kind {
        LaneKind::PatternCall { index, .. } | LaneKind::Question { index } => index,
        _ => lane.id,
    }
}

fn group_summary(view: &RunView, group: Group, now_ms: f64) -> Option<GroupSummary> {
    let (start, end) = view.group_span(group)?;
    let mut summary = GroupSummary {
        group: Some(group),
        wall_ms: end.unwrap_or(now_ms) - start,
        finished: end.is_some(),
        ..GroupSummary::default()
    };
    for lane in lanes_of(view, group) {
        if lane.started_ms.is_some() {
            summary.calls += 1;
        }
        summary.tokens_in += u64::from(lane.usage.input_tokens);
        summary.tokens_out += u64::from(lane.usage.output_tokens);
    }
    summary.cost_usd = cost_usd(&view.model, summary.tokens_in, summary.tokens_out);
    Some(summary)
}

/// Folds `view` (a pattern run, at `now_ms`) into its figures.
pub fn summarize(
    view: &RunView,
    pattern: Pattern,
    extraction: &Extraction,
    now_ms: f64,
) -> PatternSummary {
    let strategy_group = pattern.strategy_group();
    let mut summary = PatternSummary {
        pattern,
        baseline: group_summary(view, Group::Baseline, now_ms),
        strategy: group_summary(view, strategy_group, now_ms),
        ..PatternSummary::default()
    };
    match pattern {
        Pattern::Voting => {
            let (judges, samples): (Vec<&LaneView>, Vec<&LaneView>) =
                lanes_of(view, Group::Vote).partition(|l| is_judge(l));
            summary.pending = samples.iter().filter(|l| !l.status.is_terminal()).count();
            // Decided only after every sample has settled.
            if summary.pending == 0 && !samples.is_empty() {
                summary.tally = Some(tally(
                    samples
                        .iter()
                        .map(|l| (l.status == LaneStatus::Done).then_some(l.text.as_str())),
                    extraction,
                ));
            }
            summary.judge = judges.first().map(|j| JudgeSummary {
                status: Some(j.status),
                result: (j.status == LaneStatus::Done)
                    .then(|| super::extract(&j.text, extraction))
                    .flatten(),
                started_ms: j.started_ms,
                ended_ms: j.ended_ms,
                samples_settled_ms: samples
                    .iter()
                    .map(|l| l.ended_ms)
                    .collect::<Option<Vec<f64>>>()
                    .and_then(|ends| ends.into_iter().max_by(f64::total_cmp)),
                tokens_in: u64::from(j.usage.input_tokens),
                tokens_out: u64::from(j.usage.output_tokens),
            });
        }
        Pattern::Racing => summary.race = Some(race(view)),
        Pattern::Hedging => summary.hedge = Some(hedge(view)),
        _ => {}
    }
    summary
}

fn race(view: &RunView) -> RaceSummary {
    let start = view.group_span(Group::Race).map_or(0.0, |s| s.0);
    let mut race = RaceSummary::default();
    let mut best: Option<(f64, usize, Variant)> = None;
    for lane in lanes_of(view, Group::Race) {
        let took = lane.ended_ms.map(|e| e - start);
        race.contestants.push(Contestant {
            lane: lane.id,
            variant: lane.info.variant,
            status: lane.status,
            took_ms: took,
            tokens_in: u64::from(lane.usage.input_tokens),
            tokens_out: u64::from(lane.usage.output_tokens),
        });
        if lane.status == LaneStatus::Done {
            if let Some(t) = took {
                if best.is_none_or(|(b, _, _)| t < b) {
                    best = Some((t, lane.id, lane.info.variant));
                }
            }
        } else if lane.status == LaneStatus::Cancelled {
            race.loser_tokens_in += u64::from(lane.usage.input_tokens);
            race.loser_tokens_out += u64::from(lane.usage.output_tokens);
        }
    }
    race.winner_ms = best.map(|b| b.0);
    race.winner_lane = best.map(|b| b.1);
    race.winner_variant = best.map(|b| b.2);
    race
}

pub(super) fn hedge(view: &RunView) -> HedgeSummary {
    let mut summary = HedgeSummary {
        plain: lanes_of(view, Group::Baseline)
            .filter(|l| l.status == LaneStatus::Done)
            .filter_map(|l| Some(l.ended_ms? - l.started_ms?))
            .collect(),
        ..HedgeSummary::default()
    };
    let lanes: Vec<&LaneView> = lanes_of(view, Group::Hedge).collect();
    for primary in lanes.iter().filter(|l| !is_backup(l)) {
        let backup = lanes
            .iter()
            .find(|l| is_backup(l) && index_of(l) == index_of(primary));
        if let Some(b) = backup {
            summary.backups += 1;
            summary.backup_tokens_in += u64::from(b.usage.input_tokens);
            summary.backup_tokens_out += u64::from(b.usage.output_tokens);
        }
        let done_end = |l: &LaneView| {
            (l.status == LaneStatus::Done)
                .then_some(l.ended_ms)
                .flatten()
        };
        let ends = [done_end(primary), backup.and_then(|b| done_end(b))];
        let first = ends.iter().flatten().copied().min_by(f64::total_cmp);
        if let (Some(end), Some(start)) = (first, primary.started_ms) {
            summary.hedged.push(end - start);
            if backup.and_then(|b| done_end(b)) == Some(end) && done_end(primary) != Some(end) {
                summary.backups_won += 1;
            }
        }
    }
    summary
}
