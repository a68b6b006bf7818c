//! Batches on the page: the hand-over suggestion, the export (programs and request files as
//! downloads) of every variant and voting sample, the import of a results file, its lanes side
//! by side per variant and the batch's span beside the parallel run, each variant's synthesis
//! ([`super::batch_synthesis`]) or, for voting, each question's majority.
//!
//! The decisions live in [`crate::batch`] (import, view); this file reads the file, renders and
//! forwards clicks. An import never touches the set-up or the live run: nothing on the page is
//! lost, whatever the file holds.

use super::batch_synthesis::{from_file, synthesize_here, BatchSynthesis};
use super::markdown_view::Markdown;
use super::state::{use_app, AppState};
use crate::base::seconds_text;
use crate::batch::import::{import_results, Imported, MAX_BYTES};
use crate::batch::view::{dollars, lanes, span_ms, suggestion, votes, BatchLane, BatchVote};
use crate::batch::{import::describe_lines, python, requests, setup, typescript, BatchJob};
use crate::browser::page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// What the batch panel and timeline share.
#[derive(Clone, Copy)]
pub struct BatchState {
    /// The imported results and the set-up they were matched to.
    pub imported: RwSignal<Option<(Imported, BatchJob)>>,
    /// One per variant (none for a voting job).
    pub syntheses: RwSignal<Vec<BatchSynthesis>>,
    /// Why the last file could not be imported.
    pub error: RwSignal<Option<String>>,
}

/// Puts the batch state in context (once, in the app).
pub fn provide_batch_state() {
    provide_context(BatchState {
        imported: RwSignal::new(None),
        syntheses: RwSignal::new(Vec::new()),
        error: RwSignal::new(None),
    });
}

fn use_batch() -> BatchState {
    expect_context::<BatchState>()
}

/// The set-up as a batch job (every variant, voting samples when voting is chosen), or what
/// is wrong with it.
fn current_job(app: &AppState) -> Result<BatchJob, String> {
    app.workspace.with(|ws| {
        setup::from_workspace(ws)
            .map(|(plan, variants, voting)| BatchJob::new(&plan, variants, voting))
            .map_err(|problems| {
                problems
                    .into_iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    })
}

/// "Above a few hundred calls per round": the suggestion, with both costs.
#[component]
pub fn BatchSuggestion() -> impl IntoView {
    let app = use_app();
    let words = Memo::new(move |_| {
        let job = current_job(&app).ok()?;
        suggestion(job.requests.len(), job.estimated_cost(300))
    });
    move || {
        words.get().map(|text| {
            view! {
                <p class="notice batch-suggestion" data-testid="batch-suggestion" role="status">
                    {text}
                </p>
            }
        })
    }
}

/// Export and import of batch jobs.
#[component]
pub fn BatchPanel() -> impl IntoView {
    let app = use_app();
    let batch = use_batch();
    let download = move |which: &'static str| {
        let job = match current_job(&app) {
            Ok(job) => job,
            Err(problem) => return app.errors.set(vec![problem]),
        };
        let (name, mime, text) = match which {
            "python" => (python::FILE_NAME, "text/x-python", python::program(&job)),
            "typescript" => (
                typescript::FILE_NAME,
                "text/plain",
                typescript::program(&job),
            ),
            "anthropic" => (
                requests::ANTHROPIC_FILE,
                "application/json",
                requests::anthropic_requests_json(&job),
            ),
            _ => (
                requests::OPENAI_FILE,
                "application/jsonl",
                requests::openai_requests_jsonl(&job),
            ),
        };
        page::download(name, mime, &text);
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        if file.size() > MAX_BYTES as f64 {
            batch.error.set(Some(format!(
                "“{}” is too large ({:.0} MB); the page reads results files up to 64 MB.",
                file.name(),
                file.size() / 1_048_576.0
            )));
            return;
        }
        let name = file.name();
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let Some(text) = text.ok().and_then(|t| t.as_string()) else {
                batch
                    .error
                    .set(Some(format!("“{name}” could not be read as text.")));
                return;
            };
            receive(app, batch, &name, &text);
        });
        // The same file can be chosen again.
        input.set_value("");
    };
    view! {
        <section class="batch-panel" aria-label="Batch job">
            <h3>"Batch job: half the price, within the hour"</h3>
            <BatchSuggestion />
            <div class="batch-export" data-testid="export-batch" role="group" aria-label="Export as a batch job">
                <button data-testid="export-batch-python" on:click=move |_| download("python")>"Python program"</button>
                <button data-testid="export-batch-typescript" on:click=move |_| download("typescript")>"TypeScript program"</button>
                <button data-testid="export-batch-anthropic" on:click=move |_| download("anthropic")>"Anthropic requests (JSON)"</button>
                <button data-testid="export-batch-openai" on:click=move |_| download("openai")>"OpenAI / vLLM requests (JSONL)"</button>
            </div>
            <p class="hint">
                "The programs create the batch, poll it until it has ended, read the results, run the synthesis and write "
                <code>"batch_results.json"</code>". The JSONL file also runs locally: "
                <code>"vllm run-batch -i batch_requests.jsonl -o results.jsonl --model …"</code>
            </p>
            <label class="batch-import">
                <span>"Import results (the program's file, Anthropic results JSONL or OpenAI / vLLM output JSONL)"</span>
                <input type="file" data-testid="import-results" accept=".json,.jsonl,application/json" on:change=on_file />
            </label>
            {move || batch.error.get().map(|e| view! { <p class="reason" data-testid="error" role="alert">{e}</p> })}
            <ImportSummary />
        </section>
    }
}

