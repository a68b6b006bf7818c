//! The exported programs' own results file (`format` = the results format): one JSON object
//! with the answers, the syntheses, the batch id and the time span of the run.

use serde_json::Value;

use super::*;

pub(super) type Read = (
    ResultsFormat,
    Vec<Found>,
    Vec<(char, ImportedSynthesis)>,
    Option<String>,
    Option<(f64, f64)>,
);

pub(super) fn read_program_file(
    text: &str,
    problems: &mut Vec<String>,
) -> Result<Read, ImportError> {
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
