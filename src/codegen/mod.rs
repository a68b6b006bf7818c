//! "Show me the code": the page's current set-up as a runnable program, in Python, TypeScript or
//! Rust.
//!
//! Each program is what a person would write after the lessons: the research questions asked
//! concurrently (`asyncio.gather`, `Promise.allSettled`, `join_all`), at most *k* at a time when
//! a limit is set (a semaphore), each call with its own timeout and retries, a failure policy
//! (settle-all or fail-fast), then one synthesis built exactly like the page's
//! ([`synthesis_prompt`](crate::engine::synthesis_prompt)), and the wall time against the sum of
//! call times. Pure string building: no I/O, the same output on every platform.
//!
//! ```
//! use parallel_playground::codegen::{generate, CodeLanguage};
//! use parallel_playground::engine::RunPlan;
//!
//! let plan = RunPlan {
//!     questions: vec!["What is Rust?".into(), "What is wasm?".into()],
//!     concurrency_limit: Some(2),
//!     ..RunPlan::default()
//! };
//! let python = generate(&plan, CodeLanguage::Python);
//! assert!(python.contains("asyncio.Semaphore(CONCURRENCY_LIMIT)"));
//! assert!(python.contains("CONCURRENCY_LIMIT = 2"));
//! assert_eq!(CodeLanguage::Python.file_name(), "parallel_research.py");
//! ```

mod literal;
mod patterns;
pub mod patterns_map_cache;
mod python;
mod rounds;
mod rust;
mod typescript;
mod variants;

pub use patterns::generate_pattern;
pub use rust::cargo_manifest;
pub use variants::{generate_variants, generate_workspace_variants, VariantApi, VariantCode};

use crate::engine::{FailurePolicy, RunMode, RunPlan};
use serde::{Deserialize, Serialize};

/// The model the programs call when the page runs its offline simulated model, which has no
/// API of its own.
pub const SUBSTITUTE_MODEL: &str = "claude-haiku-4-5";

/// The longest delay a JavaScript timer can wait (2^31 - 1 ms).
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// The page's name for its offline model.
const SIMULATED_MODEL: &str = "simulated";

/// A language the set-up can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeLanguage {
    /// The official `anthropic` SDK with `asyncio`.
    Python,
    /// The official `@anthropic-ai/sdk` on Node.
    TypeScript,
    /// `tokio`, `reqwest` and `futures`, calling the Messages API directly.
    Rust,
}

impl CodeLanguage {
    /// Every language, in the order the page offers them.
    pub const ALL: [CodeLanguage; 3] = [
        CodeLanguage::Python,
        CodeLanguage::TypeScript,
        CodeLanguage::Rust,
    ];

    /// The name to save the program under.
    pub fn file_name(self) -> &'static str {
        match self {
            CodeLanguage::Python => "parallel_research.py",
            CodeLanguage::TypeScript => "parallel-research.ts",
            CodeLanguage::Rust => "main.rs",
        }
    }

    /// The name to show on a tab or button.
    pub fn label(self) -> &'static str {
        match self {
            CodeLanguage::Python => "Python",
            CodeLanguage::TypeScript => "TypeScript",
            CodeLanguage::Rust => "Rust",
        }
    }

    /// A stable id for menus and saved settings (`python`, `typescript`, `rust`).
    pub fn id(self) -> &'static str {
        match self {
            CodeLanguage::Python => "python",
            CodeLanguage::TypeScript => "typescript",
            CodeLanguage::Rust => "rust",
        }
    }

    /// Parses [`CodeLanguage::id`].
    pub fn parse(id: &str) -> Option<CodeLanguage> {
        CodeLanguage::ALL.into_iter().find(|l| l.id() == id)
    }
}

/// The program that runs `plan` in `language`: one self-contained file, with a header comment
/// that says what it does and how to run it.
pub fn generate(plan: &RunPlan, language: CodeLanguage) -> String {
    generate_rounds(plan, language, 1)
}

/// As [`generate`], the run repeated `rounds` times with the percentiles of its wall times
/// printed at the end (Python and TypeScript; the Rust program runs once and says so).
pub fn generate_rounds(plan: &RunPlan, language: CodeLanguage, rounds: u32) -> String {
    variants::generate_rounds_noting_variants(plan, language, rounds, 0)
}

/// Which research runs a program makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Runs {
    Parallel,
    Sequential,
    /// Sequential, then parallel, and the speedup (the page's compare mode).
    Both,
}

