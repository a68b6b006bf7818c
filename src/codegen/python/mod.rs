//! The Python program: the official `anthropic` SDK's `AsyncAnthropic`, `asyncio.gather`, an
//! `asyncio.Semaphore` for the limit and `asyncio.wait_for` for the per-call timeout (seed 001,
//! with seed 002's policies).

mod limits;
mod runs;
use super::literal::{python_string, split_lines};
use super::Runs;
use super::{comment_block, temperature_note, Setup, SUBSTITUTE_NOTE, TITLE};
use runs::*;

/// Black's line length.
const WIDTH: usize = 88;

/// The whole program for `setup`.
pub(super) fn program(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    header(&mut out, setup);
    let (math, deque) = limits::imports(setup);
    let math = if setup.rounds > 1 {
        "import math\n"
    } else {
        math
    };
    out.push_str(
        &IMPORTS
            .replace("import os\n", &format!("{math}import os\n"))
            .replace("from dataclasses", &format!("{deque}from dataclasses")),
    );
    constants(&mut out, setup);
    out.push_str(LOG_AND_TYPES);
    out.push_str(&limits::helpers(setup));
    out.push_str(&describe(setup));
    out.push_str(&create_message(setup));
    out.push_str(&ask(setup));
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
    out.push_str(if setup.fail_fast {
        SYNTHESIS_FAIL_FAST
    } else {
        SYNTHESIS_SETTLE_ALL
    });
    out.push_str(if setup.fail_fast {
        WORKFLOW_FAIL_FAST
    } else {
        WORKFLOW_SETTLE_ALL
    });
    if setup.rounds > 1 {
        out.push_str(super::rounds::python::HELPERS);
    }
    out.push_str(&main(setup));
    out
}

fn header(out: &mut String, setup: &Setup<'_>) {
    let mut paragraphs = vec![TITLE.to_string()];
    paragraphs.extend(setup.description());
    out.push_str("\"\"\"");
    out.push_str(&comment_block(&paragraphs, "", WIDTH));
    out.push_str(
        "
Run it (Python 3.9 or later):
    pip install anthropic
    export ANTHROPIC_API_KEY=...      # your API key
    export ANTHROPIC_BASE_URL=...     # optional: a proxy or another endpoint
    python parallel_research.py
\"\"\"
",
    );
}

const IMPORTS: &str = "
from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass

import anthropic

";

fn constants(out: &mut String, setup: &Setup<'_>) {
    if setup.model_substituted {
        out.push_str(&format!("# {SUBSTITUTE_NOTE}\n"));
    }
    out.push_str(&format!("MODEL = {}\n", python_string(setup.model)));
    out.push_str(&format!("MAX_TOKENS = {}\n", setup.max_tokens));
    if let Some(t) = setup.temperature_literal() {
        out.push_str(&format!("# {}\n", temperature_note(&t)));
    }
    if let Some(system) = setup.system_prompt {
        out.push_str(&string_constant("SYSTEM_PROMPT", system));
    }
    out.push_str(&string_constant(
        "SYNTHESIS_INSTRUCTIONS",
        setup.synthesis_instructions,
    ));
    if setup.questions.is_empty() {
        out.push_str("QUESTIONS: list[str] = []\n");
    } else {
        out.push_str("QUESTIONS = [\n");
        for question in setup.questions {
            out.push_str(&format!("    {},\n", python_string(question)));
        }
        out.push_str("]\n");
    }
    if setup.has_parallel_run() {
        if let Some(k) = setup.concurrency_limit {
            out.push_str(&format!(
                "CONCURRENCY_LIMIT = {k}  # most calls in flight at once\n"
            ));
        }
    }
    out.push_str(&limits::constants(setup));
    if let Some(seconds) = setup.timeout_seconds() {
        out.push_str(&format!(
            "TIMEOUT_S = {seconds}  # per call, retries included\n"
        ));
    }
    out.push_str(&format!(
        "MAX_RETRIES = {}  # for rate limits, server errors and lost connections\n",
        setup.max_retries
    ));
    if !setup.fail_fast {
        out.push_str(&format!(
            "QUORUM = {}  # fewest answers the synthesis needs\n",
            setup.quorum
        ));
    }
    if setup.rounds > 1 {
        out.push_str(&super::rounds::python::constant(setup));
    }
}

/// `NAME = "…"`, or the text split over lines in parentheses when it is long or has newlines.
pub(super) fn string_constant(name: &str, text: &str) -> String {
    let one_line = format!("{name} = {}\n", python_string(text));
    if one_line.chars().count() <= WIDTH + 1 && !text.contains('\n') {
        return one_line;
    }
    let mut out = format!("{name} = (\n");
    for piece in split_lines(text, WIDTH - 8) {
        out.push_str(&format!("    {}\n", python_string(piece)));
    }
    out.push_str(")\n");
    out
}

