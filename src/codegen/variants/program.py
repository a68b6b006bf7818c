@HEADER@

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from dataclasses import dataclass

import anthropic
@OPENAI_IMPORT@


@dataclass
class Variant:
    """One variant of the set-up: its letter, the API it calls and what it changes."""

    letter: str
    api: str  # "anthropic", or "openai" for an OpenAI-compatible server
    model: str
    max_tokens: int
    system_prompt: str | None = None
    temperature: float | None = None  # None: the server's default
    base_url: str | None = None  # an OpenAI-compatible server's address


# One block per variant; every variant asks the same questions.
VARIANTS = [
@VARIANTS@]
# True: the variants run at the same time; False: one after the other.
TOGETHER = @TOGETHER@
@CONSTANTS@

START = time.perf_counter()


def log(variant: Variant, message: str) -> None:
    """Prints a line stamped with the seconds since the start, labelled with the variant."""
    print(f"[{time.perf_counter() - START:6.2f}s] [{variant.letter}] {message}", flush=True)


@dataclass
class Answer:
    text: str
    seconds: float
    input_tokens: int
    output_tokens: int


class ResearchError(Exception):
    """A question without an answer: which one, why, and how long its call took."""

    def __init__(self, number: int, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.number = number
        self.reason = reason
        self.seconds = seconds


@dataclass
class Figures:
    """One run of one variant: its wall time, the sum of its call times and its tokens."""

    wall: float
    call_seconds: float
    input_tokens: int
    output_tokens: int
    answered: int


def describe(error: Exception) -> str:
    """Says in one line why a call failed."""
    if isinstance(error, asyncio.TimeoutError):
        return f"Timed out after {TIMEOUT_S:g} s (the per-call timeout)."
    if isinstance(error, anthropic.APIStatusError):
        return f"HTTP {error.status_code}: {error.api_message or error.message}"
@OPENAI_DESCRIBE@    return str(error) or type(error).__name__


def make_clients() -> dict:
    """One client per API and address the variants call (each keeps its connections)."""
    clients = {}
    for variant in VARIANTS:
        key = (variant.api, variant.base_url)
        if key in clients:
            continue
        if variant.api == "anthropic":
            api_key = os.environ.get("ANTHROPIC_API_KEY")
            if not api_key:
                sys.exit("Set ANTHROPIC_API_KEY to your Anthropic API key first.")
            # The SDK also reads ANTHROPIC_BASE_URL, and retries failed calls
            # MAX_RETRIES times (honouring the server's retry-after).
            clients[key] = anthropic.AsyncAnthropic(
                api_key=api_key, max_retries=MAX_RETRIES
            )
@OPENAI_CLIENT@    return clients


async def create_message(
    clients: dict, variant: Variant, prompt: str, system: str | None
) -> tuple[str, int, int]:
    """One call with the variant's model and numbers: the text and the tokens in and out."""
@OPENAI_CALL@    options = {}
    if system:
        options["system"] = system
    call = clients[(variant.api, variant.base_url)].messages.create(
        model=variant.model,
        max_tokens=variant.max_tokens,
        messages=[{"role": "user", "content": prompt}],
        **options,
    )
    # wait_for cancels the call when its time is up, retries included.
    message = await asyncio.wait_for(call, timeout=TIMEOUT_S)
    text = "".join(block.text for block in message.content if block.type == "text")
    return text, message.usage.input_tokens, message.usage.output_tokens


async def ask(clients: dict, variant: Variant, number: int, question: str) -> Answer:
    """Asks one research question, logging when it starts and when it ends."""
    log(variant, f"q{number} asking: {question}")
    started = time.perf_counter()
    try:
        text, tokens_in, tokens_out = await create_message(
            clients, variant, question, variant.system_prompt
        )
    except Exception as error:
        reason = describe(error)
        log(variant, f"q{number} failed: {reason}")
        raise ResearchError(number, reason, time.perf_counter() - started) from error
    seconds = time.perf_counter() - started
    log(variant, f"q{number} answered ({seconds:.2f} s, {tokens_out} tokens)")
    for line in text.strip().splitlines() or [""]:
        print(f"[{variant.letter}] q{number} | {line}", flush=True)
    return Answer(text, seconds, tokens_in, tokens_out)


async def research_sequential(
    clients: dict, variant: Variant
) -> list[Answer | ResearchError]:
    """Asks the questions one at a time, each call after the previous one."""
    outcomes: list[Answer | ResearchError] = []
    for number, question in enumerate(QUESTIONS, 1):
        try:
            outcomes.append(await ask(clients, variant, number, question))
        except ResearchError as error:
            outcomes.append(error)  # settle-all: note the failure and go on
    return outcomes


async def research_parallel(
    clients: dict, variant: Variant
) -> list[Answer | ResearchError]:
    """Asks every question at once (at most CONCURRENCY_LIMIT at a time, if set)."""
    semaphore = asyncio.Semaphore(CONCURRENCY_LIMIT or len(QUESTIONS) or 1)

    async def ask_when_free(number: int, question: str) -> Answer:
        async with semaphore:  # waits while CONCURRENCY_LIMIT calls are in flight
            return await ask(clients, variant, number, question)

    # gather keeps the results in question order; return_exceptions=True: a failed
    # call becomes its ResearchError instead of stopping the others (settle-all).
    return await asyncio.gather(
        *(ask_when_free(n, q) for n, q in enumerate(QUESTIONS, 1)),
        return_exceptions=True,
    )


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


async def run_workflow(clients: dict, variant: Variant, name: str) -> Figures | None:
    """One run of one variant: the research, then the synthesis, then its figures.

    Returns None when there is no synthesis."""
    research = research_parallel if name == "parallel" else research_sequential
    started = time.perf_counter()
    outcomes = await research(clients, variant)
    answers = [outcome for outcome in outcomes if isinstance(outcome, Answer)]
    log(variant, f"{name} research done: {len(answers)} of {len(outcomes)} answered.")
    synthesis = None
    if len(answers) < QUORUM:
        log(variant, f"No synthesis: {len(answers)} answers, the quorum is {QUORUM}.")
    else:
        log(variant, f"synthesis of {len(answers)} answers")
        synthesis_started = time.perf_counter()
        try:
            text, tokens_in, tokens_out = await create_message(
                clients, variant, synthesis_prompt(outcomes), None
            )
            seconds = time.perf_counter() - synthesis_started
            synthesis = Answer(text, seconds, tokens_in, tokens_out)
            log(variant, f"synthesis done ({seconds:.2f} s)")
            print(f"\n[{variant.letter}] {name} synthesis:\n{text}\n", flush=True)
        except Exception as error:
            log(variant, f"Synthesis failed: {describe(error)}")
    wall = time.perf_counter() - started
    calls = answers + ([synthesis] if synthesis else [])
    figures = Figures(
        wall=wall,
        call_seconds=sum(outcome.seconds for outcome in outcomes)
        + (synthesis.seconds if synthesis else 0),
        input_tokens=sum(call.input_tokens for call in calls),
        output_tokens=sum(call.output_tokens for call in calls),
        answered=len(answers),
    )
    print(
        f"[{variant.letter}] {name} wall time: {figures.wall:.2f} s. "
        f"Sum of call times: {figures.call_seconds:.2f} s. "
        f"Tokens in/out: {figures.input_tokens}/{figures.output_tokens}.",
        flush=True,
    )
    return figures if synthesis is not None else None


async def run_variant(clients: dict, variant: Variant) -> dict[str, Figures | None]:
    """Every run of one variant, one after the other."""
    return {name: await run_workflow(clients, variant, name) for name in RUNS}


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile, as the page computes it: the value at rank
    ceil(p / 100 * n) of the sorted values (always a measured value)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def report(label: str, walls: list[float]) -> None:
    """Prints p50, p95, p99 and max of one variant's run over the rounds."""
    if not walls:
        print(f"{label}: no round ended with a synthesis.")
        return
    figures = ", ".join(f"p{p} {percentile(walls, p):.2f} s" for p in (50, 95, 99))
    print(f"{label} wall time over {len(walls)} rounds: {figures}, max {max(walls):.2f} s")


async def main() -> None:
    clients = make_clients()
    walls = {(v.letter, name): [] for v in VARIANTS for name in RUNS}
    complete = True
    for round_number in range(1, ROUNDS + 1):
        if ROUNDS > 1:
            print(f"\nRound {round_number} of {ROUNDS}")
        round_started = time.perf_counter()
        if TOGETHER:  # every variant at the same time
            results = await asyncio.gather(*(run_variant(clients, v) for v in VARIANTS))
        else:  # one variant after the other: none slows another down
            results = [await run_variant(clients, v) for v in VARIANTS]
        print(f"\nFigures, variant by variant (round {round_number}):")
        for variant, runs in zip(VARIANTS, results):
            for name, figures in runs.items():
                if figures is None:
                    complete = False
                    print(f"[{variant.letter}] {variant.model} {name}: no synthesis")
                    continue
                walls[(variant.letter, name)].append(figures.wall)
                print(
                    f"[{variant.letter}] {variant.model} {name}: "
                    f"wall {figures.wall:.2f} s, sum {figures.call_seconds:.2f} s, "
                    f"tokens in {figures.input_tokens} / out {figures.output_tokens}, "
                    f"{figures.answered} of {len(QUESTIONS)} answered"
                )
            if runs.get("sequential") and runs.get("parallel"):
                speedup = runs["sequential"].wall / runs["parallel"].wall
                print(f"[{variant.letter}] {speedup:.1f}x faster in parallel")
        print(f"Round {round_number} took {time.perf_counter() - round_started:.2f} s")
    if ROUNDS > 1:
        print()
        for (letter, name), values in walls.items():
            report(f"[{letter}] {name}", values)
    for client in clients.values():
        await client.close()
    if not complete:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
