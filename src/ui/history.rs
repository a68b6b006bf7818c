//! The session's last runs (`history`, one `history-item` each) and any two side by side.
//! Kept runs are plain records in one signal: no store or signal of a past run stays alive.

use super::state::use_app;
use crate::base::seconds_text;
use crate::engine::{RunKind, RunView};
use crate::experiment::history::{bars, HistoryEntry, MAX_HISTORY};
use leptos::prelude::*;

/// A kept run's title: what ran, on which model.
pub fn title_of(view: &RunView) -> String {
    let what = match view.mode {
        Some(RunKind::Research(mode)) => match mode {
            crate::engine::RunMode::Sequential => "Sequential",
            crate::engine::RunMode::Parallel => "Parallel",
            crate::engine::RunMode::Compare => "Compare",
        },
        Some(RunKind::Agents) => "Agents",
        Some(RunKind::Pattern) => "Pattern",
        None => "Run",
    };
    let cancelled = if view.cancelled { " (cancelled)" } else { "" };
    format!("{what} · {}{cancelled}", view.model)
}

/// The list of kept runs and the pair chosen to compare.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let live = use_app().live;
    let history = live.history;
    // The two runs side by side: (older, newer) numbers.
    let chosen = RwSignal::new(None::<(u64, u64)>);
    let picked = RwSignal::new(None::<u64>);
    let items = move || history.with(|h| h.newest_first().cloned().collect::<Vec<_>>());
    let pair = move || {
        let (a, b) = chosen.get()?;
        history.with(|h| Some((h.get(a)?.clone(), h.get(b)?.clone())))
    };
    let pick = move |number: u64| match picked.get_untracked() {
        Some(first) if first != number => {
            chosen.set(Some((first.min(number), first.max(number))));
            picked.set(None);
        }
        _ => picked.set(Some(number)),
    };
    view! {
        <Show when=move || history.with(|h| !h.is_empty())>
            <section class="history" data-testid="history" aria-label="Run history">
                <h2>{format!("History (the last {MAX_HISTORY} runs of this session)")}</h2>
                <button type="button" class="history-compare-last"
                    disabled=move || history.with(|h| h.last_two().is_none())
                    on:click=move |_| chosen.set(history.with_untracked(|h| h.last_two()))
                >"This run vs the previous one"</button>
                <ol class="history-list">
                    <For each=items key=|e| e.number let:entry>
                        {
                            let number = entry.number;
                            view! {
                                <li data-testid="history-item" data-run-number=number
                                    data-wall-ms=entry.wall_ms().map(|w| format!("{w:.1}"))
                                    class:picked=move || picked.get() == Some(number)>
                                    <span class="history-title">{format!("#{number} {}", entry.title)}</span>
                                    <span class="meta">{summary(&entry)}</span>
                                    <button type="button" class="link" on:click=move |_| pick(number)>
                                        {move || if picked.get() == Some(number) { "picked: choose another" } else { "compare" }}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ol>
                {move || pair().map(|(a, b)| view! {
                    <div class="history-pair">
                        <KeptRun entry=a />
                        <KeptRun entry=b />
                    </div>
                })}
            </section>
        </Show>
    }
}

fn summary(entry: &HistoryEntry) -> String {
    let mut parts = Vec::new();
    if let Some(w) = entry.wall_ms() {
        parts.push(format!("wall {}", seconds_text(w)));
    }
    if let Some(s) = entry.figures.speedup {
        parts.push(format!("speedup {s:.1}×"));
    }
    parts.push(format!("{} calls", entry.record.calls.len()));
    parts.push(format!("{} tokens out", entry.tokens_out()));
    parts.join(" · ")
}

/// One kept run: its figures and a small timeline drawn from its record.
#[component]
fn KeptRun(entry: HistoryEntry) -> impl IntoView {
    let span = entry.span_ms.max(1.0);
    let bars = bars(&entry);
    let rows = entry.record.calls.len().max(1);
    let height = rows as f64 * 6.0;
    view! {
        <figure class="kept-run" data-run-number=entry.number>
            <figcaption>
                <strong>{format!("#{} {}", entry.number, entry.title)}</strong>
                <span class="meta">{summary(&entry)}</span>
            </figcaption>
            <svg viewBox=format!("0 0 1000 {height}") preserveAspectRatio="none" role="img"
                aria-label=format!("Timeline of run {}", entry.number)>
                {bars.into_iter().map(|b| view! {
                    <rect class=format!("phase {} run-{}", b.status, b.run)
                        x=b.start_ms / span * 1000.0 y=b.row as f64 * 6.0 + 1.0
                        width=((b.end_ms - b.start_ms) / span * 1000.0).max(1.0) height="4"></rect>
                }).collect_view()}
            </svg>
        </figure>
    }
}