const LOG_AND_TYPES: &str = r#"
START = time.perf_counter()


def log(message: str) -> None:
    """Prints a line stamped with the seconds since the program started."""
    print(f"[{time.perf_counter() - START:6.2f}s] {message}", flush=True)


@dataclass
class Answer:
    text: str
    seconds: float


class ResearchError(Exception):
    """A question without an answer: which one, why, and how long its call took."""

    def __init__(self, number: int, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.number = number
        self.reason = reason
        self.seconds = seconds

"#;

fn describe(setup: &Setup<'_>) -> String {
    let timeout = if setup.timeout_ms.is_some() {
        r#"    if isinstance(error, asyncio.TimeoutError):
        return f"Timed out after {TIMEOUT_S:g} s (the per-call timeout)."
"#
    } else {
        ""
    };
    format!(
        r#"
def describe(error: Exception) -> str:
    """Says in one line why a call failed."""
{timeout}    if isinstance(error, anthropic.APIStatusError):
        return f"HTTP {{error.status_code}}: {{error.api_message or error.message}}"
    return str(error) or type(error).__name__

"#
    )
}

fn create_message(setup: &Setup<'_>) -> String {
    if setup.has_limits() {
        return create_limited_message(setup);
    }
    let call = if setup.timeout_ms.is_some() {
        r#"    # wait_for cancels the call when its time is up, retries included.
    message = await asyncio.wait_for(
        client.messages.create(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            messages=[{"role": "user", "content": prompt}],
            **options,
        ),
        timeout=TIMEOUT_S,
    )"#
    } else {
        r#"    message = await client.messages.create(
        model=MODEL,
        max_tokens=MAX_TOKENS,
        messages=[{"role": "user", "content": prompt}],
        **options,
    )"#
    };
    format!(
        r#"
async def create_message(
    client: anthropic.AsyncAnthropic, prompt: str, **options
) -> str:
    """One call to the Messages API with the set-up's model; returns the text."""
{call}
    return "".join(block.text for block in message.content if block.type == "text")

"#
    )
}

/// `create_message` when calls wait for the budgets or the adaptive limit first.
fn create_limited_message(setup: &Setup<'_>) -> String {
    let call = "admitted(send, reserved_tokens(prompt, options))";
    let call = if setup.timeout_ms.is_some() {
        format!(
            "    # wait_for cancels the call when its time is up, waits and retries included.
    message = await asyncio.wait_for({call}, timeout=TIMEOUT_S)"
        )
    } else {
        format!("    message = await {call}")
    };
    format!(
        r#"
async def create_message(
    client: anthropic.AsyncAnthropic, prompt: str, **options
) -> str:
    """One call to the Messages API with the set-up's model, once the limits let it
    go; returns the text."""

    def send():
        return client.messages.create(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            messages=[{{"role": "user", "content": prompt}}],
            **options,
        )

{call}
    return "".join(block.text for block in message.content if block.type == "text")

"#
    )
}

fn ask(setup: &Setup<'_>) -> String {
    let system = if setup.system_prompt.is_some() {
        ", system=SYSTEM_PROMPT"
    } else {
        ""
    };
    let cancelled = if setup.fail_fast && setup.has_parallel_run() {
        r#"    except asyncio.CancelledError:
        log(f"Cancelled: {question}")
        raise
"#
    } else {
        ""
    };
    format!(
        r#"
async def ask(client: anthropic.AsyncAnthropic, number: int, question: str) -> Answer:
    """Asks one research question, logging when it starts and when it ends."""
    log(f"Asking: {{question}}")
    started = time.perf_counter()
    try:
        text = await create_message(client, question{system})
{cancelled}    except Exception as error:
        reason = describe(error)
        log(f"Failed: {{question}}: {{reason}}")
        raise ResearchError(number, reason, time.perf_counter() - started) from error
    seconds = time.perf_counter() - started
    log(f"Answered: {{question}} ({{seconds:.2f}} s)")
    return Answer(text, seconds)

"#
    )
}

const SEQUENTIAL_SETTLE_ALL: &str = r#"
async def research_sequential(
    client: anthropic.AsyncAnthropic,
) -> list[Answer | ResearchError]:
    """Asks the questions one at a time, each call after the previous one."""
    outcomes: list[Answer | ResearchError] = []
    for number, question in enumerate(QUESTIONS, 1):
        try:
            outcomes.append(await ask(client, number, question))
        except ResearchError as error:
            outcomes.append(error)  # settle-all: note the failure and go on
    return outcomes

"#;

const SEQUENTIAL_FAIL_FAST: &str = r#"
async def research_sequential(client: anthropic.AsyncAnthropic) -> list[Answer]:
    """Asks the questions one at a time, each call after the previous one.

    The first failure ends the loop (fail-fast)."""
    answers = []
    for number, question in enumerate(QUESTIONS, 1):
        answers.append(await ask(client, number, question))
    return answers

"#;
