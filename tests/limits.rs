//! Limits under virtual time: client-side budgets (token buckets the scheduler respects), the
//! adaptive concurrency limit against a simulated server with a concurrency budget, and the
//! waves a server with k slots leaves in the first-token times.

use parallel_playground::engine::*;
use parallel_playground::providers::scripted::{ScriptedAttempt, ScriptedProvider};
use parallel_playground::providers::simulated::{
    ServerCapacity, SimulatedProvider, SimulationSettings,
};
use parallel_playground::providers::{Provider, ProviderError};
use std::cell::RefCell;
use std::rc::Rc;

/// Runs `plan` against `provider` (built on the run's clock) and returns every event.
fn run_with(plan: RunPlan, provider: impl FnOnce(Rc<dyn Clock>) -> Rc<dyn Provider>) -> Vec<Event> {
    let clock = VirtualClock::new();
    let shared: Rc<dyn Clock> = Rc::new(clock.clone());
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: shared.clone(),
        provider: provider(shared),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    run_virtual(
        &clock,
        async move { run(&plan, env, CancelToken::new()).await },
    )
    .expect("the run ends");
    let events = events.borrow().clone();
    events
}

fn questions(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("q{i}")).collect()
}

/// The start of each research lane's first attempt, in question order.
fn starts(events: &[Event]) -> Vec<f64> {
    let view = RunView::from_events(events);
    view.question_lanes(Group::Parallel)
        .iter()
        .map(|l| l.started_ms.expect("started"))
        .collect()
}

/// Every call takes 5 s and spends exactly what it reserved: 1 input token ("qN" is two
/// characters) and 999 output tokens.
fn thousand_token_calls(clock: Rc<dyn Clock>) -> Rc<dyn Provider> {
    Rc::new(
        ScriptedProvider::new(clock).fallback(ScriptedAttempt::Answer {
            first_token_ms: 500.0,
            total_ms: 5000.0,
            text: "An answer.".into(),
            output_tokens: 999,
        }),
    )
}

#[test]
fn a_token_budget_starts_calls_exactly_as_the_bucket_refills() {
    let plan = RunPlan {
        questions: questions(10),
        max_tokens: 999,
        limits: ClientLimits {
            tokens_per_minute: Some(3000),
            ..ClientLimits::default()
        },
        ..RunPlan::default()
    };
    let events = run_with(plan, thousand_token_calls);
    // 3,000 a minute is 1,000 every 20 s: three at once, then one every 20 s.
    let expected: Vec<f64> = [0, 0, 0, 20, 40, 60, 80, 100, 120, 140]
        .iter()
        .map(|s| f64::from(*s) * 1000.0)
        .collect();
    assert_eq!(starts(&events), expected);
    let queued: Vec<(LaneId, QueueReason)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Queued { lane, reason } if lane < 10 => Some((lane, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(queued.len(), 7);
    assert!(queued.iter().all(|(_, r)| *r == QueueReason::Tokens));
}

#[test]
fn a_request_budget_spaces_calls_and_names_the_reason_while_they_wait() {
    let plan = RunPlan {
        questions: questions(4),
        limits: ClientLimits {
            requests_per_minute: Some(2),
            ..ClientLimits::default()
        },
        ..RunPlan::default()
    };
    let events = run_with(plan, thousand_token_calls);
    assert_eq!(starts(&events), [0.0, 0.0, 30_000.0, 60_000.0]);
    // While the third waits, its lane is queued for the request budget.
    let cut = events
        .iter()
        .position(|e| e.at_ms > 10_000.0)
        .expect("events after 10 s");
    let view = RunView::from_events(&events[..cut]);
    let third = view.question_lanes(Group::Parallel)[2];
    assert_eq!(third.status, LaneStatus::Queued);
    assert_eq!(third.queued_for, Some(QueueReason::Requests));
}

#[test]
fn a_fixed_limit_marks_waiting_calls_as_queued_for_a_permit() {
    let plan = RunPlan {
        questions: questions(3),
        concurrency_limit: Some(1),
        ..RunPlan::default()
    };
    let events = run_with(plan, thousand_token_calls);
    assert_eq!(starts(&events), [0.0, 5000.0, 10_000.0]);
    let permits = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Queued {
                    reason: QueueReason::Permit,
                    ..
                }
            )
        })
        .count();
    assert_eq!(permits, 2);
}

