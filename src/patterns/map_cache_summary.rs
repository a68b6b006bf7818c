//! The figures of map-reduce and the cached prefix, folded from a run's events, and the
//! sentences that explain them with the run's own numbers.
//!
//! The strategy's figures span all of its groups (map and reduce; warm-up and fan-out), and
//! costs count cache writes at 1.25× and reads at 0.1× the input price. A model that costs
//! nothing (the simulated one, the mock, a local server) is priced as [`REFERENCE_MODEL`], said
//! so on the page, so that the comparison still shows.

use super::map_reduce::BaselineFit;
use super::summary::GroupSummary;
use super::Pattern;
use crate::base::seconds_text;
use crate::engine::{
    cache_multipliers, price_of, usage_cost_with, Group, LaneKind, LaneView, Price, RunView,
};

/// The model whose list price stands in for a free one.
pub const REFERENCE_MODEL: &str = "claude-sonnet-4-5";

/// The price of the figures: the model's own, or [`REFERENCE_MODEL`]'s when the model's is zero
/// or unknown (then the second value names it).
pub fn figure_price(model: &str) -> (Price, Option<&'static str>) {
    match price_of(model) {
        Some(p) if p.input_per_mtok > 0.0 || p.output_per_mtok > 0.0 => (p, None),
        _ => (
            price_of(REFERENCE_MODEL).unwrap_or(Price {
                input_per_mtok: 3.0,
                output_per_mtok: 15.0,
            }),
            Some(REFERENCE_MODEL),
        ),
    }
}

/// Cache writes and reads of some calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheCounts {
    pub writes: usize,
    pub reads: usize,
    pub write_tokens: u64,
    pub read_tokens: u64,
}

/// One level of a map-reduce run (0 is the map).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelSummary {
    pub level: usize,
    pub calls: usize,
    pub start_ms: Option<f64>,
    pub end_ms: Option<f64>,
}

/// What the panel shows for map-reduce and the cached prefix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapCacheSummary {
    pub baseline: Option<GroupSummary>,
    pub strategy: Option<GroupSummary>,
    pub baseline_cache: CacheCounts,
    pub strategy_cache: CacheCounts,
    /// Map-reduce: each level's calls and span.
    pub levels: Vec<LevelSummary>,
    /// Cached prefix: from the warm-up's start to the fan-out's first start.
    pub warm_wait_ms: Option<f64>,
    /// The reference model when the run's model is free.
    pub priced_as: Option<&'static str>,
}

/// The figures of `groups` together, under the name of `named` (its `data-run`).
fn summary_of(
    view: &RunView,
    named: Group,
    groups: &[Group],
    price: Price,
    now_ms: f64,
) -> Option<GroupSummary> {
    let spans: Vec<(f64, Option<f64>)> =
        groups.iter().filter_map(|g| view.group_span(*g)).collect();
    let start = spans.iter().map(|s| s.0).min_by(f64::total_cmp)?;
    let finished = spans.iter().all(|s| s.1.is_some());
    let end = spans
        .iter()
        .map(|s| s.1.unwrap_or(now_ms))
        .max_by(f64::total_cmp)
        .unwrap_or(now_ms);
    let lanes: Vec<&LaneView> = view
        .lanes
        .iter()
        .filter(|l| groups.contains(&l.info.group))
        .collect();
    // Looked up once, not per lane: the summary is drawn again every frame of the run.
    let cache = cache_multipliers(&view.model);
    Some(GroupSummary {
        group: Some(named),
        wall_ms: end - start,
        finished,
        calls: lanes.iter().filter(|l| l.started_ms.is_some()).count(),
        tokens_in: lanes
            .iter()
            .map(|l| u64::from(l.usage.total_input_tokens()))
            .sum(),
        tokens_out: lanes.iter().map(|l| u64::from(l.usage.output_tokens)).sum(),
        cost_usd: Some(
            lanes
                .iter()
                .map(|l| usage_cost_with(price, cache, &l.usage))
                .sum(),
        ),
    })
}

fn cache_of(view: &RunView, groups: &[Group]) -> CacheCounts {
    let mut counts = CacheCounts::default();
    for lane in view.lanes.iter().filter(|l| groups.contains(&l.info.group)) {
        let u = lane.usage;
        if u.cache_creation_input_tokens > 0 {
            counts.writes += 1;
            counts.write_tokens += u64::from(u.cache_creation_input_tokens);
        }
        if u.cache_read_input_tokens > 0 {
            counts.reads += 1;
            counts.read_tokens += u64::from(u.cache_read_input_tokens);
        }
    }
    counts
}

/// The strategy's groups of `pattern` (first to last).
pub fn strategy_groups(pattern: Pattern) -> &'static [Group] {
    match pattern {
        Pattern::MapReduce => &[Group::Map, Group::Reduce],
        Pattern::CachedPrefix => &[Group::Warm, Group::FanOut],
        _ => &[],
    }
}

