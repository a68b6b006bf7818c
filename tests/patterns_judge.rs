//! Voting with a judge, under virtual time: the judge call starts exactly when the last sample
//! settles (never before), sees every answer in its prompt, and names the result — which may
//! differ from the majority; the vote's wall time counts it. Without the option, no judge runs.

use parallel_playground::engine::*;
use parallel_playground::patterns::judge::judge_prompt;
use parallel_playground::patterns::*;
use parallel_playground::providers::simulated::{
    SimulatedProvider, SimulationSettings, JUDGE_OPENING,
};
use parallel_playground::providers::{
    EventStream, ModelRequest, Provider, ProviderEvent, StopReason, Usage,
};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// The judge's answer, after `JUDGE_MS`.
const JUDGE_MS: f64 = 300.0;

/// Answers each sample with the next (delay, text) of its script; a judge's prompt (it begins
/// with [`JUDGE_OPENING`]) with "Answer: 5". Keeps every prompt and when it arrived.
struct Scripted {
    clock: VirtualClock,
    script: RefCell<VecDeque<(f64, &'static str)>>,
    prompts: Prompts,
}

impl Provider for Scripted {
    fn stream(&self, request: &ModelRequest, _attempt: u32) -> EventStream {
        let prompt = request.last_user_text();
        self.prompts
            .borrow_mut()
            .push((self.clock.now_ms(), prompt.clone()));
        let (wait, text) = if prompt.starts_with(JUDGE_OPENING) {
            (JUDGE_MS, "The working of the first holds.\nAnswer: 5")
        } else {
            self.script
                .borrow_mut()
                .pop_front()
                .unwrap_or((10.0, "Answer: 0"))
        };
        let clock = self.clock.clone();
        let events = async move {
            clock.sleep(wait).await;
            futures::stream::iter(
                [
                    ProviderEvent::TextDelta { text: text.into() },
                    ProviderEvent::Usage {
                        usage: Usage::new(10, 5),
                    },
                    ProviderEvent::Stop {
                        reason: StopReason::EndTurn,
                    },
                ]
                .map(Ok),
            )
        };
        Box::pin(futures::stream::StreamExt::flatten(futures::stream::once(
            events,
        )))
    }
}

fn voting_plan(judge: bool) -> PatternPlan {
    PatternPlan {
        base: RunPlan {
            questions: vec!["What is 2 + 3? End with 'Answer: <number>'.".into()],
            compare_timing: CompareTiming::OneAfterTheOther,
            ..RunPlan::default()
        },
        settings: PatternSettings {
            pattern: Pattern::Voting,
            samples: 3,
            extraction: Extraction::After {
                marker: "Answer:".into(),
            },
            judge,
            ..PatternSettings::default()
        },
    }
}

/// Runs `plan` on `provider` (over `clock`) and returns the report and the folded view.
fn run_on(
    clock: &VirtualClock,
    provider: Rc<dyn Provider>,
    plan: PatternPlan,
) -> (PatternReport, RunView) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider,
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let report = run_virtual(clock, async move {
        run_pattern(&plan, env, CancelToken::new()).await
    })
    .expect("the run ends")
    .expect("the pattern runs");
    let view = RunView::from_events(events.borrow().iter());
    (report, view)
}

/// Every prompt the provider received, with when.
type Prompts = Rc<RefCell<Vec<(f64, String)>>>;

/// The baseline (100 ms), then three samples: the right 5 after 200 ms, a wrong 7 twice, the
/// slowest after 900 ms.
fn scripted(clock: &VirtualClock) -> (Rc<dyn Provider>, Prompts) {
    let prompts = Rc::new(RefCell::new(Vec::new()));
    let provider = Scripted {
        clock: clock.clone(),
        script: RefCell::new(VecDeque::from([
            (100.0, "Answer: 5"),
            (200.0, "Answer: 5"),
            (500.0, "Answer: 7"),
            (900.0, "Answer: 7"),
        ])),
        prompts: prompts.clone(),
    };
    (Rc::new(provider), prompts)
}

