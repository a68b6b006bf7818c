//! Every lesson step, run on the simulated model under virtual time: its explanation appears
//! only after its own run and quotes that run's figures (the pattern steps: their own result too
//! — map-reduce's levels and fan-in, the cached prefix's writes, reads and costs).

use parallel_playground::agent::run_agents;
use parallel_playground::base::seconds_text;
use parallel_playground::engine::*;
use parallel_playground::lesson::{explain_step, STEPS};
use parallel_playground::patterns::map_cache_summary::summarize_map_cache;
use parallel_playground::patterns::Pattern;
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
            RunKind::Pattern
                if matches!(
                    ws.patterns.pattern,
                    Pattern::MapReduce | Pattern::CachedPrefix
                ) =>
            {
                // Their strategy spans two groups (map and reduce; warm-up and fan-out).
                summarize_map_cache(&view, ws.patterns.pattern, view.last_event_ms)
                    .strategy
                    .map(|g| g.wall_ms)
            }
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

/// Runs lesson step `index` (0-based) from the default workspace, with its explanation.
fn pattern_step(index: usize) -> (Workspace, RunView, String) {
    let ws = STEPS[index].workspace(&Workspace::default());
    let view = run_step(&ws, STEPS[index].action);
    let figures = RunFigures::compute(&view, view.last_event_ms);
    let text = explain_step(index, &view, &figures).expect("an explanation");
    (ws, view, text)
}

#[test]
fn the_map_reduce_step_names_its_chunks_fan_in_levels_and_the_one_call_baseline() {
    let (ws, view, text) = pattern_step(15);
    assert_eq!(ws.patterns.pattern, Pattern::MapReduce);
    let s = summarize_map_cache(&view, Pattern::MapReduce, view.last_event_ms);
    let chunks = s.levels[0].calls;
    assert!(chunks >= 3, "{chunks} chunks");
    assert!(text.contains(&format!("{chunks} chunks")), "{text}");
    assert!(
        text.contains(&format!("a fan-in of {}", ws.patterns.reduce_fan_in)),
        "{text}"
    );
    let levels = s.levels.len() - 1;
    assert!(levels >= 2, "fan-in 2 over {chunks} chunks is a tree");
    assert!(text.contains(&format!("{levels} reduce levels")), "{text}");
    let base = s.baseline.expect("the report fits one call");
    assert!(text.contains(&seconds_text(base.wall_ms)), "{text}");
    // The tree's levels cost latency: the one call over the whole text is quicker here.
    let strategy = s.strategy.expect("the strategy ran");
    assert!(strategy.wall_ms > base.wall_ms, "{text}");
}

#[test]
fn the_cached_prefix_step_counts_writes_and_reads_and_prices_warm_below_cold() {
    let (ws, view, text) = pattern_step(16);
    assert_eq!(ws.patterns.pattern, Pattern::CachedPrefix);
    let n = ws.questions.len();
    let s = summarize_map_cache(&view, Pattern::CachedPrefix, view.last_event_ms);
    assert_eq!((s.baseline_cache.writes, s.baseline_cache.reads), (n, 0));
    assert_eq!(
        (s.strategy_cache.writes, s.strategy_cache.reads),
        (1, n - 1)
    );
    assert!(
        text.contains(&format!("{n} cache writes and 0 reads")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "1 write ({} tokens)",
            s.strategy_cache.write_tokens
        )),
        "{text}"
    );
    let (cold, warm) = (s.baseline.expect("cold"), s.strategy.expect("warm"));
    let (cold_cost, warm_cost) = (
        cold.cost_usd.expect("priced"),
        warm.cost_usd.expect("priced"),
    );
    assert!(warm_cost < cold_cost, "{text}");
    assert!(
        text.contains(&format!(
            "${cold_cost:.4} cold against ${warm_cost:.4} warm"
        )),
        "{text}"
    );
    let wait = s.warm_wait_ms.expect("the fan-out waited for the warm-up");
    assert!(wait > 0.0);
    assert!(
        text.contains(&format!("waited {}", seconds_text(wait))),
        "{text}"
    );
    assert!(text.contains(&seconds_text(cold.wall_ms)), "{text}");
}
