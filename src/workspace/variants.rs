//! Variants of the set-up: B, C and D differ from the set-up (variant A) in provider, model,
//! system prompt, max tokens or temperature, and run on the same questions.
//!
//! Variant A is the set-up itself (its provider settings and system prompt); [`VariantSet`] holds
//! the others. A saved workspace or link without variants reads as none (backward compatible).
//! For a simulated variant the model names a profile (`fast-small`, `large-slow`, … see
//! [`SimProfile`]); any other model name keeps the simulated model's profile.

use super::limits::{clip_text, MAX_MAX_TOKENS, MAX_MODEL_CHARS, MAX_PROMPT_CHARS, TEMPERATURE};
use super::{Invalid, ProviderKind, Workspace};
use crate::engine::{RunMode, RunPlan, Variant, VariantTiming};
use crate::providers::simulated::SimProfile;
use serde::{Deserialize, Serialize};

/// One variant beside the set-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantSetup {
    pub provider: ProviderKind,
    /// The model (for the simulated provider: a profile's name).
    pub model: String,
    /// Empty is none.
    pub system_prompt: String,
    pub max_tokens: u32,
    /// `None` is the provider's default.
    pub temperature: Option<f32>,
}

impl Default for VariantSetup {
    fn default() -> Self {
        VariantSetup {
            provider: ProviderKind::Simulated,
            model: SimProfile::Balanced.as_str().into(),
            system_prompt: String::new(),
            max_tokens: 1024,
            temperature: None,
        }
    }
}

/// The variants beside the set-up (B, C, D) and whether they run together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantSet {
    pub others: Vec<VariantSetup>,
    pub timing: VariantTiming,
}

impl VariantSet {
    /// No variants: the set-up runs alone.
    pub fn is_empty(&self) -> bool {
        self.others.is_empty()
    }

    /// Brings a loaded set within the limits: at most three others, texts cut, numbers fitted.
    pub fn fit(&mut self) {
        self.others.truncate(Variant::MAX - 1);
        for v in &mut self.others {
            v.model = clip_text("The model", &v.model, MAX_MODEL_CHARS).text;
            v.system_prompt =
                clip_text("The system prompt", &v.system_prompt, MAX_PROMPT_CHARS).text;
            v.max_tokens = v.max_tokens.clamp(1, MAX_MAX_TOKENS);
            v.temperature = v
                .temperature
                .filter(|t| t.is_finite())
                .map(|t| t.clamp(TEMPERATURE.min as f32, TEMPERATURE.max as f32));
        }
    }
}

impl Workspace {
    /// Variant A: the set-up's own provider, model, prompt and numbers.
    pub fn variant_a(&self) -> VariantSetup {
        VariantSetup {
            provider: self.provider.kind,
            model: match self.provider.kind {
                ProviderKind::Simulated => self.simulation.profile.as_str().to_string(),
                _ => self.provider.model().to_string(),
            },
            system_prompt: self.system_prompt.clone(),
            max_tokens: self.provider.max_tokens,
            temperature: self.provider.temperature,
        }
    }

    /// Every variant, A first (just A when there are no others).
    pub fn all_variants(&self) -> Vec<VariantSetup> {
        let mut all = vec![self.variant_a()];
        all.extend(self.variants.others.iter().cloned());
        all
    }

    /// Adds a variant (a copy of the last one, on the next simulated profile when simulated);
    /// false when there are already four.
    pub fn add_variant(&mut self) -> bool {
        if self.variants.others.len() + 1 >= Variant::MAX {
            return false;
        }
        let mut next = self
            .variants
            .others
            .last()
            .cloned()
            .unwrap_or_else(|| self.variant_a());
        if next.provider == ProviderKind::Simulated {
            let current = SimProfile::parse(&next.model).unwrap_or(self.simulation.profile);
            let at = SimProfile::ALL
                .iter()
                .position(|p| *p == current)
                .unwrap_or(0);
            next.model = SimProfile::ALL[(at + 1) % SimProfile::ALL.len()]
                .as_str()
                .to_string();
        }
        self.variants.others.push(next);
        true
    }

    /// Removes variant B, C or D (`index` 0 is B).
    pub fn remove_variant(&mut self, index: usize) {
        if index < self.variants.others.len() {
            self.variants.others.remove(index);
        }
    }

