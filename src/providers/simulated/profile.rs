//! [`SimProfile`]: how fast and how long the simulated model answers, shaped like real models.
//!
//! The numbers are ballparks read off public measurements, not benchmarks: hosted models' time
//! to first token (TTFT) and output speed vary by hour, region and prompt, and a laptop's speed
//! by its cores and memory. Each profile names where its numbers come from. One word is counted
//! as about 1.3 tokens, as everywhere in the simulator.

use serde::{Deserialize, Serialize};

/// Words per token (the simulator's rule of thumb: about 1.3 tokens a word).
const TOKENS_PER_WORD: f64 = 1.3;

/// A simulated model's pace and answer length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimProfile {
    /// The page's demo pace (the default): a little quicker than most hosted models, so the
    /// first Compare of three questions ends in a few seconds.
    #[default]
    Demo,
    /// A fast small hosted model (Haiku / mini / Flash class).
    FastSmall,
    /// A balanced hosted model (Sonnet / GPT-4.1 class).
    Balanced,
    /// A large, slow hosted model (Opus class).
    LargeSlow,
    /// A 7B model quantised to 4 bits on a laptop CPU (llama.cpp).
    Local7bCpu,
}

/// The measured shape of a profile, at speed 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProfileNumbers {
    /// Time to first token, milliseconds (low, high), without prompt processing.
    pub first_token_ms: (f64, f64),
    /// Prompt processing, tokens per second (local models only; hosted TTFT includes it).
    pub prefill_tokens_per_s: Option<(f64, f64)>,
    /// Output speed, tokens per second (low, high).
    pub tokens_per_s: (f64, f64),
    /// Answer length in words (low, high).
    pub words: (usize, usize),
}

impl SimProfile {
    /// Every profile, in the select's order.
    pub const ALL: [SimProfile; 5] = [
        SimProfile::Demo,
        SimProfile::FastSmall,
        SimProfile::Balanced,
        SimProfile::LargeSlow,
        SimProfile::Local7bCpu,
    ];

    /// The name in saved workspaces, the select and a simulated variant's model field.
    pub fn as_str(self) -> &'static str {
        match self {
            SimProfile::Demo => "demo",
            SimProfile::FastSmall => "fast-small",
            SimProfile::Balanced => "balanced",
            SimProfile::LargeSlow => "large-slow",
            SimProfile::Local7bCpu => "local-7b-cpu",
        }
    }

    /// Parses [`SimProfile::as_str`] (case and surrounding spaces do not matter).
    pub fn parse(value: &str) -> Option<SimProfile> {
        let value = value.trim();
        SimProfile::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(value))
    }

    /// What a person reads in the select.
    pub fn title(self) -> &'static str {
        match self {
            SimProfile::Demo => "Demo pace (quick)",
            SimProfile::FastSmall => "Fast small model",
            SimProfile::Balanced => "Balanced model",
            SimProfile::LargeSlow => "Large slow model",
            SimProfile::Local7bCpu => "Local 7B on a laptop CPU",
        }
    }

    /// The profile's numbers, with their sources.
    pub fn numbers(self) -> ProfileNumbers {
        match self {
            // The simulator's original pace: 40–80 words/s is 52–104 tokens/s.
            SimProfile::Demo => ProfileNumbers {
                first_token_ms: (350.0, 1200.0),
                prefill_tokens_per_s: None,
                tokens_per_s: (40.0 * TOKENS_PER_WORD, 80.0 * TOKENS_PER_WORD),
                words: (70, 180),
            },
            // Artificial Analysis model pages (artificialanalysis.ai/models, 2025) for Claude
            // Haiku 4.5, GPT-4.1 mini, Gemini 2.5 Flash: median TTFT about 0.3–0.7 s, output
            // about 100–200 tokens/s. Small models answer briefly.
            SimProfile::FastSmall => ProfileNumbers {
                first_token_ms: (300.0, 700.0),
                prefill_tokens_per_s: None,
                tokens_per_s: (100.0, 180.0),
                words: (110, 240),
            },
            // Artificial Analysis, Claude Sonnet 4 / GPT-4.1 class: TTFT about 0.6–1.5 s,
            // output about 50–90 tokens/s.
            SimProfile::Balanced => ProfileNumbers {
                first_token_ms: (600.0, 1500.0),
                prefill_tokens_per_s: None,
                tokens_per_s: (50.0, 90.0),
                words: (180, 380),
            },
            // Artificial Analysis, Claude Opus 4 class: TTFT about 1.5–3.5 s, output about
            // 25–45 tokens/s; large models write the longest answers.
            SimProfile::LargeSlow => ProfileNumbers {
                first_token_ms: (1500.0, 3500.0),
                prefill_tokens_per_s: None,
                tokens_per_s: (25.0, 45.0),
                words: (250, 480),
            },
            // llama.cpp `llama-bench` results people post for 7B Q4_0 models on 4–8 laptop
            // CPU cores (github.com/ggml-org/llama.cpp discussions; CPU-only builds):
            // prompt processing (pp512) about 20–60 tokens/s, generation (tg128) about
            // 5–12 tokens/s; plus a few hundred ms before prefill starts. Rough: memory
            // bandwidth decides most of it.
            SimProfile::Local7bCpu => ProfileNumbers {
                first_token_ms: (200.0, 500.0),
                prefill_tokens_per_s: Some((20.0, 60.0)),
                tokens_per_s: (5.0, 12.0),
                words: (100, 220),
            },
        }
    }
}

/// The model names a simulated request may carry to pick a profile: the profile's name, with or
/// without a `sim-` or `simulated-` in front. Anything else keeps the settings' profile.
pub fn profile_of_model(model: &str) -> Option<SimProfile> {
    let model = model.trim();
    let bare = model
        .strip_prefix("simulated-")
        .or_else(|| model.strip_prefix("sim-"))
        .unwrap_or(model);
    SimProfile::parse(bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_models_pick_profiles() {
        for p in SimProfile::ALL {
            assert_eq!(SimProfile::parse(p.as_str()), Some(p));
        }
        assert_eq!(profile_of_model("large-slow"), Some(SimProfile::LargeSlow));
        assert_eq!(
            profile_of_model("sim-fast-small"),
            Some(SimProfile::FastSmall)
        );
        assert_eq!(profile_of_model("simulated"), None);
        assert_eq!(profile_of_model("claude-haiku-4-5"), None);
    }

    #[test]
    fn profiles_are_ordered_like_the_models_they_stand_for() {
        let n = |p: SimProfile| p.numbers();
        assert!(
            n(SimProfile::FastSmall).first_token_ms.1 < n(SimProfile::LargeSlow).first_token_ms.0
        );
        assert!(n(SimProfile::Local7bCpu).tokens_per_s.1 < n(SimProfile::LargeSlow).tokens_per_s.0);
        assert!(n(SimProfile::FastSmall).tokens_per_s.0 > n(SimProfile::Balanced).tokens_per_s.0);
    }
}
