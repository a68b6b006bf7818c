//! The patterns on the page: the choice (`pattern-select`), the chosen pattern's inputs, the
//! `run-pattern` button, and the panel of a pattern run's figures (folded by
//! [`crate::patterns::summarize`]) with its explanation.

use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::Group;
use crate::patterns::hedge_rounds::{explain_rounds, hedge_over_rounds, HedgeRounds};
use crate::patterns::{
    explain, summarize, Extraction, HedgeSummary, Pattern, PatternSummary, MAX_SAMPLES,
};
use crate::workspace::{PageMode, Workspace};
use leptos::prelude::*;

/// The pattern menu, its inputs and the button that runs it (research mode only).
#[component]
pub fn PatternControls() -> impl IntoView {
    let app = use_app();
    let ws = app.workspace;
    let pattern = Memo::new(move |_| ws.with(|w| w.patterns.pattern));
    let shown = move |p: &'static [Pattern]| move || p.contains(&pattern.get());
    view! {
        <Show when=move || ws.with(|w| w.mode == PageMode::Research)>
            <details class="settings pattern-controls" open=true>
                <summary>"Pattern"</summary>
                <label class="field">
                    <span>"Pattern"</span>
                    <select data-testid="pattern-select"
                        prop:value=move || pattern.get().as_str()
                        on:change=move |ev| {
                            if let Some(p) = Pattern::parse(&event_target_value(&ev)) {
                                ws.update(|w| w.patterns.pattern = p);
                            }
                        }>
                        {Pattern::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.title()}</option> }).collect_view()}
                    </select>
                </label>
                <Show when=shown(&[Pattern::Voting, Pattern::Racing, Pattern::Hedging])>
                    <PatternNumber testid="samples" label="N (samples, contestants, calls)"
                        read={|w| w.patterns.samples.to_string()}
                        write={|w, v| {
                            if let Ok(n) = v.trim().parse::<usize>() {
                                w.patterns.samples = n.clamp(1, MAX_SAMPLES);
                            }
                        }} />
                </Show>
                <Show when=shown(&[Pattern::Voting])>
                    <label class="field">
                        <span>"Final result"</span>
                        <select aria-label="How the final result of an answer is read"
                            prop:value=move || ws.with(|w| w.patterns.extraction.as_str())
                            on:change=move |ev| {
                                let kind = event_target_value(&ev);
                                ws.update(|w| {
                                    let marker = w.patterns.extraction.marker().to_string();
                                    let marker = if marker.is_empty() { "Answer:".to_string() } else { marker };
                                    w.patterns.extraction = Extraction::from_parts(&kind, &marker);
                                });
                            }>
                            <option value="number">"The last number"</option>
                            <option value="last-line">"The last line"</option>
                            <option value="after">"The text after a marker"</option>
                        </select>
                    </label>
                    <Show when=move || ws.with(|w| matches!(w.patterns.extraction, Extraction::After { .. }))>
                        <label class="field">
                            <span>"Marker"</span>
                            <input type="text" aria-label="The marker before the final result" maxlength="60"
                                prop:value=move || ws.with(|w| w.patterns.extraction.marker().to_string())
                                on:change=move |ev| {
                                    let marker = event_target_value(&ev);
                                    ws.update(|w| w.patterns.extraction = Extraction::from_parts("after", &marker));
                                } />
                        </label>
                    </Show>
                </Show>
                <Show when=shown(&[Pattern::Voting])>
                    <label class="check">
                        <input data-testid="vote-judge" type="checkbox"
                            prop:checked=move || ws.with(|w| w.patterns.judge)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ws.update(|w| w.patterns.judge = on);
                            } />
                        <span>"A judge call names the result (instead of the majority)"</span>
                    </label>
                </Show>
                <Show when=shown(&[Pattern::Hedging])>
                    <PatternNumber testid="hedge-after-ms" label="Hedge after (ms; empty = p95 so far)"
                        read={|w| w.patterns.hedge_after_ms.map(|d| d.to_string()).unwrap_or_default()}
                        write={|w, v| {
                            let v = v.trim();
                            if v.is_empty() {
                                w.patterns.hedge_after_ms = None;
                            } else if let Ok(ms) = v.parse::<f64>() {
                                if ms.is_finite() {
                                    w.patterns.hedge_after_ms = Some(ms.clamp(0.0, 600_000.0));
                                }
                            }
                        }} />
                </Show>
                <Show when=shown(&[Pattern::MapReduce])>
                    <label class="field wide">
                        <span>"Document"</span>
                        <textarea data-testid="document-input" rows="4" maxlength="200000"
                            prop:value=move || ws.with(|w| w.patterns.document.clone())
                            on:change=move |ev| { let text = event_target_value(&ev); ws.update(|w| w.patterns.document = text); }></textarea>
                    </label>
                    <PatternNumber testid="chunk-size" label="Chunk size (characters)"
                        read={|w| w.patterns.chunk_size.to_string()}
                        write={|w, v| if let Ok(n) = v.trim().parse::<usize>() { w.patterns.chunk_size = n.clamp(100, 200_000); }} />
                    <PatternNumber testid="reduce-fan-in" label="Reduce fan-in"
                        read={|w| w.patterns.reduce_fan_in.to_string()}
                        write={|w, v| if let Ok(n) = v.trim().parse::<usize>() { w.patterns.reduce_fan_in = n.clamp(2, 50); }} />
                </Show>
                <Show when=shown(&[Pattern::CachedPrefix])>
                    <label class="field wide">
                        <span>"Shared prefix"</span>
                        <textarea data-testid="shared-prefix" rows="4" maxlength="200000"
                            prop:value=move || ws.with(|w| w.patterns.shared_prefix.clone())
                            on:change=move |ev| { let text = event_target_value(&ev); ws.update(|w| w.patterns.shared_prefix = text); }></textarea>
                    </label>
                </Show>
                <button data-testid="run-pattern" class="primary"
                    on:click=move |_| app.run_pattern()>"▶ Run pattern"</button>
                <p class="hint">{move || hint(pattern.get())}</p>
            </details>
        </Show>
    }
}

