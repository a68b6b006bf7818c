//! The figures panel of a map-reduce or cached-prefix run: each side's wall time, calls,
//! tokens and cost (cache writes and reads priced), the reduce levels or the cache counts, and
//! the explanation with the run's numbers (folded by
//! [`crate::patterns::map_cache_summary::summarize_map_cache`]).

use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::Group;
use crate::patterns::map_cache_summary::{
    explain_map_cache, summarize_map_cache, CacheCounts, MapCacheSummary,
};
use crate::patterns::map_reduce::MapReducePlan;
use crate::patterns::summary::GroupSummary;
use crate::patterns::Pattern;
use leptos::prelude::*;

/// Whether `pattern` is drawn by this panel (the other patterns by `PatternPanel`).
pub fn is_map_cache(pattern: Pattern) -> bool {
    matches!(pattern, Pattern::MapReduce | Pattern::CachedPrefix)
}

#[component]
pub fn MapCachePanel() -> impl IntoView {
    let app = use_app();
    let summary = Memo::new(move |_| {
        let now = app.live.now_ms.get();
        let plan = app.live.pattern_plan()?;
        app.live
            .with_view(|view| {
                let pattern = plan.settings.pattern;
                if !is_map_cache(pattern) {
                    return None;
                }
                let fit = (pattern == Pattern::MapReduce).then(|| MapReducePlan::of(&plan).fit);
                Some((pattern, fit, summarize_map_cache(view, pattern, now)))
            })
            .flatten()
    });
    let running = app.live.running;
    move || {
        summary.get().map(|(pattern, fit, s)| {
            let explanation = (!running.get()).then(|| explain_map_cache(&s, pattern, fit));
            view! {
                <section class="pattern-panel" data-testid="pattern-panel" data-pattern=pattern.as_str() aria-label="Pattern figures">
                    <div class="pattern-groups">
                        {[s.baseline.clone(), s.strategy.clone()].into_iter().flatten().map(group_view).collect_view()}
                    </div>
                    {detail_view(pattern, &s)}
                    {explanation.map(|text| view! { <p class="pattern-explain" data-testid="pattern-explain">{text}</p> })}
                </section>
            }
        })
    }
}

fn group_view(g: GroupSummary) -> impl IntoView {
    let run = g.group.map_or("", Group::as_str);
    let title = match g.group {
        Some(Group::Map) => "Map-reduce",
        Some(Group::FanOut) => "Warm-up, then fan-out",
        Some(Group::Baseline) => "Baseline",
        other => other.map_or("", Group::title),
    };
    let cost = g
        .cost_usd
        .map(|c| format!("${c:.5}"))
        .unwrap_or_else(|| "—".into());
    view! {
        <div class="pattern-group" data-run=run>
            <h4>{title}</h4>
            <span data-testid="metric-wall-ms" data-run=run data-value=format!("{:.1}", g.wall_ms)><span class="metric-value">{seconds_text(g.wall_ms)}</span></span>
            " · " <span data-testid="metric-calls" data-run=run data-value=g.calls>{format!("{} calls", g.calls)}</span>
            " · " <span data-testid="metric-tokens-in" data-run=run data-value=g.tokens_in>{format!("{} in", g.tokens_in)}</span>
            " / " <span data-testid="metric-tokens-out" data-run=run data-value=g.tokens_out>{format!("{} out", g.tokens_out)}</span>
            " · " <span data-testid="metric-cost" data-run=run data-value=g.cost_usd.map(|c| format!("{c:.6}"))>{cost}</span>
        </div>
    }
}

fn cache_line(name: &'static str, c: CacheCounts) -> impl IntoView {
    view! {
        <li>{format!(
            "{name}: {} cache writes ({} tokens), {} reads ({} tokens)",
            c.writes, c.write_tokens, c.reads, c.read_tokens
        )}</li>
    }
}

fn detail_view(pattern: Pattern, s: &MapCacheSummary) -> AnyView {
    match pattern {
        Pattern::MapReduce => view! {
            <ol class="pattern-levels" aria-label="Levels of the reduce tree">
                {s.levels.iter().map(|l| {
                    let name = if l.level == 0 { "Map".to_string() } else { format!("Reduce level {}", l.level) };
                    let span = match (l.start_ms, l.end_ms) {
                        (Some(a), Some(b)) => format!("{} → {}", seconds_text(a), seconds_text(b)),
                        _ => "running".into(),
                    };
                    view! { <li data-level=l.level>{format!("{name}: {} calls, {span}", l.calls)}</li> }
                }).collect_view()}
            </ol>
        }
        .into_any(),
        _ => view! {
            <ul class="pattern-cache" aria-label="Cache writes and reads">
                {cache_line("Cold fan-out", s.baseline_cache)}
                {cache_line("Warm, then fan-out", s.strategy_cache)}
            </ul>
        }
        .into_any(),
    }
}
