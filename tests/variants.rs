//! Variants of one set-up on one time axis, and the simulated model's profiles, under virtual
//! time.

use parallel_playground::engine::*;
use parallel_playground::providers::simulated::{
    SimProfile, SimulatedProvider, SimulationSettings,
};
use parallel_playground::providers::Provider;
use std::cell::RefCell;
use std::rc::Rc;

const QUESTIONS: [&str; 3] = [
    "What are the top sights in Lisbon?",
    "What should I eat in Lisbon?",
    "How do I get around Lisbon?",
];

fn plan(model: &str, mode: RunMode) -> RunPlan {
    RunPlan {
        questions: QUESTIONS.iter().map(|q| q.to_string()).collect(),
        mode,
        model: model.into(),
        ..RunPlan::default()
    }
}

fn simulated(clock: &VirtualClock, profile: SimProfile) -> Rc<dyn Provider> {
    Rc::new(SimulatedProvider::new(
        Rc::new(clock.clone()),
        SimulationSettings {
            profile,
            ..SimulationSettings::default()
        },
    ))
}

/// Runs the variants (built on the run's clock) and returns the report and every event.
fn run_all(
    timing: VariantTiming,
    make: impl FnOnce(&VirtualClock) -> Vec<VariantRun>,
) -> (VariantReport, Vec<Event>) {
    let clock = VirtualClock::new();
    let runs = make(&clock);
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: simulated(&clock, SimProfile::Demo),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let report = run_virtual(&clock, async move {
        run_variants(&runs, timing, env, CancelToken::new()).await
    })
    .expect("the run ends");
    let events = events.borrow().clone();
    (report, events)
}

fn mean_ttft(view: &RunView) -> f64 {
    let ttfts: Vec<f64> = view
        .lanes
        .iter()
        .filter(|l| matches!(l.info.kind, LaneKind::Question { .. }))
        .filter_map(|l| Some(l.first_token_ms? - l.started_ms?))
        .collect();
    assert!(!ttfts.is_empty());
    ttfts.iter().sum::<f64>() / ttfts.len() as f64
}

#[test]
fn two_variants_run_together_on_one_axis_with_their_own_lanes_and_figures() {
    let (report, events) = run_all(VariantTiming::SameTime, |clock| {
        vec![
            VariantRun {
                variant: Variant::A,
                plan: plan("simulated", RunMode::Compare),
                provider: simulated(clock, SimProfile::FastSmall),
            },
            VariantRun {
                variant: Variant(1),
                plan: plan("simulated", RunMode::Compare),
                provider: simulated(clock, SimProfile::LargeSlow),
            },
        ]
    });
    assert_eq!(report.variants.len(), 2);
    assert!(!report.cancelled);
    let starts = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RunStarted { .. }))
        .count();
    let ends = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RunFinished { .. }))
        .count();
    assert_eq!((starts, ends), (1, 1), "one run, one clock");
    let view = RunView::from_events(&events);
    assert!(view.finished);
    // 3 questions × 2 groups + 2 syntheses, per variant; ids unique and in order.
    assert_eq!(view.lanes.len(), 16);
    assert!(view.lanes.iter().enumerate().all(|(i, l)| l.id == i));
    assert_eq!(view.variants(), vec![Variant::A, Variant(1)]);
    for v in [Variant::A, Variant(1)] {
        assert_eq!(view.lanes.iter().filter(|l| l.info.variant == v).count(), 8);
    }
    // Together: both variants' parallel calls start at the same instant.
    let first_start = |v: Variant| {
        view.lanes
            .iter()
            .filter(|l| l.info.variant == v && l.info.group == Group::Parallel)
            .filter_map(|l| l.started_ms)
            .fold(f64::INFINITY, f64::min)
    };
    assert_eq!(first_start(Variant::A), first_start(Variant(1)));

    let a = view.only_variant(Variant::A);
    let b = view.only_variant(Variant(1));
    assert!(
        mean_ttft(&b) > 2.0 * mean_ttft(&a),
        "large-slow ({}) vs fast-small ({})",
        mean_ttft(&b),
        mean_ttft(&a)
    );
    let figures = variant_figures(&view, view.last_event_ms);
    assert_eq!(figures.len(), 2);
    let (fa, fb) = (&figures[0].1, &figures[1].1);
    let pa = fa.parallel.as_ref().expect("A's parallel run");
    let pb = fb.parallel.as_ref().expect("B's parallel run");
    assert!(pa.finished && pb.finished);
    assert_eq!((pa.calls, pa.succeeded), (3, 3));
    assert!(pb.wall_ms > pa.wall_ms, "B is the slower model");
    assert!(pb.mean_first_token_ms > pa.mean_first_token_ms);
    assert!(fa.speedup.expect("A compared") > 1.0);
    assert!(fb.speedup.expect("B compared") > 1.0);
    // Rows: A's lanes before B's under each heading.
    let infos: Vec<LaneInfo> = view.lanes.iter().map(|l| l.info.clone()).collect();
    let rows = timeline_rows(&infos);
    let parallel_variants: Vec<Variant> = rows
        .iter()
        .filter_map(|r| match r {
            TimelineRow::Lane { id, .. } if infos[*id].group == Group::Parallel => {
                Some(infos[*id].variant)
            }
            _ => None,
        })
        .collect();
    let mut sorted = parallel_variants.clone();
    sorted.sort();
    assert_eq!(parallel_variants, sorted);
}

