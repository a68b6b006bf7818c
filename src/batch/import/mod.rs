//! Batch results back into answers: an Anthropic results JSONL, an OpenAI / vLLM batch output
//! JSONL, or the exported programs' results file, matched to the current set-up by `custom_id`
//! and put in question order, with status, tokens and the cost at the batch price.
//!
//! Never panics and stays bounded: at most [`MAX_BYTES`] of text and [`MAX_LINES`] lines, each
//! decoded by `serde_json` (whose nesting limit keeps hostile nesting from recursing deep). What
//! could not be used is described in [`Imported::problems`], line by line.

mod assemble;
mod jsonl;
mod program_file;

use serde_json::Value;

use super::{BatchJob, BATCH_DISCOUNT, RESULTS_FORMAT};
use crate::engine::cost_usd;
use assemble::assemble;
use jsonl::read_jsonl;
use program_file::read_program_file;

/// Largest results file read (bigger ones are refused with a sentence).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most lines read.
pub const MAX_LINES: usize = 200_000;
/// Most problems listed one by one (the rest are counted).
const MAX_PROBLEMS: usize = 20;

/// How one request of the batch ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultStatus {
    Succeeded,
    Errored,
    Canceled,
    Expired,
    /// The file has no line for it.
    Missing,
}

impl ResultStatus {
    /// The name used in files and `data-status` (`succeeded`, `errored`, …).
    pub fn name(self) -> &'static str {
        match self {
            ResultStatus::Succeeded => "succeeded",
            ResultStatus::Errored => "errored",
            ResultStatus::Canceled => "canceled",
            ResultStatus::Expired => "expired",
            ResultStatus::Missing => "missing",
        }
    }

    fn parse(name: &str) -> Option<ResultStatus> {
        [
            ResultStatus::Succeeded,
            ResultStatus::Errored,
            ResultStatus::Canceled,
            ResultStatus::Expired,
            ResultStatus::Missing,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// Which kind of file it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsFormat {
    AnthropicJsonl,
    OpenAiJsonl,
    ProgramFile,
}

impl ResultsFormat {
    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            ResultsFormat::AnthropicJsonl => "Anthropic batch results (JSONL)",
            ResultsFormat::OpenAiJsonl => "OpenAI / vLLM batch output (JSONL)",
            ResultsFormat::ProgramFile => "results file of the exported program",
        }
    }
}

/// One request's result.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedAnswer {
    pub custom_id: String,
    /// The question it answers (0-based).
    pub question: usize,
    /// The variant it belongs to (`A`–`D`).
    pub variant: char,
    /// The voting sample it is, if any.
    pub sample: Option<usize>,
    pub status: ResultStatus,
    pub text: String,
    /// What went wrong, for an errored request.
    pub error: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// At the batch price; `None` when the model's price is unknown.
    pub cost_usd: Option<f64>,
    /// The file line it came from (1-based).
    pub line: Option<usize>,
}

/// The synthesis the program already ran.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedSynthesis {
    /// `done`, `skipped` or `failed`.
    pub status: String,
    pub text: String,
    pub reason: Option<String>,
}

/// A results file, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub format: ResultsFormat,
    /// One per request of the set-up, in the set-up's order.
    pub answers: Vec<ImportedAnswer>,
    /// The syntheses the program already ran, by variant (`A` alone for older files).
    pub syntheses: Vec<(char, ImportedSynthesis)>,
    pub batch_id: Option<String>,
    /// Creation and end of the batch (Unix ms), when the file says.
    pub span_unix_ms: Option<(f64, f64)>,
    /// What could not be used, as sentences.
    pub problems: Vec<String>,
    /// Lines that gave a result (1-based).
    pub lines_used: Vec<usize>,
}

impl Imported {
    /// Answers that succeeded.
    pub fn succeeded(&self) -> usize {
        self.answers
            .iter()
            .filter(|a| a.status == ResultStatus::Succeeded)
            .count()
    }

    /// Total cost at the batch price, when every price is known.
    pub fn cost_usd(&self) -> Option<f64> {
        self.answers.iter().map(|a| a.cost_usd).sum()
    }
}

/// Why nothing could be imported; the page shows it and keeps what it has.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is too large ({0} MB); the page reads results files up to 64 MB.")]
    TooLarge(usize),
    #[error("This is not a batch results file: {0}")]
    NotResults(String),
    #[error("No line of the file matches a request of this set-up (expected ids like {expected}; found {found}). Was it made from another set-up?")]
    NoMatch { expected: String, found: String },
}

/// One result as read from a line, before matching.
struct Found {
    custom_id: String,
    status: ResultStatus,
    text: String,
    error: Option<String>,
    tokens: (u64, u64),
    model: Option<String>,
    line: usize,
}

/// Reads `text` against `job`'s requests.
pub fn import_results(text: &str, job: &BatchJob) -> Result<Imported, ImportError> {
    if text.len() > MAX_BYTES {
        return Err(ImportError::TooLarge(text.len() / (1024 * 1024)));
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut problems = Vec::new();
    let (format, found, syntheses, batch_id, span) = if trimmed.starts_with('{')
        && trimmed.contains(RESULTS_FORMAT)
        && serde_json::from_str::<Value>(trimmed).is_ok()
    {
        read_program_file(trimmed, &mut problems)?
    } else {
        let (format, found) = read_jsonl(text, &mut problems)?;
        (format, found, Vec::new(), None, None)
    };
    let imported = assemble(job, format, found, problems, syntheses, batch_id, span)?;
    Ok(imported)
}

fn text_of(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn note(problems: &mut Vec<String>, problem: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(problem);
    } else if problems.len() == MAX_PROBLEMS {
        problems.push("More problems were found; the first ones are listed above.".into());
    }
}

/// The lines used, as a short phrase (`lines 1–3, 5`).
pub fn describe_lines(lines: &[usize]) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &line in lines {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == line => *end = line,
            _ => ranges.push((line, line)),
        }
    }
    let parts: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    match lines.len() {
        0 => "no lines".into(),
        1 => format!("line {}", parts.join(", ")),
        _ => format!("lines {}", parts.join(", ")),
    }
}

#[cfg(test)]
mod tests;
