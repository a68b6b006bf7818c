//! The shape of the programs with variants: one block per variant with its own model, system
//! prompt, max tokens and temperature; the variants together or one after the other; the
//! OpenAI-compatible client only when a variant needs it. (`tests/sdk/test_generated_variants.py`
//! runs them against the mock API.)

use super::*;
use crate::codegen::generate;
use crate::engine::RunMode;
use crate::workspace::VariantSetup;

fn plan(model: &str, system: Option<&str>, max_tokens: u32) -> RunPlan {
    RunPlan {
        questions: vec!["What is Rust?".into(), "What is wasm?".into()],
        model: model.into(),
        system_prompt: system.map(Into::into),
        max_tokens,
        concurrency_limit: Some(2),
        mode: RunMode::Parallel,
        ..RunPlan::default()
    }
}

fn render(
    plans: &[(RunPlan, VariantApi<'_>)],
    timing: VariantTiming,
    language: CodeLanguage,
) -> String {
    let codes: Vec<VariantCode<'_>> = plans
        .iter()
        .enumerate()
        .map(|(i, (plan, api))| VariantCode {
            variant: Variant(i as u8),
            plan,
            api: *api,
        })
        .collect();
    generate_variants(&codes, timing, language, 1)
}

fn two_anthropic() -> Vec<(RunPlan, VariantApi<'static>)> {
    vec![
        (
            plan("model-a", Some("Be thorough."), 900),
            VariantApi::Anthropic,
        ),
        (
            plan("model-b", Some("Answer in one line."), 64),
            VariantApi::Anthropic,
        ),
    ]
}

#[test]
fn each_variant_block_carries_its_model_system_prompt_and_max_tokens() {
    let python = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::Python,
    );
    let a = python.find("letter=\"A\"").expect("block A");
    let b = python.find("letter=\"B\"").expect("block B");
    let block_a = &python[a..b];
    let block_b = &python[b..python[b..].find("\n    ),").map_or(python.len(), |e| b + e)];
    for (block, model, system, tokens) in [
        (block_a, "model-a", "Be thorough.", 900),
        (block_b, "model-b", "Answer in one line.", 64),
    ] {
        assert!(block.contains(&format!("model=\"{model}\"")), "{block}");
        assert!(
            block.contains(&format!("system_prompt=\"{system}\"")),
            "{block}"
        );
        assert!(block.contains(&format!("max_tokens={tokens},")), "{block}");
    }
    let typescript = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::TypeScript,
    );
    for needle in [
        "letter: \"A\"",
        "model: \"model-a\"",
        "systemPrompt: \"Be thorough.\"",
        "maxTokens: 900,",
        "letter: \"B\"",
        "model: \"model-b\"",
        "systemPrompt: \"Answer in one line.\"",
        "maxTokens: 64,",
    ] {
        assert!(typescript.contains(needle), "{needle}");
    }
}

#[test]
fn the_timing_switches_between_gather_and_one_after_the_other() {
    let together = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::Python,
    );
    let apart = render(
        &two_anthropic(),
        VariantTiming::OneAfterTheOther,
        CodeLanguage::Python,
    );
    assert!(together.contains("TOGETHER = True\n"));
    assert!(apart.contains("TOGETHER = False\n"));
    assert!(together.contains("asyncio.gather(*(run_variant(clients, v) for v in VARIANTS))"));
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(&together).contains("at the same time (asyncio.gather"));
    assert!(words(&apart).contains("one after the other (no variant slows"));
    let ts_together = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::TypeScript,
    );
    let ts_apart = render(
        &two_anthropic(),
        VariantTiming::OneAfterTheOther,
        CodeLanguage::TypeScript,
    );
    assert!(ts_together.contains("const TOGETHER: boolean = true;"));
    assert!(ts_apart.contains("const TOGETHER: boolean = false;"));
    assert!(ts_together.contains("Promise.all(VARIANTS.map((v) => runVariant(clients, v)))"));
}

