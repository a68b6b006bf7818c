//! Hedging over rounds: the same hedging run repeated R times (`Run policy → Rounds`), each
//! round's calls folded into one latency distribution of the plain calls and one of the hedged
//! calls (nearest-rank percentiles, [`Samples`]), with the extra calls and tokens the backups
//! paid over all rounds. One round's twenty calls say little about a p99; a hundred rounds do.

use super::summary::hedge;
use crate::base::seconds_text;
use crate::engine::{Group, RunView};
use crate::experiment::{RoundRecord, Samples};

/// The hedging figures of every finished round together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HedgeRounds {
    pub rounds: usize,
    /// Latency of each plain call that succeeded, ms.
    pub plain: Samples,
    /// Latency of each hedged call (its first copy to finish complete), ms.
    pub hedged: Samples,
    /// Hedged calls (first copies), over all rounds.
    pub calls: usize,
    /// Backup copies sent (the extra calls), and how many of them won.
    pub backups: usize,
    pub backups_won: usize,
    /// Tokens (input + output) of the backups, and of the plain calls.
    pub backup_tokens: u64,
    pub plain_tokens: u64,
}

impl HedgeRounds {
    /// p50, p95, p99 and max of `samples`.
    pub fn stats(samples: &Samples) -> [Option<f64>; 4] {
        [50.0, 95.0, 99.0, 100.0].map(|p| samples.percentile(p))
    }

    fn add(&mut self, view: &RunView) {
        let h = hedge(view);
        self.rounds += 1;
        h.plain.iter().for_each(|v| self.plain.insert(*v));
        h.hedged.iter().for_each(|v| self.hedged.insert(*v));
        self.calls += view
            .lanes
            .iter()
            .filter(|l| l.info.group == Group::Hedge)
            .count()
            .saturating_sub(h.backups);
        self.backups += h.backups;
        self.backups_won += h.backups_won;
        self.backup_tokens += h.backup_tokens_in + h.backup_tokens_out;
        self.plain_tokens += view
            .lanes
            .iter()
            .filter(|l| l.info.group == Group::Baseline)
            .map(|l| u64::from(l.usage.input_tokens) + u64::from(l.usage.output_tokens))
            .sum::<u64>();
    }
}

/// The hedging figures of `rounds` (finished rounds of a hedging run); `None` with fewer than
/// two, or when they ran something else.
pub fn hedge_over_rounds(rounds: &[RoundRecord]) -> Option<HedgeRounds> {
    if rounds.len() < 2 {
        return None;
    }
    let mut all = HedgeRounds::default();
    for round in rounds {
        let view = RunView::from_events(round.to_events().iter());
        if !view.lanes.iter().any(|l| l.info.group == Group::Hedge) {
            return None;
        }
        all.add(&view);
    }
    Some(all)
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0} %", part as f64 * 100.0 / whole as f64)
    }
}

/// The explanation of the rounds, with their numbers: the tail plain against hedged, and what
/// the backups cost.
pub fn explain_rounds(h: &HedgeRounds) -> String {
    let t = |v: Option<f64>| v.map(seconds_text).unwrap_or_else(|| "—".into());
    let [p50_plain, p95_plain, p99_plain, _] = HedgeRounds::stats(&h.plain);
    let [p50_hedged, p95_hedged, p99_hedged, _] = HedgeRounds::stats(&h.hedged);
    format!(
        "Over {} rounds ({} plain and {} hedged calls), p50 / p95 / p99 went from {} / {} / {} \
         plain to {} / {} / {} hedged. The backups were {} extra calls ({} more, {} of them won) \
         and {} extra tokens ({} more than the plain calls): hedging buys the tail, not the \
         median, and the later the backup, the less it costs.",
        h.rounds,
        h.plain.len(),
        h.hedged.len(),
        t(p50_plain),
        t(p95_plain),
        t(p99_plain),
        t(p50_hedged),
        t(p95_hedged),
        t(p99_hedged),
        h.backups,
        share(h.backups as u64, h.calls as u64),
        h.backups_won,
        h.backup_tokens,
        share(h.backup_tokens, h.plain_tokens),
    )
}
