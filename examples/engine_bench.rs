//! Engine overhead in real time: how long the engine itself takes to launch and finish N calls
//! whose answers are instant, natively, on one thread.
//!
//! ```sh
//! cargo run --release --example engine_bench            # the table
//! cargo run --release --example engine_bench -- --quick # fewer repetitions
//! ```
//!
//! Every question is answered by [`ScriptedProvider`] with `ScriptedAttempt::answer(0.0, "ok")`,
//! so all the time measured is the engine's: opening lanes, emitting and storing events, the
//! `join_all` of the calls, building the synthesis prompt and the synthesis call. The clock is
//! real ([`RealClock`], `std::time::Instant`), not virtual, and the run is driven by
//! `futures::executor::block_on` as the browser's event loop would drive it.
//!
//! Besides the table it prints one machine-readable line per N, read by `cargo xtask bench`:
//! `engine_bench n=100 runs=40 last_start_us=… total_us=… us_per_call=…` (medians).

use futures::future::LocalBoxFuture;
use parallel_playground::engine::{run, CancelToken, Clock, Event, EventKind, RunEnv, RunPlan};
use parallel_playground::providers::scripted::{ScriptedAttempt, ScriptedProvider};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The numbers of calls measured.
const SIZES: [usize; 3] = [10, 100, 1000];

/// Wall-clock time from a fixed origin. `sleep(0)` (or less) is ready at once, so instant
/// answers never wait for a timer; longer sleeps park a helper thread (unused by this bench,
/// there for completeness).
#[derive(Clone)]
struct RealClock {
    origin: Instant,
}

impl Clock for RealClock {
    fn now_ms(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1000.0
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()> {
        if ms.is_nan() || ms <= 0.0 {
            return Box::pin(futures::future::ready(()));
        }
        let (done, wait) = futures::channel::oneshot::channel::<()>();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(ms / 1000.0));
            let _ = done.send(());
        });
        Box::pin(async move {
            let _ = wait.await;
        })
    }
}

/// One measured run, in microseconds since the plan started.
#[derive(Clone, Copy)]
struct Sample {
    last_start_us: f64,
    total_us: f64,
}

/// Medians of the samples of one N.
struct Summary {
    calls: usize,
    runs: usize,
    last_start_us: f64,
    total_us: f64,
}

impl Summary {
    fn us_per_call(&self) -> f64 {
        self.total_us / self.calls as f64
    }
}

/// Runs a parallel, unlimited plan of `calls` instant questions once.
fn run_once(calls: usize) -> Result<Sample, String> {
    let clock = RealClock {
        origin: Instant::now(),
    };
    let provider =
        ScriptedProvider::new(Rc::new(clock.clone())).fallback(ScriptedAttempt::answer(0.0, "ok"));
    // The page keeps every event (for export); so does the bench.
    let events: Rc<RefCell<Vec<Event>>> = Rc::new(RefCell::new(Vec::with_capacity(calls * 8)));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock),
        provider: Rc::new(provider),
        sink: Rc::new(move |event| sink.borrow_mut().push(event)),
        jitter_seed: 1,
    };
    let plan = RunPlan {
        questions: (1..=calls).map(|i| format!("Question {i}?")).collect(),
        ..RunPlan::default()
    };
    let report = futures::executor::block_on(run(&plan, env, CancelToken::new()));
    let answered = report
        .groups
        .first()
        .map_or(0, |g| g.answers.iter().filter(|a| a.succeeded()).count());
    if answered != calls {
        return Err(format!("only {answered} of {calls} calls succeeded"));
    }
    let events = events.borrow();
    // Started events of the research lanes: the synthesis lane is the last lane opened.
    let last_start_ms = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Started { lane, .. } if lane < calls => Some(e.at_ms),
            _ => None,
        })
        .fold(None, |max: Option<f64>, at| {
            Some(max.map_or(at, |m| m.max(at)))
        })
        .ok_or("no call started")?;
    let total_ms = events
        .iter()
        .find_map(|e| matches!(e.kind, EventKind::RunFinished { .. }).then_some(e.at_ms))
        .ok_or("the run did not finish")?;
    Ok(Sample {
        last_start_us: last_start_ms * 1000.0,
        total_us: total_ms * 1000.0,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.is_empty() {
        f64::NAN
    } else if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Measures `calls` for about `budget` of time (at least 5 runs), after one warm-up run.
fn measure(calls: usize, budget: Duration) -> Result<Summary, String> {
    run_once(calls)?;
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < 5 || (started.elapsed() < budget && samples.len() < 200) {
        samples.push(run_once(calls)?);
    }
    Ok(Summary {
        calls,
        runs: samples.len(),
        last_start_us: median(samples.iter().map(|s| s.last_start_us).collect()),
        total_us: median(samples.iter().map(|s| s.total_us).collect()),
    })
}

fn main() -> std::process::ExitCode {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = Duration::from_millis(if quick { 150 } else { 600 });
    let mut summaries = Vec::new();
    for calls in SIZES {
        match measure(calls, budget) {
            Ok(summary) => summaries.push(summary),
            Err(message) => {
                eprintln!("engine_bench: N = {calls}: {message}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    println!(
        "Engine overhead (native, release build, real clock, instant scripted answers; medians)"
    );
    println!(
        "{:>6}  {:>6}  {:>16}  {:>16}  {:>12}",
        "N", "runs", "to last Started", "to completion", "per call"
    );
    for s in &summaries {
        println!(
            "{:>6}  {:>6}  {:>13.1} µs  {:>13.1} µs  {:>9.2} µs",
            s.calls,
            s.runs,
            s.last_start_us,
            s.total_us,
            s.us_per_call()
        );
    }
    for s in &summaries {
        println!(
            "engine_bench n={} runs={} last_start_us={:.3} total_us={:.3} us_per_call={:.4}",
            s.calls,
            s.runs,
            s.last_start_us,
            s.total_us,
            s.us_per_call()
        );
    }
    std::process::ExitCode::SUCCESS
}