#[test]
fn openai_variants_get_the_openai_sdk_and_their_address_only_when_present() {
    let plain = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::Python,
    );
    assert!(!plain.contains("import openai") && !plain.contains("AsyncOpenAI"));
    assert!(!plain.contains("pip install anthropic openai"));
    let plain_ts = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::TypeScript,
    );
    assert!(!plain_ts.contains("from \"openai\"") && !plain_ts.contains("new OpenAI("));
    let mut mixed = two_anthropic();
    let mut local = plan("llama3.2", None, 200);
    local.temperature = Some(0.25);
    mixed.push((
        local,
        VariantApi::OpenAi {
            base_url: "http://localhost:11434/v1",
        },
    ));
    let python = render(&mixed, VariantTiming::SameTime, CodeLanguage::Python);
    assert!(python.contains("import openai\n"));
    assert!(python.contains("openai.AsyncOpenAI("));
    assert!(python.contains("base_url=\"http://localhost:11434/v1\","));
    assert!(
        python.contains("temperature=0.25,"),
        "sent to an OpenAI-compatible server"
    );
    assert!(python.contains("pip install anthropic openai"));
    let typescript = render(&mixed, VariantTiming::SameTime, CodeLanguage::TypeScript);
    assert!(typescript.contains("import OpenAI from \"openai\";"));
    assert!(typescript.contains("baseUrl: \"http://localhost:11434/v1\","));
    assert!(typescript.contains("temperature: 0.25,"));
    assert!(typescript.contains("npm install @anthropic-ai/sdk openai tsx"));
}

#[test]
fn every_blank_of_the_templates_is_filled() {
    let mut mixed = two_anthropic();
    mixed.push((
        plan("local", None, 10),
        VariantApi::OpenAi {
            base_url: "http://x/v1",
        },
    ));
    for plans in [two_anthropic(), mixed] {
        for language in [CodeLanguage::Python, CodeLanguage::TypeScript] {
            let program = render(&plans, VariantTiming::SameTime, language);
            // `@NAME@`: a blank the renderer did not fill.
            let blank = program.match_indices('@').find(|(at, _)| {
                let rest = &program[at + 1..];
                let name = rest
                    .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                    .unwrap_or(rest.len());
                name > 0 && rest[name..].starts_with('@')
            });
            assert_eq!(blank, None, "{language:?}");
        }
    }
    let typescript = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::TypeScript,
    );
    assert!(typescript.contains("class Semaphore {"));
}

#[test]
fn simulated_variants_get_a_real_model_shaped_like_their_profile() {
    let plans = vec![
        (
            plan("simulated", None, 100),
            VariantApi::Simulated {
                profile: "fast-small",
            },
        ),
        (
            plan("large-slow", None, 100),
            VariantApi::Simulated {
                profile: "large-slow",
            },
        ),
    ];
    let python = render(&plans, VariantTiming::SameTime, CodeLanguage::Python);
    assert!(python.contains("model=\"claude-haiku-4-5\""));
    assert!(python.contains("model=\"claude-opus-4-1\""));
    assert!(python.contains("(profile large-slow)"));
}

#[test]
fn rounds_loop_over_the_variants_and_print_their_percentiles() {
    let plans = two_anthropic();
    let codes: Vec<VariantCode<'_>> = plans
        .iter()
        .enumerate()
        .map(|(i, (plan, api))| VariantCode {
            variant: Variant(i as u8),
            plan,
            api: *api,
        })
        .collect();
    let python = generate_variants(&codes, VariantTiming::SameTime, CodeLanguage::Python, 5);
    assert!(python.contains("ROUNDS = 5"));
    assert!(python.contains("report(f\"[{letter}] {name}\", values)"));
    let ts = generate_variants(&codes, VariantTiming::SameTime, CodeLanguage::TypeScript, 5);
    assert!(ts.contains("const ROUNDS = 5;"));
}

#[test]
fn the_rust_program_runs_variant_a_and_says_the_others_are_left_out() {
    let rust = render(
        &two_anthropic(),
        VariantTiming::SameTime,
        CodeLanguage::Rust,
    );
    let prose: String = rust
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        prose.contains("variants B to D are not part of this program"),
        "{prose}"
    );
    assert!(rust.contains("\"model-a\""));
    assert!(!rust.contains("\"model-b\""));
    let alone = generate(&two_anthropic()[0].0, CodeLanguage::Rust);
    assert!(!alone.contains("variants B to D"));
}

#[test]
fn the_workspace_renders_every_variant_with_its_providers_address() {
    let mut ws = Workspace::default();
    ws.provider.openai.base_url = "http://127.0.0.1:8080/v1".into();
    ws.variants.others.push(VariantSetup {
        provider: ProviderKind::OpenAi,
        model: "qwen2.5:7b".into(),
        system_prompt: "Be brief.".into(),
        max_tokens: 77,
        temperature: None,
    });
    ws.variants.timing = VariantTiming::OneAfterTheOther;
    let plans = ws.variant_plans(RunMode::Compare).expect("valid");
    let python = generate_workspace_variants(&ws, &plans, CodeLanguage::Python);
    assert!(python.contains("model=\"qwen2.5:7b\""));
    assert!(python.contains("base_url=\"http://127.0.0.1:8080/v1\""));
    assert!(python.contains("max_tokens=77,"));
    assert!(python.contains("TOGETHER = False"));
    assert!(python.contains("RUNS = [\"sequential\", \"parallel\"]"));
}
