//! Racing with variants as contestants, under virtual time: one contestant per variant, each
//! answered by its own provider with its own model; the faster variant wins and the other is
//! cancelled at the winner's end exactly (its request dropped), and the figures name the winning
//! variant with each contestant's time and tokens.

use parallel_playground::engine::*;
use parallel_playground::patterns::*;
use parallel_playground::providers::{
    EventStream, ModelRequest, Provider, ProviderEvent, StopReason, Usage,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A provider of one speed: the first token at `first_ms`, the end at `total_ms`. It records
/// the models it was asked for and counts the streams dropped before their end.
struct Paced {
    clock: VirtualClock,
    first_ms: f64,
    total_ms: f64,
    text: &'static str,
    models: RefCell<Vec<String>>,
    aborted: Rc<Cell<usize>>,
}

struct AbortGuard {
    aborted: Rc<Cell<usize>>,
    done: bool,
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if !self.done {
            self.aborted.set(self.aborted.get() + 1);
        }
    }
}

impl Provider for Paced {
    fn stream(&self, request: &ModelRequest, _attempt: u32) -> EventStream {
        self.models.borrow_mut().push(request.model.clone());
        let clock = self.clock.clone();
        let start = clock.now_ms();
        let (first_ms, total_ms, text) = (self.first_ms, self.total_ms, self.text);
        let guard = AbortGuard {
            aborted: self.aborted.clone(),
            done: false,
        };
        Box::pin(futures::stream::unfold(
            (0u8, guard),
            move |(step, mut guard)| {
                let clock = clock.clone();
                async move {
                    let event = match step {
                        0 => {
                            clock.sleep(start + first_ms - clock.now_ms()).await;
                            ProviderEvent::TextDelta {
                                text: text[..text.len() / 2].to_string(),
                            }
                        }
                        1 => ProviderEvent::Usage {
                            usage: Usage::new(10, 5),
                        },
                        2 => {
                            clock.sleep(start + total_ms - clock.now_ms()).await;
                            ProviderEvent::TextDelta {
                                text: text[text.len() / 2..].to_string(),
                            }
                        }
                        3 => ProviderEvent::Usage {
                            usage: Usage::new(10, 20),
                        },
                        4 => {
                            guard.done = true;
                            ProviderEvent::Stop {
                                reason: StopReason::EndTurn,
                            }
                        }
                        _ => return None,
                    };
                    Some((Ok(event), (step + 1, guard)))
                }
            },
        ))
    }
}

fn paced(clock: &VirtualClock, first_ms: f64, total_ms: f64, text: &'static str) -> Rc<Paced> {
    Rc::new(Paced {
        clock: clock.clone(),
        first_ms,
        total_ms,
        text,
        models: RefCell::new(Vec::new()),
        aborted: Rc::new(Cell::new(0)),
    })
}

fn base_plan(model: &str) -> RunPlan {
    RunPlan {
        questions: vec!["q?".into()],
        model: model.into(),
        compare_timing: CompareTiming::OneAfterTheOther,
        ..RunPlan::default()
    }
}

#[test]
fn the_faster_variant_wins_and_the_slower_is_cancelled_at_the_winners_end() {
    let clock = VirtualClock::new();
    let slow = paced(&clock, 100.0, 600.0, "slow variant A");
    let fast = paced(&clock, 40.0, 200.0, "fast variant B");
    let variants = vec![
        VariantRun {
            variant: Variant::A,
            plan: base_plan("model-a"),
            provider: slow.clone(),
        },
        VariantRun {
            variant: Variant(1),
            plan: RunPlan {
                max_tokens: 64,
                ..base_plan("model-b")
            },
            provider: fast.clone(),
        },
    ];
    let plan = PatternPlan {
        base: base_plan("model-a"),
        settings: PatternSettings {
            pattern: Pattern::Racing,
            // N is ignored when the set-up has variants: one contestant per variant.
            samples: 5,
            ..PatternSettings::default()
        },
    };
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: slow.clone(),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let report = run_virtual(&clock, async move {
        run_pattern_with_variants(&plan, &variants, env, CancelToken::new()).await
    })
    .expect("the run ends")
    .expect("the pattern runs");
    let events = events.borrow().clone();

    // The baseline (variant A, 600 ms) ran first; then the race of two.
    assert_eq!(report.baseline.len(), 1);
    assert_eq!(report.strategy.len(), 2, "one contestant per variant");
    let race_start = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::GroupStarted { group: Group::Race }))
        .map(|e| e.at_ms)
        .expect("the race started");
    assert_eq!(race_start, 600.0);
    assert_eq!(*slow.models.borrow(), vec!["model-a", "model-a"]);
    assert_eq!(*fast.models.borrow(), vec!["model-b"], "B's own provider");

    let winner = report.winner.expect("a winner");
    let won = report
        .strategy
        .iter()
        .find(|r| r.lane == winner)
        .expect("won");
    assert_eq!(won.text, "fast variant B");
    assert_eq!(won.ended_ms, race_start + 200.0);
    let lost = report
        .strategy
        .iter()
        .find(|r| r.lane != winner)
        .expect("lost");
    assert_eq!(lost.ended_ms, won.ended_ms, "cancelled at the winner's end");
    assert!(matches!(
        lost.outcome,
        Outcome::Cancelled {
            reason: CancelReason::Superseded { winner_lane }
        } if winner_lane == winner
    ));
    assert_eq!(lost.text, "slow va", "the partial text is kept");
    assert_eq!(slow.aborted.get(), 1, "A's race request was dropped");
    assert_eq!(fast.aborted.get(), 0);

    let view = RunView::from_events(events.iter());
    let lane_of = |id: LaneId| view.lanes.iter().find(|l| l.id == id).expect("lane");
    assert_eq!(lane_of(winner).info.variant, Variant(1));
    assert_eq!(lane_of(lost.lane).info.variant, Variant::A);
    let race = summarize(&view, Pattern::Racing, &Extraction::Number, 1e9)
        .race
        .expect("race figures");
    assert!(race.by_variant());
    assert_eq!(race.winner_variant, Some(Variant(1)));
    assert_eq!(race.winner_ms, Some(200.0));
    let figures: Vec<_> = race
        .contestants
        .iter()
        .map(|c| (c.variant, c.status, c.took_ms, c.tokens_out))
        .collect();
    assert_eq!(
        figures,
        vec![
            (Variant::A, LaneStatus::Cancelled, Some(200.0), 5),
            (Variant(1), LaneStatus::Done, Some(200.0), 20),
        ]
    );
    assert_eq!(race.loser_tokens_out, 5);
}

#[test]
fn without_variants_racing_still_races_n_samples_of_variant_a() {
    let clock = VirtualClock::new();
    let one = paced(&clock, 10.0, 50.0, "same speed");
    let plan = PatternPlan {
        base: base_plan("model-a"),
        settings: PatternSettings {
            pattern: Pattern::Racing,
            samples: 3,
            ..PatternSettings::default()
        },
    };
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: one.clone(),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let report = run_virtual(&clock, async move {
        run_pattern_with_variants(&plan, &[], env, CancelToken::new()).await
    })
    .expect("the run ends")
    .expect("the pattern runs");
    assert_eq!(report.strategy.len(), 3);
    let view = RunView::from_events(events.borrow().iter());
    let race = summarize(&view, Pattern::Racing, &Extraction::Number, 1e9)
        .race
        .expect("race figures");
    assert!(!race.by_variant());
    assert_eq!(race.winner_variant, Some(Variant::A));
    assert!(race.contestants.iter().all(|c| c.variant == Variant::A));
}
