//! Browser tests of the page's run store and timer queue, in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --test browser_store`).
#![cfg(target_arch = "wasm32")]

use futures::future::join_all;
use leptos::prelude::*;
use parallel_playground::base::Clock;
use parallel_playground::browser::BrowserClock;
use parallel_playground::engine::{Group, LaneInfo, LaneKind, Variant};
use parallel_playground::ui::RunScope;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn info(index: usize) -> LaneInfo {
    LaneInfo {
        group: Group::Parallel,
        kind: LaneKind::Question { index },
        label: format!("Question {index}"),
        parent: None,
        variant: Variant::A,
    }
}

#[wasm_bindgen_test]
fn the_next_run_frees_the_lanes_of_the_last() {
    let page = Owner::new();
    page.set();
    let first = RunScope::new(&page, serde_json::Value::Null);
    let handle = first.lane_handle(0, info(0));
    first.store.update_value(|s| {
        s.view.apply(&parallel_playground::engine::Event {
            at_ms: 0.0,
            kind: parallel_playground::engine::EventKind::LaneOpened {
                lane: 0,
                info: info(0),
            },
        });
    });
    assert_eq!(
        handle.with(|v| v.id),
        Some(0),
        "a live run's lane reads its state"
    );
    let store = first.store;
    first.dispose();
    assert!(
        store.is_disposed(),
        "the store of the replaced run is freed"
    );
    assert_eq!(
        handle.with(|v| v.id),
        None,
        "a row left over from it reads nothing"
    );
}

#[wasm_bindgen_test]
async fn sleepers_sharing_one_timer_each_wake_after_their_deadline_and_a_dropped_one_never() {
    let clock = BrowserClock;
    let start = clock.now_ms();
    let woke = Rc::new(RefCell::new(Vec::new()));
    // Deadlines out of order, many sharing one timer.
    let sleepers = [30.0, 10.0, 20.0, 10.0, 0.0].map(|ms| {
        let woke = woke.clone();
        let clock = clock.clone();
        async move {
            clock.sleep(ms).await;
            woke.borrow_mut().push((ms, clock.now_ms() - start));
        }
    });
    let dropped_fired = Rc::new(RefCell::new(false));
    let flag = dropped_fired.clone();
    let dropped = Box::pin({
        let clock = clock.clone();
        async move {
            clock.sleep(15.0).await;
            *flag.borrow_mut() = true;
        }
    });
    // Poll the dropped sleeper once (so it is queued), then drop it.
    let mut dropped = Some(dropped);
    futures::future::poll_fn(|cx| {
        if let Some(f) = dropped.as_mut() {
            let _ = f.as_mut().poll(cx);
        }
        std::task::Poll::Ready(())
    })
    .await;
    drop(dropped.take());
    join_all(sleepers).await;
    clock.sleep(20.0).await;
    let woke = woke.borrow();
    assert_eq!(woke.len(), 5, "every sleeper woke");
    for (asked, after) in woke.iter() {
        assert!(after >= asked, "a {asked} ms sleep woke after {after} ms");
    }
    assert!(!*dropped_fired.borrow(), "a dropped sleep must never fire");
}

#[wasm_bindgen_test]
fn a_lane_s_text_does_not_wake_the_readers_of_its_bar() {
    let page = Owner::new();
    page.set();
    let run = RunScope::new(&page, serde_json::Value::Null);
    let handle = run.lane_handle(0, info(0));
    run.store.update_value(|s| {
        s.view.apply(&parallel_playground::engine::Event {
            at_ms: 0.0,
            kind: parallel_playground::engine::EventKind::LaneOpened {
                lane: 0,
                info: info(0),
            },
        });
    });
    let bar_reads = Arc::new(AtomicUsize::new(0));
    let text_reads = Arc::new(AtomicUsize::new(0));
    let bar = {
        let (handle, reads) = (handle.clone(), bar_reads.clone());
        Memo::new(move |_| {
            reads.fetch_add(1, Ordering::Relaxed);
            handle.with_bar(|v| v.status)
        })
    };
    let text = {
        let (handle, reads) = (handle.clone(), text_reads.clone());
        Memo::new(move |_| {
            reads.fetch_add(1, Ordering::Relaxed);
            handle.with(|v| v.text.len())
        })
    };
    let read = || (bar.get_untracked(), text.get_untracked());
    let counts = || {
        (
            bar_reads.load(Ordering::Relaxed),
            text_reads.load(Ordering::Relaxed),
        )
    };
    read();
    assert_eq!(counts(), (1, 1));
    handle.notify(false);
    read();
    assert_eq!(
        counts(),
        (1, 2),
        "a change of text reaches the text's readers only"
    );
    handle.notify(true);
    read();
    assert_eq!(counts(), (2, 3), "a change of the bar reaches both");
    run.dispose();
}
