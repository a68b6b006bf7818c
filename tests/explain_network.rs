//! The explain panel's network point when the server hides Resource Timing details (no
//! `Timing-Allow-Origin`, as `llama-server` sends none): it says what cannot be known and infers
//! from the calls' own times which calls waited for a connection or a slot.

use parallel_playground::engine::*;
use parallel_playground::explain::{explain_run, NetworkFacts};
use parallel_playground::providers::simulated::{
    ServerCapacity, SimulatedProvider, SimulationSettings,
};
use std::cell::RefCell;
use std::rc::Rc;

/// Eight parallel calls against a simulated server with `slots` (or none).
fn eight_calls(slots: Option<usize>) -> RunView {
    let clock = VirtualClock::new();
    let settings = SimulationSettings {
        server: ServerCapacity {
            max_concurrent: None,
            slots,
        },
        ..SimulationSettings::default()
    };
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(SimulatedProvider::new(Rc::new(clock.clone()), settings)),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = RunPlan {
        questions: (0..8).map(|i| format!("Hidden question {i}?")).collect(),
        ..RunPlan::default()
    };
    run_virtual(
        &clock,
        async move { run(&plan, env, CancelToken::new()).await },
    )
    .expect("the run ends");
    let view = RunView::from_events(events.borrow().iter());
    view
}

/// What Resource Timing gives without `Timing-Allow-Origin`: entries, no protocol, no phases.
fn hidden_facts() -> NetworkFacts {
    NetworkFacts {
        calls: 8,
        stalled: 0,
        longest_stall_ms: 0.0,
        protocol: String::new(),
    }
}

fn network_text(view: &RunView) -> String {
    let figures = RunFigures::compute(view, view.last_event_ms);
    explain_run(view, &figures, Some(&hidden_facts()))
        .into_iter()
        .find(|p| p.title == "The network")
        .map(|p| p.text)
        .expect("a network point")
}

#[test]
fn hidden_timing_says_what_cannot_be_known_and_counts_the_calls_that_waited() {
    let text = network_text(&eight_calls(Some(2)));
    assert!(text.contains("cannot be known"), "{text}");
    assert!(!text.contains("does not apply"), "{text}");
    // Two generate at once; the other six got their first token only after another ended.
    assert!(text.contains("6 of the 8 calls"), "{text}");
    assert!(text.contains("a connection or for a slot"), "{text}");
}

#[test]
fn hidden_timing_without_waits_says_nothing_held_the_calls_back() {
    let text = network_text(&eight_calls(None));
    assert!(text.contains("cannot be known"), "{text}");
    assert!(text.contains("none of the 8 calls"), "{text}");
}
