//! The lesson's explanations of map-reduce (the chunks, the fan-in and its levels, the wall time
//! against one call over the whole text) and of the cached prefix (cache writes against reads,
//! the cost cold against warm, and what the warm-up cost in time), each with the numbers of the
//! run just made (folded by [`summarize_map_cache`]).

use crate::base::seconds_text;
use crate::engine::{Group, RunView};
use crate::patterns::chunking::reduce_tree;
use crate::patterns::map_cache_summary::{summarize_map_cache, MapCacheSummary};
use crate::patterns::map_reduce::context_tokens;
use crate::patterns::summary::GroupSummary;
use crate::patterns::Pattern;

/// The largest fan-in [`fan_in_of`] tries (the page's input stops at 50).
const MAX_FAN_IN: usize = 50;

/// The fan-ins that give `levels` (calls per level, the map first): the range of k whose
/// reduce tree over the map's calls has the same merging calls on every level (often one k;
/// one merge of everything fits every k from the number of chunks up).
pub fn fan_in_of(levels: &[usize]) -> Option<std::ops::RangeInclusive<usize>> {
    let (&map, reduce) = levels.split_first()?;
    let fits = |k: usize| {
        let tree = reduce_tree(map, k);
        tree.len() == reduce.len()
            && tree
                .iter()
                .zip(reduce)
                .all(|(level, &calls)| level.iter().filter(|r| r.len() > 1).count() == calls)
    };
    let top = MAX_FAN_IN.max(map);
    let low = (2..=top).find(|&k| fits(k))?;
    let high = (low..=top).take_while(|&k| fits(k)).last().unwrap_or(low);
    Some(low..=high)
}

fn fan_in_text(levels: &[usize]) -> String {
    match fan_in_of(levels) {
        Some(k) if k.start() == k.end() => format!("a fan-in of {}", k.start()),
        Some(k) if *k.end() >= MAX_FAN_IN => format!("a fan-in of {} or more", k.start()),
        Some(k) => format!("a fan-in of {}–{}", k.start(), k.end()),
        None => "the fan-in".into(),
    }
}

fn tokens(g: &GroupSummary) -> u64 {
    g.tokens_in + g.tokens_out
}

