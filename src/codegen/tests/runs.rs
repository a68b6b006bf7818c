//! How the research calls run in each language: the concurrency limit, settle-all or fail-fast,
//! the per-call timeout, and the sequential, parallel and compare modes.

use super::*;

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