fn hint(pattern: Pattern) -> &'static str {
    match pattern {
        Pattern::Sectioning => "Sectioning is the page's compare: the questions one at a time against all at once, then a synthesis.",
        Pattern::Voting => "The first question is asked N times at once (temperature above 0). The majority is decided only after every sample has settled.",
        Pattern::Racing => "The first question goes to N contestants at once (one per variant when the set-up has variants); the first complete answer wins and the others are cancelled at that moment.",
        Pattern::Hedging => "N calls over the questions; a call with no first token after the delay gets one backup copy, and the first of the two to finish wins.",
        Pattern::MapReduce | Pattern::CachedPrefix => "",
    }
}

/// A number input bound to one pattern setting (`write` ignores what does not parse).
#[component]
fn PatternNumber(
    testid: &'static str,
    label: &'static str,
    read: fn(&Workspace) -> String,
    write: fn(&mut Workspace, &str),
) -> impl IntoView {
    let ws = use_app().workspace;
    view! {
        <label class="field">
            <span>{label}</span>
            <input data-testid=testid type="number" min="0"
                prop:value=move || ws.with(read)
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    ws.update(|w| write(w, &text));
                    event_target::<web_sys::HtmlInputElement>(&ev).set_value(&ws.with_untracked(read));
                } />
        </label>
    }
}

/// The figures of a pattern run: each group's wall time, calls, tokens and cost, and the
/// pattern's own result.
#[component]
pub fn PatternPanel() -> impl IntoView {
    let app = use_app();
    let summary = Memo::new(move |_| {
        let now = app.live.now_ms.get();
        let plan = app.live.pattern_plan()?;
        app.live
            .with_view(|view| {
                // Map-reduce and the cached prefix have their own panel.
                if super::patterns_map_cache::is_map_cache(plan.settings.pattern) {
                    return None;
                }
                Some(summarize(
                    view,
                    plan.settings.pattern,
                    &plan.settings.extraction,
                    now,
                ))
            })
            .flatten()
    });
    // Hedging over rounds: every finished round's calls in one distribution each.
    let over_rounds = Memo::new(move |_| {
        app.live
            .with_experiment(|e| hedge_over_rounds(&e.rounds))
            .flatten()
    });
    let running = app.live.running;
    move || {
        summary.get().map(|s| {
            let rounds = over_rounds.get().filter(|_| s.pattern == Pattern::Hedging);
            let explanation = (!running.get()).then(|| match &rounds {
                Some(h) => explain_rounds(h),
                None => explain(&s),
            });
            view! {
                <section class="pattern-panel" data-testid="pattern-panel" data-pattern=s.pattern.as_str() aria-label="Pattern figures">
                    <div class="pattern-groups">
                        {[s.baseline.clone(), s.strategy.clone()].into_iter().flatten().map(group_view).collect_view()}
                    </div>
                    {match &rounds { Some(h) => hedge_rounds_view(h).into_any(), None => result_view(&s) }}
                    {explanation.map(|text| view! { <p class="pattern-explain" data-testid="pattern-explain">{text}</p> })}
                </section>
            }
        })
    }
}

