//! The Rust program: `tokio`, `reqwest` and `futures`, posting to the Messages API directly —
//! `join_all` (or `buffer_unordered(k)` under a limit) for settle-all, `try_join_all` (or
//! `try_collect`) for fail-fast, `tokio::time::timeout` per call, and a retry loop honouring
//! `retry-after`. Formatted as rustfmt formats it.

use super::literal::{rust_string, rust_string_lines, split_lines};
use super::Runs;
use super::{comment_block, Setup, SUBSTITUTE_NOTE, TITLE};

/// rustfmt's line length.
const WIDTH: usize = 100;

/// The `Cargo.toml` of a crate whose `src/main.rs` is the generated program: pinned versions,
/// the fewest features (rustls, no OpenSSL; no HTTP/2, no proxy detection).
pub fn cargo_manifest() -> String {
    r#"[package]
name = "parallel-research"
version = "0.1.0"
edition = "2021"
rust-version = "1.80"
publish = false

[dependencies]
futures = { version = "=0.3.34", default-features = false, features = ["std"] }
reqwest = { version = "=0.13.5", default-features = false, features = ["json", "rustls"] }
serde_json = "=1.0.154"
tokio = { version = "=1.54.1", features = ["macros", "rt-multi-thread", "time"] }
"#
    .to_string()
}

/// The whole program for `setup`.
pub(super) fn program(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    header(&mut out, setup);
    out.push_str(&uses(setup));
    constants(&mut out, setup);
    out.push_str(&log_and_types(setup));
    out.push_str(&call_error(setup));
    out.push_str(&client(setup));
    out.push_str(HELPERS);
    if setup.has_sequential_run() {
        out.push_str(if setup.fail_fast {
            SEQUENTIAL_FAIL_FAST
        } else {
            SEQUENTIAL_SETTLE_ALL
        });
    }
    if setup.has_parallel_run() {
        out.push_str(&parallel(setup));
    }
    out.push_str(&synthesis(setup));
    out.push_str(if setup.fail_fast {
        WORKFLOW_FAIL_FAST
    } else {
        WORKFLOW_SETTLE_ALL
    });
    out.push_str(&main(setup));
    out
}

fn header(out: &mut String, setup: &Setup<'_>) {
    let mut paragraphs = vec![TITLE.to_string()];
    paragraphs.extend(setup.description());
    out.push_str(&comment_block(&paragraphs, "//! ", WIDTH));
    out.push_str(
        "//!
//! Run it (Rust 1.80 or later):
//!     cargo new parallel-research    # then put this file in parallel-research/src/main.rs
//!     cd parallel-research
//!     cargo add tokio@1 --features macros,rt-multi-thread,time
//!     cargo add reqwest@0.13 --no-default-features --features json,rustls
//!     cargo add futures@0.3 --no-default-features --features std
//!     cargo add serde_json@1
//!     export ANTHROPIC_API_KEY=...      # your API key
//!     export ANTHROPIC_BASE_URL=...     # optional (default https://api.anthropic.com)
//!     cargo run
",
    );
}

fn uses(setup: &Setup<'_>) -> String {
    let parallel = setup.has_parallel_run();
    let limited = parallel && setup.concurrency_limit.is_some();
    let mut lines = Vec::new();
    if parallel && !limited {
        lines.push(if setup.fail_fast {
            "use futures::future::try_join_all;"
        } else {
            "use futures::future::join_all;"
        });
    }
    if limited {
        lines.push(if setup.fail_fast {
            "use futures::stream::{self, StreamExt, TryStreamExt};"
        } else {
            "use futures::stream::{self, StreamExt};"
        });
    }
    lines.push("use serde_json::{json, Value};");
    lines.push("use std::fmt;");
    lines.push("use std::future::Future;");
    lines.push("use std::sync::LazyLock;");
    lines.push("use std::time::{Duration, Instant};");
    format!("\n{}\n\n", lines.join("\n"))
}

