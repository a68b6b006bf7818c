//! Rounds, distributions and the tail, under virtual time with the simulated model.

use parallel_playground::engine::*;
use parallel_playground::experiment::*;
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use std::cell::RefCell;
use std::rc::Rc;

fn questions(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("Question number {i} about tides?"))
        .collect()
}

/// Runs `plan` for `rounds` rounds on the simulated model with `settings` (re-seeded per round);
/// cancels at `cancel_at_ms` of virtual time if given. Returns the experiment, the rounds that
/// ran, and each round's (start, end) on the virtual clock.
fn run_experiment(
    plan: RunPlan,
    rounds: u32,
    settings: SimulationSettings,
    cancel_at_ms: Option<f64>,
) -> (Experiment, u32, Vec<(f64, f64)>) {
    let clock = VirtualClock::new();
    let experiment = Rc::new(RefCell::new(Experiment::new(
        rounds,
        Some(settings.slow_rate),
    )));
    let spans = Rc::new(RefCell::new(Vec::new()));
    let cancel = CancelToken::new();
    let env_for = {
        let (clock, spans) = (clock.clone(), spans.clone());
        move |round: u32| {
            spans.borrow_mut().push((clock.now_ms(), f64::NAN));
            let mut settings = settings.clone();
            settings.seed = round_seed(settings.seed, round);
            RunEnv {
                clock: Rc::new(clock.clone()),
                provider: Rc::new(SimulatedProvider::new(Rc::new(clock.clone()), settings)),
                sink: Rc::new(|_| {}),
                jitter_seed: u64::from(round),
            }
        }
    };
    let on_round = {
        let (clock, spans, experiment) = (clock.clone(), spans.clone(), experiment.clone());
        move |record: RoundRecord| {
            if let Some(last) = spans.borrow_mut().last_mut() {
                last.1 = clock.now_ms();
            }
            experiment.borrow_mut().push(record);
        }
    };
    let canceller = {
        let (cancel, clock) = (cancel.clone(), clock.clone());
        async move {
            if let Some(at) = cancel_at_ms {
                clock.sleep(at).await;
                cancel.cancel(CancelReason::RunCancelled);
            }
        }
    };
    let ran = run_virtual(&clock, async move {
        let rounds = run_rounds(&plan, rounds, env_for, cancel, on_round);
        futures::future::join(rounds, canceller).await.0
    })
    .expect("the rounds end");
    let experiment = experiment.borrow().clone();
    let spans = spans.borrow().clone();
    (experiment, ran, spans)
}

fn fast_sim(slow_rate: f64) -> SimulationSettings {
    SimulationSettings {
        slow_rate,
        // One chunk per answer: the timings are the same, the test has fewer events to fold.
        chunk_ms: 1.0e7,
        ..SimulationSettings::default()
    }
}

fn samples(e: &Experiment, metric: Metric, run: &'static str) -> usize {
    e.samples(DistKey {
        metric,
        run,
        variant: Variant::A,
    })
    .map_or(0, Samples::len)
}

#[test]
fn tail_of_one_percent_slow_calls_at_n_100_is_about_63_percent() {
    let plan = RunPlan {
        questions: questions(100),
        mode: RunMode::Parallel,
        // The tail concerns the research calls: no synthesis (the quorum is never met).
        quorum: 101,
        timeout_ms: None,
        ..RunPlan::default()
    };
    let (experiment, ran, _) = run_experiment(plan, 400, fast_sim(0.01), None);
    assert_eq!(ran, 400);
    let tail = experiment.tail();
    assert_eq!(tail.len(), 1, "one variant ran a parallel group");
    let tail = tail[0];
    assert_eq!(tail.runs, 400);
    assert!((tail.calls_per_run - 100.0).abs() < 1e-9);
    assert!(
        (tail.observed - 0.63).abs() <= 0.07,
        "observed share of slow runs {} (predicted {}, threshold {} ms, p̂ {})",
        tail.observed,
        tail.predicted,
        tail.threshold_ms,
        tail.measured_share
    );
    println!(
        "observed {} predicted {} threshold {} ms",
        tail.observed, tail.predicted, tail.threshold_ms
    );
    assert!(
        (tail.predicted - 0.634).abs() < 0.02,
        "predicted {}",
        tail.predicted
    );
    assert!((tail.measured_share - 0.01).abs() < 0.002);
    assert_eq!(samples(&experiment, Metric::Call, "parallel"), 40_000);
    assert_eq!(samples(&experiment, Metric::Wall, "parallel"), 400);
}