fn dollars(value: Option<f64>) -> String {
    value.map_or("an unknown amount".into(), |v| format!("${v:.4}"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn priced_as(s: &MapCacheSummary) -> String {
    s.priced_as
        .map(|model| format!(" (at {model}'s list price: this model costs nothing)"))
        .unwrap_or_default()
}

/// Step 16: the map-reduce run, or `None` when `view` is not one.
pub(super) fn explain_map_reduce(view: &RunView) -> Option<String> {
    if !view.lanes.iter().any(|l| l.info.group == Group::Map) {
        return None;
    }
    let s = summarize_map_cache(view, Pattern::MapReduce, view.last_event_ms);
    let strategy = s.strategy.as_ref()?;
    let calls: Vec<usize> = s.levels.iter().map(|l| l.calls).collect();
    let map = s.levels.first()?;
    let reduce_levels = s.levels.len().saturating_sub(1);
    let fan_in = fan_in_text(&calls);
    let per_level: Vec<String> = calls[1..].iter().map(|c| c.to_string()).collect();
    let mut text = vec![format!(
        "The report went out as {}, all at once; {fan_in} merged their answers in {} ({} \
         call{} level by level), each merge starting only once its own inputs were in.",
        plural(map.calls, "chunk", "chunks"),
        plural(reduce_levels, "reduce level", "reduce levels"),
        per_level.join(", "),
        if calls[1..].iter().sum::<usize>() == 1 {
            ""
        } else {
            "s"
        },
    )];
    if let (Some(start), Some(map_end), Some(top_end)) = (
        map.start_ms,
        map.end_ms,
        s.levels.last().and_then(|l| l.end_ms),
    ) {
        text.push(format!(
            "The map took {}; the reduce levels added {} — about one call's latency per level, \
             so a larger fan-in means fewer levels and a smaller one more.",
            seconds_text(map_end - start),
            seconds_text((top_end - map_end).max(0.0)),
        ));
    }
    match &s.baseline {
        Some(base) => text.push(format!(
            "One call over the whole text took {}; map-reduce took {} in all ({:.1}× the time), \
             for {} tokens against {} and {} against {}{}. It pays when a text is too long for \
             one call, or when each part deserves a close reading of its own.",
            seconds_text(base.wall_ms),
            seconds_text(strategy.wall_ms),
            if base.wall_ms > 0.0 {
                strategy.wall_ms / base.wall_ms
            } else {
                1.0
            },
            tokens(strategy),
            tokens(base),
            dollars(strategy.cost_usd),
            dollars(base.cost_usd),
            priced_as(&s),
        )),
        None => text.push(format!(
            "No single call could take this text{}, so there was no baseline: map-reduce, {} in \
             all, is the way through.",
            context_tokens(&view.model)
                .map(|c| format!(" (the model's context is {c} tokens)"))
                .unwrap_or_default(),
            seconds_text(strategy.wall_ms),
        )),
    }
    Some(text.join(" "))
}

/// Step 17: the cached-prefix run, or `None` when `view` is not one.
pub(super) fn explain_cached_prefix(view: &RunView) -> Option<String> {
    if !view.lanes.iter().any(|l| l.info.group == Group::FanOut) {
        return None;
    }
    let s = summarize_map_cache(view, Pattern::CachedPrefix, view.last_event_ms);
    let (cold, warm) = (s.baseline.as_ref()?, s.strategy.as_ref()?);
    let (c, w) = (s.baseline_cache, s.strategy_cache);
    let mut text = vec![format!(
        "Cold, {} at once: {} and {} — the cache entry exists only once the first response \
         begins, so every call wrote the prefix ({} tokens in all) at 1.25× the input price. \
         Warm, then fan out: {} ({} tokens) and {} ({} tokens) at 0.1×.",
        plural(cold.calls, "call", "calls"),
        plural(c.writes, "cache write", "cache writes"),
        plural(c.reads, "read", "reads"),
        c.write_tokens,
        plural(w.writes, "write", "writes"),
        w.write_tokens,
        plural(w.reads, "read", "reads"),
        w.read_tokens,
    )];
    if let (Some(cold_cost), Some(warm_cost)) = (cold.cost_usd, warm.cost_usd) {
        let saved = if cold_cost > 0.0 {
            format!("{:.0} % less", (1.0 - warm_cost / cold_cost) * 100.0)
        } else {
            "no difference".into()
        };
        text.push(format!(
            "Cost: {} cold against {} warm{} — {saved}.",
            dollars(Some(cold_cost)),
            dollars(Some(warm_cost)),
            priced_as(&s),
        ));
    }
    let wait = s
        .warm_wait_ms
        .map(|w| {
            format!(
                "waited {} for the warm-up's first token, so ",
                seconds_text(w)
            )
        })
        .unwrap_or_default();
    text.push(format!(
        "The warm-up cost time: the other calls {wait}the warm run took {} against {} cold. Warm \
         first when many calls share a long prefix and a second matters less than the price.",
        seconds_text(warm.wall_ms),
        seconds_text(cold.wall_ms),
    ));
    Some(text.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fan_in_is_read_back_from_the_calls_of_each_level() {
        // 7 chunks, fan-in 2: levels of 3 (one part passed up), 2, 1 merging calls.
        assert_eq!(fan_in_of(&[7, 3, 2, 1]), Some(2..=2));
        // Fan-in 3, 4 and 5 all merge 7 answers in 2 calls, then 1 (6 merges six, passes one up).
        assert_eq!(fan_in_of(&[7, 2, 1]), Some(3..=5));
        assert_eq!(fan_in_text(&[7, 2, 1]), "a fan-in of 3–5");
        assert_eq!(fan_in_text(&[7, 1]), "a fan-in of 7 or more");
        assert_eq!(fan_in_of(&[7]), None);
    }
}
