//! The program's runs: sequential, parallel (limited or not, settle-all or fail-fast), the synthesis and `main`.

use super::*;

pub(super) fn parallel(setup: &Setup<'_>) -> String {
    match (setup.concurrency_limit.is_some(), setup.fail_fast) {
        (false, false) => r#"
/// Asks every question at once.
async fn research_parallel(claude: &Claude) -> Vec<Result<Answer, ResearchError>> {
    // join_all runs every call together and keeps the results in question order, whatever
    // order the calls end in. Each result is Ok or Err on its own: one failure does not stop
    // the others (settle-all).
    join_all(QUESTIONS.iter().map(|question| claude.ask(question))).await
}
"#
        .to_string(),
        (true, false) => r#"
/// Asks every question at once, at most CONCURRENCY_LIMIT at a time.
async fn research_parallel(claude: &Claude) -> Vec<Result<Answer, ResearchError>> {
    // buffer_unordered keeps at most CONCURRENCY_LIMIT calls in flight and starts the next one
    // as soon as any call ends (`buffered` would wait for the oldest); the index puts the
    // results back in question order. One failure does not stop the others (settle-all).
    let mut results: Vec<_> = stream::iter(QUESTIONS.iter().enumerate())
        .map(|(index, question)| async move { (index, claude.ask(question).await) })
        .buffer_unordered(CONCURRENCY_LIMIT)
        .collect()
        .await;
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}
"#
        .to_string(),
        (false, true) => r#"
/// Asks every question at once; the first failure cancels the calls still running (fail-fast).
async fn research_parallel(claude: &Claude) -> Result<Vec<Answer>, ResearchError> {
    // try_join_all keeps the answers in question order and returns the first failure at once,
    // dropping the other calls, which cancels their requests.
    let calls = QUESTIONS
        .iter()
        .enumerate()
        .map(|(index, question)| claude.ask(index + 1, question));
    try_join_all(calls).await
}
"#
        .to_string(),
        (true, true) => r#"
/// Asks every question at once, at most CONCURRENCY_LIMIT at a time; the first failure
/// cancels the calls still running (fail-fast).
async fn research_parallel(claude: &Claude) -> Result<Vec<Answer>, ResearchError> {
    // buffer_unordered keeps at most CONCURRENCY_LIMIT calls in flight and starts the next one
    // as soon as any call ends; try_collect returns the first failure at once, dropping the
    // other calls, which cancels their requests. The index puts the answers back in order.
    let mut answers: Vec<_> = stream::iter(QUESTIONS.iter().enumerate())
        .map(|(index, question)| async move {
            let answer = claude.ask(index + 1, question).await?;
            Ok((index, answer))
        })
        .buffer_unordered(CONCURRENCY_LIMIT)
        .try_collect()
        .await?;
    answers.sort_by_key(|(index, _)| *index);
    Ok(answers.into_iter().map(|(_, answer)| answer).collect())
}
"#
        .to_string(),
    }
}

pub(super) fn synthesis(setup: &Setup<'_>) -> String {
    let none = if setup.system_prompt.is_some() {
        ", None"
    } else {
        ""
    };
    if setup.fail_fast {
        format!(
            r#"
/// The synthesis request, built as the page builds it: every answer in question order.
fn synthesis_prompt(answers: &[Answer]) -> String {{
    let mut prompt = format!("{{}}\n\n", SYNTHESIS_INSTRUCTIONS.trim());
    prompt += &format!(
        "All {{}} research answers are below, in question order.\n",
        answers.len()
    );
    for (index, (question, answer)) in QUESTIONS.iter().zip(answers).enumerate() {{
        prompt += &format!(
            "\n### Question {{}}: {{}}\n{{}}\n",
            index + 1,
            question.trim(),
            answer.text.trim()
        );
    }}
    prompt
}}

/// Merges the answers in one more call.
async fn synthesize(claude: &Claude, answers: &[Answer]) -> Option<Answer> {{
    log!("Synthesizing {{}} answers", answers.len());
    let started = Instant::now();
    let prompt = synthesis_prompt(answers);
    match claude.create_message(&prompt{none}).await {{
        Ok(text) => {{
            let seconds = started.elapsed().as_secs_f64();
            log!("Synthesis done ({{seconds:.2}} s)");
            Some(Answer {{ text, seconds }})
        }}
        Err(error) => {{
            log!("Synthesis failed: {{error}}");
            None
        }}
    }}
}}
"#
        )
    } else {
        format!(
            r#"
/// The synthesis request, built as the page builds it: every answer in question order, and
/// the missing ones named so that the model can note the gaps.
fn synthesis_prompt(results: &[Result<Answer, ResearchError>]) -> String {{
    let answered = results.iter().filter(|result| result.is_ok()).count();
    let total = results.len();
    let mut prompt = format!("{{}}\n\n", SYNTHESIS_INSTRUCTIONS.trim());
    if answered == total {{
        prompt += &format!("All {{total}} research answers are below, in question order.\n");
    }} else {{
        prompt += &format!(
            "Some research failed: {{answered}} of {{total}} questions have an answer. Synthesize \
             the available answers and clearly note the gaps left by the missing ones.\n"
        );
    }}
    for (index, (question, result)) in QUESTIONS.iter().zip(results).enumerate() {{
        let (number, question) = (index + 1, question.trim());
        match result {{
            Ok(answer) => {{
                let answer = answer.text.trim();
                prompt += &format!("\n### Question {{number}}: {{question}}\n{{answer}}\n");
            }}
            Err(error) => {{
                let reason = error.reason.trim();
                prompt += &format!("\n### Missing {{number}}: {{question}}\n(No answer: {{reason}})\n");
            }}
        }}
    }}
    prompt
}}

/// Merges the answers in one more call, if enough of them came back.
async fn synthesize(claude: &Claude, results: &[Result<Answer, ResearchError>]) -> Option<Answer> {{
    let answered = results.iter().filter(|result| result.is_ok()).count();
    let total = results.len();
    if answered < QUORUM {{
        log!(
            "No synthesis: only {{answered}} of {{total}} answers succeeded, and the quorum asks \
             for at least {{QUORUM}}."
        );
        return None;
    }}
    log!("Synthesizing {{answered}} of {{total}} answers");
    let started = Instant::now();
    let prompt = synthesis_prompt(results);
    match claude.create_message(&prompt{none}).await {{
        Ok(text) => {{
            let seconds = started.elapsed().as_secs_f64();
            log!("Synthesis done ({{seconds:.2}} s)");
            Some(Answer {{ text, seconds }})
        }}
        Err(error) => {{
            log!("Synthesis failed: {{error}}");
            None
        }}
    }}
}}
"#
        )
    }
}

