//! The whole page in headless Chromium, run many times over: wasm memory stays flat
//! (`cargo test --target wasm32-unknown-unknown --test browser_memory`).
//!
//! Wasm memory only grows, in 64 KB pages, so the test compares the size after a warm-up with
//! the size after many more runs: a leak of a few hundred bytes per lane (what a long-lived memo
//! kept for every row it ever had) adds megabytes; a page that frees its runs adds nothing.
#![cfg(target_arch = "wasm32")]

use parallel_playground::base::Clock;
use parallel_playground::browser::BrowserClock;
use parallel_playground::experiment::history::MAX_HISTORY;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LANES: usize = 60;
/// The session's history keeps the last [`MAX_HISTORY`] runs as plain records (about 600 bytes
/// a lane): the warm-up fills it, so what the measured runs add is what a run leaves behind.
const WARM_UP_RUNS: usize = MAX_HISTORY + 5;
const MEASURED_RUNS: usize = 40;

fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

fn run_bar() -> web_sys::Element {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=run-bar]").ok().flatten())
        .expect("the page shows its run bar")
}

/// Clicks "Parallel" and waits (in real time, polled) until that run has finished.
async fn run_once() {
    let bar = run_bar();
    let number = |bar: &web_sys::Element| bar.get_attribute("data-run-number");
    let before: u64 = number(&bar).and_then(|n| n.parse().ok()).unwrap_or(0);
    bar.query_selector("[data-testid=run-parallel]")
        .ok()
        .flatten()
        .expect("the run bar has a Parallel button")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    loop {
        BrowserClock.sleep(20.0).await;
        let bar = run_bar();
        let done = number(&bar).and_then(|n| n.parse::<u64>().ok()) == Some(before + 1)
            && bar.get_attribute("data-running").as_deref() == Some("false");
        if done {
            return;
        }
    }
}

#[wasm_bindgen_test]
async fn many_runs_of_sixty_lanes_leave_wasm_memory_flat() {
    let questions: Vec<serde_json::Value> = (1..=LANES)
        .map(|i| serde_json::json!({ "text": format!("Question {i} about {{topic}}?") }))
        .collect();
    let workspace = serde_json::json!({
        "version": 1,
        "topic": "Lisbon",
        "questions": questions,
        "simulation": { "seed": 7, "speed": 200 },
        "run": { "concurrency_limit": null },
    });
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("the test page has localStorage")
        .set_item("parallel-playground.workspace", &workspace.to_string())
        .expect("the workspace fits in localStorage");
    leptos::mount::mount_to_body(parallel_playground::ui::App);

    for _ in 0..WARM_UP_RUNS {
        run_once().await;
    }
    let warm = wasm_memory_bytes();
    for _ in 0..MEASURED_RUNS {
        run_once().await;
    }
    let grown = wasm_memory_bytes() - warm;
    // The leak this guards against grew ~40 KB a run here (1.6 MB over these runs).
    assert!(
        grown <= 256.0 * 1024.0,
        "wasm memory grew {:.0} KB over {MEASURED_RUNS} runs of {LANES} lanes",
        grown / 1024.0
    );
}
