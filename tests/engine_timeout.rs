//! Where the per-call timeout starts: when the call is asked for, so a wait for a permit of the
//! concurrency limit counts like a wait for a free browser connection (which the page cannot
//! see while it happens). Exact under virtual time.

use parallel_playground::engine::*;
use parallel_playground::providers::scripted::{ScriptedAttempt, ScriptedProvider};
use std::cell::RefCell;
use std::rc::Rc;

fn run_limited(limit: usize, timeout_ms: f64, call_ms: [f64; 3]) -> RunReport {
    let clock = VirtualClock::new();
    let mut provider = ScriptedProvider::new(Rc::new(clock.clone()));
    for (question, ms) in ["A?", "B?", "C?"].into_iter().zip(call_ms) {
        provider = provider.script(question, vec![ScriptedAttempt::answer(ms, "Fine.")]);
    }
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = RunPlan {
        questions: vec!["A?".into(), "B?".into(), "C?".into()],
        mode: RunMode::Parallel,
        concurrency_limit: Some(limit),
        timeout_ms: Some(timeout_ms),
        ..RunPlan::default()
    };
    run_virtual(
        &clock,
        async move { run(&plan, env, CancelToken::new()).await },
    )
    .expect("the run ends")
}

#[test]
fn the_timeout_counts_the_wait_for_a_permit() {
    // Limit 1: B waits 1000 ms for A, then needs 1500 ms more — 2500 ms after it was asked for.
    let report = run_limited(1, 2000.0, [1000.0, 1500.0, 100.0]);
    let par = report.group(Group::Parallel).expect("ran");
    assert!(par.answers[0].succeeded());
    assert_eq!(
        par.answers[1].outcome,
        Outcome::TimedOut { after_ms: 2000.0 }
    );
    assert_eq!(par.answers[1].started_ms, Some(1000.0));
    assert_eq!(par.answers[1].ended_ms, 2000.0);
    // C was asked for at 0 too, so its time is up at 2000 ms, when B's permit comes free: it
    // ends then, timed out, without having run (it may get the freed permit in that instant).
    let c = &par.answers[2];
    assert_eq!(c.outcome, Outcome::TimedOut { after_ms: 2000.0 });
    assert_eq!(c.ended_ms, 2000.0);
    assert!(
        c.started_ms.is_none_or(|s| s == 2000.0),
        "{:?}",
        c.started_ms
    );
}

#[test]
fn without_a_queue_the_timeout_is_the_call_s_own_time() {
    let report = run_limited(3, 2000.0, [1000.0, 1500.0, 2500.0]);
    let par = report.group(Group::Parallel).expect("ran");
    let status: Vec<_> = par
        .answers
        .iter()
        .map(|a| a.outcome.status_name())
        .collect();
    assert_eq!(status, ["done", "done", "timeout"]);
    assert_eq!(
        par.answers[2].outcome,
        Outcome::TimedOut { after_ms: 2000.0 }
    );
}
