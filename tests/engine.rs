//! The engine's schedules, policies and figures, exact to the millisecond under virtual time.

use parallel_playground::engine::*;
use parallel_playground::providers::scripted::{ScriptedAttempt, ScriptedProvider};
use parallel_playground::providers::{ApiErrorKind, ProviderError};
use std::cell::RefCell;
use std::rc::Rc;

/// Runs `plan` against scripts built by `script`, returning the report and every event.
fn run_scripted(
    plan: RunPlan,
    script: impl FnOnce(ScriptedProvider) -> ScriptedProvider,
) -> (RunReport, Vec<Event>) {
    run_scripted_with_cancel(plan, script, None)
}

/// Like [`run_scripted`], and cancels the run at `cancel_at_ms` if given.
fn run_scripted_with_cancel(
    plan: RunPlan,
    script: impl FnOnce(ScriptedProvider) -> ScriptedProvider,
    cancel_at_ms: Option<f64>,
) -> (RunReport, Vec<Event>) {
    let clock = VirtualClock::new();
    let provider = script(ScriptedProvider::new(Rc::new(clock.clone())));
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let cancel = CancelToken::new();
    let canceller = {
        let (cancel, clock) = (cancel.clone(), clock.clone());
        async move {
            if let Some(at) = cancel_at_ms {
                clock.sleep(at).await;
                cancel.cancel(CancelReason::RunCancelled);
            }
        }
    };
    let report = run_virtual(&clock, async move {
        let (report, ()) = futures::future::join(run(&plan, env, cancel), canceller).await;
        report
    })
    .expect("the run ends");
    let events = events.borrow().clone();
    (report, events)
}

fn plan(questions: &[&str], mode: RunMode) -> RunPlan {
    RunPlan {
        questions: questions.iter().map(|q| q.to_string()).collect(),
        mode,
        ..RunPlan::default()
    }
}

fn three_calls(p: ScriptedProvider) -> ScriptedProvider {
    p.script("A?", vec![ScriptedAttempt::answer(5000.0, "Answer A.")])
        .script("B?", vec![ScriptedAttempt::answer(4000.0, "Answer B.")])
        .script("C?", vec![ScriptedAttempt::answer(6000.0, "Answer C.")])
}

fn server_error(status: u16) -> ProviderError {
    ProviderError::Http {
        status,
        kind: ApiErrorKind::from_status(status),
        message: "boom".into(),
        retry_after_ms: None,
        should_retry: None,
        request_id: None,
    }
}

fn texts(group: &GroupReport) -> Vec<&str> {
    group.answers.iter().map(|a| a.text.as_str()).collect()
}

fn lane_events(events: &[Event], lane: LaneId) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| match &e.kind {
            EventKind::Started { lane: l, .. }
            | EventKind::Finished { lane: l, .. }
            | EventKind::RetryScheduled { lane: l, .. }
            | EventKind::LaneOpened { lane: l, .. } => *l == lane,
            _ => false,
        })
        .collect()
}

fn started_at(events: &[Event], lane: LaneId) -> Vec<f64> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Started { lane: l, .. } if l == lane => Some(e.at_ms),
            _ => None,
        })
        .collect()
}

#[test]
fn parallel_wall_is_the_slowest_call_and_sequential_wall_is_the_sum() {
    let (report, events) = run_scripted(plan(&["A?", "B?", "C?"], RunMode::Compare), three_calls);
    let seq = report.group(Group::Sequential).expect("sequential ran");
    let par = report.group(Group::Parallel).expect("parallel ran");
    // The scripted synthesis is instant, so the walls are exactly the research times.
    assert_eq!(seq.wall_ms(), 15_000.0);
    assert_eq!(par.wall_ms(), 6_000.0);
    assert_eq!(texts(seq), ["Answer A.", "Answer B.", "Answer C."]);
    assert_eq!(texts(par), ["Answer A.", "Answer B.", "Answer C."]);
    // B finished first, yet results stay in question order.
    let ends: Vec<f64> = par.answers.iter().map(|a| a.ended_ms).collect();
    assert_eq!(ends, [5000.0, 4000.0, 6000.0]);

    let figures = RunFigures::compute(&RunView::from_events(&events), 0.0);
    assert_eq!(figures.speedup, Some(2.5));
    assert_eq!(figures.ideal_speedup, Some(2.5));
    let sequential = figures.sequential.expect("figures");
    assert_eq!(sequential.sum_ms, 15_000.0);
    assert_eq!(figures.parallel.expect("figures").slowest_ms, 6_000.0);
}

