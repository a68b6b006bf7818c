//! The program's runs: parallel (limited or not, settle-all or fail-fast), the synthesis and `main`.

use super::*;

pub(super) fn parallel(setup: &Setup<'_>) -> String {
    let signature = if setup.fail_fast {
        "async def research_parallel(client: anthropic.AsyncAnthropic) -> list[Answer]:"
    } else {
        "async def research_parallel(\n    client: anthropic.AsyncAnthropic,\n) -> list[Answer | ResearchError]:"
    };
    let (doc, semaphore, task_fn) = match setup.semaphore_limit() {
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

pub(super) const SYNTHESIS_SETTLE_ALL: &str = r#"
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

pub(super) const SYNTHESIS_FAIL_FAST: &str = r#"
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

pub(super) const WORKFLOW_SETTLE_ALL: &str = r#"
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

pub(super) const WORKFLOW_FAIL_FAST: &str = r#"
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

pub(super) fn main(setup: &Setup<'_>) -> String {
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
    let looped;
    let runs = if setup.rounds > 1 {
        looped = super::super::rounds::python::runs(setup)
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect::<String>()
            .replace("    \n", "\n");
        looped.as_str()
    } else {
        runs
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
    let client = if setup.adaptive {
        "    # The SDK also reads ANTHROPIC_BASE_URL. Its own retries are off: admitted()
    # retries, so that the adaptive limit hears of every 429.
    client = anthropic.AsyncAnthropic(api_key=api_key, max_retries=0)"
    } else {
        "    # The SDK also reads ANTHROPIC_BASE_URL, and retries failed calls MAX_RETRIES times
    # (honouring the server's retry-after).
    client = anthropic.AsyncAnthropic(api_key=api_key, max_retries=MAX_RETRIES)"
    };
    let init = super::limits::init(setup);
    format!(
        r#"
async def main() -> None:
{init}    api_key = os.environ.get("ANTHROPIC_API_KEY")
    if not api_key:
        sys.exit("Set ANTHROPIC_API_KEY to your Anthropic API key first.")
{client}
    async with client:  # closes its connections at the end
{runs}

if __name__ == "__main__":
    asyncio.run(main())
"#
    )
}