fn group_view(g: crate::patterns::GroupSummary) -> impl IntoView {
    let run = g.group.map_or("", Group::as_str);
    let title = g.group.map_or("", Group::title);
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

fn result_view(s: &PatternSummary) -> AnyView {
    match s.pattern {
        Pattern::Voting => match &s.tally {
            Some(t) => {
                let value = t.winner().unwrap_or("").to_string();
                let agreement = t.agreement();
                let rows = t
                    .counts
                    .iter()
                    .map(|(r, n)| view! { <li data-testid="vote-count" data-result=r.clone() data-value=*n>{format!("{r}: {n}")}</li> })
                    .collect_view();
                view! {
                    <div class="vote">
                        <p data-testid="vote-result" data-value=value.clone() data-agreement=format!("{agreement:.4}")>
                            {format!("Majority: {} — {:.0}% agreement ({} of {} votes{})", if value.is_empty() { "none" } else { &value },
                                agreement * 100.0, t.counts.first().map_or(0, |c| c.1), t.voted,
                                if t.abstained > 0 { format!(", {} without a result", t.abstained) } else { String::new() })}
                        </p>
                        <ul class="tally">{rows}</ul>
                        {s.judge.clone().map(judge_view)}
                    </div>
                }
                .into_any()
            }
            None => view! { <p class="vote pending">{format!("Deciding after every sample has settled ({} still running)…", s.pending)}</p> }.into_any(),
        },
        Pattern::Racing => {
            let race = s.race.clone().unwrap_or_default();
            let by_variant = race.by_variant();
            let rows = race
                .contestants
                .iter()
                .map(|c| {
                    let won = race.winner_lane == Some(c.lane);
                    let who = if by_variant { format!("Variant {}", c.variant.letter()) } else { "Contestant".to_string() };
                    view! { <li data-testid="race-contestant" data-lane-id=c.lane data-status=c.status.as_str()
                        data-variant=c.variant.letter().to_string() data-winner=won.to_string()
                        data-ms=c.took_ms.map(|t| format!("{t:.1}")) data-tokens-in=c.tokens_in data-tokens-out=c.tokens_out>
                        {format!("{}{}: {} {} · {} in / {} out", who, if won { " (winner)" } else { "" }, c.status.as_str(),
                            c.took_ms.map(seconds_text).unwrap_or_default(), c.tokens_in, c.tokens_out)}
                    </li> }
                })
                .collect_view();
            let winner_variant = race.winner_variant.map(|v| v.letter().to_string());
            let headline = match (race.winner_ms, race.winner_variant) {
                (Some(w), Some(v)) if by_variant => format!("Variant {} won: it finished in {}.", v.letter(), seconds_text(w)),
                (Some(w), _) => format!("The winner finished in {}.", seconds_text(w)),
                (None, _) => "No winner yet.".to_string(),
            };
            view! {
                <div class="race">
                    <p data-testid="race-winner-ms" data-value=race.winner_ms.map(|w| format!("{w:.1}")) data-variant=winner_variant>
                        {headline}
                        {format!(" The cancelled contestants had used {} input and {} output tokens.", race.loser_tokens_in, race.loser_tokens_out)}
                    </p>
                    <ul>{rows}</ul>
                </div>
            }
            .into_any()
        }
        Pattern::Hedging => {
            let h = s.hedge.clone().unwrap_or_default();
            view! {
                <div class="hedge">
                    {percentile_row("baseline", &h.plain)}
                    {percentile_row("hedge", &h.hedged)}
                    <p data-testid="hedge-backups" data-value=h.backups data-won=h.backups_won>
                        {format!("{} backup copies sent, {} of them won; they cost {} input and {} output tokens.", h.backups, h.backups_won, h.backup_tokens_in, h.backup_tokens_out)}
                    </p>
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// Voting's judge: the result it named (or that it is still reading).
fn judge_view(j: crate::patterns::summary::JudgeSummary) -> impl IntoView {
    let value = j.result.clone().unwrap_or_default();
    let status = j.status.map_or("queued", |s| s.as_str());
    let text = match (&j.result, j.ended_ms) {
        (Some(r), _) => format!("Judge: {r} (after reading every answer)"),
        (None, Some(_)) => "Judge: no result".to_string(),
        (None, None) => "The judge is reading the answers…".to_string(),
    };
    view! { <p data-testid="judge-result" data-value=value data-status=status>{text}</p> }
}

/// Hedging over the rounds: plain against hedged over every round's calls, and the backups'
/// extra calls and tokens.
fn hedge_rounds_view(h: &HedgeRounds) -> impl IntoView {
    view! {
        <div class="hedge" data-testid="hedge-rounds" data-value=h.rounds>
            <p>{format!("Over {} rounds:", h.rounds)}</p>
            {percentile_row("baseline", h.plain.sorted())}
            {percentile_row("hedge", h.hedged.sorted())}
            <p data-testid="hedge-backups" data-value=h.backups data-won=h.backups_won data-calls=h.calls>
                {format!("{} backup copies for {} hedged calls, {} of them won; they cost {} extra tokens (the plain calls used {}).",
                    h.backups, h.calls, h.backups_won, h.backup_tokens, h.plain_tokens)}
            </p>
        </div>
    }
}

fn percentile_row(run: &'static str, values: &[f64]) -> impl IntoView {
    let [p50, p95, p99, max] = HedgeSummary::stats(values);
    let samples = values.len();
    let cell = move |testid: &'static str, v: Option<f64>| {
        view! { <span data-testid=testid data-run=run data-of="call" data-variant="A" data-samples=samples
        data-value=v.map(|v| format!("{v:.1}"))>{v.map(seconds_text).unwrap_or_else(|| "—".into())}</span> }
    };
    view! {
        <div class="percentiles" data-run=run>
            <strong>{if run == "baseline" { "Plain" } else { "Hedged" }}</strong>
            " p50 " {cell("metric-p50-ms", p50)} " · p95 " {cell("metric-p95-ms", p95)}
            " · p99 " {cell("metric-p99-ms", p99)} " · max " {cell("metric-max-ms", max)}
        </div>
    }
}
