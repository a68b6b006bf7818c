//! The shape of the generated programs: each plan gets the pattern the lessons teach, in each
//! language. (`tests/sdk/test_generated_code.py` runs them against the mock API.)

use super::literal::{python_string, rust_string, typescript_string};
use super::*;
use crate::engine::{RetryPolicy, ANSWER_HEADING, MISSING_HEADING};

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

fn fail_fast(plan: RunPlan) -> RunPlan {
    RunPlan {
        failure_policy: FailurePolicy::FailFast,
        ..plan
    }
}

fn unlimited(plan: RunPlan) -> RunPlan {
    RunPlan {
        concurrency_limit: None,
        ..plan
    }
}

fn all_languages(plan: &RunPlan) -> [(CodeLanguage, String); 3] {
    CodeLanguage::ALL.map(|language| (language, generate(plan, language)))
}

#[test]
fn python_limited_settle_all_uses_a_semaphore_and_return_exceptions() {
    let code = generate(&limited_plan(), CodeLanguage::Python);
    assert!(code.contains("CONCURRENCY_LIMIT = 2"));
    assert!(code.contains("semaphore = asyncio.Semaphore(CONCURRENCY_LIMIT)"));
    assert!(code.contains("async with semaphore:"));
    assert!(code.contains("await asyncio.gather(*tasks, return_exceptions=True)"));
    assert!(code.contains("anthropic.AsyncAnthropic(api_key=api_key, max_retries=MAX_RETRIES)"));
    assert!(code.contains("await asyncio.wait_for("));
    assert!(code.contains("TIMEOUT_S = 20.0"));
    assert!(code.contains("QUORUM = 2"));
    assert!(code.contains("if answered < QUORUM:"));
}

#[test]
fn python_fail_fast_uses_plain_gather_and_cancels_the_rest() {
    let code = generate(&fail_fast(limited_plan()), CodeLanguage::Python);
    assert!(code.contains("return await asyncio.gather(*tasks)\n"));
    assert!(code.contains("asyncio.create_task("));
    assert!(code.contains("task.cancel()"));
    assert!(code.contains("except asyncio.CancelledError:"));
    assert!(code.contains("fail-fast stopped the run."));
    // No quorum and no missing answers: with fail-fast, the synthesis only sees full sets.
    assert!(!code.contains("QUORUM"));
    assert!(!code.contains("Missing"));
}

#[test]
fn typescript_settle_all_uses_all_settled_and_the_seed_semaphore() {
    let code = generate(&limited_plan(), CodeLanguage::TypeScript);
    assert!(code.contains("import Anthropic from \"@anthropic-ai/sdk\";"));
    assert!(code.contains("await Promise.allSettled("));
    assert!(!code.contains("Promise.all("));
    assert!(code.contains("class Semaphore {"));
    assert!(code.contains("new Semaphore(CONCURRENCY_LIMIT)"));
    assert!(code.contains("semaphore.release();"));
    assert!(code.contains("new Anthropic({ apiKey, maxRetries: MAX_RETRIES })"));
}

#[test]
fn typescript_fail_fast_uses_promise_all_and_aborts_the_others() {
    let code = generate(&fail_fast(limited_plan()), CodeLanguage::TypeScript);
    assert!(code.contains("return await Promise.all(calls);"));
    assert!(code.contains("const stop = new AbortController();"));
    assert!(code.contains("stop.abort();"));
    assert!(code.contains("AbortSignal.any([timeout, stop])"));
}

#[test]
fn typescript_timeout_is_an_abort_signal_passed_as_the_request_signal() {
    let code = generate(&limited_plan(), CodeLanguage::TypeScript);
    assert!(code.contains("const TIMEOUT_MS = 20_000;"));
    assert!(code.contains("const timeout = AbortSignal.timeout(TIMEOUT_MS);"));
    assert!(code.contains("{ signal: timeout },"));
}

#[test]
fn rust_keeps_question_order_under_a_limit_and_retries_by_hand() {
    let code = generate(&limited_plan(), CodeLanguage::Rust);
    assert!(code.contains(".buffer_unordered(CONCURRENCY_LIMIT)"));
    assert!(code.contains("results.sort_by_key(|(index, _)| *index);"));
    assert!(code.contains("tokio::time::timeout(TIMEOUT, self.send_with_retries(&body))"));
    assert!(code.contains("const TIMEOUT: Duration = Duration::from_millis(20_000);"));
    assert!(code.contains(".header(\"x-api-key\", &self.api_key)"));
    assert!(code.contains(".header(\"anthropic-version\", \"2023-06-01\")"));
    assert!(code.contains("headers.get(\"retry-after\")"));
    assert!(code.contains("matches!(status, 408 | 409 | 429 | 500..)"));
    assert!(code.contains("std::env::var(\"ANTHROPIC_BASE_URL\")"));
    assert!(code.contains("\"https://api.anthropic.com\""));
    assert!(code.contains("#[tokio::main]"));
}

