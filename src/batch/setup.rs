//! Which requests a set-up makes as a batch: one per question and variant (`q<i>` for variant
//! A, `q<i>-<V>` for B–D, each with that variant's model, system prompt, max tokens and
//! temperature), and with voting, one per sample (`q<i>-s<k>`, `q<i>-B-s<k>`) at the sampling
//! temperature the page's voting uses. The request files and both programs read these requests.
//!
//! ```
//! use parallel_playground::batch::setup::{JobVariant, VotingSetup, batch_requests};
//! use parallel_playground::patterns::extract::Extraction;
//!
//! let a = JobVariant { letter: 'A', model: "claude-haiku-4-5".into(), system_prompt: None,
//!     max_tokens: 300, temperature: None, model_substituted: false };
//! let b = JobVariant { letter: 'B', model: "claude-sonnet-4-5".into(), ..a.clone() };
//! let ids: Vec<String> = batch_requests(&["Why?".into()], &[a.clone(), b], None)
//!     .into_iter().map(|r| r.custom_id).collect();
//! assert_eq!(ids, ["q0", "q0-B"]);
//! let voting = VotingSetup { samples: 2, extraction: Extraction::Number };
//! let ids: Vec<String> = batch_requests(&["Why?".into()], &[a], Some(&voting))
//!     .into_iter().map(|r| r.custom_id).collect();
//! assert_eq!(ids, ["q0-s0", "q0-s1"]);
//! ```

use super::{custom_id, BatchRequest};
use crate::codegen::SUBSTITUTE_MODEL;
use crate::engine::RunPlan;
use crate::patterns::extract::Extraction;
use crate::patterns::{Pattern, MAX_SAMPLES, SAMPLING_TEMPERATURE};
use crate::workspace::{Invalid, ProviderKind, Workspace};

/// One variant's settings, as its requests carry them.
#[derive(Clone, Debug, PartialEq)]
pub struct JobVariant {
    /// `A`–`D`.
    pub letter: char,
    pub model: String,
    pub system_prompt: Option<String>,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    /// The variant ran the offline simulated model and [`SUBSTITUTE_MODEL`] stands in for it.
    pub model_substituted: bool,
}

impl JobVariant {
    /// The variant `letter` of `plan`, on a real model (the simulated one is substituted).
    pub fn from_plan(letter: char, plan: &RunPlan, simulated: bool) -> JobVariant {
        let model_substituted = simulated || plan.model.trim() == "simulated";
        JobVariant {
            letter,
            model: if model_substituted {
                SUBSTITUTE_MODEL.to_string()
            } else {
                plan.model.trim().to_string()
            },
            system_prompt: plan.system_prompt.clone().filter(|s| !s.trim().is_empty()),
            max_tokens: plan.max_tokens.max(1),
            temperature: plan.temperature.filter(|t| t.is_finite()),
            model_substituted,
        }
    }
}

/// Voting in a batch: every question asked `samples` times, the majority of the results read
/// with `extraction` taken per question (and variant).
#[derive(Clone, Debug, PartialEq)]
pub struct VotingSetup {
    pub samples: usize,
    pub extraction: Extraction,
}

impl VotingSetup {
    /// The temperature of a sample: the variant's when above 0, else the page's sampling one.
    pub fn temperature(variant: &JobVariant) -> f32 {
        variant
            .temperature
            .filter(|t| *t > 0.0)
            .unwrap_or(SAMPLING_TEMPERATURE)
    }
}

/// Every request of `questions` × `variants` (× samples with `voting`), variant by variant,
/// in question order.
pub fn batch_requests(
    questions: &[String],
    variants: &[JobVariant],
    voting: Option<&VotingSetup>,
) -> Vec<BatchRequest> {
    let mut requests = Vec::new();
    for variant in variants {
        for (i, question) in questions.iter().enumerate() {
            let request = |sample: Option<usize>| BatchRequest {
                custom_id: custom_id(i, Some(variant.letter), sample),
                question: i,
                variant: variant.letter,
                sample,
                prompt: question.clone(),
                system_prompt: variant.system_prompt.clone(),
                model: variant.model.clone(),
                max_tokens: variant.max_tokens,
                temperature: match sample {
                    Some(_) => Some(VotingSetup::temperature(variant)),
                    None => variant.temperature,
                },
            };
            match voting {
                Some(v) => {
                    requests.extend((0..v.samples.clamp(1, MAX_SAMPLES)).map(|k| request(Some(k))))
                }
                None => requests.push(request(None)),
            }
        }
    }
    requests
}