fn constants(out: &mut String, setup: &Setup<'_>) {
    if setup.model_substituted {
        out.push_str(&format!("// {SUBSTITUTE_NOTE}\n"));
    }
    out.push_str(&string_constant("MODEL", setup.model));
    out.push_str(&format!("const MAX_TOKENS: u32 = {};\n", setup.max_tokens));
    if let Some(t) = setup.temperature_literal() {
        out.push_str(&format!("const TEMPERATURE: f64 = {t};\n"));
    }
    if let Some(system) = setup.system_prompt {
        out.push_str(&string_constant("SYSTEM_PROMPT", system));
    }
    out.push_str(&string_constant(
        "SYNTHESIS_INSTRUCTIONS",
        setup.synthesis_instructions,
    ));
    let literals: Vec<String> = setup.questions.iter().map(|q| rust_string(q)).collect();
    let one_line = format!("const QUESTIONS: &[&str] = &[{}];\n", literals.join(", "));
    if one_line.chars().count() <= WIDTH + 1 {
        out.push_str(&one_line);
    } else {
        out.push_str("const QUESTIONS: &[&str] = &[\n");
        for literal in &literals {
            out.push_str(&format!("    {literal},\n"));
        }
        out.push_str("];\n");
    }
    if setup.has_parallel_run() {
        if let Some(k) = setup.concurrency_limit {
            out.push_str(&format!(
                "const CONCURRENCY_LIMIT: usize = {k}; // most calls in flight at once\n"
            ));
        }
    }
    if let Some(ms) = setup.timeout_ms {
        out.push_str(&format!(
            "const TIMEOUT: Duration = Duration::from_millis({}); // per call, retries included\n",
            grouped(ms)
        ));
    }
    out.push_str(&format!(
        "const MAX_RETRIES: u32 = {}; // for rate limits, server errors and lost connections\n",
        setup.max_retries
    ));
    if !setup.fail_fast {
        out.push_str(&format!(
            "const QUORUM: usize = {}; // fewest answers the synthesis needs\n",
            setup.quorum
        ));
    }
    out.push_str("const DEFAULT_BASE_URL: &str = \"https://api.anthropic.com\";\n");
}

/// `20_000` for 20000, as rustfmt leaves it and a reader prefers it.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// `const NAME: &str = "…";`, continued over lines with `\` when it is long; the literal starts
/// on the next line when its first line would not fit (as rustfmt lays it out).
fn string_constant(name: &str, text: &str) -> String {
    let start = format!("const {name}: &str = ");
    let one_line = format!("{start}{};\n", rust_string(text));
    if one_line.chars().count() <= WIDTH + 1 {
        return one_line;
    }
    let pieces = split_lines(text, WIDTH - 10);
    if pieces.len() == 1 {
        return format!("const {name}: &str =\n    {};\n", rust_string(text));
    }
    let same_line = format!("{start}{}", rust_string_lines(&pieces, "    "));
    let first_line = same_line.lines().next().unwrap_or_default();
    if first_line.chars().count() <= WIDTH {
        format!("{same_line};\n")
    } else {
        format!(
            "const {name}: &str =\n    {};\n",
            rust_string_lines(&pieces, "     ")
        )
    }
}

fn log_and_types(setup: &Setup<'_>) -> String {
    let research_error = if setup.fail_fast {
        "/// A question without an answer: which one (why was logged when it failed).
struct ResearchError {
    number: usize,
}
"
    } else {
        "/// A question without an answer: why, and how long its call took.
struct ResearchError {
    reason: String,
    seconds: f64,
}
"
    };
    format!(
        r#"
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Prints a line stamped with the seconds since the program started.
macro_rules! log {{
    ($($arg:tt)*) => {{
        println!("[{{:6.2}}s] {{}}", START.elapsed().as_secs_f64(), format_args!($($arg)*))
    }};
}}

/// An answer, and how long its call took.
struct Answer {{
    text: String,
    seconds: f64,
}}

{research_error}"#
    )
}

