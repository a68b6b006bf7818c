//! Map-reduce and the cached prefix under virtual time, with the simulated model: map-reduce
//! starts a reduce call only once its inputs are done (level by level up to one); the cold
//! fan-out writes the cache N times, warm-then-fan-out once and reads it N − 1 times, and costs
//! less for N ≥ 3 at the price table's prices.

use parallel_playground::engine::{
    run_virtual, usage_cost_at, CancelToken, Event, EventKind, Group, LaneId, LaneKind, Price,
    RunEnv, RunPlan, VirtualClock,
};
use parallel_playground::patterns::chunking::reduce_tree;
use parallel_playground::patterns::map_reduce::{BaselineFit, MapReducePlan};
use parallel_playground::patterns::{
    run_pattern, Pattern, PatternPlan, PatternReport, PatternSettings,
};
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

fn run(plan: &PatternPlan) -> (PatternReport, Vec<Event>) {
    let clock = VirtualClock::new();
    let provider = SimulatedProvider::new(
        Rc::new(clock.clone()),
        SimulationSettings {
            speed: 10.0,
            ..SimulationSettings::default()
        },
    );
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 7,
    };
    let plan = plan.clone();
    let report = run_virtual(&clock, async move {
        run_pattern(&plan, env, CancelToken::new()).await
    })
    .expect("the run ends")
    .expect("the pattern runs");
    let events = events.borrow().clone();
    (report, events)
}

/// Per lane: its group, kind, first start and end (ms since the run began).
#[derive(Debug, Default, Clone)]
struct Span {
    group: Option<Group>,
    kind: Option<LaneKind>,
    start: Option<f64>,
    first_token: Option<f64>,
    end: Option<f64>,
}

fn spans(events: &[Event]) -> HashMap<LaneId, Span> {
    let mut spans: HashMap<LaneId, Span> = HashMap::new();
    for event in events {
        match &event.kind {
            EventKind::LaneOpened { lane, info } => {
                let span = spans.entry(*lane).or_default();
                span.group = Some(info.group);
                span.kind = Some(info.kind.clone());
            }
            EventKind::Started { lane, .. } => {
                spans
                    .entry(*lane)
                    .or_default()
                    .start
                    .get_or_insert(event.at_ms);
            }
            EventKind::FirstToken { lane } => {
                spans
                    .entry(*lane)
                    .or_default()
                    .first_token
                    .get_or_insert(event.at_ms);
            }
            EventKind::Finished { lane, .. } => {
                spans.entry(*lane).or_default().end = Some(event.at_ms)
            }
            _ => {}
        }
    }
    spans
}