#[test]
fn rounds_follow_each_other_and_each_group_gets_its_samples() {
    let plan = RunPlan {
        questions: questions(3),
        mode: RunMode::Compare,
        ..RunPlan::default()
    };
    let (experiment, ran, spans) = run_experiment(plan, 5, fast_sim(0.2), None);
    assert_eq!(ran, 5);
    assert_eq!(experiment.rounds.len(), 5);
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "rounds overlap: {spans:?}");
        assert!(pair[0].0 < pair[0].1);
    }
    assert_eq!(samples(&experiment, Metric::Wall, "sequential"), 5);
    assert_eq!(samples(&experiment, Metric::Wall, "parallel"), 5);
    assert_eq!(samples(&experiment, Metric::Call, "sequential"), 15);
    assert_eq!(samples(&experiment, Metric::Ttft, "parallel"), 15);
    assert_eq!(samples(&experiment, Metric::Call, "synthesis"), 10);
    // Rounds draw fresh timings: the walls are not all the same.
    let walls = experiment
        .samples(DistKey {
            metric: Metric::Wall,
            run: "parallel",
            variant: Variant::A,
        })
        .expect("walls");
    assert!(walls.sorted()[0] < walls.sorted()[4]);
    let summary = walls.summary().expect("samples");
    assert!(summary.p50 <= summary.p95 && summary.p95 <= summary.p99 && summary.p99 <= summary.max);
    // The sequential wall is the sum of its calls, the parallel one about the slowest.
    let seq = experiment
        .samples(DistKey {
            metric: Metric::Wall,
            run: "sequential",
            variant: Variant::A,
        })
        .and_then(Samples::summary)
        .expect("sequential walls");
    assert!(seq.p50 > summary.p50);

    // One row per call per round, plus the header; round 1 keeps the set-up's own seed.
    let csv = experiment.csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], CSV_HEADER);
    assert_eq!(lines.len(), 1 + 5 * 8);
    assert!(
        lines[1].starts_with("1,A,sequential,0,done,"),
        "{}",
        lines[1]
    );
    assert!(lines.iter().skip(1).all(|l| !l.contains(",cancelled,")));
}

#[test]
fn a_recorded_round_redraws_its_timeline() {
    let plan = RunPlan {
        questions: questions(3),
        mode: RunMode::Compare,
        ..RunPlan::default()
    };
    let (experiment, _, _) = run_experiment(plan, 2, fast_sim(0.0), None);
    let round = &experiment.rounds[1];
    let view = RunView::from_events(round.to_events().iter());
    assert_eq!(view.lanes.len(), round.calls.len());
    for (lane, call) in view.lanes.iter().zip(&round.calls) {
        assert_eq!(lane.status, LaneStatus::Done);
        assert_eq!(lane.started_ms, call.start_ms);
        assert_eq!(lane.ended_ms, call.end_ms);
        assert_eq!(lane.usage.output_tokens, call.tokens_out);
    }
    assert!(view.finished);
    let figures = RunFigures::compute(&view, view.last_event_ms);
    assert!(figures.speedup.expect("both groups ran") > 1.0);
}

#[test]
fn cancel_stops_the_remaining_rounds() {
    let plan = RunPlan {
        questions: questions(3),
        mode: RunMode::Parallel,
        ..RunPlan::default()
    };
    // One round takes a few seconds; cancel in the middle of the second.
    let (whole, _, spans) = run_experiment(plan.clone(), 2, fast_sim(0.0), None);
    let cancel_at = spans[1].0 + 200.0;
    let (experiment, ran, _) = run_experiment(plan, 10, fast_sim(0.0), Some(cancel_at));
    assert_eq!(ran, 2, "no round starts after the cancel");
    assert_eq!(experiment.rounds.len(), 2);
    let cancelled = &experiment.rounds[1];
    assert!(cancelled.cancelled);
    assert!(cancelled.calls.iter().all(|c| c.status() == "cancelled"));
    assert!(
        cancelled.walls.is_empty(),
        "a cancelled group has no wall time"
    );
    assert_eq!(samples(&experiment, Metric::Wall, "parallel"), 1);
    assert_eq!(
        whole.rounds[0], experiment.rounds[0],
        "round 1 is reproducible"
    );
}

#[test]
fn rounds_are_saved_shared_and_default_to_one() {
    use parallel_playground::workspace::{
        decode_saved, decode_share, encode_saved, encode_share, Workspace,
    };
    let mut ws = Workspace::default();
    assert_eq!(ws.run.rounds, 1);
    ws.run.rounds = 20;
    assert_eq!(
        decode_saved(&encode_saved(&ws)).expect("reads").run.rounds,
        20
    );
    assert_eq!(
        decode_share(&encode_share(&ws)).expect("opens").run.rounds,
        20
    );
    // A save from before rounds existed runs once; a hostile one is brought into 1–100.
    let mut value: serde_json::Value = serde_json::from_str(&encode_saved(&ws)).expect("json");
    value["run"].as_object_mut().expect("run").remove("rounds");
    assert_eq!(
        decode_saved(&value.to_string()).expect("reads").run.rounds,
        1
    );
    for (given, kept) in [(0, 1), (1000, 100)] {
        value["run"]["rounds"] = given.into();
        assert_eq!(
            decode_saved(&value.to_string()).expect("reads").run.rounds,
            kept
        );
    }
}