#[test]
fn variants_one_after_the_other_do_not_overlap_and_may_mix_plans() {
    let (report, events) = run_all(VariantTiming::OneAfterTheOther, |clock| {
        let mut b = plan("simulated", RunMode::Parallel);
        b.max_tokens = 40;
        b.system_prompt = Some("Answer in one short paragraph.".into());
        vec![
            VariantRun {
                variant: Variant::A,
                plan: plan("simulated", RunMode::Parallel),
                provider: simulated(clock, SimProfile::Demo),
            },
            VariantRun {
                variant: Variant(1),
                plan: b,
                provider: simulated(clock, SimProfile::Demo),
            },
        ]
    });
    assert_eq!(report.variants.len(), 2);
    let view = RunView::from_events(&events);
    let a_end = view
        .lanes
        .iter()
        .filter(|l| l.info.variant == Variant::A)
        .filter_map(|l| l.ended_ms)
        .fold(0.0, f64::max);
    let b_start = view
        .lanes
        .iter()
        .filter(|l| l.info.variant == Variant(1))
        .filter_map(|l| l.started_ms)
        .fold(f64::INFINITY, f64::min);
    assert!(b_start >= a_end, "B starts {b_start} after A ends {a_end}");
    // B's max tokens cut its answers.
    let figures = variant_figures(&view, view.last_event_ms);
    let out = |i: usize| {
        figures[i]
            .1
            .parallel
            .as_ref()
            .expect("parallel ran")
            .tokens_out
    };
    assert!(
        out(1) < out(0),
        "B ({}) is cut by max tokens ({})",
        out(1),
        out(0)
    );
    // B's system prompt reaches its requests, and only its.
    let systems: Vec<(Variant, Option<String>)> = view
        .lanes
        .iter()
        .filter(|l| matches!(l.info.kind, LaneKind::Question { .. }))
        .map(|l| {
            (
                l.info.variant,
                l.request.as_ref().and_then(|r| r.system.clone()),
            )
        })
        .collect();
    assert!(systems
        .iter()
        .all(|(v, s)| (*v == Variant(1)) == s.is_some()));
}

#[test]
fn a_cancel_stops_every_variant_and_more_than_four_are_not_run() {
    let clock = VirtualClock::new();
    let runs: Vec<VariantRun> = (0..6)
        .map(|i| VariantRun {
            variant: Variant(i),
            plan: plan("simulated", RunMode::Parallel),
            provider: simulated(&clock, SimProfile::LargeSlow),
        })
        .collect();
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: simulated(&clock, SimProfile::Demo),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let cancel = CancelToken::new();
    let canceller = {
        let (cancel, clock) = (cancel.clone(), clock.clone());
        async move {
            clock.sleep(500.0).await;
            cancel.cancel(CancelReason::RunCancelled);
        }
    };
    let report = run_virtual(&clock, async move {
        let (report, ()) = futures::future::join(
            run_variants(&runs, VariantTiming::SameTime, env, cancel),
            canceller,
        )
        .await;
        report
    })
    .expect("the run ends");
    assert!(report.cancelled);
    assert_eq!(report.variants.len(), Variant::MAX);
    let view = RunView::from_events(events.borrow().iter());
    assert_eq!(view.variants().len(), Variant::MAX);
    assert!(view.lanes.iter().all(|l| l.status == LaneStatus::Cancelled));
}

#[test]
fn a_request_naming_a_profile_uses_it_and_the_profiles_keep_their_order() {
    // One provider, two models: the model names the profile (how simulated variants differ).
    let clock = VirtualClock::new();
    let provider = SimulatedProvider::new(Rc::new(clock.clone()), SimulationSettings::default());
    let ttft = |model: &str| {
        let mut total = 0.0;
        for q in QUESTIONS {
            let request = parallel_playground::providers::ModelRequest::ask(model, None, q, 1024);
            total += provider.plan(&request, 0).first_token_ms;
        }
        total / QUESTIONS.len() as f64
    };
    let fast = ttft("fast-small");
    let slow = ttft("large-slow");
    let local = ttft("local-7b-cpu");
    assert!(fast < 700.0 && slow > 1500.0, "{fast} {slow}");
    assert!(local > fast, "a laptop CPU has to read the prompt first");
    // The default profile keeps the first Compare quick: three questions one after the other,
    // then a synthesis, well under ten seconds.
    let (_, events) = run_all(VariantTiming::SameTime, |clock| {
        vec![VariantRun {
            variant: Variant::A,
            plan: plan("simulated", RunMode::Compare),
            provider: simulated(clock, SimProfile::default()),
        }]
    });
    let view = RunView::from_events(&events);
    assert!(view.last_event_ms < 10_000.0, "{}", view.last_event_ms);
}

#[test]
fn every_preset_question_on_its_topic_has_a_written_answer_the_synthesis_draws_on() {
    use parallel_playground::providers::simulated::{answer, synthesis, written_answer};
    use parallel_playground::workspace::PRESETS;
    for preset in PRESETS {
        let mut prompt = String::from("Merge the research.\n\n");
        for (i, (question, _)) in preset.questions.iter().enumerate() {
            let filled = fill_topic(question, preset.topic);
            let written =
                written_answer(&filled).unwrap_or_else(|| panic!("no answer for {filled}"));
            let mut rng = SplitMix64::new(1);
            assert_eq!(answer(&filled, 150, &mut rng), written);
            prompt.push_str(&format!(
                "{ANSWER_HEADING} {}: {filled}\n{written}\n\n",
                i + 1
            ));
        }
        // The synthesis names the answers' key points: it visibly merges them.
        let mut rng = SplitMix64::new(1);
        let merged = synthesis(&prompt, &mut rng);
        let first =
            written_answer(&fill_topic(preset.questions[0].0, preset.topic)).unwrap_or_default();
        let key = first.split("**").nth(1).unwrap_or_default();
        assert!(!key.is_empty() && merged.contains(key), "{merged}");
    }
    assert_eq!(written_answer("What is Rust?"), None);
}