fn call_error(setup: &Setup<'_>) -> String {
    let timeout = setup.timeout_ms.is_some();
    let (variant, retryable, display) = if timeout {
        (
            "    /// The per-call timeout ran out.
    TimedOut,
",
            "            CallError::TimedOut => false,
",
            r#"            CallError::TimedOut => write!(
                f,
                "Timed out after {} s (the per-call timeout).",
                TIMEOUT.as_secs_f64()
            ),
"#,
        )
    } else {
        ("", "", "")
    };
    format!(
        r#"
/// Why a call failed.
enum CallError {{
{variant}    /// The API answered with an error status.
    Status {{
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    }},
    /// The request did not get through, or the answer could not be read.
    Http(reqwest::Error),
}}

impl CallError {{
    /// Whether trying again may help: rate limits, overload, server errors, lost connections.
    fn is_retryable(&self) -> bool {{
        match self {{
{retryable}            CallError::Status {{ status, .. }} => matches!(status, 408 | 409 | 429 | 500..),
            CallError::Http(error) => !error.is_decode(),
        }}
    }}

    /// The pause before retry number `retry` (0 for the first): what the server asked for in
    /// `retry-after`, else 0.5 s doubled at each retry, at most 8 s.
    fn retry_delay(&self, retry: u32) -> Duration {{
        match self {{
            CallError::Status {{
                retry_after: Some(delay),
                ..
            }} => *delay,
            _ => Duration::from_millis(500 << retry.min(4)),
        }}
    }}
}}

impl fmt::Display for CallError {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        match self {{
{display}            CallError::Status {{
                status, message, ..
            }} => write!(f, "HTTP {{status}}: {{message}}"),
            CallError::Http(error) => {{
                write!(f, "{{error}}")?;
                let mut cause = std::error::Error::source(error);
                while let Some(error) = cause {{
                    write!(f, ": {{error}}")?;
                    cause = error.source();
                }}
                Ok(())
            }}
        }}
    }}
}}
"#
    )
}

fn client(setup: &Setup<'_>) -> String {
    let system_param = if setup.system_prompt.is_some() {
        "\n        system: Option<&str>,"
    } else {
        ""
    };
    let temperature = if setup.temperature.is_some() {
        "\n            \"temperature\": TEMPERATURE,"
    } else {
        ""
    };
    let system = if setup.system_prompt.is_some() {
        "        if let Some(system) = system {
            body[\"system\"] = json!(system);
        }
"
    } else {
        ""
    };
    let send = if setup.timeout_ms.is_some() {
        "        // The timeout covers the whole call, retries included; when it runs out, the request
        // in flight is dropped, which cancels it.
        tokio::time::timeout(TIMEOUT, self.send_with_retries(&body))
            .await
            .map_err(|_| CallError::TimedOut)?
"
    } else {
        "        self.send_with_retries(&body).await
"
    };
    let signature = format!(
        "    async fn create_message(\n        &self,\n        prompt: &str,{system_param}\n    ) -> Result<String, CallError> {{"
    );
    let signature = if system_param.is_empty() {
        "    async fn create_message(&self, prompt: &str) -> Result<String, CallError> {"
            .to_string()
    } else {
        signature
    };
    let mut_ = if setup.system_prompt.is_some() {
        "mut "
    } else {
        ""
    };
    let system_arg = if setup.system_prompt.is_some() {
        ", Some(SYSTEM_PROMPT)"
    } else {
        ""
    };
    let ask = if setup.fail_fast {
        format!(
            r#"    /// Asks one research question, logging when it starts and when it ends.
    async fn ask(&self, number: usize, question: &str) -> Result<Answer, ResearchError> {{
        log!("Asking: {{question}}");
        let started = Instant::now();
        let result = self.create_message(question{system_arg}).await;
        let seconds = started.elapsed().as_secs_f64();
        match result {{
            Ok(text) => {{
                log!("Answered: {{question}} ({{seconds:.2}} s)");
                Ok(Answer {{ text, seconds }})
            }}
            Err(error) => {{
                log!("Failed: {{question}}: {{error}}");
                Err(ResearchError {{ number }})
            }}
        }}
    }}
"#
        )
    } else {
        format!(
            r#"    /// Asks one research question, logging when it starts and when it ends.
    async fn ask(&self, question: &str) -> Result<Answer, ResearchError> {{
        log!("Asking: {{question}}");
        let started = Instant::now();
        let result = self.create_message(question{system_arg}).await;
        let seconds = started.elapsed().as_secs_f64();
        match result {{
            Ok(text) => {{
                log!("Answered: {{question}} ({{seconds:.2}} s)");
                Ok(Answer {{ text, seconds }})
            }}
            Err(error) => {{
                let reason = error.to_string();
                log!("Failed: {{question}}: {{reason}}");
                Err(ResearchError {{ reason, seconds }})
            }}
        }}
    }}
"#
        )
    };
    format!(
        r#"
/// A client for the Messages API, shared by every call (one pool of connections).
struct Claude {{
    http: reqwest::Client,
    url: String,
    api_key: String,
}}

impl Claude {{
    /// Reads the key from ANTHROPIC_API_KEY, and the address from ANTHROPIC_BASE_URL.
    fn from_env() -> Result<Claude, String> {{
        let api_key = std::env::var("ANTHROPIC_API_KEY")
            .ok()
            .filter(|key| !key.is_empty())
            .ok_or("Set ANTHROPIC_API_KEY to your Anthropic API key first.")?;
        let base_url = std::env::var("ANTHROPIC_BASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        Ok(Claude {{
            http: reqwest::Client::new(),
            url: format!("{{}}/v1/messages", base_url.trim_end_matches('/')),
            api_key,
        }})
    }}

    /// One call to the Messages API with the set-up's model; returns the text.
{signature}
        let {mut_}body = json!({{
            "model": MODEL,
            "max_tokens": MAX_TOKENS,{temperature}
            "messages": [{{ "role": "user", "content": prompt }}],
        }});
{system}{send}    }}

    /// Sends the request, and again after a pause while it fails in a way worth retrying.
    async fn send_with_retries(&self, body: &Value) -> Result<String, CallError> {{
        let mut retries = 0;
        loop {{
            match self.send(body).await {{
                Err(error) if error.is_retryable() && retries != MAX_RETRIES => {{
                    tokio::time::sleep(error.retry_delay(retries)).await;
                    retries += 1;
                }}
                result => return result,
            }}
        }}
    }}

    /// One HTTP request to the Messages API.
    async fn send(&self, body: &Value) -> Result<String, CallError> {{
        let response = self
            .http
            .post(&self.url)
            .header("x-api-key", &self.api_key)
            .header("anthropic-version", "2023-06-01")
            .json(body)
            .send()
            .await
            .map_err(CallError::Http)?;
        let status = response.status();
        if !status.is_success() {{
            let retry_after = retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            return Err(CallError::Status {{
                status: status.as_u16(),
                message: error_message(&body),
                retry_after,
            }});
        }}
        let message: Value = response.json().await.map_err(CallError::Http)?;
        Ok(text_of(&message))
    }}