    /// The plan of each variant, with the provider it calls: A's is [`Workspace::plan`]; the
    /// others change its model, system prompt, max tokens and temperature.
    pub fn variant_plans(
        &self,
        mode: RunMode,
    ) -> Result<Vec<(Variant, RunPlan, ProviderKind)>, Vec<Invalid>> {
        let base = self.plan(mode)?;
        let mut problems = Vec::new();
        let mut plans = vec![(Variant::A, base.clone(), self.provider.kind)];
        for (i, v) in self.variants.others.iter().enumerate() {
            let variant = Variant(i as u8 + 1);
            if v.provider != ProviderKind::Simulated && v.model.trim().is_empty() {
                problems.push(Invalid(format!(
                    "Variant {} needs a model name.",
                    variant.letter()
                )));
            }
            if v.max_tokens == 0 {
                problems.push(Invalid(format!(
                    "Variant {}: max tokens must be at least 1.",
                    variant.letter()
                )));
            }
            let plan = RunPlan {
                model: match v.provider {
                    ProviderKind::Simulated if v.model.trim().is_empty() => "simulated".into(),
                    _ => v.model.trim().to_string(),
                },
                system_prompt: Some(v.system_prompt.clone()).filter(|s| !s.trim().is_empty()),
                max_tokens: v.max_tokens,
                temperature: v.temperature,
                ..base.clone()
            };
            plans.push((variant, plan, v.provider));
        }
        if problems.is_empty() {
            Ok(plans)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_copies_the_last_on_the_next_profile_up_to_four() {
        let mut ws = Workspace::default();
        assert!(ws.add_variant());
        assert_eq!(ws.variants.others[0].model, "fast-small");
        assert!(ws.add_variant());
        assert_eq!(ws.variants.others[1].model, "balanced");
        assert!(ws.add_variant());
        assert!(!ws.add_variant(), "four at most");
        ws.remove_variant(0);
        assert_eq!(ws.all_variants().len(), 3);
    }

    #[test]
    fn each_variant_plan_carries_its_own_model_prompt_and_numbers() {
        let mut ws = Workspace::default();
        ws.add_variant();
        ws.variants.others[0] = VariantSetup {
            provider: ProviderKind::OpenAi,
            model: " llama3.2 ".into(),
            system_prompt: "Be brief.".into(),
            max_tokens: 200,
            temperature: Some(0.2),
        };
        let plans = ws.variant_plans(RunMode::Compare).expect("valid");
        assert_eq!(plans.len(), 2);
        let (v, b, kind) = &plans[1];
        assert_eq!((*v, *kind), (Variant(1), ProviderKind::OpenAi));
        assert_eq!(b.model, "llama3.2");
        assert_eq!(b.system_prompt.as_deref(), Some("Be brief."));
        assert_eq!((b.max_tokens, b.temperature), (200, Some(0.2)));
        assert_eq!(b.questions, plans[0].1.questions, "the same questions");
        ws.variants.others[0].model.clear();
        assert!(ws.variant_plans(RunMode::Compare).is_err());
    }

    #[test]
    fn variants_survive_a_save_and_a_link_and_old_saves_have_none() {
        let mut ws = Workspace::default();
        ws.add_variant();
        ws.variants.timing = VariantTiming::OneAfterTheOther;
        let saved = super::super::encode_saved(&ws);
        assert_eq!(super::super::decode_saved(&saved).ok(), Some(ws.clone()));
        let link = super::super::encode_share(&ws);
        assert_eq!(super::super::decode_share(&link).ok(), Some(ws));
        let plain = super::super::encode_saved(&Workspace::default());
        assert!(!plain.contains("variants"), "no variants, nothing saved");
        let read = super::super::decode_saved(&plain).expect("reads");
        assert!(read.variants.is_empty());
    }

    #[test]
    fn a_loaded_set_is_fitted_to_the_limits() {
        let mut set = VariantSet {
            others: vec![
                VariantSetup {
                    max_tokens: 0,
                    temperature: Some(f32::NAN),
                    model: "m".repeat(MAX_MODEL_CHARS + 5),
                    ..VariantSetup::default()
                };
                5
            ],
            timing: VariantTiming::SameTime,
        };
        set.fit();
        assert_eq!(set.others.len(), 3);
        assert_eq!(set.others[0].max_tokens, 1);
        assert_eq!(set.others[0].temperature, None);
        assert_eq!(set.others[0].model.chars().count(), MAX_MODEL_CHARS);
    }
}