fn document(paragraphs: usize) -> String {
    (0..paragraphs)
        .map(|i| {
            format!(
                "Section {i} of the report describes the harbour, its trade and its people. \
                 The tonnage grew in year {i}, and the new quay opened to ships from the north."
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn map_reduce_plan(paragraphs: usize, fan_in: usize, limit: Option<usize>) -> PatternPlan {
    PatternPlan {
        base: RunPlan {
            questions: vec!["What does the report say about the harbour?".into()],
            concurrency_limit: limit,
            max_tokens: 200,
            ..RunPlan::default()
        },
        settings: PatternSettings {
            pattern: Pattern::MapReduce,
            document: document(paragraphs),
            // One paragraph (about 160 characters) per chunk.
            chunk_size: 200,
            reduce_fan_in: fan_in,
            ..PatternSettings::default()
        },
    }
}

/// (level, index) → span, for the strategy's lanes.
fn by_level(spans: &HashMap<LaneId, Span>) -> HashMap<(usize, usize), Span> {
    spans
        .values()
        .filter_map(|s| match s.kind {
            Some(LaneKind::PatternCall {
                index,
                level: Some(level),
                ..
            }) => Some(((level, index), s.clone())),
            _ => None,
        })
        .collect()
}

fn assert_reduce_waits_for_its_inputs(paragraphs: usize, fan_in: usize, limit: Option<usize>) {
    let plan = map_reduce_plan(paragraphs, fan_in, limit);
    let setup = MapReducePlan::of(&plan);
    assert_eq!(setup.chunks.len(), paragraphs);
    let (report, events) = run(&plan);
    let spans = spans(&events);
    let lanes = by_level(&spans);
    let tree = reduce_tree(paragraphs, fan_in);
    assert_eq!(tree, setup.tree);
    // The results of the level below: the call that made each, or the one passed up.
    let mut below: Vec<(usize, usize)> = (0..paragraphs).map(|i| (0, i)).collect();
    for (depth, level) in tree.iter().enumerate() {
        let mut next = Vec::new();
        for (index, range) in level.iter().enumerate() {
            if range.len() == 1 {
                next.push(below[range.start]);
                continue;
            }
            let node = &lanes[&(depth + 1, index)];
            assert_eq!(node.group, Some(Group::Reduce));
            let start = node.start.expect("the reduce call started");
            let inputs_done = below[range.clone()]
                .iter()
                .map(|key| lanes[key].end.expect("an input ended"))
                .fold(0.0, f64::max);
            assert!(
                start >= inputs_done,
                "level {} node {index} started at {start} before its inputs ended at {inputs_done}",
                depth + 1
            );
            next.push((depth + 1, index));
        }
        below = next;
    }
    assert_eq!(below.len(), 1, "one result at the top");
    let calls = paragraphs + setup.reduce_calls();
    assert_eq!(report.strategy.len(), calls);
    assert!(report.strategy.iter().all(|r| r.succeeded()));
    // The top call ends last: the strategy's time is the map plus one level per reduce level.
    let top = &lanes[&below[0]];
    assert!(lanes.values().all(|s| s.end <= top.end));
}

#[test]
fn map_reduce_starts_each_reduce_call_only_when_its_inputs_are_done() {
    assert_reduce_waits_for_its_inputs(9, 3, None);
    assert_reduce_waits_for_its_inputs(10, 2, None);
    // Under a limit of 3 the maps come in waves; the tree still waits for its inputs.
    assert_reduce_waits_for_its_inputs(7, 2, Some(3));
}

#[test]
fn one_merging_call_and_the_baseline_over_the_whole_text() {
    let plan = map_reduce_plan(6, 0, None);
    let (report, events) = run(&plan);
    let spans = spans(&events);
    let reduces: Vec<&Span> = spans
        .values()
        .filter(|s| s.group == Some(Group::Reduce))
        .collect();
    assert_eq!(reduces.len(), 1);
    let maps_done = spans
        .values()
        .filter(|s| s.group == Some(Group::Map))
        .map(|s| s.end.unwrap_or(f64::INFINITY))
        .fold(0.0, f64::max);
    assert!(reduces[0].start >= Some(maps_done));
    assert_eq!(report.baseline.len(), 1);
    assert!(matches!(
        MapReducePlan::of(&plan).fit,
        BaselineFit::Fits { .. }
    ));
}

#[test]
fn a_document_too_long_for_the_context_has_no_baseline() {
    // About 40,000 characters: some 10,000 tokens, more than the simulated model's 8,192.
    let mut plan = map_reduce_plan(250, 8, None);
    plan.settings.chunk_size = 8000;
    let setup = MapReducePlan::of(&plan);
    assert!(
        matches!(setup.fit, BaselineFit::TooLong { .. }),
        "{:?}",
        setup.fit
    );
    let (report, events) = run(&plan);
    assert!(report.baseline.is_empty());
    assert!(spans(&events)
        .values()
        .all(|s| s.group != Some(Group::Baseline)));
    assert_eq!(
        report.strategy.len(),
        setup.chunks.len() + setup.reduce_calls()
    );
}

fn cached_plan(n: usize) -> PatternPlan {
    PatternPlan {
        base: RunPlan {
            questions: (0..n)
                .map(|i| format!("Question {i} about the contract?"))
                .collect(),
            max_tokens: 200,
            ..RunPlan::default()
        },
        settings: PatternSettings {
            pattern: Pattern::CachedPrefix,
            shared_prefix: "The contract, clause by clause. ".repeat(200),
            ..PatternSettings::default()
        },
    }
}

const SONNET: Price = Price {
    input_per_mtok: 3.0,
    output_per_mtok: 15.0,
};

#[test]
fn a_cold_fan_out_writes_n_times_and_warm_then_fan_out_writes_once_and_reads_n_minus_one() {
    for n in [3, 5] {
        let (report, events) = run(&cached_plan(n));
        let writes = |calls: &[parallel_playground::engine::CallResult]| {
            calls
                .iter()
                .filter(|c| c.usage.cache_creation_input_tokens > 0)
                .count()
        };
        let reads = |calls: &[parallel_playground::engine::CallResult]| {
            calls
                .iter()
                .filter(|c| c.usage.cache_read_input_tokens > 0)
                .count()
        };
        assert_eq!(report.baseline.len(), n);
        assert_eq!((writes(&report.baseline), reads(&report.baseline)), (n, 0));
        assert_eq!(report.strategy.len(), n);
        assert_eq!(
            (writes(&report.strategy), reads(&report.strategy)),
            (1, n - 1)
        );
        // The prefix is about 1,600 tokens; a read counts the same tokens as a write.
        let prefix = report.strategy[0].usage.cache_creation_input_tokens;
        assert!(prefix > 1500, "{prefix}");
        assert!(report.strategy[1..]
            .iter()
            .all(|c| c.usage.cache_read_input_tokens == prefix));

        // The fan-out starts at the warm-up's first token, exactly.
        let spans = spans(&events);
        let warm = spans
            .values()
            .find(|s| s.group == Some(Group::Warm))
            .expect("a warm-up lane");
        let first_token = warm.first_token.expect("the warm-up began");
        for fan in spans.values().filter(|s| s.group == Some(Group::FanOut)) {
            assert_eq!(fan.start, Some(first_token));
        }
        // Cold: all start at 0.
        assert!(spans
            .values()
            .filter(|s| s.group == Some(Group::Baseline))
            .all(|s| s.start == Some(0.0)));

        let cost = |calls: &[parallel_playground::engine::CallResult]| -> f64 {
            calls
                .iter()
                .map(|c| usage_cost_at(SONNET, "claude-sonnet-4-5", &c.usage))
                .sum()
        };
        let (cold, warm_cost) = (cost(&report.baseline), cost(&report.strategy));
        assert!(
            warm_cost < cold,
            "n = {n}: warm {warm_cost} against cold {cold}"
        );
        // The input part alone: N × 1.25 against 1.25 + (N − 1) × 0.1 of the prefix.
        let prefix_cost = prefix as f64 * 3.0 / 1e6;
        let saved = cold - warm_cost;
        let expected = prefix_cost * (n as f64 * 1.25 - (1.25 + (n - 1) as f64 * 0.1));
        assert!(
            (saved - expected).abs() < prefix_cost * 0.05,
            "saved {saved}, expected about {expected}"
        );
    }
}

#[test]
fn the_baseline_cannot_warm_the_cache_for_the_strategy() {
    // One after the other: the cold fan-out first, then the warm-up. The groups' prefixes
    // differ, so the warm-up still writes.
    let mut plan = cached_plan(3);
    plan.base.compare_timing = parallel_playground::engine::CompareTiming::OneAfterTheOther;
    let (report, _) = run(&plan);
    assert!(report.strategy[0].usage.cache_creation_input_tokens > 0);
    assert_eq!(report.strategy[0].usage.cache_read_input_tokens, 0);
}

#[test]
fn the_summary_counts_cache_use_and_explains_it_with_the_runs_numbers() {
    use parallel_playground::engine::RunView;
    use parallel_playground::patterns::map_cache_summary::{
        explain_map_cache, summarize_map_cache, REFERENCE_MODEL,
    };
    let (_, events) = run(&cached_plan(4));
    let view = RunView::from_events(events.iter());
    let s = summarize_map_cache(&view, Pattern::CachedPrefix, 0.0);
    assert_eq!((s.baseline_cache.writes, s.baseline_cache.reads), (4, 0));
    assert_eq!((s.strategy_cache.writes, s.strategy_cache.reads), (1, 3));
    assert_eq!(s.priced_as, Some(REFERENCE_MODEL));
    let cold = s.baseline.as_ref().and_then(|g| g.cost_usd).unwrap_or(0.0);
    let warm = s
        .strategy
        .as_ref()
        .and_then(|g| g.cost_usd)
        .unwrap_or(f64::MAX);
    assert!(warm < cold && warm > 0.0, "warm {warm}, cold {cold}");
    assert_eq!(s.strategy.as_ref().map(|g| g.calls), Some(4));
    let wait = s.warm_wait_ms.expect("the fan-out waited");
    assert!(wait > 0.0);
    let text = explain_map_cache(&s, Pattern::CachedPrefix, None);
    assert!(text.contains("4 cache writes and 0 reads"), "{text}");
    assert!(text.contains("1 write and 3 reads"), "{text}");

    let plan = map_reduce_plan(8, 2, None);
    let (_, events) = run(&plan);
    let view = RunView::from_events(events.iter());
    let s = summarize_map_cache(&view, Pattern::MapReduce, 0.0);
    let calls: Vec<usize> = s.levels.iter().map(|l| l.calls).collect();
    assert_eq!(calls, vec![8, 4, 2, 1]);
    for pair in s.levels.windows(2) {
        assert!(pair[1].start_ms >= pair[0].start_ms);
        assert!(pair[1].end_ms > pair[0].end_ms);
    }
    let text = explain_map_cache(&s, Pattern::MapReduce, Some(MapReducePlan::of(&plan).fit));
    assert!(
        text.contains("8 chunks") && text.contains("3 reduce levels"),
        "{text}"
    );
}
