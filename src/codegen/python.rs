//! The Python program: the official `anthropic` SDK's `AsyncAnthropic`, `asyncio.gather`, an
//! `asyncio.Semaphore` for the limit and `asyncio.wait_for` for the per-call timeout (seed 001,
//! with seed 002's policies).

use super::literal::{python_string, split_lines};
use super::Runs;
use super::{comment_block, temperature_note, Setup, SUBSTITUTE_NOTE, TITLE};

/// Black's line length.
const WIDTH: usize = 88;

/// The whole program for `setup`.
pub(super) fn program(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    header(&mut out, setup);
    out.push_str(IMPORTS);
    constants(&mut out, setup);
    out.push_str(LOG_AND_TYPES);
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
}

/// `NAME = "…"`, or the text split over lines in parentheses when it is long or has newlines.
fn string_constant(name: &str, text: &str) -> String {
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

fn parallel(setup: &Setup<'_>) -> String {
    let signature = if setup.fail_fast {
        "async def research_parallel(client: anthropic.AsyncAnthropic) -> list[Answer]:"
    } else {
        "async def research_parallel(\n    client: anthropic.AsyncAnthropic,\n) -> list[Answer | ResearchError]:"
    };
    let (doc, semaphore, task_fn) = match setup.concurrency_limit {
        Some(_) => (
            "Asks every question at once, at most CONCURRENCY_LIMIT at a time.",
            r#"    semaphore = asyncio.Semaphore(CONCURRENCY_LIMIT)

    async def ask_when_free(number: int, question: str) -> Answer:
        async with semaphore:  # waits while CONCURRENCY_LIMIT calls are in flight
            return await ask(client, number, question)

"#,
            "ask_when_free(number, question)",
        ),
        None => (
            "Asks every question at once.",
            "",
            "ask(client, number, question)",
        ),
    };
    let body = if setup.fail_fast {
        format!(
            r#"    tasks = [
        asyncio.create_task({task_fn})
        for number, question in enumerate(QUESTIONS, 1)
    ]
    try:
        # gather keeps the answers in question order, whatever order the calls end in.
        # Without return_exceptions it raises the first failure...
        return await asyncio.gather(*tasks)
    except ResearchError:
        # ...but leaves the other calls running: cancel them (fail-fast), and wait
        # until they have stopped.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
"#
        )
    } else {
        format!(
            r#"    tasks = [
        {task_fn} for number, question in enumerate(QUESTIONS, 1)
    ]
    # gather keeps the results in question order, whatever order the calls end in.
    # return_exceptions=True: a failed call becomes its ResearchError in the list
    # instead of stopping the others (settle-all).
    return await asyncio.gather(*tasks, return_exceptions=True)
"#
        )
    };
    format!("\n{signature}\n    \"\"\"{doc}\"\"\"\n{semaphore}{body}\n")
}

const SYNTHESIS_SETTLE_ALL: &str = r#"
def synthesis_prompt(outcomes: list[Answer | ResearchError]) -> str:
    """The synthesis request, built as the page builds it: every answer in question
    order, and the missing ones named so that the model can note the gaps."""
    answered = sum(isinstance(outcome, Answer) for outcome in outcomes)
    total = len(outcomes)
    prompt = SYNTHESIS_INSTRUCTIONS.strip() + "\n\n"
    if answered == total:
        prompt += f"All {total} research answers are below, in question order.\n"
    else:
        prompt += (
            f"Some research failed: {answered} of {total} questions have an answer. "
            "Synthesize the available answers and clearly note the gaps left by the "
            "missing ones.\n"
        )
    for number, (question, outcome) in enumerate(zip(QUESTIONS, outcomes), 1):
        if isinstance(outcome, Answer):
            prompt += f"\n### Question {number}: {question.strip()}\n"
            prompt += f"{outcome.text.strip()}\n"
        else:
            prompt += f"\n### Missing {number}: {question.strip()}\n"
            prompt += f"(No answer: {outcome.reason.strip()})\n"
    return prompt


async def synthesize(
    client: anthropic.AsyncAnthropic, outcomes: list[Answer | ResearchError]
) -> Answer | None:
    """Merges the answers in one more call, if enough of them came back."""
    answered = sum(isinstance(outcome, Answer) for outcome in outcomes)
    if answered < QUORUM:
        log(
            f"No synthesis: only {answered} of {len(outcomes)} answers succeeded, "
            f"and the quorum asks for at least {QUORUM}."
        )
        return None
    log(f"Synthesizing {answered} of {len(outcomes)} answers")
    started = time.perf_counter()
    try:
        text = await create_message(client, synthesis_prompt(outcomes))
    except Exception as error:
        log(f"Synthesis failed: {describe(error)}")
        return None
    seconds = time.perf_counter() - started
    log(f"Synthesis done ({seconds:.2f} s)")
    return Answer(text, seconds)

