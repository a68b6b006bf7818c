//! Every lesson step, run on the simulated model under virtual time: its explanation appears
//! only after its own run and quotes that run's figures.

use parallel_playground::agent::run_agents;
use parallel_playground::base::seconds_text;
use parallel_playground::engine::*;
use parallel_playground::lesson::{explain_step, STEPS};
use parallel_playground::providers::simulated::{SimBehaviour, SimulatedProvider};
use parallel_playground::workspace::Workspace;
use std::cell::RefCell;
use std::rc::Rc;

fn run_step(ws: &Workspace, kind: RunKind) -> RunView {
    let clock = VirtualClock::new();
    let mut provider = SimulatedProvider::new(Rc::new(clock.clone()), ws.simulation.clone());
    for (q, text) in ws.questions.iter().zip(ws.filled_questions()) {
        if q.simulate != SimBehaviour::Normal {
            provider = provider.with_behaviour(&text, q.simulate);
        }
    }
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 3,
    };
    if kind == RunKind::Pattern {
        // The page's patterns sample: every request a fresh draw of the simulated model.
        let mut provider =
            SimulatedProvider::new(Rc::new(clock.clone()), ws.simulation.clone()).sampling();
        for (q, text) in ws.questions.iter().zip(ws.filled_questions()) {
            if q.simulate != SimBehaviour::Normal {
                provider = provider.with_behaviour(&text, q.simulate);
            }
        }
        let env = RunEnv {
            provider: Rc::new(provider),
            ..env
        };
        let plan = ws.pattern_plan().expect("valid pattern set-up");
        run_virtual(&clock, async move {
            parallel_playground::patterns::run_pattern(&plan, env, CancelToken::new()).await
        })
        .expect("finishes")
        .expect("the pattern runs");
    } else if let RunKind::Research(mode) = kind {
        let plan = ws.plan(mode).expect("valid set-up");
        run_virtual(
            &clock,
            async move { run(&plan, env, CancelToken::new()).await },
        )
        .expect("finishes");
    } else {
        let plan = ws.agent_plan().expect("valid agents set-up");
        run_virtual(&clock, async move {
            run_agents(&plan, env, CancelToken::new()).await
        })
        .expect("finishes");
    }
    let view = RunView::from_events(events.borrow().iter());
    view
}

#[test]
fn every_step_explains_its_own_run_with_the_figures_shown() {
    let mut ws = Workspace::default();
    for (i, step) in STEPS.iter().enumerate() {
        ws = step.workspace(&ws);
        if i == parallel_playground::lesson::TAIL_STEP {
            // It explains its twenty rounds, not one run: tests/rounds.rs runs them.
            assert_eq!(ws.run.rounds, 20);
            continue;
        }
        let view = run_step(&ws, step.action);
        let figures = RunFigures::compute(&view, view.last_event_ms);
        let text = explain_step(i, &view, &figures)
            .unwrap_or_else(|| panic!("step {} has no explanation", i + 1));
        let wall = match step.action {
            RunKind::Research(RunMode::Sequential) => {
                figures.sequential.as_ref().map(|g| g.wall_ms)
            }
            RunKind::Agents => figures.agents.as_ref().map(|a| a.wall_ms),
            RunKind::Pattern => {
                let pattern = ws.patterns.pattern;
                parallel_playground::patterns::summarize(
                    &view,
                    pattern,
                    &ws.patterns.extraction,
                    view.last_event_ms,
                )
                .strategy
                .map(|g| g.wall_ms)
            }
            _ => figures.parallel.as_ref().map(|g| g.wall_ms),
        }
        .expect("a wall time");
        assert!(
            text.contains(&seconds_text(wall)),
            "step {}: {text:?} does not quote the wall {}",
            i + 1,
            seconds_text(wall)
        );
        eprintln!("step {}: {text}", i + 1);
    }
}

#[test]
fn a_step_says_nothing_about_a_different_kind_of_run() {
    let ws = STEPS[0].workspace(&Workspace::default());
    let view = run_step(&ws, RunKind::Research(RunMode::Parallel));
    let figures = RunFigures::compute(&view, view.last_event_ms);
    assert_eq!(explain_step(0, &view, &figures), None);
}

#[test]
fn the_limits_steps_show_429s_then_fewer_with_auto_then_a_staircase() {
    let mut ws = Workspace::default();
    let mut texts = Vec::new();
    for (i, step) in STEPS.iter().enumerate().take(7) {
        ws = step.workspace(&ws);
        let view = run_step(&ws, step.action);
        let figures = RunFigures::compute(&view, view.last_event_ms);
        texts.push(explain_step(i, &view, &figures).expect("an explanation"));
        if i == 4 || i == 5 {
            let refused = parallel_playground::explain_limits::refusals(&view);
            assert!(
                texts[i].contains(&format!("refused {refused} attempt")),
                "{}",
                texts[i]
            );
        }
    }
    let refused = |text: &str| -> usize {
        let after = text.split("refused ").nth(1).expect("a count of refusals");
        after
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a number")
    };
    assert!(refused(&texts[5]) < refused(&texts[4]), "{texts:?}");
    assert!(texts[6].contains("one at a time"), "{}", texts[6]);
}