/// What a run against a server that takes `k` at once did.
struct Outcome429 {
    wall_ms: f64,
    refusals: usize,
    succeeded: usize,
    final_limit: Option<usize>,
}

fn against_server(k: usize, adaptive: bool) -> Outcome429 {
    let plan = RunPlan {
        questions: (0..30)
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
    let events = run_with(plan, |clock| {
        let settings = SimulationSettings {
            server: ServerCapacity {
                max_concurrent: Some(k),
                slots: None,
            },
            ..SimulationSettings::default()
        };
        Rc::new(SimulatedProvider::new(clock, settings))
    });
    let view = RunView::from_events(&events);
    let lanes = view.question_lanes(Group::Parallel);
    let is_429 = |e: &ProviderError| matches!(e, ProviderError::Http { status: 429, .. });
    let refusals = events
        .iter()
        .filter(|e| match &e.kind {
            EventKind::RetryScheduled { error, .. } => is_429(error),
            EventKind::Finished {
                outcome: Outcome::Failed { error },
                ..
            } => is_429(error),
            _ => false,
        })
        .count();
    Outcome429 {
        wall_ms: lanes.iter().filter_map(|l| l.ended_ms).fold(0.0, f64::max),
        refusals,
        succeeded: lanes
            .iter()
            .filter(|l| l.status == LaneStatus::Done)
            .count(),
        final_limit: view.limit_trace.last().map(|(_, _, limit)| *limit),
    }
}

#[test]
fn auto_settles_near_the_servers_capacity_and_beats_unlimited() {
    for k in [2, 3, 5] {
        let unlimited = against_server(k, false);
        let auto = against_server(k, true);
        eprintln!(
            "k={k}: auto {:.1} s, {} 429s, final {:?}; unlimited {:.1} s, {} 429s",
            auto.wall_ms / 1000.0,
            auto.refusals,
            auto.final_limit,
            unlimited.wall_ms / 1000.0,
            unlimited.refusals
        );
        assert_eq!(auto.succeeded, 30, "k={k}: every call answered");
        let limit = auto.final_limit.expect("a trace");
        assert!(
            limit + 1 >= k && limit <= k + 1,
            "k={k}: settled at {limit}"
        );
        assert!(
            auto.wall_ms < unlimited.wall_ms,
            "k={k}: auto {} ms, unlimited {} ms",
            auto.wall_ms,
            unlimited.wall_ms
        );
        assert!(
            auto.refusals < unlimited.refusals,
            "k={k}: auto {} 429s, unlimited {}",
            auto.refusals,
            unlimited.refusals
        );
    }
}

#[test]
fn the_limit_trace_starts_small_and_records_every_change() {
    let plan = RunPlan {
        questions: questions(12),
        limits: ClientLimits {
            adaptive: true,
            ..ClientLimits::default()
        },
        ..RunPlan::default()
    };
    let events = run_with(plan, thousand_token_calls);
    let view = RunView::from_events(&events);
    let trace: Vec<usize> = view.limit_trace.iter().map(|(_, _, l)| *l).collect();
    // No overloads: slow start from the initial limit up to every call at once.
    assert_eq!(trace.first(), Some(&INITIAL_LIMIT));
    assert!(trace.last() > Some(&INITIAL_LIMIT), "{trace:?}");
    assert!(trace.windows(2).all(|w| w[1] > w[0]), "{trace:?}");
    assert!(view.limit_trace.windows(2).all(|w| w[1].0 >= w[0].0));
}

#[test]
fn server_slots_show_as_waves_of_k() {
    for k in 1..=4 {
        let plan = RunPlan {
            questions: (0..8).map(|i| format!("Slot question {i}?")).collect(),
            ..RunPlan::default()
        };
        let events = run_with(plan, |clock| {
            let settings = SimulationSettings {
                server: ServerCapacity {
                    max_concurrent: None,
                    slots: Some(k),
                },
                ..SimulationSettings::default()
            };
            Rc::new(SimulatedProvider::new(clock, settings))
        });
        let view = RunView::from_events(&events);
        let waves = Waves::of_group(&view, Group::Parallel).map(|w| w.per_wave);
        assert_eq!(waves, Some(k), "slots={k}");
    }
}

#[test]
fn a_server_without_slots_shows_no_waves() {
    let plan = RunPlan {
        questions: (0..8).map(|i| format!("Slot question {i}?")).collect(),
        ..RunPlan::default()
    };
    let events = run_with(plan, |clock| {
        Rc::new(SimulatedProvider::new(clock, SimulationSettings::default()))
    });
    let view = RunView::from_events(&events);
    assert_eq!(Waves::of_group(&view, Group::Parallel), None);
}

/// A local server that answers one request at a time and cuts the running stream when a new
/// request arrives (llama-cpp-python's `interrupt_requests`), and reports no usage.
struct InterruptingServer {
    clock: Rc<dyn Clock>,
    generation: Rc<std::cell::Cell<u64>>,
}

impl Provider for InterruptingServer {
    fn stream(
        &self,
        _request: &parallel_playground::providers::ModelRequest,
        _attempt: u32,
    ) -> parallel_playground::providers::EventStream {
        use parallel_playground::providers::{ProviderEvent, StopReason};
        let (clock, generation) = (self.clock.clone(), self.generation.clone());
        let mine = generation.get() + 1;
        generation.set(mine);
        Box::pin(futures::stream::unfold(0u32, move |step| {
            let (clock, generation) = (clock.clone(), generation.clone());
            async move {
                if step > 5 {
                    return None;
                }
                clock.sleep(500.0).await;
                let item = if generation.get() != mine {
                    Err(ProviderError::StreamCut {
                        message: "the server closed the stream as another request arrived".into(),
                    })
                } else if step == 5 {
                    Ok(ProviderEvent::Stop {
                        reason: StopReason::EndTurn,
                    })
                } else {
                    Ok(ProviderEvent::TextDelta {
                        text: "word word ".into(),
                    })
                };
                let next = if item.is_err() { 6 } else { step + 1 };
                Some((item, next))
            }
        }))
    }
}

fn interrupting(clock: Rc<dyn Clock>) -> Rc<dyn Provider> {
    Rc::new(InterruptingServer {
        clock,
        generation: Rc::default(),
    })
}

#[test]
fn a_run_whose_parallel_calls_were_cut_gives_no_speedup_above_its_ideal() {
    let plan = RunPlan {
        questions: questions(4),
        mode: RunMode::Compare,
        compare_timing: CompareTiming::OneAfterTheOther,
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..RunPlan::default()
    };
    let events = run_with(plan, interrupting);
    let view = RunView::from_events(&events);
    let figures = RunFigures::compute(&view, view.last_event_ms);
    let parallel = figures.parallel.as_ref().expect("parallel ran");
    assert_eq!(parallel.succeeded, 1, "three of four were cut");
    assert_eq!(figures.sequential.as_ref().map(|s| s.succeeded), Some(4));
    assert_eq!(figures.speedup, None);
    assert_eq!(figures.estimated_speedup, None);
    let why = figures.speedup_withheld.expect("a reason");
    assert!(why.contains("parallel 1 of 4"), "{why}");
}

#[test]
fn tokens_a_server_did_not_report_are_estimates_not_zeros() {
    let plan = RunPlan {
        questions: questions(1),
        ..RunPlan::default()
    };
    let events = run_with(plan, interrupting);
    let view = RunView::from_events(&events);
    let figures = RunFigures::compute(&view, view.last_event_ms);
    let estimate = figures
        .token_estimates
        .iter()
        .find(|e| e.group == Group::Parallel)
        .expect("an estimate for the parallel run");
    // The answer and the synthesis streamed 5 × "word word " each: 50 characters, 13 tokens.
    assert_eq!(estimate.unreported_calls, 2);
    assert_eq!(estimate.tokens_out, 26);
    assert!(estimate.tokens_in > 0);
    assert_eq!(figures.parallel.map(|p| p.tokens_out), Some(0));
}