#[test]
fn all_parallel_calls_start_in_the_same_tick() {
    let (report, events) = run_scripted(plan(&["A?", "B?", "C?"], RunMode::Parallel), three_calls);
    let par = report.group(Group::Parallel).expect("ran");
    let starts: Vec<f64> = par
        .answers
        .iter()
        .map(|a| started_at(&events, a.lane)[0])
        .collect();
    assert_eq!(starts, [0.0, 0.0, 0.0]);
}

#[test]
fn sequential_calls_never_overlap() {
    let (report, _) = run_scripted(plan(&["A?", "B?", "C?"], RunMode::Sequential), three_calls);
    let seq = report.group(Group::Sequential).expect("ran");
    for pair in seq.answers.windows(2) {
        assert_eq!(pair[1].started_ms, Some(pair[0].ended_ms));
    }
}

#[test]
fn a_limit_of_two_runs_five_one_second_calls_in_three_seconds() {
    let questions = ["1?", "2?", "3?", "4?", "5?"];
    let mut p = plan(&questions, RunMode::Parallel);
    p.concurrency_limit = Some(2);
    let (report, events) = run_scripted(p, |mut s| {
        for q in questions {
            s = s.script(q, vec![ScriptedAttempt::answer(1000.0, "ok")]);
        }
        s
    });
    let par = report.group(Group::Parallel).expect("ran");
    assert_eq!(par.wall_ms(), 3000.0);
    let starts: Vec<Option<f64>> = par.answers.iter().map(|a| a.started_ms).collect();
    assert_eq!(
        starts,
        [
            Some(0.0),
            Some(0.0),
            Some(1000.0),
            Some(1000.0),
            Some(2000.0)
        ]
    );
    // The queued intervals are in the timeline: lane 5 waited from 0 to 2000 ms.
    let view = RunView::from_events(&events);
    let fifth = view.question_lanes(Group::Parallel)[4];
    assert_eq!(fifth.phases[0].status, LaneStatus::Queued);
    assert_eq!(
        (fifth.phases[0].start_ms, fifth.phases[0].end_ms),
        (0.0, Some(2000.0))
    );
    // Never more than two in flight.
    let mut in_flight = 0;
    let mut most = 0;
    for e in &events {
        match &e.kind {
            EventKind::Started { .. } => in_flight += 1,
            EventKind::Finished { lane, .. } if *lane < 5 => in_flight -= 1,
            _ => {}
        }
        most = most.max(in_flight);
    }
    assert_eq!(most, 2);
}

#[test]
fn settle_all_keeps_the_other_answers_and_the_synthesis_names_the_gap() {
    let (report, events) = run_scripted(plan(&["A?", "B?", "C?"], RunMode::Parallel), |s| {
        three_calls(s).script("B?", vec![ScriptedAttempt::fail(1000.0, server_error(400))])
    });
    let par = report.group(Group::Parallel).expect("ran");
    let outcomes: Vec<&str> = par
        .answers
        .iter()
        .map(|a| a.outcome.status_name())
        .collect();
    assert_eq!(outcomes, ["done", "failed", "done"]);
    assert_eq!(par.answers[2].ended_ms, 6000.0, "C was not disturbed");
    let synthesis = par.synthesis.as_ref().expect("synthesis ran");
    assert!(synthesis.succeeded());
    let request = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Started {
                lane,
                request: Some(r),
                ..
            } if *lane == synthesis.lane => Some(r.last_user_text()),
            _ => None,
        })
        .expect("synthesis request");
    assert!(request.contains("### Missing 2: B?"), "{request}");
    assert!(request.contains("Answer A.") && request.contains("Answer C."));
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::SynthesisStarted {
            answers: 2,
            questions: 3,
            ..
        }
    )));
}

#[test]
fn fail_fast_cancels_the_rest_at_the_failure_time() {
    let mut p = plan(&["A?", "B?", "C?"], RunMode::Parallel);
    p.failure_policy = FailurePolicy::FailFast;
    let (report, _) = run_scripted(p, |s| {
        three_calls(s).script("B?", vec![ScriptedAttempt::fail(1000.0, server_error(400))])
    });
    let par = report.group(Group::Parallel).expect("ran");
    let outcomes: Vec<&str> = par
        .answers
        .iter()
        .map(|a| a.outcome.status_name())
        .collect();
    assert_eq!(outcomes, ["cancelled", "failed", "cancelled"]);
    for answer in &par.answers {
        assert_eq!(answer.ended_ms, 1000.0);
    }
    assert!(par.synthesis.is_none());
    let reason = par
        .synthesis_skipped
        .as_ref()
        .map(SynthesisSkip::sentence)
        .expect("a reason");
    assert!(reason.contains("question 2 failed"), "{reason}");
}