/// Folds a map-reduce or cached-prefix run (at `now_ms`) into its figures.
pub fn summarize_map_cache(view: &RunView, pattern: Pattern, now_ms: f64) -> MapCacheSummary {
    let (price, priced_as) = figure_price(&view.model);
    let groups = strategy_groups(pattern);
    let mut summary = MapCacheSummary {
        baseline: summary_of(view, Group::Baseline, &[Group::Baseline], price, now_ms),
        strategy: summary_of(view, pattern.strategy_group(), groups, price, now_ms),
        baseline_cache: cache_of(view, &[Group::Baseline]),
        strategy_cache: cache_of(view, groups),
        priced_as,
        ..MapCacheSummary::default()
    };
    match pattern {
        Pattern::MapReduce => {
            for lane in view.lanes.iter() {
                let LaneKind::PatternCall {
                    level: Some(level), ..
                } = lane.info.kind
                else {
                    continue;
                };
                if summary.levels.len() <= level {
                    summary.levels.resize_with(level + 1, LevelSummary::default);
                }
                let entry = &mut summary.levels[level];
                entry.level = level;
                entry.calls += 1;
                if let Some(s) = lane.started_ms {
                    entry.start_ms = Some(entry.start_ms.map_or(s, |e| e.min(s)));
                }
                if let Some(e) = lane.ended_ms {
                    entry.end_ms = Some(entry.end_ms.map_or(e, |x| x.max(e)));
                }
            }
        }
        Pattern::CachedPrefix => {
            let first_start = |group: Group| {
                view.lanes
                    .iter()
                    .filter(|l| l.info.group == group)
                    .filter_map(|l| l.started_ms)
                    .min_by(f64::total_cmp)
            };
            summary.warm_wait_ms = match (first_start(Group::Warm), first_start(Group::FanOut)) {
                (Some(w), Some(f)) => Some(f - w),
                _ => None,
            };
        }
        _ => {}
    }
    summary
}

fn dollars(value: Option<f64>) -> String {
    value.map_or("unknown".into(), |v| format!("${v:.4}"))
}

/// The explanation of a finished run, with its numbers.
pub fn explain_map_cache(
    s: &MapCacheSummary,
    pattern: Pattern,
    fit: Option<BaselineFit>,
) -> String {
    let mut text = Vec::new();
    let wall = |g: &Option<GroupSummary>| g.as_ref().map(|g| g.wall_ms);
    let cost = |g: &Option<GroupSummary>| g.as_ref().and_then(|g| g.cost_usd);
    match pattern {
        Pattern::MapReduce => {
            let reduce_levels = s.levels.len().saturating_sub(1);
            let map_calls = s.levels.first().map_or(0, |l| l.calls);
            text.push(format!(
                "The document went out as {map_calls} chunks, one call each at once, then {} \
                 reduce level{} merged them.",
                reduce_levels,
                if reduce_levels == 1 { "" } else { "s" }
            ));
            if let (Some(map), Some(top)) = (s.levels.first(), s.levels.last()) {
                if let (Some(map_end), Some(top_end), Some(start)) =
                    (map.end_ms, top.end_ms, map.start_ms)
                {
                    let reduce_ms = top_end - map_end;
                    text.push(format!(
                        "The map took {}; the reduce added {} — every level of the tree waits \
                         for the slowest of its inputs, so each level (a smaller fan-in means \
                         more of them) adds about one call's latency.",
                        seconds_text(map_end - start),
                        seconds_text(reduce_ms.max(0.0))
                    ));
                }
            }
            match fit {
                Some(BaselineFit::TooLong { tokens, context }) => text.push(format!(
                    "One call cannot take this text: about {tokens} tokens with the answer, \
                     more than the model's context of {context}. Map-reduce is the way through."
                )),
                Some(BaselineFit::Unknown { .. }) => text.push(
                    "The model's context is not known here; a local server may cut a long text \
                     to its context without saying so."
                        .into(),
                ),
                _ => {}
            }
            if let (Some(b), Some(m)) = (wall(&s.baseline), wall(&s.strategy)) {
                text.push(format!(
                    "One call over the whole text took {}; map-reduce {} ({:.1}×), for {} \
                     against {}.",
                    seconds_text(b),
                    seconds_text(m),
                    if b > 0.0 { m / b } else { 1.0 },
                    dollars(cost(&s.strategy)),
                    dollars(cost(&s.baseline))
                ));
            }
        }
        Pattern::CachedPrefix => {
            let (b, w) = (s.baseline_cache, s.strategy_cache);
            let calls = s.baseline.as_ref().map_or(0, |g| g.calls);
            text.push(format!(
                "Cold fan-out: {calls} calls at once, {} cache writes and {} reads — no entry is \
                 there before the first response begins, so every call pays the write (1.25× the \
                 input price). Warm, then fan out: {} write and {} reads (0.1×).",
                b.writes, b.reads, w.writes, w.reads
            ));
            if let (Some(cold), Some(warm)) = (cost(&s.baseline), cost(&s.strategy)) {
                text.push(format!(
                    "Cost: {} cold against {} warm ({}).",
                    dollars(Some(cold)),
                    dollars(Some(warm)),
                    if warm < cold {
                        "the warm-up pays"
                    } else {
                        "the warm-up does not pay here"
                    }
                ));
            }
            if let (Some(wait), Some(cold), Some(warm)) =
                (s.warm_wait_ms, wall(&s.baseline), wall(&s.strategy))
            {
                text.push(format!(
                    "The price is time: the fan-out waited {} for the warm-up's first token, so \
                     the warm run took {} against {} cold.",
                    seconds_text(wait),
                    seconds_text(warm),
                    seconds_text(cold)
                ));
            }
            text.push(
                "The real API caches only prefixes of at least 1,024 tokens (2,048–4,096 for \
                 some models), and an entry lives five minutes from its last use."
                    .into(),
            );
        }
        _ => {}
    }
    if let Some(model) = s.priced_as {
        text.push(format!(
            "Costs are at {model}'s list price, as this model costs nothing."
        ));
    }
    text.join(" ")
}
