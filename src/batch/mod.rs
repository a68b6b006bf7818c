//! Batches: the current set-up handed over to the providers' batch engines (Anthropic Message
//! Batches, the OpenAI Batch file format that `vllm run-batch` also reads) and their results
//! taken back. Pure: text in, text out.
//!
//! - [`BatchJob`]: the requests of a set-up, each with its `custom_id` (`q<i>`, `q<i>-<V>` for
//!   variant V, `q<i>-s<k>` for voting sample k), decided by [`setup`].
//! - [`requests`]: the plain request files; [`python`] and [`typescript`]: programs on the
//!   official SDKs that create the batch, poll it, read its results, run the synthesis and write
//!   one results file (their data literals in `program_data`); [`import`]: any of the three
//!   results formats back into answers; [`view`]: the lanes, syntheses and votes shown.
//!
//! ```
//! use parallel_playground::batch::BatchJob;
//! use parallel_playground::engine::RunPlan;
//!
//! let plan = RunPlan { questions: vec!["Why?".into(), "How?".into()], ..RunPlan::default() };
//! let job = BatchJob::from_plan(&plan);
//! assert_eq!(job.requests[1].custom_id, "q1");
//! ```

pub mod import;
mod program_data;
pub mod python;
pub mod requests;
pub mod setup;
pub mod typescript;
pub mod view;

use crate::engine::{cost_usd, RunPlan};
use setup::{batch_requests, JobVariant, VotingSetup};

/// What a batch costs against the same calls made one by one: half (both providers' batch price).
pub const BATCH_DISCOUNT: f64 = 0.5;

/// Calls per round above which the page suggests handing the job to a batch engine.
pub const SUGGEST_BATCH_ABOVE: usize = 300;

/// The name of the results file the exported programs write.
pub const RESULTS_FILE: &str = "batch_results.json";

/// The `format` field of that file.
pub const RESULTS_FORMAT: &str = "parallel-playground-batch-results";

/// The `custom_id` of question `question` (0-based), for variant `variant` (`None` or `A` for the
/// first) and voting sample `sample`.
///
/// ```
/// use parallel_playground::batch::custom_id;
/// assert_eq!(custom_id(2, None, None), "q2");
/// assert_eq!(custom_id(2, Some('B'), None), "q2-B");
/// assert_eq!(custom_id(0, None, Some(3)), "q0-s3");
/// ```
pub fn custom_id(question: usize, variant: Option<char>, sample: Option<usize>) -> String {
    let mut id = format!("q{question}");
    if let Some(v) = variant.filter(|v| *v != 'A') {
        id.push('-');
        id.push(v);
    }
    if let Some(k) = sample {
        id.push_str(&format!("-s{k}"));
    }
    id
}

/// What a `custom_id` names: question index, variant, sample. `None` when it is not one of ours.
pub fn parse_custom_id(id: &str) -> Option<(usize, char, Option<usize>)> {
    let rest = id.strip_prefix('q')?;
    let mut parts = rest.split('-');
    let question = parts.next()?;
    if question.is_empty() || question.len() > 6 || !question.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let question = question.parse().ok()?;
    let (mut variant, mut sample) = ('A', None);
    for part in parts {
        let mut chars = part.chars();
        match (chars.next(), chars.as_str()) {
            (Some(v @ 'A'..='D'), "") if sample.is_none() => variant = v,
            (Some('s'), k) if !k.is_empty() && k.len() <= 4 && sample.is_none() => {
                sample = Some(k.parse().ok()?)
            }
            _ => return None,
        }
    }
    Some((question, variant, sample))
}

/// One request of a batch: which question it asks and with what settings.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRequest {
    pub custom_id: String,
    /// The question's index in the set-up (0-based).
    pub question: usize,
    /// The variant it belongs to (`A`–`D`).
    pub variant: char,
    /// The voting sample it is (0-based), if any.
    pub sample: Option<usize>,
    pub prompt: String,
    pub system_prompt: Option<String>,
    pub model: String,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
}

