//! "Show me the code" for voting, racing and hedging: the pattern as a runnable Python
//! (`AsyncAnthropic` + `asyncio`) or TypeScript (`@anthropic-ai/sdk` + promises and
//! `AbortController`) program, with the page's question, prompts, model and N.
//!
//! The programs print the same `[  1.23s] Asking|Answered|Cancelled: …` lines as the research
//! programs, then the pattern's result. The programs hedge a call that has not *finished*
//! after the delay (they do not stream, so they cannot see a first token).

mod python;
mod typescript;

use super::SUBSTITUTE_MODEL;
use crate::patterns::{Extraction, Pattern, PatternPlan};

/// The program of `plan` in Python or TypeScript; `None` for a pattern or language without
/// one (sectioning is the research program; Rust has none yet).
pub fn generate_pattern(plan: &PatternPlan, language: super::CodeLanguage) -> Option<String> {
    if !matches!(
        plan.pattern(),
        Pattern::Voting | Pattern::Racing | Pattern::Hedging
    ) {
        return None;
    }
    match language {
        super::CodeLanguage::Python => Some(python::program(plan)),
        super::CodeLanguage::TypeScript => Some(typescript::program(plan)),
        super::CodeLanguage::Rust => None,
    }
}

/// The model the program calls: the page's, or the stand-in for its simulated one.
fn model(plan: &PatternPlan) -> &str {
    if plan.base.model == "simulated" {
        SUBSTITUTE_MODEL
    } else {
        &plan.base.model
    }
}

/// The page's sampling temperature, for the note that the SDK does not send it.
fn temperature(plan: &PatternPlan) -> f32 {
    plan.request("").temperature.unwrap_or(1.0)
}

/// The extraction's menu value and marker, as the programs' `EXTRACT` and `MARKER`.
fn extraction(e: &Extraction) -> (&'static str, &str) {
    (e.as_str(), e.marker())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunPlan;
    use crate::patterns::PatternSettings;

    fn plan(pattern: Pattern) -> PatternPlan {
        PatternPlan {
            base: RunPlan {
                questions: vec!["What is \"2\" + 2?".into(), "b?".into()],
                ..RunPlan::default()
            },
            settings: PatternSettings {
                pattern,
                samples: 4,
                hedge_after_ms: Some(750.0),
                ..PatternSettings::default()
            },
        }
    }

    #[test]
    fn each_pattern_has_its_own_program_with_the_page_settings() {
        let python = generate_pattern(&plan(Pattern::Voting), super::super::CodeLanguage::Python)
            .expect("a program");
        assert!(python.contains("N = 4"));
        assert!(
            python.contains(r#"QUESTIONS = ["What is \"2\" + 2?", "b?"]"#),
            "{python}"
        );
        assert!(python.contains("Counter("));
        assert!(python.contains(&format!("MODEL = \"{SUBSTITUTE_MODEL}\"")));
        let racing = generate_pattern(
            &plan(Pattern::Racing),
            super::super::CodeLanguage::TypeScript,
        )
        .expect("a program");
        assert!(racing.contains("Promise.any(racers)") && racing.contains("c.abort()"));
        let hedging = generate_pattern(&plan(Pattern::Hedging), super::super::CodeLanguage::Python)
            .expect("a program");
        assert!(hedging.contains("HEDGE_AFTER_S = 0.750"));
        for p in [
            Pattern::Sectioning,
            Pattern::MapReduce,
            Pattern::CachedPrefix,
        ] {
            assert!(generate_pattern(&plan(p), super::super::CodeLanguage::Python).is_none());
        }
        assert!(
            generate_pattern(&plan(Pattern::Voting), super::super::CodeLanguage::Rust).is_none()
        );
    }
}