#[test]
fn rust_fail_fast_returns_the_first_failure_and_drops_the_rest() {
    let limited = generate(&fail_fast(limited_plan()), CodeLanguage::Rust);
    assert!(limited.contains(".try_collect()"));
    let all_at_once = generate(&unlimited(fail_fast(limited_plan())), CodeLanguage::Rust);
    assert!(all_at_once.contains("try_join_all(calls).await"));
    assert!(!all_at_once.contains("buffer_unordered"));
}

#[test]
fn unlimited_plans_start_every_call_without_a_semaphore() {
    for (language, code) in all_languages(&unlimited(limited_plan())) {
        assert!(!code.contains("CONCURRENCY_LIMIT"), "{language:?}");
        assert!(!code.to_lowercase().contains("semaphore"), "{language:?}");
    }
    let rust = generate(&unlimited(limited_plan()), CodeLanguage::Rust);
    assert!(rust.contains("join_all(QUESTIONS.iter().map(|question| claude.ask(question))).await"));
    let python = generate(&unlimited(limited_plan()), CodeLanguage::Python);
    assert!(python.contains("ask(client, number, question) for number, question in"));
}

#[test]
fn without_a_timeout_there_is_no_timeout_code() {
    let plan = RunPlan {
        timeout_ms: None,
        ..limited_plan()
    };
    let [(_, python), (_, typescript), (_, rust)] = all_languages(&plan);
    assert!(!python.contains("wait_for") && !python.contains("TIMEOUT"));
    assert!(!typescript.contains("AbortSignal.timeout") && !typescript.contains("TIMEOUT"));
    assert!(!rust.contains("tokio::time::timeout") && !rust.contains("TimedOut"));
    assert!(python.contains("Calls have no time limit."));
}

#[test]
fn sequential_mode_is_a_plain_loop_with_await() {
    let plan = RunPlan {
        mode: RunMode::Sequential,
        ..limited_plan()
    };
    let [(_, python), (_, typescript), (_, rust)] = all_languages(&plan);
    assert!(python.contains("outcomes.append(await ask(client, number, question))"));
    assert!(python.contains("run_workflow(client, research_sequential)"));
    assert!(!python.contains("research_parallel") && !python.contains("gather"));
    assert!(typescript.contains("outcomes.push(await ask(client, index + 1, question));"));
    assert!(!typescript.contains("researchParallel") && !typescript.contains("Semaphore"));
    assert!(rust.contains("results.push(claude.ask(question).await);"));
    assert!(!rust.contains("research_parallel") && !rust.contains("use futures"));
}

#[test]
fn compare_mode_runs_sequential_then_parallel_and_prints_the_speedup() {
    let plan = RunPlan {
        mode: RunMode::Compare,
        ..limited_plan()
    };
    for (language, code) in all_languages(&plan) {
        let (sequential, parallel) = match language {
            CodeLanguage::TypeScript => ("researchSequential)", "researchParallel)"),
            _ => ("research_sequential", "research_parallel"),
        };
        let first = code.rfind(sequential).expect("sequential run");
        let second = code.rfind(parallel).expect("parallel run");
        assert!(first < second, "{language:?}");
        assert!(code.contains("x faster in parallel."), "{language:?}");
    }
}

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
fn every_program_checks_the_key_and_says_how_to_run_it() {
    for (language, code) in all_languages(&limited_plan()) {
        assert!(code.contains("ANTHROPIC_API_KEY"), "{language:?}");
        assert!(code.contains("ANTHROPIC_BASE_URL"), "{language:?}");
        assert!(
            code.contains("Set ANTHROPIC_API_KEY to your Anthropic API key first."),
            "{language:?}"
        );
        let install = match language {
            CodeLanguage::Python => "pip install anthropic",
            CodeLanguage::TypeScript => "npm install @anthropic-ai/sdk tsx",
            CodeLanguage::Rust => "cargo add reqwest@0.13 --no-default-features",
        };
        assert!(code.contains(install), "{language:?}");
        assert!(
            code.contains("Parallel research, then one synthesis"),
            "{language:?}"
        );
    }
}