{ask}}}
"#
    )
}

const HELPERS: &str = r#"
/// The pause the server asked for in `retry-after` (seconds), when it is a sensible one.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?;
    let seconds: f64 = value.trim().parse().ok()?;
    (0.0..=60.0)
        .contains(&seconds)
        .then(|| Duration::from_secs_f64(seconds))
}

/// The message of an API error body, or the body itself.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|error| error["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.trim().to_string())
}

/// The text blocks of a Messages API response, joined.
fn text_of(message: &Value) -> String {
    message["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|block| block["type"] == "text")
        .filter_map(|block| block["text"].as_str())
        .collect()
}
"#;

const SEQUENTIAL_SETTLE_ALL: &str = r#"
/// Asks the questions one at a time, each call after the previous one.
async fn research_sequential(claude: &Claude) -> Vec<Result<Answer, ResearchError>> {
    let mut results = Vec::new();
    for question in QUESTIONS {
        // settle-all: a failure is kept in the list, and the loop goes on.
        results.push(claude.ask(question).await);
    }
    results
}
"#;

const SEQUENTIAL_FAIL_FAST: &str = r#"
/// Asks the questions one at a time, each call after the previous one.
async fn research_sequential(claude: &Claude) -> Result<Vec<Answer>, ResearchError> {
    let mut answers = Vec::new();
    for (index, question) in QUESTIONS.iter().enumerate() {
        // `?`: the first failure ends the loop (fail-fast).
        answers.push(claude.ask(index + 1, question).await?);
    }
    Ok(answers)
}
"#;

fn parallel(setup: &Setup<'_>) -> String {
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

fn synthesis(setup: &Setup<'_>) -> String {
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

const WORKFLOW_SETTLE_ALL: &str = r#"
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

const WORKFLOW_FAIL_FAST: &str = r#"
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

fn main(setup: &Setup<'_>) -> String {
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
