//! Writes the batch export of a test set-up into a folder: the two programs and the two request
//! files (src/batch).
//!
//! ```sh
//! cargo run --example export_batch -- --out DIR [--model M] [--questions JSON] [--quorum N]
//! ```
//!
//! The set-up is the travel guide (`preset("travel")`); `--model` replaces the model (the tests
//! use the mock's, e.g. `mock?batch_ms=600`), `--questions` the questions (a JSON list of
//! strings, the topic already filled), `--quorum` the quorum.

use parallel_playground::batch::{python, requests, typescript, BatchJob};
use parallel_playground::engine::RunMode;
use parallel_playground::workspace::preset;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: export_batch --out DIR [--model M] [--questions JSON] [--quorum N]";

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
    let job = BatchJob::from_plan(&plan);
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
