//! The Rust program: `tokio`, `reqwest` and `futures`, posting to the Messages API directly —
//! `join_all` (or `buffer_unordered(k)` under a limit) for settle-all, `try_join_all` (or
//! `try_collect`) for fail-fast, `tokio::time::timeout` per call, and a retry loop honouring
//! `retry-after`. Formatted as rustfmt formats it.

mod client;
mod runs;
use super::literal::{rust_string, rust_string_lines, split_lines};
use super::Runs;
use super::{comment_block, Setup, SUBSTITUTE_NOTE, TITLE};
use client::*;
use runs::*;

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