#[test]
fn the_synthesis_prompt_has_the_pages_structure_in_every_language() {
    for (language, code) in all_languages(&limited_plan()) {
        assert!(code.contains(&format!("{ANSWER_HEADING} ")), "{language:?}");
        assert!(
            code.contains(&format!("{MISSING_HEADING} ")),
            "{language:?}"
        );
        assert!(code.contains("research answers are below, in question order."));
        assert!(code.contains("clearly note the gaps"), "{language:?}");
        assert!(code.contains("(No answer: "), "{language:?}");
        assert!(code.contains("and the quorum asks"), "{language:?}");
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
fn hostile_text_only_ever_appears_as_escaped_literals() {
    let hostile = [
        r#"x"); import os; os.system("echo pwned"); ("#,
        "line\n}\nfn evil() {\n",
        "``` ${process.exit(1)} \"\"\" */ // #",
        "back\\slash at the end \\",
        "bidi \u{202e}kcatta\u{202c} and nul \0",
    ];
    let plan = RunPlan {
        questions: hostile.iter().map(|q| q.to_string()).collect(),
        system_prompt: Some(hostile[0].into()),
        synthesis_prompt: hostile[1].into(),
        model: hostile[2].into(),
        ..limited_plan()
    };
    for (language, code) in all_languages(&plan) {
        for text in hostile {
            assert!(!code.contains(text), "{language:?} holds {text:?} raw");
            let literal = match language {
                CodeLanguage::Python => python_string(text),
                CodeLanguage::TypeScript => typescript_string(text),
                CodeLanguage::Rust => rust_string(text),
            };
            assert!(code.contains(&literal), "{language:?} lacks {literal}");
        }
        assert!(
            !code.contains('\u{202e}') && !code.contains('\0'),
            "{language:?}"
        );
    }
}

#[test]
fn long_prompts_are_split_over_lines_that_join_back() {
    let long = "Write a guide. ".repeat(20);
    let plan = RunPlan {
        synthesis_prompt: long.clone(),
        temperature: Some(0.25),
        ..limited_plan()
    };
    let python = generate(&plan, CodeLanguage::Python);
    assert!(python.contains("SYNTHESIS_INSTRUCTIONS = (\n    \"Write a guide. "));
    let typescript = generate(&plan, CodeLanguage::TypeScript);
    assert!(typescript.contains("const SYNTHESIS_INSTRUCTIONS =\n  \"Write a guide. "));
    let rust = generate(&plan, CodeLanguage::Rust);
    assert!(rust.contains("const SYNTHESIS_INSTRUCTIONS: &str =\n    \"Write a guide. "));
    for (language, code) in all_languages(&plan) {
        let width = match language {
            CodeLanguage::Python => 88,
            CodeLanguage::TypeScript => 80,
            CodeLanguage::Rust => 100,
        };
        let constants = code.split("QUESTIONS").next().unwrap_or_default();
        for line in constants.lines() {
            assert!(line.chars().count() <= width, "{language:?}: {line}");
        }
    }
}

#[test]
fn languages_have_file_names_labels_and_ids_that_round_trip() {
    let names: Vec<_> = CodeLanguage::ALL.iter().map(|l| l.file_name()).collect();
    assert_eq!(
        names,
        ["parallel_research.py", "parallel-research.ts", "main.rs"]
    );
    for language in CodeLanguage::ALL {
        assert_eq!(CodeLanguage::parse(language.id()), Some(language));
        assert!(!language.label().is_empty());
    }
    assert_eq!(CodeLanguage::parse("cobol"), None);
}

#[test]
fn the_cargo_manifest_pins_every_dependency_with_few_features() {
    let manifest = cargo_manifest();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("dependencies");
    let lines: Vec<_> = dependencies.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4);
    for line in lines {
        assert!(line.contains("\"="), "not pinned: {line}");
    }
    assert!(manifest.contains("default-features = false, features = [\"json\", \"rustls\"]"));
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
fn every_line_fits_the_formatters_width() {
    let modes = [RunMode::Parallel, RunMode::Sequential, RunMode::Compare];
    for mode in modes {
        for plan in [
            limited_plan(),
            unlimited(limited_plan()),
            fail_fast(limited_plan()),
            unlimited(fail_fast(limited_plan())),
        ] {
            let plan = RunPlan {
                mode,
                temperature: Some(0.5),
                ..plan
            };
            for (language, code) in all_languages(&plan) {
                let width = match language {
                    CodeLanguage::Python => 88,
                    CodeLanguage::TypeScript => 80,
                    CodeLanguage::Rust => 100,
                };
                let long: Vec<_> = code
                    .lines()
                    .filter(|line| line.chars().count() > width)
                    .collect();
                assert!(long.is_empty(), "{language:?}: {long:#?}");
            }
        }
    }
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
