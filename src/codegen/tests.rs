//! The shape of the generated programs: each plan gets the pattern the lessons teach, in each
//! language. (`tests/sdk/test_generated_code.py` runs them against the mock API.) The plans the
//! tests share are here; the tests are in one module per subject.

mod common_parts;
mod plan_values;
mod runs;
mod text;

use super::*;

/// Two travel questions, a limit of 2, settle-all, a 20 s timeout, a quorum of 2.
fn limited_plan() -> RunPlan {
    RunPlan {
        questions: vec![
            "What are the top 3 attractions in Paris?".into(),
            "What is the best way to get around Paris?".into(),
        ],
        system_prompt: Some("You are a helpful travel researcher.".into()),
        synthesis_prompt: "Create a concise travel guide for Paris.".into(),
        concurrency_limit: Some(2),
        timeout_ms: Some(20_000.0),
        quorum: 2,
        ..RunPlan::default()
    }
}

/// `plan` with fail-fast instead of settle-all.
fn fail_fast(plan: RunPlan) -> RunPlan {
    RunPlan {
        failure_policy: FailurePolicy::FailFast,
        ..plan
    }
}

/// `plan` without a concurrency limit.
fn unlimited(plan: RunPlan) -> RunPlan {
    RunPlan {
        concurrency_limit: None,
        ..plan
    }
}

/// The program of `plan` in every language, in [`CodeLanguage::ALL`]'s order.
fn all_languages(plan: &RunPlan) -> [(CodeLanguage, String); 3] {
    CodeLanguage::ALL.map(|language| (language, generate(plan, language)))
}