/// The set-up of `ws` as a batch: its plan (variant A's), every variant, and voting when the
/// chosen pattern is voting.
pub fn from_workspace(
    ws: &Workspace,
) -> Result<(RunPlan, Vec<JobVariant>, Option<VotingSetup>), Vec<Invalid>> {
    let plans = ws.variant_plans(crate::engine::RunMode::Parallel)?;
    let variants = plans
        .iter()
        .map(|(variant, plan, kind)| {
            JobVariant::from_plan(variant.letter(), plan, *kind == ProviderKind::Simulated)
        })
        .collect();
    let voting = (ws.patterns.pattern == Pattern::Voting).then(|| VotingSetup {
        samples: ws.patterns.samples.clamp(1, MAX_SAMPLES),
        extraction: ws.patterns.extraction.clone(),
    });
    let plan = plans
        .into_iter()
        .next()
        .map(|(_, plan, _)| plan)
        .ok_or_else(|| vec![Invalid("The set-up has no variant to export.".into())])?;
    Ok((plan, variants, voting))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::VariantSetup;

    fn variant(letter: char, model: &str) -> JobVariant {
        JobVariant {
            letter,
            model: model.into(),
            system_prompt: None,
            max_tokens: 100,
            temperature: Some(0.0),
            model_substituted: false,
        }
    }

    #[test]
    fn each_question_is_asked_once_per_variant_with_that_variants_settings() {
        let questions = vec!["One?".to_string(), "Two?".to_string()];
        let mut b = variant('B', "claude-sonnet-4-5");
        b.system_prompt = Some("Be brief.".into());
        b.max_tokens = 50;
        let requests = batch_requests(&questions, &[variant('A', "claude-haiku-4-5"), b], None);
        let ids: Vec<&str> = requests.iter().map(|r| r.custom_id.as_str()).collect();
        assert_eq!(ids, ["q0", "q1", "q0-B", "q1-B"]);
        assert_eq!(requests[3].model, "claude-sonnet-4-5");
        assert_eq!(requests[3].system_prompt.as_deref(), Some("Be brief."));
        assert_eq!((requests[3].max_tokens, requests[3].variant), (50, 'B'));
        assert_eq!(requests[1].temperature, Some(0.0));
    }

    #[test]
    fn voting_samples_every_question_at_a_sampling_temperature() {
        let voting = VotingSetup {
            samples: 3,
            extraction: Extraction::Number,
        };
        let requests = batch_requests(
            &["Sum?".to_string()],
            &[variant('A', "m"), variant('C', "n")],
            Some(&voting),
        );
        let ids: Vec<&str> = requests.iter().map(|r| r.custom_id.as_str()).collect();
        assert_eq!(
            ids,
            ["q0-s0", "q0-s1", "q0-s2", "q0-C-s0", "q0-C-s1", "q0-C-s2"]
        );
        assert!(requests
            .iter()
            .all(|r| r.temperature == Some(SAMPLING_TEMPERATURE)));
        assert_eq!(requests[4].sample, Some(1));
    }

    #[test]
    fn a_workspace_gives_its_variants_and_voting_only_when_chosen() {
        let mut ws = Workspace::default();
        ws.add_variant();
        ws.variants.others[0] = VariantSetup {
            provider: ProviderKind::Anthropic,
            model: "claude-sonnet-4-5".into(),
            max_tokens: 77,
            ..VariantSetup::default()
        };
        let (_, variants, voting) = from_workspace(&ws).expect("valid");
        assert_eq!(variants.len(), 2);
        assert!(variants[0].model_substituted, "A runs the simulated model");
        assert_eq!(variants[1].model, "claude-sonnet-4-5");
        assert_eq!(variants[1].max_tokens, 77);
        assert!(voting.is_none());
        ws.patterns.pattern = Pattern::Voting;
        ws.patterns.samples = 4;
        let (_, _, voting) = from_workspace(&ws).expect("valid");
        assert_eq!(voting.map(|v| v.samples), Some(4));
    }
}