/// A set-up as a batch: its requests and what the synthesis (or the vote) needs.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchJob {
    pub questions: Vec<String>,
    pub requests: Vec<BatchRequest>,
    /// Every variant, A first; each gets its own synthesis over its own answers.
    pub variants: Vec<JobVariant>,
    /// Voting: the majority of each question's samples is the result (no synthesis).
    pub voting: Option<VotingSetup>,
    pub synthesis_instructions: String,
    pub quorum: usize,
    /// Variant A's model, max tokens and temperature.
    pub model: String,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    /// Variant A's model was the simulated one and a real model stands in for it.
    pub model_substituted: bool,
}

impl BatchJob {
    /// One request per question of `plan` (`q0`, `q1`, …).
    pub fn from_plan(plan: &RunPlan) -> BatchJob {
        BatchJob::new(plan, vec![JobVariant::from_plan('A', plan, false)], None)
    }

    /// A job over `plan`'s questions for each of `variants` (A first), sampled with `voting`.
    pub fn new(plan: &RunPlan, variants: Vec<JobVariant>, voting: Option<VotingSetup>) -> BatchJob {
        let variants = if variants.is_empty() {
            vec![JobVariant::from_plan('A', plan, false)]
        } else {
            variants
        };
        let requests = batch_requests(&plan.questions, &variants, voting.as_ref());
        let a = &variants[0];
        BatchJob {
            questions: plan.questions.clone(),
            requests,
            synthesis_instructions: plan.synthesis_prompt.clone(),
            quorum: plan.quorum.max(1),
            model: a.model.clone(),
            max_tokens: a.max_tokens,
            temperature: a.temperature,
            model_substituted: a.model_substituted,
            variants,
            voting,
        }
    }

    /// The variant `letter`'s settings.
    pub fn variant(&self, letter: char) -> Option<&JobVariant> {
        self.variants.iter().find(|v| v.letter == letter)
    }

    /// The estimated cost of the job's research calls, both ways: (one by one, as a batch), for
    /// `output_tokens` per answer. `None` when the model's price is unknown.
    pub fn estimated_cost(&self, output_tokens: u64) -> Option<(f64, f64)> {
        let mut total = 0.0;
        for request in &self.requests {
            let chars = request.prompt.chars().count()
                + request
                    .system_prompt
                    .as_ref()
                    .map_or(0, |s| s.chars().count());
            let input = (chars as u64).div_ceil(4).max(1);
            total += cost_usd(&request.model, input, output_tokens)?;
        }
        Some((total, total * BATCH_DISCOUNT))
    }
}

/// The sentence shown with each status of a batch result.
pub fn status_sentence(status: import::ResultStatus) -> &'static str {
    use import::ResultStatus::*;
    match status {
        Succeeded => "Answered inside the batch.",
        Errored => "The request failed inside the batch; the error is below.",
        Canceled => "The batch was cancelled before this request ran.",
        Expired => "The batch expired (24 hours) before this request ran.",
        Missing => "The results file has no line for this request.",
    }
}

/// A JSON string literal, which is also a valid Python and TypeScript string literal.
pub(crate) fn string_literal(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_and_strangers_are_refused() {
        for (q, v, s) in [
            (0, 'A', None),
            (12, 'C', None),
            (3, 'A', Some(2)),
            (1, 'B', Some(0)),
        ] {
            let id = custom_id(q, Some(v), s);
            assert_eq!(parse_custom_id(&id), Some((q, v, s)), "{id}");
        }
        for bad in [
            "",
            "q",
            "x1",
            "q1-E",
            "q-1",
            "q1-s",
            "q1-s2-B",
            "q99999999",
            "q1--",
        ] {
            assert_eq!(parse_custom_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn batch_costs_half_of_one_by_one() {
        let plan = RunPlan {
            questions: vec!["Why is the sky blue?".into(); 3],
            model: "claude-sonnet-4-5".into(),
            ..RunPlan::default()
        };
        let (direct, batch) = BatchJob::from_plan(&plan)
            .estimated_cost(500)
            .expect("sonnet has a price");
        assert!(direct > 0.0);
        assert!((batch - direct / 2.0).abs() < 1e-12);
    }
}
