//! Batch results back into answers: an Anthropic results JSONL, an OpenAI / vLLM batch output
//! JSONL, or the exported programs' results file, matched to the current set-up by `custom_id`
//! and put in question order, with status, tokens and the cost at the batch price.
//!
//! Never panics and stays bounded: at most [`MAX_BYTES`] of text and [`MAX_LINES`] lines, each
//! decoded by `serde_json` (whose nesting limit keeps hostile nesting from recursing deep). What
//! could not be used is described in [`Imported::problems`], line by line.

use serde_json::Value;

use super::{BatchJob, BATCH_DISCOUNT, RESULTS_FORMAT};
use crate::engine::cost_usd;

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

type Read = (
    ResultsFormat,
    Vec<Found>,
    Vec<(char, ImportedSynthesis)>,
    Option<String>,
    Option<(f64, f64)>,
);

fn read_program_file(text: &str, problems: &mut Vec<String>) -> Result<Read, ImportError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ImportError::NotResults(format!("it is not JSON ({e}).")))?;
    let results = value
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| ImportError::NotResults("it has no \"results\" list.".into()))?;
    let mut found = Vec::new();
    for (i, entry) in results.iter().enumerate().take(MAX_LINES) {
        let number = i + 1;
        let (Some(custom_id), Some(status)) = (
            entry.get("custom_id").and_then(Value::as_str),
            entry
                .get("status")
                .and_then(Value::as_str)
                .and_then(ResultStatus::parse),
        ) else {
            note(
                problems,
                format!("Result {number} has no custom_id or no known status; skipped."),
            );
            continue;
        };
        let number_of = |key: &str| entry.get(key).and_then(Value::as_u64).unwrap_or(0);
        found.push(Found {
            custom_id: custom_id.to_string(),
            status,
            text: text_of(entry.get("text")),
            error: entry
                .get("error")
                .and_then(Value::as_str)
                .map(str::to_string),
            tokens: (number_of("input_tokens"), number_of("output_tokens")),
            // The set-up's request knows its variant's model.
            model: entry
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_string),
            line: number,
        });
    }
    let read_synthesis = |s: &Value| {
        Some(ImportedSynthesis {
            status: s.get("status")?.as_str()?.to_string(),
            text: text_of(s.get("text")),
            reason: s.get("reason").and_then(Value::as_str).map(str::to_string),
        })
    };
    let mut syntheses: Vec<(char, ImportedSynthesis)> = value
        .get("syntheses")
        .and_then(Value::as_object)
        .map(|by_variant| {
            by_variant
                .iter()
                .filter_map(|(letter, s)| {
                    let mut chars = letter.chars();
                    match (chars.next(), chars.next()) {
                        (Some(v @ 'A'..='D'), None) => Some((v, read_synthesis(s)?)),
                        _ => None,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if syntheses.is_empty() {
        syntheses.extend(
            value
                .get("synthesis")
                .and_then(read_synthesis)
                .map(|s| ('A', s)),
        );
    }
    syntheses.sort_by_key(|(letter, _)| *letter);
    let batch_id = value
        .get("batch_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let span = match (
        value.get("created_at_ms").and_then(Value::as_f64),
        value.get("ended_at_ms").and_then(Value::as_f64),
    ) {
        (Some(start), Some(end)) if start.is_finite() && end >= start => Some((start, end)),
        _ => None,
    };
    Ok((ResultsFormat::ProgramFile, found, syntheses, batch_id, span))
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

fn read_jsonl(
    text: &str,
    problems: &mut Vec<String>,
) -> Result<(ResultsFormat, Vec<Found>), ImportError> {
    let mut found = Vec::new();
    let mut format = None;
    let ends_with_newline = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().take(MAX_LINES + 1).collect();
    if lines.len() > MAX_LINES {
        note(
            problems,
            format!("Only the first {MAX_LINES} lines were read."),
        );
    }
    let last = lines.len();
    let mut not_json = 0;
    for (i, line) in lines.iter().take(MAX_LINES).enumerate() {
        let number = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(_) if number == last && !ends_with_newline => {
                note(
                    problems,
                    format!("Line {number} is cut off (the file seems truncated); it was skipped."),
                );
                continue;
            }
            Err(_) => {
                not_json += 1;
                note(problems, format!("Line {number} is not JSON; skipped."));
                continue;
            }
        };
        let Some(custom_id) = value.get("custom_id").and_then(Value::as_str) else {
            note(
                problems,
                format!("Line {number} has no custom_id; skipped."),
            );
            continue;
        };
        let read = if let Some(result) = value.get("result") {
            format.get_or_insert(ResultsFormat::AnthropicJsonl);
            anthropic_line(result)
        } else if value.get("response").is_some() || value.get("error").is_some() {
            format.get_or_insert(ResultsFormat::OpenAiJsonl);
            openai_line(&value)
        } else {
            None
        };
        match read {
            Some((status, text, error, tokens, model)) => found.push(Found {
                custom_id: custom_id.to_string(),
                status,
                text,
                error,
                tokens,
                model,
                line: number,
            }),
            None => note(
                problems,
                format!("Line {number} ({custom_id}) has no result this page can read; skipped."),
            ),
        }
    }
    match format {
        Some(format) => Ok((format, found)),
        None if not_json > 0 => Err(ImportError::NotResults(
            "its lines are not JSON (a results file has one JSON object per line).".into(),
        )),
        None => Err(ImportError::NotResults(
            "no line has a custom_id with a result or a response.".into(),
        )),
    }
}

type LineRead = (
    ResultStatus,
    String,
    Option<String>,
    (u64, u64),
    Option<String>,
);

fn anthropic_line(result: &Value) -> Option<LineRead> {
    let status = ResultStatus::parse(result.get("type")?.as_str()?)?;
    let mut read = (status, String::new(), None, (0, 0), None);
    match status {
        ResultStatus::Succeeded => {
            let message = result.get("message")?;
            read.1 = message
                .get("content")
                .and_then(Value::as_array)
                .map(|blocks| {
                    blocks
                        .iter()
                        .filter_map(|b| b.get("text").and_then(Value::as_str))
                        .collect::<String>()
                })
                .unwrap_or_default();
            let usage = |key: &str| {
                message
                    .pointer(&format!("/usage/{key}"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            read.3 = (usage("input_tokens"), usage("output_tokens"));
            read.4 = message
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        ResultStatus::Errored => {
            let error = result
                .pointer("/error/error")
                .or_else(|| result.get("error"));
            read.2 = Some(error_words(error));
        }
        _ => {}
    }
    Some(read)
}

fn error_words(error: Option<&Value>) -> String {
    let Some(error) = error else {
        return "no details".to_string();
    };
    let kind = error.get("type").and_then(Value::as_str);
    let message = error.get("message").and_then(Value::as_str);
    match (kind, message) {
        (Some(k), Some(m)) => format!("{k}: {m}"),
        (None, Some(m)) => m.to_string(),
        (Some(k), None) => k.to_string(),
        (None, None) => "no details".to_string(),
    }
}

fn openai_line(value: &Value) -> Option<LineRead> {
    if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
        let code = error.get("code").and_then(Value::as_str).unwrap_or("");
        let status = match code {
            "batch_expired" => ResultStatus::Expired,
            "batch_cancelled" | "batch_canceled" => ResultStatus::Canceled,
            _ => ResultStatus::Errored,
        };
        let words = error
            .get("message")
            .and_then(Value::as_str)
            .map_or(code.to_string(), str::to_string);
        return Some((status, String::new(), Some(words), (0, 0), None));
    }
    let response = value.get("response")?;
    let code = response.get("status_code")?.as_u64()?;
    let body = response.get("body")?;
    if code != 200 {
        let words = format!("HTTP {code}: {}", error_words(body.get("error")));
        return Some((
            ResultStatus::Errored,
            String::new(),
            Some(words),
            (0, 0),
            None,
        ));
    }
    let text = body
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let usage = |key: &str| {
        body.pointer(&format!("/usage/{key}"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_string);
    Some((
        ResultStatus::Succeeded,
        text,
        None,
        (usage("prompt_tokens"), usage("completion_tokens")),
        model,
    ))
}

fn assemble(
    job: &BatchJob,
    format: ResultsFormat,
    found: Vec<Found>,
    mut problems: Vec<String>,
    mut syntheses: Vec<(char, ImportedSynthesis)>,
    batch_id: Option<String>,
    span_unix_ms: Option<(f64, f64)>,
) -> Result<Imported, ImportError> {
    let mut slots: Vec<Option<Found>> = job.requests.iter().map(|_| None).collect();
    let mut strangers = Vec::new();
    for result in found {
        let Some(index) = job
            .requests
            .iter()
            .position(|r| r.custom_id == result.custom_id)
        else {
            strangers.push(result.custom_id.clone());
            note(
                &mut problems,
                format!(
                    "Line {} ({}) matches no request of this set-up; skipped.",
                    result.line, result.custom_id
                ),
            );
            continue;
        };
        match &slots[index] {
            Some(first) => note(
                &mut problems,
                format!(
                    "Lines {} and {} both answer {}: the file seems to mix two batches; line {} was kept.",
                    first.line, result.line, result.custom_id, first.line
                ),
            ),
            None => slots[index] = Some(result),
        }
    }
    if slots.iter().all(Option::is_none) {
        let expected: Vec<&str> = job
            .requests
            .iter()
            .take(3)
            .map(|r| r.custom_id.as_str())
            .collect();
        strangers.truncate(3);
        return Err(ImportError::NoMatch {
            expected: expected.join(", "),
            found: if strangers.is_empty() {
                "none".into()
            } else {
                strangers.join(", ")
            },
        });
    }
    let mut lines_used = Vec::new();
    let answers = job
        .requests
        .iter()
        .zip(slots)
        .map(|(request, slot)| match slot {
            Some(f) => {
                lines_used.push(f.line);
                let model = f.model.as_deref().unwrap_or(&request.model);
                let cost = cost_usd(model, f.tokens.0, f.tokens.1).map(|c| c * BATCH_DISCOUNT);
                ImportedAnswer {
                    custom_id: f.custom_id,
                    question: request.question,
                    variant: request.variant,
                    sample: request.sample,
                    status: f.status,
                    text: f.text,
                    error: f.error,
                    input_tokens: f.tokens.0,
                    output_tokens: f.tokens.1,
                    cost_usd: cost,
                    line: Some(f.line),
                }
            }
            None => ImportedAnswer {
                custom_id: request.custom_id.clone(),
                question: request.question,
                variant: request.variant,
                sample: request.sample,
                status: ResultStatus::Missing,
                text: String::new(),
                error: None,
                input_tokens: 0,
                output_tokens: 0,
                cost_usd: Some(0.0),
                line: None,
            },
        })
        .collect();
    lines_used.sort_unstable();
    syntheses.retain(|(letter, _)| job.variant(*letter).is_some());
    Ok(Imported {
        format,
        answers,
        syntheses,
        batch_id,
        span_unix_ms,
        problems,
        lines_used,
    })
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
#[path = "import_tests.rs"]
mod tests;
