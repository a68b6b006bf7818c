//! Matching what was read to the set-up's requests by `custom_id`: answers in question order,
//! strangers and duplicates reported, tokens summed and the cost at the batch price.

use super::*;

pub(super) fn assemble(
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
