use super::*;
use crate::base::{run_virtual, VirtualClock};
use futures::StreamExt;

fn collect(
    provider: &SimulatedProvider,
    clock: &VirtualClock,
    question: &str,
    attempt: u32,
) -> Vec<(f64, Result<ProviderEvent, ProviderError>)> {
    let stream = provider.stream(
        &ModelRequest::ask("simulated", None, question, 1024),
        attempt,
    );
    let c = clock.clone();
    run_virtual(clock, async move {
        let start = c.now_ms();
        stream
            .map(|item| (c.now_ms() - start, item))
            .collect::<Vec<_>>()
            .await
    })
    .expect("the stream ends")
}

fn provider(clock: &VirtualClock, settings: SimulationSettings) -> SimulatedProvider {
    SimulatedProvider::new(Rc::new(clock.clone()), settings)
}

#[test]
fn the_same_seed_gives_the_same_timeline_twice() {
    let first = {
        let clock = VirtualClock::new();
        collect(
            &provider(&clock, SimulationSettings::default()),
            &clock,
            "What is Rust?",
            0,
        )
    };
    let second = {
        let clock = VirtualClock::new();
        collect(
            &provider(&clock, SimulationSettings::default()),
            &clock,
            "What is Rust?",
            0,
        )
    };
    assert_eq!(first, second);
    let other_seed = {
        let clock = VirtualClock::new();
        let settings = SimulationSettings {
            seed: 7,
            ..SimulationSettings::default()
        };
        collect(&provider(&clock, settings), &clock, "What is Rust?", 0)
    };
    assert_ne!(first, other_seed);
}

#[test]
fn streams_the_planned_text_at_the_planned_pace() {
    let clock = VirtualClock::new();
    let sim = provider(&clock, SimulationSettings::default());
    let request = ModelRequest::ask("simulated", None, "What is Rust?", 1024);
    let plan = sim.plan(&request, 0);
    let events = collect(&sim, &clock, "What is Rust?", 0);
    let text: String = events
        .iter()
        .filter_map(|(_, e)| match e {
            Ok(ProviderEvent::TextDelta { text }) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, plan.words.concat());
    let first_text_at = events
        .iter()
        .find(|(_, e)| matches!(e, Ok(ProviderEvent::TextDelta { .. })))
        .map(|(t, _)| *t);
    assert_eq!(
        first_text_at,
        Some(
            plan.first_token_ms.max(0.0)
                + (events_first_chunk(&sim, &plan) - 1) as f64 * plan.word_interval_ms
        )
    );
    let (end_at, last) = events.last().expect("events");
    assert!(matches!(last, Ok(ProviderEvent::Stop { .. })));
    let expected_end = plan.first_token_ms + (plan.words.len() - 1) as f64 * plan.word_interval_ms;
    assert!(
        (end_at - expected_end).abs() < 1e-6,
        "{end_at} vs {expected_end}"
    );
}

fn events_first_chunk(sim: &SimulatedProvider, plan: &ResponsePlan) -> usize {
    ((sim.settings.chunk_ms / plan.word_interval_ms)
        .ceil()
        .max(1.0) as usize)
        .min(plan.words.len())
}

#[test]
fn speed_divides_every_duration() {
    let clock = VirtualClock::new();
    let normal = provider(&clock, SimulationSettings::default());
    let fast = provider(
        &clock,
        SimulationSettings {
            speed: 10.0,
            ..SimulationSettings::default()
        },
    );
    let request = ModelRequest::ask("simulated", None, "What is wasm?", 1024);
    let (a, b) = (normal.plan(&request, 0), fast.plan(&request, 0));
    assert!((a.first_token_ms / b.first_token_ms - 10.0).abs() < 1e-9);
    assert_eq!(a.words, b.words);
}

#[test]
fn behaviours_fail_rate_limit_stall_and_cut_on_purpose() {
    let clock = VirtualClock::new();
    let sim = provider(&clock, SimulationSettings::default())
        .with_behaviour("Fails?", SimBehaviour::Fail)
        .with_behaviour("Limited?", SimBehaviour::RateLimited)
        .with_behaviour("Cut?", SimBehaviour::Cut);
    let last = |q: &str, attempt| collect(&sim, &clock, q, attempt).pop().map(|(_, e)| e);
    assert!(matches!(
        last("Fails?", 0),
        Some(Err(ProviderError::Http { status: 500, .. }))
    ));
    assert!(matches!(
        last("Limited?", 0),
        Some(Err(ProviderError::Http {
            status: 429,
            retry_after_ms: Some(ms),
            ..
        })) if ms == 1000.0
    ));
    assert!(matches!(
        last("Limited?", 1),
        Some(Ok(ProviderEvent::Stop { .. }))
    ));
    // A cut stream simply ends without a stop event.
    assert!(matches!(
        last("Cut?", 0),
        Some(Ok(ProviderEvent::TextDelta { .. }))
    ));
}

#[test]
fn a_failure_rate_of_one_fails_every_attempt() {
    let clock = VirtualClock::new();
    let sim = provider(
        &clock,
        SimulationSettings {
            failure_rate: 1.0,
            ..SimulationSettings::default()
        },
    );
    let request = ModelRequest::ask("simulated", None, "Anything?", 1024);
    for attempt in 0..3 {
        assert!(matches!(
            sim.plan(&request, attempt).end,
            PlannedEnd::Error(_)
        ));
    }
}

#[test]
fn max_tokens_cuts_the_answer_and_says_so() {
    let clock = VirtualClock::new();
    let sim = provider(&clock, SimulationSettings::default());
    let plan = sim.plan(
        &ModelRequest::ask("simulated", None, "What is Rust?", 13),
        0,
    );
    assert_eq!(plan.words.len(), 10);
    assert_eq!(plan.stop_reason, StopReason::MaxTokens);
}
