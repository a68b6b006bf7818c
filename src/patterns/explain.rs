//! The pattern panel's explanation, with the run's own numbers: when the pattern pays and what
//! it costs.

use super::{GroupSummary, Pattern, PatternSummary};
use crate::base::seconds_text;

fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        "—".into()
    } else {
        format!("{:.1}×", a as f64 / b as f64)
    }
}

fn tokens(g: &GroupSummary) -> u64 {
    g.tokens_in + g.tokens_out
}

/// Voting's judge: when it started, what it named, what it cost.
fn judge_sentence(j: &super::summary::JudgeSummary) -> String {
    let took = match (j.started_ms, j.ended_ms) {
        (Some(a), Some(b)) => seconds_text(b - a),
        _ => "—".into(),
    };
    let settled = j
        .samples_settled_ms
        .map(seconds_text)
        .unwrap_or_else(|| "—".into());
    format!(
        " Instead of the majority, a judge call read the answers once the last had settled (at \
         {settled}) and named {}; it took {took} more and {} input and {} output tokens, its \
         prompt holding every answer.",
        j.result.as_deref().unwrap_or("no result"),
        j.tokens_in,
        j.tokens_out,
    )
}

/// What the run shows, in words with its numbers.
pub fn explain(s: &PatternSummary) -> String {
    let (Some(base), Some(strategy)) = (&s.baseline, &s.strategy) else {
        return String::new();
    };
    match s.pattern {
        Pattern::Voting => {
            let decided = match &s.tally {
                Some(t) => format!(
                    "The majority, {}, got {:.0}% of the {} votes.",
                    t.winner().unwrap_or("none"),
                    t.agreement() * 100.0,
                    t.voted
                ),
                None => "No decision yet.".into(),
            };
            let judged = s.judge.as_ref().map(judge_sentence).unwrap_or_default();
            format!(
                "Voting asked the same question {} times at once and decided after the last sample \
                 settled: {} against {} for one call. {decided}{judged} It paid {} tokens against {} — {} \
                 the tokens of one call: voting multiplies the cost by N, and pays when single \
                 answers are often wrong and the errors disagree.",
                strategy.calls - usize::from(s.judge.is_some()),
                seconds_text(strategy.wall_ms),
                seconds_text(base.wall_ms),
                tokens(strategy),
                tokens(base),
                ratio(tokens(strategy), tokens(base)),
            )
        }
        Pattern::Racing => {
            let race = s.race.clone().unwrap_or_default();
            let who = match race.winner_variant {
                Some(v) if race.by_variant() => format!(" (variant {})", v.letter()),
                _ => String::new(),
            };
            let each = if race.by_variant() {
                let list: Vec<String> = race
                    .contestants
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {} {} with {} tokens",
                            c.variant.letter(),
                            c.status.as_str(),
                            c.took_ms.map(seconds_text).unwrap_or_else(|| "—".into()),
                            c.tokens_in + c.tokens_out
                        )
                    })
                    .collect();
                format!(" Each variant: {}.", list.join("; "))
            } else {
                String::new()
            };
            format!(
                "Racing sent one request to {} contestants; the first complete answer{} came after {} \
                 (the race took {}, the single call {}), and the other {} were cancelled at that moment, with \
                 {} input and {} output tokens already spent: racing pays for the losers to cut \
                 the wait to the fastest.{}",
                race.contestants.len(),
                who,
                race.winner_ms.map(seconds_text).unwrap_or_else(|| "—".into()),
                seconds_text(strategy.wall_ms),
                seconds_text(base.wall_ms),
                race.contestants.len().saturating_sub(1),
                race.loser_tokens_in,
                race.loser_tokens_out,
                each,
            )
        }
        Pattern::Hedging => {
            let h = s.hedge.clone().unwrap_or_default();
            let [_, p95_plain, _, max_plain] = super::HedgeSummary::stats(&h.plain);
            let [_, p95_hedged, _, max_hedged] = super::HedgeSummary::stats(&h.hedged);
            let t = |v: Option<f64>| v.map(seconds_text).unwrap_or_else(|| "—".into());
            format!(
                "Hedging sent {} backup copies for {} calls ({} of them won); the hedged calls \
                 took {} in all, the plain ones {}. The slowest 5% went from {} plain to {} \
                 hedged (p95), the slowest from {} to {}. The backups cost {} input and {} \
                 output tokens: hedging pays for the losers to cut the tail, not the typical \
                 call.",
                h.backups,
                h.hedged.len().max(h.plain.len()),
                h.backups_won,
                seconds_text(strategy.wall_ms),
                seconds_text(base.wall_ms),
                t(p95_plain),
                t(p95_hedged),
                t(max_plain),
                t(max_hedged),
                h.backup_tokens_in,
                h.backup_tokens_out,
            )
        }
        _ => String::new(),
    }
}
