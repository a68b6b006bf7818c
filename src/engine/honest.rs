//! Figures that do not claim more than the run shows: no speedup between runs that are not
//! alike (calls that failed end early, so a run with failures looks faster than it was), and
//! token counts a server did not report marked as estimates, never shown as zero.

use super::event::{Group, LaneKind};
use super::figures::GroupFigures;
use super::timeline::{LaneStatus, RunView};
use serde::Serialize;

/// Estimated tokens of a group whose server reported no usage for calls that streamed text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenEstimate {
    pub group: Group,
    /// Calls that streamed text but reported no usage.
    pub unreported_calls: usize,
    /// About four characters a token, of the prompts and of the answers.
    pub tokens_in: u64,
    pub tokens_out: u64,
}

/// Why the speedup is not shown, when the two runs are not alike: their numbers of answered
/// calls differ, or failures make the parallel run look faster than its own ideal.
pub fn speedup_withheld(
    sequential: Option<&GroupFigures>,
    parallel: Option<&GroupFigures>,
    speedup: Option<f64>,
    ideal: Option<f64>,
) -> Option<String> {
    let (s, p) = (sequential?, parallel?);
    if !(s.finished && p.finished) {
        return None;
    }
    let failed = (s.calls - s.succeeded.min(s.calls)) + (p.calls - p.succeeded.min(p.calls));
    if failed == 0 {
        return None;
    }
    let above_ideal = matches!((speedup, ideal), (Some(x), Some(i)) if x > i * 1.05);
    if s.succeeded != p.succeeded || above_ideal {
        Some(format!(
            "No speedup is given: sequential answered {} of {} and parallel {} of {}, and a \
             failed call ends early, so the two times do not measure the same work.",
            s.succeeded, s.calls, p.succeeded, p.calls
        ))
    } else {
        None
    }
}

fn estimate(chars: usize) -> u64 {
    (chars as f64 / 4.0).ceil() as u64
}

/// The groups with calls whose text streamed but whose usage was never reported.
pub fn token_estimates(view: &RunView) -> Vec<TokenEstimate> {
    [Group::Sequential, Group::Parallel, Group::Agent]
        .into_iter()
        .filter_map(|group| {
            let unreported: Vec<_> = view
                .lanes
                .iter()
                .filter(|l| l.info.group == group)
                .filter(|l| {
                    !matches!(
                        l.info.kind,
                        LaneKind::Conversation { .. } | LaneKind::Tool { .. }
                    )
                })
                .filter(|l| l.status == LaneStatus::Done && !l.usage_reported && !l.text.is_empty())
                .collect();
            (!unreported.is_empty()).then(|| TokenEstimate {
                group,
                unreported_calls: unreported.len(),
                tokens_in: unreported
                    .iter()
                    .filter_map(|l| l.request.as_ref())
                    .map(|r| {
                        let system = r.system.as_deref().map_or(0, |s| s.chars().count());
                        estimate(
                            system
                                + r.messages
                                    .iter()
                                    .map(|m| m.text().chars().count())
                                    .sum::<usize>(),
                        )
                    })
                    .sum(),
                tokens_out: unreported
                    .iter()
                    .map(|l| estimate(l.text.chars().count()))
                    .sum(),
            })
        })
        .collect()
}