#[test]
fn fail_fast_in_a_sequential_run_never_starts_the_rest() {
    let mut p = plan(&["A?", "B?", "C?"], RunMode::Sequential);
    p.failure_policy = FailurePolicy::FailFast;
    let (report, _) = run_scripted(p, |s| {
        three_calls(s).script("A?", vec![ScriptedAttempt::fail(500.0, server_error(400))])
    });
    let seq = report.group(Group::Sequential).expect("ran");
    assert_eq!(seq.answers[1].started_ms, None);
    assert_eq!(seq.answers[2].outcome.status_name(), "cancelled");
    assert_eq!(seq.wall_ms(), 500.0);
}

#[test]
fn a_timeout_ends_a_slow_call_and_keeps_its_partial_text() {
    let mut p = plan(&["Slow?", "B?"], RunMode::Parallel);
    p.timeout_ms = Some(2000.0);
    let (report, _) = run_scripted(p, |s| {
        s.script(
            "Slow?",
            vec![ScriptedAttempt::Answer {
                first_token_ms: 0.0,
                total_ms: 5000.0,
                text: "one two three four five".into(),
                output_tokens: 5,
            }],
        )
        .script("B?", vec![ScriptedAttempt::answer(1500.0, "Fine.")])
    });
    let par = report.group(Group::Parallel).expect("ran");
    let slow = &par.answers[0];
    assert_eq!(slow.outcome, Outcome::TimedOut { after_ms: 2000.0 });
    assert_eq!(slow.ended_ms, 2000.0);
    // Words at 0, 1250, 2500 ms…: the two before the timeout are kept.
    assert_eq!(slow.text, "one two ");
    assert!(par.answers[1].succeeded());
}

#[test]
fn a_429_with_retry_after_is_retried_once_the_delay_has_passed() {
    let limited = ProviderError::Http {
        status: 429,
        kind: ApiErrorKind::RateLimit,
        message: String::new(),
        retry_after_ms: parse_retry_after(None, Some("1"), 0.0),
        should_retry: None,
        request_id: None,
    };
    let (report, events) = run_scripted(plan(&["A?"], RunMode::Parallel), |s| {
        s.script(
            "A?",
            vec![
                ScriptedAttempt::fail(100.0, limited),
                ScriptedAttempt::answer(500.0, "Done."),
            ],
        )
    });
    let answer = &report.group(Group::Parallel).expect("ran").answers[0];
    assert!(answer.succeeded());
    assert_eq!(answer.retries, 1);
    let retry = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::RetryScheduled { .. }))
        .expect("a retry event");
    assert_eq!(retry.at_ms, 100.0);
    assert!(matches!(retry.kind, EventKind::RetryScheduled { delay_ms, .. } if delay_ms == 1000.0));
    assert_eq!(started_at(&events, answer.lane), [0.0, 1100.0]);
    assert_eq!(answer.ended_ms, 1600.0);
}

#[test]
fn retries_exhausted_fail_with_the_last_error() {
    let (report, events) = run_scripted(plan(&["A?"], RunMode::Parallel), |s| {
        s.script(
            "A?",
            vec![
                ScriptedAttempt::fail(10.0, server_error(529)),
                ScriptedAttempt::fail(10.0, server_error(500)),
                ScriptedAttempt::fail(10.0, server_error(503)),
            ],
        )
    });
    let answer = &report.group(Group::Parallel).expect("ran").answers[0];
    assert!(matches!(
        &answer.outcome,
        Outcome::Failed {
            error: ProviderError::Http { status: 503, .. }
        }
    ));
    assert_eq!(answer.retries, 2);
    let retries = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RetryScheduled { .. }))
        .count();
    assert_eq!(retries, 2);
    assert_eq!(lane_events(&events, answer.lane).len(), 1 + 3 + 2 + 1);
}

#[test]
fn errors_the_sdks_do_not_retry_fail_at_once() {
    let (report, _) = run_scripted(plan(&["A?"], RunMode::Parallel), |s| {
        s.script("A?", vec![ScriptedAttempt::fail(10.0, server_error(401))])
    });
    let answer = &report.group(Group::Parallel).expect("ran").answers[0];
    assert_eq!(answer.retries, 0);
    assert_eq!(answer.ended_ms, 10.0);
}

#[test]
fn below_the_quorum_there_is_no_synthesis_and_a_reason() {
    let mut p = plan(&["A?", "B?", "C?", "D?"], RunMode::Parallel);
    p.quorum = 3;
    let (report, events) = run_scripted(p, |s| {
        three_calls(s)
            .script("B?", vec![ScriptedAttempt::fail(10.0, server_error(400))])
            .script("D?", vec![ScriptedAttempt::fail(10.0, server_error(400))])
    });
    let par = report.group(Group::Parallel).expect("ran");
    assert!(par.synthesis.is_none());
    let skip = par.synthesis_skipped.clone().expect("reason");
    let reason = skip.sentence();
    assert!(reason.contains("only 2 of 4"), "{reason}");
    assert!(reason.contains("at least 3"), "{reason}");
    assert!(events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::SynthesisSkipped { reason: r, .. } if *r == skip)));
}