"#;

const SYNTHESIS_FAIL_FAST: &str = r#"
def synthesis_prompt(answers: list[Answer]) -> str:
    """The synthesis request, built as the page builds it: every answer in question
    order."""
    prompt = SYNTHESIS_INSTRUCTIONS.strip() + "\n\n"
    prompt += f"All {len(answers)} research answers are below, in question order.\n"
    for number, (question, answer) in enumerate(zip(QUESTIONS, answers), 1):
        prompt += f"\n### Question {number}: {question.strip()}\n"
        prompt += f"{answer.text.strip()}\n"
    return prompt


async def synthesize(
    client: anthropic.AsyncAnthropic, answers: list[Answer]
) -> Answer | None:
    """Merges the answers in one more call."""
    log(f"Synthesizing {len(answers)} answers")
    started = time.perf_counter()
    try:
        text = await create_message(client, synthesis_prompt(answers))
    except Exception as error:
        log(f"Synthesis failed: {describe(error)}")
        return None
    seconds = time.perf_counter() - started
    log(f"Synthesis done ({seconds:.2f} s)")
    return Answer(text, seconds)

"#;

const WORKFLOW_SETTLE_ALL: &str = r#"
async def run_workflow(client: anthropic.AsyncAnthropic, research) -> float | None:
    """The research, then the synthesis, printed as they happen.

    Returns the wall time, or None when there is no synthesis."""
    started = time.perf_counter()
    outcomes = await research(client)
    answered = sum(isinstance(outcome, Answer) for outcome in outcomes)
    log(f"Research done: {answered} of {len(outcomes)} questions answered.")
    call_seconds = sum(outcome.seconds for outcome in outcomes)
    synthesis = await synthesize(client, outcomes)
    if synthesis is not None:
        call_seconds += synthesis.seconds
        print(f"\n{synthesis.text}\n")
    wall = time.perf_counter() - started
    print(f"Wall time: {wall:.2f} s. Sum of call times: {call_seconds:.2f} s.")
    return wall if synthesis is not None else None

"#;

const WORKFLOW_FAIL_FAST: &str = r#"
async def run_workflow(client: anthropic.AsyncAnthropic, research) -> float | None:
    """The research, then the synthesis, printed as they happen.

    Returns the wall time, or None when there is no synthesis."""
    started = time.perf_counter()
    try:
        answers = await research(client)
    except ResearchError as error:
        log(
            f"No synthesis: question {error.number} failed "
            "and fail-fast stopped the run."
        )
        print(f"Wall time: {time.perf_counter() - started:.2f} s.")
        return None
    log(f"Research done: {len(answers)} of {len(answers)} questions answered.")
    call_seconds = sum(answer.seconds for answer in answers)
    synthesis = await synthesize(client, answers)
    if synthesis is not None:
        call_seconds += synthesis.seconds
        print(f"\n{synthesis.text}\n")
    wall = time.perf_counter() - started
    print(f"Wall time: {wall:.2f} s. Sum of call times: {call_seconds:.2f} s.")
    return wall if synthesis is not None else None

"#;

fn main(setup: &Setup<'_>) -> String {
    let runs = match setup.runs {
        Runs::Parallel => {
            "    if await run_workflow(client, research_parallel) is None:
        sys.exit(1)
"
        }
        Runs::Sequential => {
            "    if await run_workflow(client, research_sequential) is None:
        sys.exit(1)
"
        }
        Runs::Both => {
            r#"    print("Sequential run: one question at a time")
    sequential = await run_workflow(client, research_sequential)
    print("\nParallel run: all questions at once")
    parallel = await run_workflow(client, research_parallel)
    if sequential is None or parallel is None:
        sys.exit(1)
    print(
        f"\nSequential {sequential:.2f} s, parallel {parallel:.2f} s: "
        f"{sequential / parallel:.1f}x faster in parallel."
    )
"#
        }
    };
    // Inside `async with client:`.
    let runs: String = runs
        .lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("    {line}\n")
            }
        })
        .collect();
    format!(
        r#"
async def main() -> None:
    api_key = os.environ.get("ANTHROPIC_API_KEY")
    if not api_key:
        sys.exit("Set ANTHROPIC_API_KEY to your Anthropic API key first.")
    # The SDK also reads ANTHROPIC_BASE_URL, and retries failed calls MAX_RETRIES times
    # (honouring the server's retry-after).
    client = anthropic.AsyncAnthropic(api_key=api_key, max_retries=MAX_RETRIES)
    async with client:  # closes its connections at the end
{runs}

if __name__ == "__main__":
    asyncio.run(main())
"#
    )
}