#[test]
fn the_judge_starts_when_the_last_sample_settles_and_names_the_result_over_the_majority() {
    let clock = VirtualClock::new();
    let (provider, prompts) = scripted(&clock);
    let (report, view) = run_on(&clock, provider, voting_plan(true));
    let summary = summarize(
        &view,
        Pattern::Voting,
        &voting_plan(true).settings.extraction,
        view.last_event_ms,
    );
    // The majority says 7; the judge, reading all three, says 5.
    let tally = summary.tally.as_ref().expect("decided");
    assert_eq!((tally.winner(), tally.voted), (Some("7"), 3));
    let judge = summary.judge.as_ref().expect("a judge ran");
    assert_eq!(judge.result.as_deref(), Some("5"));
    assert_eq!(judge.status, Some(LaneStatus::Done));
    // It started exactly when the last sample ended, and not a moment before.
    let last_sample_end = report
        .strategy
        .iter()
        .map(|r| r.ended_ms)
        .fold(f64::MIN, f64::max);
    assert_eq!(judge.samples_settled_ms, Some(last_sample_end));
    assert_eq!(judge.started_ms, Some(last_sample_end));
    assert_eq!(judge.ended_ms, Some(last_sample_end + JUDGE_MS));
    let judged = report.judge.as_ref().expect("the judge's call");
    assert_eq!(judged.started_ms, Some(last_sample_end));
    // Its prompt holds the question and every answer.
    let prompts = prompts.borrow();
    let (at, prompt) = prompts
        .iter()
        .find(|(_, p)| p.starts_with(JUDGE_OPENING))
        .expect("the judge's request");
    assert_eq!(*at, last_sample_end);
    assert_eq!(
        *prompt,
        judge_prompt(voting_plan(true).question(), &report.strategy)
    );
    assert!(prompt.contains("What is 2 + 3?"));
    assert_eq!(prompt.matches("Candidate ").count(), 3);
    // The vote's wall time counts the judge; its calls too.
    let vote = summary.strategy.as_ref().expect("the vote's figures");
    let vote_start = view.group_span(Group::Vote).expect("the vote ran").0;
    assert_eq!(vote.wall_ms, last_sample_end + JUDGE_MS - vote_start);
    assert_eq!(vote.calls, 4);
    let text = explain(&summary);
    assert!(text.contains("named 5"), "{text}");
    assert!(text.contains("asked the same question 3 times"), "{text}");
}

#[test]
fn without_the_option_no_judge_runs() {
    let clock = VirtualClock::new();
    let (provider, prompts) = scripted(&clock);
    let (report, view) = run_on(&clock, provider, voting_plan(false));
    assert!(report.judge.is_none());
    let summary = summarize(
        &view,
        Pattern::Voting,
        &Extraction::Number,
        view.last_event_ms,
    );
    assert!(summary.judge.is_none());
    assert_eq!(prompts.borrow().len(), 4);
}

#[test]
fn the_simulated_judge_names_the_most_common_final_result_of_its_candidates() {
    let clock = VirtualClock::new();
    let settings = SimulationSettings {
        seed: 7,
        speed: 10.0,
        wrong_rate: 0.3,
        ..SimulationSettings::default()
    };
    let provider = SimulatedProvider::new(Rc::new(clock.clone()), settings).sampling();
    let mut plan = voting_plan(true);
    plan.settings.samples = 7;
    plan.base.questions = vec!["What is (17 + 25) * 3 - 4? End with 'Answer: <number>'.".into()];
    let extraction = plan.settings.extraction.clone();
    let (_, view) = run_on(&clock, Rc::new(provider), plan);
    let summary = summarize(&view, Pattern::Voting, &extraction, view.last_event_ms);
    let majority = summary
        .tally
        .as_ref()
        .and_then(|t| t.winner())
        .map(String::from);
    assert_eq!(majority.as_deref(), Some("122"));
    let judge = summary.judge.expect("a judge ran");
    assert_eq!(judge.result, majority);
}
