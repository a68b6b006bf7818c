//! The set-up's data as literals of the exported programs: the request rows (custom_id,
//! question, variant, sample, Messages API parameters), the variants' table and the voting
//! settings. JSON without `true`/`false`/`null` is also a Python and a TypeScript literal, so
//! the parameters are written as JSON; the empty value is spelled per language.

use super::requests::anthropic_params;
use super::{string_literal, BatchJob};
use crate::patterns::extract::Extraction;

/// How the empty value is spelled: `None` (Python) or `null` (TypeScript).
#[derive(Clone, Copy)]
pub(crate) enum Language {
    Python,
    TypeScript,
}

impl Language {
    fn none(self) -> &'static str {
        match self {
            Language::Python => "None",
            Language::TypeScript => "null",
        }
    }

    fn row(self, items: &[String]) -> String {
        match self {
            Language::Python => format!("    ({}),\n", items.join(", ")),
            Language::TypeScript => format!("  [{}],\n", items.join(", ")),
        }
    }
}

/// Every request as a row, in the job's order, inside the list's brackets.
pub(crate) fn request_rows(job: &BatchJob, language: Language) -> String {
    let rows: Vec<String> = job
        .requests
        .iter()
        .map(|r| {
            let params = serde_json::to_string(&anthropic_params(r)).unwrap_or_default();
            language.row(&[
                string_literal(&r.custom_id),
                r.question.to_string(),
                string_literal(&r.variant.to_string()),
                r.sample
                    .map_or(language.none().to_string(), |k| k.to_string()),
                params,
            ])
        })
        .collect();
    format!("[\n{}]", rows.concat())
}

/// The variants' table: letter → model, max tokens, temperature (the synthesis settings).
pub(crate) fn variants_table(job: &BatchJob, language: Language) -> String {
    let indent = match language {
        Language::Python => "    ",
        Language::TypeScript => "  ",
    };
    let rows: Vec<String> = job
        .variants
        .iter()
        .map(|v| {
            let temperature = v
                .temperature
                .map_or(language.none().to_string(), |t| format!("{t:?}"));
            format!(
                "{indent}{}: {{\"model\": {}, \"max_tokens\": {}, \"temperature\": {temperature}}},\n",
                string_literal(&v.letter.to_string()),
                string_literal(&v.model),
                v.max_tokens
            )
        })
        .collect();
    format!("{{\n{}}}", rows.concat())
}

/// The voting settings (`{"extraction": …, "marker": …}`), or the empty value.
pub(crate) fn voting_literal(job: &BatchJob, language: Language) -> String {
    match &job.voting {
        None => language.none().to_string(),
        Some(voting) => format!(
            "{{\"extraction\": {}, \"marker\": {}}}",
            string_literal(voting.extraction.as_str()),
            string_literal(match &voting.extraction {
                Extraction::After { marker } => marker,
                _ => "",
            })
        ),
    }
}

/// The comment naming substituted models, or nothing.
pub(crate) fn substitute_note(job: &BatchJob, comment: &str) -> String {
    if job.variants.iter().any(|v| v.model_substituted) {
        format!(
            "{comment} The page ran its offline simulated model; a real model stands in for it.\n"
        )
    } else {
        String::new()
    }
}
