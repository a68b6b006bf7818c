//! The providers' results JSONL, one result a line: Anthropic Message Batches results and the
//! OpenAI / vLLM batch output format, told apart line by line.

use serde_json::Value;

use super::*;

pub(super) fn read_jsonl(
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