#[test]
fn cancelling_the_run_ends_every_unfinished_call_and_keeps_partial_text() {
    let mut p = plan(&["A?", "B?", "C?"], RunMode::Parallel);
    p.concurrency_limit = Some(2);
    let (report, _) = run_scripted_with_cancel(
        p,
        |s| {
            s.script(
                "A?",
                vec![ScriptedAttempt::Answer {
                    first_token_ms: 0.0,
                    total_ms: 4000.0,
                    text: "w1 w2 w3 w4 w5".into(),
                    output_tokens: 5,
                }],
            )
            .script("B?", vec![ScriptedAttempt::answer(500.0, "Quick.")])
            .script("C?", vec![ScriptedAttempt::answer(5000.0, "Never.")])
        },
        Some(1500.0),
    );
    let par = report.group(Group::Parallel).expect("ran");
    assert!(report.cancelled);
    let outcomes: Vec<&str> = par
        .answers
        .iter()
        .map(|a| a.outcome.status_name())
        .collect();
    assert_eq!(outcomes, ["cancelled", "done", "cancelled"]);
    assert_eq!(par.answers[0].ended_ms, 1500.0);
    assert_eq!(par.answers[0].text, "w1 w2 ");
    assert_eq!(par.answers[2].started_ms, Some(500.0));
    assert!(par.synthesis.is_none());
}

#[test]
fn compare_one_after_the_other_starts_the_parallel_run_when_the_sequential_ends() {
    let mut p = plan(&["A?", "B?", "C?"], RunMode::Compare);
    p.compare_timing = CompareTiming::OneAfterTheOther;
    let (report, _) = run_scripted(p, three_calls);
    let par = report.group(Group::Parallel).expect("ran");
    assert_eq!(par.started_ms, 15_000.0);
    assert_eq!(par.wall_ms(), 6_000.0);
}

#[test]
fn figures_count_tokens_and_time_to_first_token() {
    let (_, events) = run_scripted(plan(&["A?", "B?"], RunMode::Parallel), |s| {
        s.script(
            "A?",
            vec![ScriptedAttempt::Answer {
                first_token_ms: 300.0,
                total_ms: 1000.0,
                text: "a b c".into(),
                output_tokens: 30,
            }],
        )
        .script(
            "B?",
            vec![ScriptedAttempt::Answer {
                first_token_ms: 500.0,
                total_ms: 2000.0,
                text: "d e".into(),
                output_tokens: 20,
            }],
        )
    });
    let figures = RunFigures::compute(&RunView::from_events(&events), 0.0);
    let par = figures.parallel.expect("ran");
    assert_eq!(par.mean_first_token_ms, Some(400.0));
    // 30 + 20 research tokens, plus the scripted synthesis' 4 words.
    assert_eq!(par.tokens_out, 54);
    assert_eq!(par.wall_ms, 2000.0);
    assert_eq!(par.tokens_per_s, 27.0);
    assert_eq!(par.cost_usd, Some(0.0));
}

#[test]
fn the_export_carries_its_version_the_plan_the_lanes_and_every_event() {
    let (_report, events) = run_scripted(plan(&["A?", "B?", "C?"], RunMode::Compare), three_calls);
    let plan_json = serde_json::json!({ "questions": ["A?", "B?", "C?"] });
    let export = RunExport::from_events(plan_json.clone(), events.clone(), None);
    let parsed: serde_json::Value =
        serde_json::from_str(&export.to_json()).expect("the export is JSON");
    assert_eq!(parsed["app"], EXPORT_APP);
    assert_eq!(parsed["format"], EXPORT_FORMAT);
    assert_eq!(parsed["plan"], plan_json);
    assert_eq!(
        parsed["events"].as_array().map(Vec::len),
        Some(events.len())
    );
    let lanes = parsed["lanes"].as_array().expect("lanes");
    // Three questions in each run, and a synthesis each.
    assert_eq!(lanes.len(), 8, "{lanes:?}");
    for lane in lanes {
        for field in [
            "lane",
            "run",
            "label",
            "status",
            "started_ms",
            "first_token_ms",
            "ended_ms",
            "retries",
            "usage",
            "text",
            "error",
        ] {
            assert!(lane.get(field).is_some(), "lane without {field}: {lane}");
        }
        assert_eq!(lane["status"], "done");
    }
    assert_eq!(parsed["figures"]["speedup"].as_f64(), Some(2.5));
}
