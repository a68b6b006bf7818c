//! The agents compare under virtual time: the same prompts with conversations and tool calls
//! one at a time, and both in parallel, as two groups on one axis.

use parallel_playground::agent::*;
use parallel_playground::engine::*;
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use parallel_playground::workspace::{CALCULATOR_PROMPTS, ORCHESTRATOR_PROMPT};
use std::cell::RefCell;
use std::rc::Rc;

fn compare(
    prompts: Vec<String>,
    setup: AgentSetup,
    timing: CompareTiming,
) -> (AgentCompareReport, RunView) {
    let clock = VirtualClock::new();
    let provider = SimulatedProvider::new(Rc::new(clock.clone()), SimulationSettings::default());
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = AgentPlan {
        prompts,
        setup,
        // The compare sets both toggles on each side, whatever the plan says.
        concurrent_conversations: true,
        parallel_tools: false,
        tool_latency_ms: 800.0,
        model: "simulated".into(),
        max_tokens: 1024,
        max_turns: 10,
        timeout_ms: None,
        retry: RetryPolicy::default(),
    };
    let report = run_virtual(&clock, async move {
        run_agents_compare(&plan, timing, env, CancelToken::new()).await
    })
    .expect("finishes");
    let view = RunView::from_events(events.borrow().iter());
    (report, view)
}

#[test]
fn conversations_serial_are_the_sum_and_concurrent_the_longest() {
    let prompts: Vec<String> = CALCULATOR_PROMPTS.iter().map(|p| p.to_string()).collect();
    let (report, view) = compare(prompts, AgentSetup::Calculator, CompareTiming::SameTime);
    assert!(!report.cancelled);
    for side in [&report.serial, &report.parallel] {
        assert_eq!(side.conversations.len(), 2);
        assert!(side.conversations.iter().all(|c| c.result.is_ok()));
    }
    // Both groups on one axis, their lanes tagged with their side.
    for group in [Group::AgentSerial, Group::AgentParallel] {
        assert!(view
            .lanes
            .iter()
            .any(|l| l.info.group == group && matches!(l.info.kind, LaneKind::Tool { .. })));
    }
    assert!(view
        .lanes
        .iter()
        .all(|l| matches!(l.info.group, Group::AgentSerial | Group::AgentParallel)));
    let f = AgentCompareFigures::compute(&view, view.last_event_ms).expect("both ran");
    assert!(f.finished);
    // Serial: one conversation after the other, so the wall is their sum (seed 003: 5 s + 4 s = 9 s).
    let sum: f64 = f.serial_conversations_ms.iter().sum();
    assert!(
        (f.serial.wall_ms - sum).abs() < 1.0,
        "{} vs {sum}",
        f.serial.wall_ms
    );
    // Concurrent: the wall is the longest conversation (5 s).
    let longest = f
        .parallel_conversations_ms
        .iter()
        .copied()
        .fold(0.0, f64::max);
    assert!((f.parallel.wall_ms - longest).abs() < 1.0);
    assert!(f.parallel.wall_ms < f.serial.wall_ms);
    // The parallel side's tool calls of one turn overlap.
    assert!(f.parallel_tools_ms < f.serial_tools_ms);
    let words = f.sentences().join(" ");
    assert!(
        words.contains(" + ") && words.contains("all at once"),
        "{words}"
    );
    // Rows: one heading per side, every lane under one of them.
    let infos: Vec<LaneInfo> = view.lanes.iter().map(|l| l.info.clone()).collect();
    let rows = timeline_rows(&infos);
    let headers: Vec<&TimelineRow> = rows
        .iter()
        .filter(|r| matches!(r, TimelineRow::Header(_)))
        .collect();
    assert_eq!(
        headers,
        vec![
            &TimelineRow::Header(Group::AgentSerial),
            &TimelineRow::Header(Group::AgentParallel)
        ]
    );
    assert_eq!(rows.len(), infos.len() + 2);
}

#[test]
fn an_orchestrator_with_parallel_tool_calls_takes_the_longest_agent_not_the_sum() {
    // Seed 004: three calculator agents as tools, 23 s one at a time vs 6 s in parallel.
    let (_, view) = compare(
        vec![ORCHESTRATOR_PROMPT.to_string()],
        AgentSetup::Orchestrator,
        CompareTiming::OneAfterTheOther,
    );
    let f = AgentCompareFigures::compute(&view, view.last_event_ms).expect("both ran");
    assert!(f.finished);
    assert_eq!(f.serial.tool_calls, f.parallel.tool_calls, "the same work");
    // With three agents of about equal length, parallel tool time is near a third of serial.
    assert!(
        f.parallel_tools_ms * 2.0 < f.serial_tools_ms,
        "{} vs {}",
        f.parallel_tools_ms,
        f.serial_tools_ms
    );
    assert!(f.parallel.wall_ms < f.serial.wall_ms);
    // One after the other: the parallel side starts when the serial side has finished.
    let (serial_end, parallel_start) = (
        view.group_span(Group::AgentSerial)
            .and_then(|s| s.1)
            .expect("ended"),
        view.group_span(Group::AgentParallel).expect("started").0,
    );
    assert!(parallel_start >= serial_end);
}