/// The plan as the programs use it: odd values made safe, the simulated model replaced.
struct Setup<'a> {
    model: &'a str,
    /// The plan's model is the simulated one and `model` stands in for it.
    model_substituted: bool,
    questions: &'a [String],
    system_prompt: Option<&'a str>,
    synthesis_instructions: &'a str,
    runs: Runs,
    concurrency_limit: Option<usize>,
    timeout_ms: Option<u64>,
    max_retries: u32,
    fail_fast: bool,
    quorum: usize,
    max_tokens: u32,
    temperature: Option<f32>,
    /// The client-side budgets (token buckets) and the adaptive limit (AIMD).
    requests_per_minute: Option<u32>,
    tokens_per_minute: Option<u32>,
    adaptive: bool,
    /// The plan had budgets or the adaptive limit that this language's program leaves out.
    limits_left_out: bool,
    /// How many times the program repeats the run (1: once, no loop).
    rounds: u32,
    /// The page asked for rounds that this language's program leaves out.
    rounds_left_out: bool,
    /// How many of the page's variants (B–D) this program leaves out: it runs variant A.
    variants_left_out: usize,
}

impl<'a> Setup<'a> {
    fn from_plan(plan: &'a RunPlan) -> Setup<'a> {
        let model_substituted = plan.model.trim() == SIMULATED_MODEL;
        Setup {
            model: if model_substituted {
                SUBSTITUTE_MODEL
            } else {
                &plan.model
            },
            model_substituted,
            questions: &plan.questions,
            system_prompt: plan
                .system_prompt
                .as_deref()
                .filter(|s| !s.trim().is_empty()),
            synthesis_instructions: &plan.synthesis_prompt,
            runs: match plan.mode {
                RunMode::Sequential => Runs::Sequential,
                // As a research plan, an agents run behaves like a parallel run (as the engine's).
                RunMode::Parallel => Runs::Parallel,
                RunMode::Compare => Runs::Both,
            },
            // The page refuses a limit of 0; a program with one would wait forever.
            concurrency_limit: plan.concurrency_limit.map(|k| k.max(1)),
            // Past about 24 days Node's timers fire at once: treat that as no timeout.
            timeout_ms: plan
                .timeout_ms
                .filter(|ms| ms.is_finite() && *ms > 0.0 && *ms <= MAX_TIMER_MS)
                .map(|ms| ms.round().max(1.0) as u64),
            max_retries: plan.retry.max_retries,
            fail_fast: plan.failure_policy == FailurePolicy::FailFast,
            quorum: plan.quorum.max(1),
            max_tokens: plan.max_tokens.max(1),
            temperature: plan.temperature.filter(|t| t.is_finite()),
            // A budget of 0 would never refill: the page refuses it; treat it as none.
            requests_per_minute: plan.limits.requests_per_minute.filter(|n| *n > 0),
            tokens_per_minute: plan.limits.tokens_per_minute.filter(|n| *n > 0),
            adaptive: plan.limits.adaptive,
            limits_left_out: false,
            rounds: 1,
            rounds_left_out: false,
            variants_left_out: 0,
        }
    }

    /// Whether any call waits for a budget or the adaptive limit.
    fn has_limits(&self) -> bool {
        self.requests_per_minute.is_some() || self.tokens_per_minute.is_some() || self.adaptive
    }

    /// The fixed concurrency limit (a semaphore); with the adaptive limit it is that limit's
    /// ceiling instead.
    fn semaphore_limit(&self) -> Option<usize> {
        self.concurrency_limit.filter(|_| !self.adaptive)
    }

    fn has_parallel_run(&self) -> bool {
        self.runs != Runs::Sequential
    }

    fn has_sequential_run(&self) -> bool {
        self.runs != Runs::Parallel
    }

    /// The timeout in seconds as a decimal number (`20.0`, `1.5`).
    fn timeout_seconds(&self) -> Option<String> {
        self.timeout_ms
            .map(|ms| format!("{:?}", ms as f64 / 1000.0))
    }

    /// The temperature as a decimal number (`0.7`, `1.0`).
    fn temperature_literal(&self) -> Option<String> {
        self.temperature.map(|t| format!("{t:?}"))
    }

    /// What the program does, as paragraphs of prose for its header comment.
    fn description(&self) -> Vec<String> {
        let n = self.questions.len();
        let all = if n == 1 {
            "the research question".to_string()
        } else {
            format!("all {n} research questions")
        };
        let limit = self
            .semaphore_limit()
            .map(|k| format!(", at most {k} at a time"))
            .unwrap_or_default();
        let what = match self.runs {
            Runs::Parallel => format!(
                "Asks {all} at once{limit}, keeps the answers in question order whatever order \
                 they arrive in, then makes one more call that merges them (the synthesis)."
            ),
            Runs::Sequential => format!(
                "Asks {all} one at a time, each call waiting for the previous one, then makes \
                 one more call that merges the answers (the synthesis)."
            ),
            Runs::Both => format!(
                "Runs the research twice, first one question at a time, then {all} at \
                 once{limit}; each run ends with one more call that merges the answers (the \
                 synthesis). Then it prints how much faster the parallel run was."
            ),
        };
        let timeout = match self.timeout_ms {
            Some(ms) => format!(
                "Each call has {} s to finish, retries included.",
                seconds_text(ms)
            ),
            None => "Calls have no time limit.".to_string(),
        };
        let retries = match self.max_retries {
            0 => "Failed calls are not retried.".to_string(),
            1 => "Rate limits, server errors and lost connections are retried once.".to_string(),
            r => format!(
                "Rate limits, server errors and lost connections are retried up to {r} times."
            ),
        };
        let policy = if self.fail_fast {
            "The first failed question cancels the calls still running, and there is no \
             synthesis (fail-fast)."
                .to_string()
        } else {
            let answers = if self.quorum == 1 {
                "one answer".to_string()
            } else {
                format!("{} answers", self.quorum)
            };
            format!(
                "A failed question does not stop the others (settle-all): the synthesis runs \
                 when at least {answers} came back, and is told which ones are missing."
            )
        };
        let mut paragraphs = vec![what, format!("{timeout} {retries} {policy}")];
        let mut limits = Vec::new();
        if let Some(n) = self.requests_per_minute {
            limits.push(format!("at most {n} requests a minute"));
        }
        if let Some(n) = self.tokens_per_minute {
            limits.push(format!(
                "at most {n} tokens a minute (each call counts its input, about four \
                 characters a token, plus its max_tokens, and gives back what it did not use)"
            ));
        }
        if !limits.is_empty() {
            paragraphs.push(format!(
                "Calls wait for the budgets instead of running into a 429: {}, each a token \
                 bucket that refills continuously.",
                limits.join(" and ")
            ));
        }
        if self.adaptive {
            let ceiling = self
                .concurrency_limit
                .map(|k| format!(", up to {k}"))
                .unwrap_or_default();
            paragraphs.push(format!(
                "The concurrency limit adapts (AIMD, as TCP does): it starts at 4 and grows by \
                 one call per success while calls wait for it{ceiling}, falls by 30 % on a 429 \
                 or 529, and holds new calls back for the server's retry-after. The program \
                 retries those itself so that every refusal reaches the limit."
            ));
        }
        if self.rounds > 1 {
            paragraphs.push(format!(
                "The whole run repeats {} times, one round after the other; at the end it \
                 prints p50, p95, p99 and max of each run's wall time over the rounds \
                 (nearest-rank percentiles, as the page computes them).",
                self.rounds
            ));
        }
        if self.rounds_left_out {
            paragraphs.push(
                "The page's rounds are not part of this program: it runs once (the Python \
                 and TypeScript ones repeat the run and print its percentiles)."
                    .to_string(),
            );
        }
        if self.variants_left_out > 0 {
            paragraphs.push(
                "The page's variants B to D are not part of this program: it runs variant A \
                 (the set-up itself). The Python and TypeScript programs run every variant."
                    .to_string(),
            );
        }
        if self.limits_left_out {
            paragraphs.push(
                "The page's request and token budgets and its adaptive limit are not part of \
                 this program (the Python and TypeScript ones carry them)."
                    .to_string(),
            );
        }
        paragraphs
    }
}

/// Milliseconds as seconds for prose: `20`, `1.5`.
fn seconds_text(ms: u64) -> String {
    let seconds = ms as f64 / 1000.0;
    if ms % 1000 == 0 {
        format!("{}", ms / 1000)
    } else {
        format!("{seconds}")
    }
}

/// The first line of every program's header.
const TITLE: &str =
    "Parallel research, then one synthesis: the Parallel Playground set-up as a program.";

/// Why the model differs from the page's, for a comment above the model constant.
const SUBSTITUTE_NOTE: &str =
    "The page ran its offline simulated model; this real model stands in for it.";

/// Why the SDK programs do not send the page's temperature, for a comment.
fn temperature_note(temperature: &str) -> String {
    format!("Temperature {temperature} (the page's) is not sent: this SDK's API version has none.")
}

/// Wraps prose to `width` columns, each line starting with `prefix` (a comment marker).
fn comment_block(paragraphs: &[String], prefix: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push_str(prefix.trim_end());
            out.push('\n');
        }
        for line in literal::split_lines(paragraph, width.saturating_sub(prefix.len())) {
            out.push_str(prefix);
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests;