#[test]
fn the_panel_of_a_thousand_samples_is_cheap_to_recompute() {
    use parallel_playground::experiment::panel::Panel;
    let plan = RunPlan {
        questions: questions(10),
        mode: RunMode::Parallel,
        ..RunPlan::default()
    };
    let (experiment, _, _) = run_experiment(plan, 100, fast_sim(0.05), None);
    assert_eq!(samples(&experiment, Metric::Call, "parallel"), 1000);
    // What the page does per round: add the round, then recompute the panel.
    let mut before = Experiment::new(100, Some(0.05));
    for round in &experiment.rounds[..99] {
        before.push(round.clone());
    }
    let last = experiment.rounds[99].clone();
    let started = std::time::Instant::now();
    before.push(last);
    let panel = Panel::of(&before);
    let took = started.elapsed();
    println!("push + panel at 1,000 samples: {took:?}");
    assert_eq!(panel.rounds, 100);
    let marks = panel
        .plot
        .iter()
        .find(|row| row.key.run == "parallel")
        .expect("a plot row of the parallel calls");
    assert_eq!(marks.marks, 1000);
    assert_eq!(marks.path.matches('M').count(), 1000);
    assert_eq!(panel.tail.len(), 1);
    // Generous for an unoptimised build on a shared machine; the release build is far below.
    assert!(took.as_millis() < 50, "took {took:?}");
}

#[test]
fn exported_programs_loop_over_the_rounds() {
    use parallel_playground::codegen::{generate, generate_rounds, CodeLanguage};
    let plan = RunPlan {
        questions: questions(2),
        mode: RunMode::Compare,
        ..RunPlan::default()
    };
    for language in CodeLanguage::ALL {
        assert_eq!(
            generate_rounds(&plan, language, 1),
            generate(&plan, language)
        );
    }
    let python = generate_rounds(&plan, CodeLanguage::Python, 5);
    assert!(python.contains("ROUNDS = 5"));
    assert!(python.contains("for round_number in range(1, ROUNDS + 1):"));
    assert!(python.contains("math.ceil(p / 100 * len(ordered) - 1e-9)"));
    let typescript = generate_rounds(&plan, CodeLanguage::TypeScript, 5);
    assert!(typescript.contains("const ROUNDS = 5;"));
    assert!(typescript.contains("for (let round = 1; round <= ROUNDS; round++)"));
    let rust = generate_rounds(&plan, CodeLanguage::Rust, 5);
    assert!(!rust.contains("ROUNDS"));
    assert!(rust.contains("rounds are not part of this"));
}

#[test]
fn the_lesson_step_on_the_tail_quotes_its_rounds() {
    use parallel_playground::base::seconds_text;
    use parallel_playground::lesson::{explain_run, STEPS, TAIL_STEP};
    use parallel_playground::workspace::Workspace;
    let step = &STEPS[TAIL_STEP];
    let ws = step.workspace(&Workspace::default());
    let RunKind::Research(mode) = step.action else {
        panic!("the tail step is a research run");
    };
    let plan = ws.plan(mode).expect("a valid set-up");
    let (experiment, ran, _) = run_experiment(plan, ws.run.rounds, ws.simulation.clone(), None);
    assert_eq!(ran, 20);
    let last = experiment.rounds.last().expect("rounds");
    let view = RunView::from_events(last.to_events().iter());
    let figures = RunFigures::compute(&view, view.last_event_ms);
    // Before its rounds are all in, the step says nothing.
    let mut partial = Experiment::new(20, Some(ws.simulation.slow_rate));
    partial.push(experiment.rounds[0].clone());
    assert_eq!(explain_run(TAIL_STEP, &view, &figures, &partial), None);

    let text = explain_run(TAIL_STEP, &view, &figures, &experiment).expect("an explanation");
    let tail = experiment.tail()[0];
    let percent = |share: f64| format!("{:.0} %", share * 100.0);
    let p = tail.measured_share;
    for n in [1, 10, 50] {
        let predicted = percent(1.0 - (1.0 - p).powi(n));
        assert!(text.contains(&format!("{predicted} for N = {n}")), "{text}");
    }
    assert!(
        text.contains(&format!(
            "{} of 20 parallel runs were slow ({}",
            tail.slow_runs,
            percent(tail.observed)
        )),
        "{text}"
    );
    let wall = figures.parallel.as_ref().expect("a parallel run").wall_ms;
    assert!(text.contains(&seconds_text(wall)), "{text}");
    eprintln!("{text}");
}
