//! The rate-limit details of one call (the inspector's lines) and the limit over time as a
//! step chart: from the events of a run under virtual time.

use parallel_playground::engine::*;
use parallel_playground::explain_limits::rate_limit_details;
use parallel_playground::layout::step_path;
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use parallel_playground::wire::{RateLimitBudget, RateLimitInfo};
use std::cell::RefCell;
use std::rc::Rc;

/// The events of two parallel calls on the simulated model.
fn two_calls() -> Vec<Event> {
    let clock = VirtualClock::new();
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(SimulatedProvider::new(
            Rc::new(clock.clone()),
            SimulationSettings::default(),
        )),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = RunPlan {
        questions: vec!["One?".into(), "Two?".into()],
        ..RunPlan::default()
    };
    run_virtual(
        &clock,
        async move { run(&plan, env, CancelToken::new()).await },
    )
    .expect("the run ends");
    let events = events.borrow().clone();
    events
}

fn first_question(view: &RunView) -> &LaneView {
    view.question_lanes(Group::Parallel)[0]
}

#[test]
fn a_call_with_headers_shows_what_was_left_and_when_it_resets() {
    let mut events = two_calls();
    let lane = first_question(&RunView::from_events(&events)).id;
    let info = RateLimitInfo {
        requests: RateLimitBudget {
            limit: Some(50),
            remaining: Some(46),
            reset_in_ms: Some(1200.0),
        },
        tokens: RateLimitBudget {
            limit: None,
            remaining: Some(9000),
            reset_in_ms: None,
        },
        ..RateLimitInfo::default()
    };
    let at_ms = events.last().map(|e| e.at_ms).unwrap_or(0.0);
    events.insert(
        events.len() - 1,
        Event {
            at_ms,
            kind: EventKind::RateLimit { lane, info },
        },
    );
    let view = RunView::from_events(&events);
    let text = rate_limit_details(first_question(&view), true).expect("details");
    assert_eq!(
        text,
        "Rate limit after this call: 46 of 50 requests left, full again in 1.2 s; 9000 tokens left."
    );
}

#[test]
fn a_call_over_http_without_headers_says_they_cannot_be_read() {
    let view = RunView::from_events(&two_calls());
    let text = rate_limit_details(first_question(&view), true).expect("a sentence");
    assert!(text.contains("could not read"), "{text}");
    assert!(text.contains("Access-Control-Expose-Headers"), "{text}");
    // The simulated model has no headers to read: nothing to say.
    assert_eq!(rate_limit_details(first_question(&view), false), None);
}

#[test]
fn the_limit_trace_draws_one_step_per_change() {
    let path = step_path(
        &[(0.0, 1), (1000.0, 2), (2000.0, 1)],
        4000.0,
        0,
        100.0,
        20.0,
    );
    assert_eq!(path.matches('V').count(), 2, "{path}");
    assert!(path.ends_with("H100.0"), "{path}");
}
