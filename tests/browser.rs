//! Browser tests: the core running on the browser's real clock and event loop, in headless
//! Chromium (`cargo xtask test browser`).
#![cfg(target_arch = "wasm32")]

use futures::task::{waker_ref, ArcWake};
use parallel_playground::browser::BrowserClock;
use parallel_playground::engine::*;
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Context;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[path = "hostile/cases.rs"]
mod hostile;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn browser_sleep_waits_about_as_long_as_asked() {
    let clock = BrowserClock;
    let start = clock.now_ms();
    clock.sleep(50.0).await;
    let waited = clock.now_ms() - start;
    // Never early; how late depends on the machine's load, which is the bench's business.
    assert!(waited >= 49.0, "waited only {waited} ms");
}

/// A waker that counts how often it was woken.
struct CountingWaker(AtomicUsize);

impl ArcWake for CountingWaker {
    fn wake_by_ref(waker: &Arc<Self>) {
        waker.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Errors the page reports (an exception in a timer callback lands here).
/// The errors seen so far, and the listener that collects them (kept alive by the caller).
type PageErrors = (Rc<RefCell<Vec<String>>>, Closure<dyn FnMut(web_sys::Event)>);

fn watch_page_errors() -> PageErrors {
    let errors = Rc::new(RefCell::new(Vec::new()));
    let sink = errors.clone();
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        sink.borrow_mut().push(event.type_());
    });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("error", listener.as_ref().unchecked_ref());
    }
    (errors, listener)
}

#[wasm_bindgen_test]
async fn a_dropped_sleep_never_fires() {
    let (errors, listener) = watch_page_errors();
    let dropped = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let kept = Arc::new(CountingWaker(AtomicUsize::new(0)));
    // Both sleepers are polled once, so each has a timer and a waker registered.
    let mut dropped_sleeper = BrowserClock.sleep(10.0);
    let mut kept_sleeper = BrowserClock.sleep(10.0);
    let poll = |sleeper: &mut futures::future::LocalBoxFuture<'static, ()>,
                waker: &Arc<CountingWaker>| {
        let waker = waker_ref(waker);
        sleeper.as_mut().poll(&mut Context::from_waker(&waker))
    };
    assert!(poll(&mut dropped_sleeper, &dropped).is_pending());
    assert!(poll(&mut kept_sleeper, &kept).is_pending());
    drop(dropped_sleeper);
    // Well past both deadlines.
    BrowserClock.sleep(60.0).await;
    // The kept one fired (so firing is seen); the dropped one's timer was cleared: it neither
    // woke its task nor ran a callback whose closure was already freed.
    assert_eq!(kept.0.load(Ordering::SeqCst), 1, "the kept sleeper fired");
    assert!(poll(&mut kept_sleeper, &kept).is_ready());
    assert_eq!(
        dropped.0.load(Ordering::SeqCst),
        0,
        "the dropped sleeper fired"
    );
    if let Some(window) = web_sys::window() {
        let _ =
            window.remove_event_listener_with_callback("error", listener.as_ref().unchecked_ref());
    }
    assert!(
        errors.borrow().is_empty(),
        "page errors: {:?}",
        errors.borrow()
    );
}

/// The deep inputs of `tests/hostile_inputs.rs`, on the page's small wasm stack (the 1 MB
/// lines, which test work rather than the stack, run natively: debug wasm is slow). The test
/// yields between inputs so the test runner can keep polling the page.
#[wasm_bindgen_test]
async fn every_parser_survives_deep_nesting_in_wasm() {
    for (name, text) in hostile::hostile_texts() {
        if text.len() > 4 * hostile::DEEP {
            continue;
        }
        assert_eq!(hostile::feed_every_parser(name, &text), 9, "{name}");
        BrowserClock.sleep(0.0).await;
    }
}

#[wasm_bindgen_test]
async fn parallel_simulated_calls_start_together_on_the_real_clock() {
    let clock = Rc::new(BrowserClock);
    let settings = SimulationSettings {
        speed: 20.0,
        ..SimulationSettings::default()
    };
    let provider = Rc::new(SimulatedProvider::new(clock.clone(), settings));
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock,
        provider,
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = RunPlan {
        questions: (1..=10).map(|i| format!("Question number {i}?")).collect(),
        mode: RunMode::Parallel,
        ..RunPlan::default()
    };
    let report = run(&plan, env, CancelToken::new()).await;
    let parallel = report.group(Group::Parallel).expect("ran");
    assert!(parallel.answers.iter().all(|a| a.succeeded()));
    let starts: Vec<f64> = parallel
        .answers
        .iter()
        .filter_map(|a| a.started_ms)
        .collect();
    let first_end = parallel
        .answers
        .iter()
        .map(|a| a.ended_ms)
        .fold(f64::MAX, f64::min);
    // Every call started before any ended: started together, whatever the machine's load
    // (staggered starts would put whole answers between them). The launch skew in
    // milliseconds is a bench figure (`cargo xtask bench`).
    assert_eq!(starts.len(), 10);
    assert!(
        starts.iter().all(|&s| s <= first_end),
        "starts {starts:?}, first end {first_end}"
    );
    let view = RunView::from_events(events.borrow().iter());
    assert_eq!(view.question_lanes(Group::Parallel).len(), 10);
}
