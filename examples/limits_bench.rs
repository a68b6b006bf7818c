//! "auto" against unlimited, under virtual time: 30 calls to a simulated server that refuses
//! (429, `retry-after: 1`) what goes beyond `max_concurrent=k` in flight. Prints one line per
//! figure for `cargo xtask bench`:
//!
//! ```text
//! BENCH limits_k2_auto_wall_ms=…      BENCH limits_k2_auto_refusals=…  BENCH limits_k2_auto_final=…
//! BENCH limits_k2_unlimited_wall_ms=… BENCH limits_k2_unlimited_refusals=…
//! ```
//!
//! ```sh
//! cargo run --release --example limits_bench
//! ```

use parallel_playground::engine::*;
use parallel_playground::explain_limits::refusals;
use parallel_playground::providers::simulated::{
    ServerCapacity, SimulatedProvider, SimulationSettings,
};
use std::cell::RefCell;
use std::rc::Rc;

/// The server capacities measured.
const CAPACITIES: [usize; 3] = [2, 3, 5];
const CALLS: usize = 30;

struct Figures {
    wall_ms: f64,
    refusals: usize,
    final_limit: Option<usize>,
}

fn against_server(k: usize, adaptive: bool) -> Figures {
    let plan = RunPlan {
        questions: (0..CALLS)
            .map(|i| format!("Question number {i} about limits?"))
            .collect(),
        retry: RetryPolicy {
            max_retries: 40,
            ..RetryPolicy::default()
        },
        limits: ClientLimits {
            adaptive,
            ..ClientLimits::default()
        },
        ..RunPlan::default()
    };
    let clock = VirtualClock::new();
    let settings = SimulationSettings {
        server: ServerCapacity {
            max_concurrent: Some(k),
            slots: None,
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
    if run_virtual(
        &clock,
        async move { run(&plan, env, CancelToken::new()).await },
    )
    .is_none()
    {
        eprintln!("limits_bench: the run against max_concurrent={k} did not end");
    }
    let view = RunView::from_events(events.borrow().iter());
    let wall_ms = view
        .question_lanes(Group::Parallel)
        .iter()
        .filter_map(|l| l.ended_ms)
        .fold(0.0, f64::max);
    Figures {
        wall_ms,
        refusals: refusals(&view),
        final_limit: view.limit_trace.last().map(|(_, _, limit)| *limit),
    }
}

fn main() {
    println!(
        "Limits: {CALLS} calls against max_concurrent=k, auto against unlimited (virtual time)"
    );
    for k in CAPACITIES {
        for (mode, adaptive) in [("auto", true), ("unlimited", false)] {
            let f = against_server(k, adaptive);
            println!("BENCH limits_k{k}_{mode}_wall_ms={:.0}", f.wall_ms);
            println!("BENCH limits_k{k}_{mode}_refusals={}", f.refusals);
            if let Some(limit) = f.final_limit {
                println!("BENCH limits_k{k}_{mode}_final={limit}");
            }
        }
    }
}
