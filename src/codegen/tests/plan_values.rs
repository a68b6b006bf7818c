//! The plan's values in the programs: the model (or its stand-in), retries and quorum, the
//! temperature, the system prompt, the header's prose, and odd limits and timeouts made safe.

use super::*;
use crate::engine::RetryPolicy;

#[test]
fn the_simulated_model_becomes_a_real_one_with_a_note() {
    for (language, code) in all_languages(&limited_plan()) {
        assert!(
            code.contains(&format!("\"{SUBSTITUTE_MODEL}\"")),
            "{language:?}"
        );
        assert!(code.contains(SUBSTITUTE_NOTE), "{language:?}");
        assert!(!code.contains("\"simulated\""), "{language:?}");
    }
}

#[test]
fn other_models_are_kept_as_they_are() {
    let plan = RunPlan {
        model: "mock?ttft=300&tps=200".into(),
        ..limited_plan()
    };
    for (language, code) in all_languages(&plan) {
        assert!(code.contains("\"mock?ttft=300&tps=200\""), "{language:?}");
        assert!(!code.contains(SUBSTITUTE_NOTE), "{language:?}");
    }
}

#[test]
fn retries_and_the_quorum_come_from_the_plan() {
    let plan = RunPlan {
        retry: RetryPolicy {
            max_retries: 5,
            ..RetryPolicy::default()
        },
        quorum: 0,
        ..limited_plan()
    };
    let [(_, python), (_, typescript), (_, rust)] = all_languages(&plan);
    assert!(python.contains("MAX_RETRIES = 5") && python.contains("QUORUM = 1"));
    assert!(typescript.contains("const MAX_RETRIES = 5;") && typescript.contains("QUORUM = 1;"));
    assert!(rust.contains("const MAX_RETRIES: u32 = 5;") && rust.contains("QUORUM: usize = 1;"));
}

#[test]
fn the_temperature_is_sent_by_the_rust_program_and_noted_by_the_sdk_ones() {
    let plan = RunPlan {
        temperature: Some(0.7),
        ..limited_plan()
    };
    let [(_, python), (_, typescript), (_, rust)] = all_languages(&plan);
    assert!(rust.contains("const TEMPERATURE: f64 = 0.7;"));
    assert!(rust.contains("\"temperature\": TEMPERATURE,"));
    assert!(python.contains("# Temperature 0.7 (the page's) is not sent"));
    assert!(typescript.contains("// Temperature 0.7 (the page's) is not sent"));
    let without = generate(&limited_plan(), CodeLanguage::Rust);
    assert!(!without.contains("TEMPERATURE"));
}

#[test]
fn an_empty_system_prompt_is_left_out() {
    let plan = RunPlan {
        system_prompt: Some("  ".into()),
        ..limited_plan()
    };
    for (language, code) in all_languages(&plan) {
        assert!(!code.contains("SYSTEM_PROMPT"), "{language:?}");
    }
}

#[test]
fn the_header_says_what_the_plan_does() {
    let prose = |plan: &RunPlan| generate(plan, CodeLanguage::Python).replace('\n', " ");
    let code = prose(&limited_plan());
    assert!(code.contains("at most 2 at a time"));
    assert!(code.contains("Each call has 20 s to finish, retries included."));
    assert!(code.contains("retried up to 2 times"));
    assert!(code.contains("at least 2 answers came back"));
    let fast = prose(&fail_fast(limited_plan()));
    assert!(fast.contains("The first failed question cancels the calls still running"));
}

#[test]
fn odd_limits_and_timeouts_are_made_safe() {
    let plan = RunPlan {
        concurrency_limit: Some(0),
        timeout_ms: Some(1e300),
        ..limited_plan()
    };
    let typescript = generate(&plan, CodeLanguage::TypeScript);
    assert!(typescript.contains("const CONCURRENCY_LIMIT = 1;"));
    assert!(!typescript.contains("TIMEOUT_MS"));
    let plan = RunPlan {
        timeout_ms: Some(1500.4),
        ..limited_plan()
    };
    assert!(generate(&plan, CodeLanguage::Python).contains("TIMEOUT_S = 1.5  #"));
    assert!(generate(&plan, CodeLanguage::TypeScript).contains("const TIMEOUT_MS = 1_500;"));
}