pub(super) const WORKFLOW_SETTLE_ALL: &str = r#"
/// The research, then the synthesis, printed as they happen. Returns the wall time, or None
/// when there is no synthesis.
async fn run_workflow(
    claude: &Claude,
    research: impl Future<Output = Vec<Result<Answer, ResearchError>>>,
) -> Option<f64> {
    let started = Instant::now();
    let results = research.await;
    let answered = results.iter().filter(|result| result.is_ok()).count();
    let total = results.len();
    log!("Research done: {answered} of {total} questions answered.");
    let mut call_seconds: f64 = results
        .iter()
        .map(|result| match result {
            Ok(answer) => answer.seconds,
            Err(error) => error.seconds,
        })
        .sum();
    let synthesis = synthesize(claude, &results).await;
    if let Some(synthesis) = &synthesis {
        call_seconds += synthesis.seconds;
        println!("\n{}\n", synthesis.text);
    }
    let wall = started.elapsed().as_secs_f64();
    println!("Wall time: {wall:.2} s. Sum of call times: {call_seconds:.2} s.");
    synthesis.map(|_| wall)
}
"#;

pub(super) const WORKFLOW_FAIL_FAST: &str = r#"
/// The research, then the synthesis, printed as they happen. Returns the wall time, or None
/// when there is no synthesis.
async fn run_workflow(
    claude: &Claude,
    research: impl Future<Output = Result<Vec<Answer>, ResearchError>>,
) -> Option<f64> {
    let started = Instant::now();
    let answers = match research.await {
        Ok(answers) => answers,
        Err(error) => {
            log!(
                "No synthesis: question {} failed and fail-fast stopped the run.",
                error.number
            );
            println!("Wall time: {:.2} s.", started.elapsed().as_secs_f64());
            return None;
        }
    };
    let total = answers.len();
    log!("Research done: {total} of {total} questions answered.");
    let mut call_seconds: f64 = answers.iter().map(|answer| answer.seconds).sum();
    let synthesis = synthesize(claude, &answers).await;
    if let Some(synthesis) = &synthesis {
        call_seconds += synthesis.seconds;
        println!("\n{}\n", synthesis.text);
    }
    let wall = started.elapsed().as_secs_f64();
    println!("Wall time: {wall:.2} s. Sum of call times: {call_seconds:.2} s.");
    synthesis.map(|_| wall)
}
"#;

pub(super) fn main(setup: &Setup<'_>) -> String {
    let runs = match setup.runs {
        Runs::Parallel => {
            "    let wall = run_workflow(&claude, research_parallel(&claude)).await;
    if wall.is_none() {
        std::process::exit(1);
    }
"
        }
        Runs::Sequential => {
            "    let wall = run_workflow(&claude, research_sequential(&claude)).await;
    if wall.is_none() {
        std::process::exit(1);
    }
"
        }
        Runs::Both => {
            r#"    println!("Sequential run: one question at a time");
    let sequential = run_workflow(&claude, research_sequential(&claude)).await;
    println!("\nParallel run: all questions at once");
    let parallel = run_workflow(&claude, research_parallel(&claude)).await;
    let (Some(sequential), Some(parallel)) = (sequential, parallel) else {
        std::process::exit(1);
    };
    println!(
        "\nSequential {sequential:.2} s, parallel {parallel:.2} s: {:.1}x faster in parallel.",
        sequential / parallel
    );
"#
        }
    };
    format!(
        r#"
#[tokio::main]
async fn main() {{
    LazyLock::force(&START);
    let claude = match Claude::from_env() {{
        Ok(claude) => claude,
        Err(message) => {{
            eprintln!("{{message}}");
            std::process::exit(1);
        }}
    }};
{runs}}}
"#
    )
}
