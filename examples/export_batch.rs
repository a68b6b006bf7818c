//! Writes the batch export of a test set-up into a folder: the two programs and the two request
//! files (src/batch).
//!
//! ```sh
//! cargo run --example export_batch -- --out DIR [--model M] [--questions JSON] [--quorum N]
//!     [--variants JSON] [--samples N]
//! ```
//!
//! The set-up is the travel guide (`preset("travel")`); `--model` replaces the model (the tests
//! use the mock's, e.g. `mock?batch_ms=600`), `--questions` the questions (a JSON list of
//! strings, the topic already filled), `--quorum` the quorum, `--variants` adds variants B–D (a
//! JSON list of `{"model", "system_prompt", "max_tokens", "temperature"}`, each optional) and
//! `--samples N` turns on voting with N samples per question.

use parallel_playground::batch::setup::{JobVariant, VotingSetup};
use parallel_playground::batch::{python, requests, typescript, BatchJob};
use parallel_playground::engine::RunMode;
use parallel_playground::patterns::Extraction;
use parallel_playground::workspace::preset;
use serde::Deserialize;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: export_batch --out DIR [--model M] [--questions JSON] [--quorum N] \
                     [--variants JSON] [--samples N]";

/// A variant of `--variants`: what it changes from variant A.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantArg {
    model: Option<String>,
    system_prompt: Option<String>,
    max_tokens: Option<u32>,
    temperature: Option<f32>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("export_batch: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut out, mut model, mut questions, mut quorum) = (None, None, None, None);
    let (mut variants, mut samples) = (Vec::<VariantArg>::new(), None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--out" => out = Some(value()?),
            "--model" => model = Some(value()?),
            "--questions" => {
                let list: Vec<String> = serde_json::from_str(&value()?)
                    .map_err(|e| format!("--questions is not a JSON list of strings: {e}"))?;
                questions = Some(list);
            }
            "--quorum" => {
                quorum = Some(
                    value()?
                        .parse::<usize>()
                        .map_err(|e| format!("--quorum: {e}"))?,
                )
            }
            "--variants" => {
                variants = serde_json::from_str(&value()?)
                    .map_err(|e| format!("--variants is not a JSON list of variants: {e}"))?;
            }
            "--samples" => {
                samples = Some(
                    value()?
                        .parse::<usize>()
                        .map_err(|e| format!("--samples: {e}"))?,
                )
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let out = out.ok_or(format!("--out is required\n{USAGE}"))?;
    let travel = preset("travel").ok_or("the travel preset is missing")?;
    let mut plan = travel
        .workspace()
        .plan(RunMode::Parallel)
        .map_err(|problems| format!("the travel set-up is invalid: {problems:?}"))?;
    if let Some(model) = model {
        plan.model = model;
    }
    if let Some(questions) = questions {
        plan.questions = questions;
    }
    if let Some(quorum) = quorum {
        plan.quorum = quorum;
    }
    let a = JobVariant::from_plan('A', &plan, false);
    let mut all = vec![a.clone()];
    for (arg, letter) in variants.into_iter().zip(['B', 'C', 'D']) {
        all.push(JobVariant {
            letter,
            model: arg.model.unwrap_or_else(|| a.model.clone()),
            system_prompt: arg.system_prompt.or_else(|| a.system_prompt.clone()),
            max_tokens: arg.max_tokens.unwrap_or(a.max_tokens).max(1),
            temperature: arg.temperature.or(a.temperature),
            model_substituted: false,
        });
    }
    let voting = samples.map(|samples| VotingSetup {
        samples,
        extraction: Extraction::Number,
    });
    let job = BatchJob::new(&plan, all, voting);
    let out = Path::new(&out);
    write(&out.join(python::FILE_NAME), &python::program(&job))?;
    write(&out.join(typescript::FILE_NAME), &typescript::program(&job))?;
    write(
        &out.join(requests::ANTHROPIC_FILE),
        &requests::anthropic_requests_json(&job),
    )?;
    write(
        &out.join(requests::OPENAI_FILE),
        &requests::openai_requests_jsonl(&job),
    )
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
