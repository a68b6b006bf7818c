//! The session's history of runs: the last 20 kept as plain records with their figures.

use parallel_playground::engine::*;
use parallel_playground::experiment::history::{bars, History, HistoryEntry, MAX_HISTORY};
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use std::cell::RefCell;
use std::rc::Rc;

fn one_run(seed: u64) -> RunView {
    let clock = VirtualClock::new();
    let settings = SimulationSettings {
        seed,
        ..SimulationSettings::default()
    };
    let provider = SimulatedProvider::new(Rc::new(clock.clone()), settings);
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = RunPlan {
        questions: vec!["What is Rust?".into(), "What is wasm?".into()],
        mode: RunMode::Compare,
        ..RunPlan::default()
    };
    run_virtual(
        &clock,
        async move { run(&plan, env, CancelToken::new()).await },
    )
    .expect("ends");
    let view = RunView::from_events(events.borrow().iter());
    view
}

#[test]
fn the_last_twenty_runs_are_kept_newest_first_with_figures_and_bars() {
    let mut history = History::default();
    assert!(history.last_two().is_none());
    for n in 1..=25u64 {
        let view = one_run(n);
        history.push(HistoryEntry::of_view(n, format!("Run {n}"), 1, &view));
    }
    assert_eq!(history.len(), MAX_HISTORY);
    let numbers: Vec<u64> = history.newest_first().map(|e| e.number).collect();
    assert_eq!(numbers.first(), Some(&25));
    assert_eq!(numbers.last(), Some(&6));
    assert!(history.get(5).is_none() && history.get(6).is_some());
    assert_eq!(history.last_two(), Some((24, 25)));
    let latest = history.get(25).expect("kept");
    let figures = latest.figures.parallel.as_ref().expect("parallel ran");
    assert!(figures.finished && figures.wall_ms > 0.0);
    assert_eq!(latest.wall_ms(), Some(figures.wall_ms));
    assert!(latest.tokens_out() > 0);
    // One bar per call (2 questions × 2 runs + 2 syntheses), within the run's span.
    let b = bars(latest);
    assert_eq!(b.len(), 6);
    assert!(b
        .iter()
        .all(|b| b.end_ms <= latest.span_ms + 1e-9 && b.start_ms <= b.end_ms));
    // Different seeds, different runs: the two compared differ.
    let previous = history.get(24).expect("kept");
    assert_ne!(previous.wall_ms(), latest.wall_ms());
    // Recording run 25 again replaces it.
    history.push(HistoryEntry::of_view(25, "again".into(), 1, &one_run(99)));
    assert_eq!(history.len(), MAX_HISTORY);
    assert_eq!(history.get(25).map(|e| e.title.as_str()), Some("again"));
}