/// Reads `text` against the current set-up; keeps the previous import when it cannot be read.
fn receive(app: AppState, batch: BatchState, name: &str, text: &str) {
    let job = match current_job(&app) {
        Ok(job) => job,
        Err(problem) => return batch.error.set(Some(problem)),
    };
    match import_results(text, &job) {
        Err(e) => batch.error.set(Some(format!("“{name}”: {e}"))),
        Ok(imported) => {
            batch.error.set(None);
            let (shown, to_run) = from_file(&job, &imported);
            batch.syntheses.set(shown);
            batch.imported.set(Some((imported, job)));
            for variant in to_run {
                synthesize_here(app, batch.imported, batch.syntheses, variant);
            }
        }
    }
}

/// What the import gave: counts, cost, problems, answers and the synthesis.
#[component]
fn ImportSummary() -> impl IntoView {
    let batch = use_batch();
    let view_lanes = Memo::new(move |_| {
        batch
            .imported
            .with(|i| i.as_ref().map(|(imported, job)| lanes(job, imported)))
            .unwrap_or_default()
    });
    let summary = move || {
        batch.imported.with(|i| {
            i.as_ref().map(|(imported, _)| {
                let cost = imported
                    .cost_usd()
                    .map(|c| {
                        format!(
                            " Cost at the batch price: {} (one by one: {}).",
                            dollars(c),
                            dollars(c * 2.0)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "{}: {} of {} requests succeeded, from {}.{cost}",
                    imported.format.label(),
                    imported.succeeded(),
                    imported.answers.len(),
                    describe_lines(&imported.lines_used),
                )
            })
        })
    };
    let problems = move || {
        batch.imported.with(|i| {
            i.as_ref()
                .map(|(imp, _)| imp.problems.clone())
                .unwrap_or_default()
        })
    };
    // Side by side like a variants run: one column per variant, its answers and its synthesis
    // (or, for voting, the majority of each question's samples).
    let columns = Memo::new(move |_| {
        let all = view_lanes.get();
        batch.imported.with(|i| {
            i.as_ref()
                .map(|(imported, job)| {
                    let votes = votes(job, imported);
                    job.variants
                        .iter()
                        .map(|v| VariantColumn {
                            variant: v.letter,
                            model: v.model.clone(),
                            lanes: all
                                .iter()
                                .filter(|l| l.variant == v.letter)
                                .cloned()
                                .collect(),
                            votes: votes
                                .iter()
                                .filter(|x| x.variant == v.letter)
                                .cloned()
                                .collect(),
                            questions: job.questions.clone(),
                            voting: job.voting.is_some(),
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <Show when=move || batch.imported.with(Option::is_some)>
            <p class="batch-summary" data-testid="import-summary">{summary}</p>
            <Show when=move || !problems().is_empty()>
                <ul class="reason" data-testid="import-problems">
                    {move || problems().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            </Show>
            <div class="batch-variants">
                {move || {
                    let all = columns.get();
                    let several = all.len() > 1;
                    all.into_iter().map(|column| view! { <BatchColumn column=column several=several /> }).collect_view()
                }}
            </div>
        </Show>
    }
}

/// One variant's part of an import.
#[derive(Clone, Debug, PartialEq)]
struct VariantColumn {
    variant: char,
    model: String,
    lanes: Vec<BatchLane>,
    votes: Vec<BatchVote>,
    questions: Vec<String>,
    voting: bool,
}

#[component]
fn BatchColumn(column: VariantColumn, several: bool) -> impl IntoView {
    let batch = use_batch();
    let letter = column.variant;
    let synthesis = move || {
        batch
            .syntheses
            .with(|all| all.iter().find(|s| s.variant == letter).cloned())
    };
    let synthesis_text = Signal::derive(move || synthesis().map(|s| s.text).unwrap_or_default());
    let heading = format!("Variant {letter} · {}", column.model);
    let votes = column.votes.iter().map(|vote| {
        let winner = vote.tally.winner().unwrap_or("").to_string();
        let agreement = vote.tally.agreement();
        let question = column.questions.get(vote.question).cloned().unwrap_or_default();
        let words = match vote.tally.winner() {
            Some(w) => format!(
                "Majority: {w} — {:.0}% of {} votes ({} without a result).",
                agreement * 100.0,
                vote.tally.voted,
                vote.tally.abstained
            ),
            None => format!("No sample gave a result ({} without one).", vote.tally.abstained),
        };
        view! {
            <p class="batch-vote" data-testid="batch-vote" data-variant=letter.to_string()
                data-question=vote.question.to_string() data-value=winner data-agreement=format!("{agreement:.4}")>
                <strong>{question}</strong>" · "{words}
            </p>
        }
    }).collect_view();
    view! {
        <div class="batch-variant" data-variant=letter.to_string()>
            {several.then(|| view! { <h4>{heading}</h4> })}
            <ol class="batch-answers">
                {column.lanes.into_iter().map(|lane| view! { <BatchAnswer lane=lane /> }).collect_view()}
            </ol>
            {votes}
            {(!column.voting).then(|| view! {
                <div class="batch-synthesis" data-testid="batch-synthesis" data-variant=letter.to_string()
                    data-status=move || synthesis().map_or("none", |s| s.status)
                    data-source=move || if synthesis().is_some_and(|s| s.from_file) { "file" } else { "page" }>
                    <h4>"Synthesis of the batch"</h4>
                    {move || synthesis().and_then(|s| (!s.reason.is_empty()).then(|| view! { <p class="reason">{s.reason}</p> }))}
                    <Markdown text=synthesis_text />
                </div>
            })}
        </div>
    }
}

#[component]
fn BatchAnswer(lane: BatchLane) -> impl IntoView {
    let tokens = format!("{} in / {} out", lane.tokens.0, lane.tokens.1);
    let cost = lane
        .cost_usd
        .map(dollars)
        .unwrap_or_else(|| "price unknown".into());
    let variant = lane.variant.to_string();
    view! {
        <li class="batch-answer">
            <p><strong>{lane.custom_id.clone()}</strong>" · "{lane.question.clone()}</p>
            <p class="hint" data-testid="batch-status" data-status=lane.result>{lane.result}" — "{lane.sentence.clone()}</p>
            <p data-testid="lane-answer" data-run="batch" data-variant=variant data-status=lane.lane_status>{lane.text.clone()}</p>
            <p class="hint">{tokens}" · "{cost}</p>
        </li>
    }
}

/// The imported batch on the time axis: one span from creation to end, its lanes, and the
/// parallel run of the same set-up on the same scale when there is one.
#[component]
pub fn BatchTimeline() -> impl IntoView {
    let app = use_app();
    let batch = use_batch();
    let span = Memo::new(move |_| {
        batch
            .imported
            .with(|i| i.as_ref().and_then(|(imp, _)| span_ms(imp)))
    });
    let parallel_ms = Memo::new(move |_| {
        app.live
            .figures
            .with(|f| f.parallel.as_ref().map(|g| g.wall_ms))
    });
    let axis = move || {
        span.get()
            .unwrap_or(0.0)
            .max(parallel_ms.get().unwrap_or(0.0))
            .max(1.0)
    };
    let width = move |ms: f64| format!("width: {:.2}%", (ms / axis() * 100.0).clamp(0.5, 100.0));
    let view_lanes = Memo::new(move |_| {
        batch
            .imported
            .with(|i| i.as_ref().map(|(imported, job)| lanes(job, imported)))
            .unwrap_or_default()
    });
    let end_attr = move || span.get().map(|ms| format!("{ms:.0}")).unwrap_or_default();
    view! {
        <Show when=move || batch.imported.with(Option::is_some)>
            <div class="batch-timeline" data-testid="batch-timeline" role="group" aria-label="The batch on the time axis">
                {move || parallel_ms.get().map(|ms| view! {
                    <div class="batch-row">
                        <span class="batch-label">{format!("Parallel run {}", seconds_text(ms))}</span>
                        <span class="batch-track"><span class="batch-bar parallel" data-testid="batch-parallel" data-end-ms=format!("{ms:.0}") style=move || width(ms)></span></span>
                    </div>
                })}
                <div class="batch-row">
                    <span class="batch-label">{move || match span.get() {
                        Some(ms) => format!("Batch {}", seconds_text(ms)),
                        None => "Batch (the file gives no times)".to_string(),
                    }}</span>
                    <span class="batch-track">
                        <span class="batch-bar span" data-testid="batch-span" data-start-ms="0" data-end-ms=end_attr
                            style=move || width(span.get().unwrap_or(0.0))></span>
                    </span>
                </div>
                <For each=move || view_lanes.get() key=|lane| (lane.variant, lane.index, lane.result) let:lane>
                    <div class="batch-row" data-testid="lane" data-run="batch" data-lane-index=lane.index.to_string()
                        data-status=lane.lane_status data-result=lane.result data-start-ms="0" data-end-ms=end_attr
                        data-round="1" data-variant=lane.variant.to_string() data-retries="0">
                        <span class="batch-label">{lane.custom_id.clone()}</span>
                        <span class="batch-track"><span class=format!("batch-bar {}", lane.lane_status) style=move || width(span.get().unwrap_or(0.0))></span></span>
                    </div>
                </For>
            </div>
        </Show>
    }
}
