"""Map-reduce over a document, against one call over the whole text (Parallel Playground).

The document is split into chunks by paragraphs (at most CHUNK_SIZE characters; a longer
paragraph at sentence ends, then at spaces), one call per chunk runs in parallel (at most
CONCURRENCY_LIMIT at once), then a reduce tree with fan-in FAN_IN merges the results level by
level: a merging call starts only once all of its inputs are done.

Needs `pip install anthropic`; reads ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL if set).
"""

import asyncio
import re
import time

from anthropic import AsyncAnthropic

MODEL = @MODEL@
SYSTEM = @SYSTEM@
MAX_TOKENS = @MAX_TOKENS@
CONCURRENCY_LIMIT = @LIMIT@
TASK = @TASK@
CHUNK_SIZE = @CHUNK_SIZE@
FAN_IN = @FAN_IN@
DOCUMENT = @DOCUMENT@

client = AsyncAnthropic()
started = time.perf_counter()
limit = asyncio.Semaphore(CONCURRENCY_LIMIT) if CONCURRENCY_LIMIT else None


def log(text: str) -> None:
    print(f"[{time.perf_counter() - started:6.2f}s] {text}", flush=True)


def pack(units: list[str], sep: str, size: int) -> list[str]:
    out, current = [], ""
    for unit in units:
        if current and len(current) + len(sep) + len(unit) > size:
            out.append(current)
            current = ""
        current = current + sep + unit if current else unit
    return out + [current] if current else out


def split_long(paragraph: str, size: int) -> list[str]:
    units = []
    for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
        if len(sentence) <= size:
            units.append(sentence)
            continue
        for word in sentence.split():
            units += [word[i : i + size] for i in range(0, len(word), size)]
    return pack([u for u in units if u], " ", size)


def chunks(text: str, size: int) -> list[str]:
    out, current = [], ""
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text)):
        if not paragraph:
            continue
        if len(paragraph) > size:
            out += [current] if current else []
            current = ""
            out += split_long(paragraph, size)
            continue
        if current and len(current) + 2 + len(paragraph) > size:
            out.append(current)
            current = ""
        current = current + "\n\n" + paragraph if current else paragraph
    return out + [current] if current else out


async def ask(label: str, prompt: str) -> str:
    async def call() -> str:
        log(f"Asking: {label}")
        kwargs = {"system": SYSTEM} if SYSTEM else {}
        message = await client.messages.create(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            messages=[{"role": "user", "content": prompt}],
            **kwargs,
        )
        log(f"Answered: {label}")
        return "".join(block.text for block in message.content if block.type == "text")

    if limit is None:
        return await call()
    async with limit:
        return await call()


def merge_prompt(labels: list[str], answers: list[str]) -> str:
    parts = "".join(
        f"\n### Answer {i + 1}: {label}\n{answer.strip()}\n"
        for i, (label, answer) in enumerate(zip(labels, answers))
    )
    return (
        "Merge these partial answers about consecutive parts of one document into one answer "
        f"to: {TASK}\n\nAll {len(answers)} research answers are below, in question order.\n{parts}"
    )


def span_label(first: int, last: int) -> str:
    return f"Part {first + 1}" if last == first + 1 else f"Parts {first + 1}-{last}"


async def map_reduce() -> str:
    parts = chunks(DOCUMENT, CHUNK_SIZE)
    total = len(parts)
    # Each node is a task; a merging node awaits its inputs' tasks, so it starts only once
    # they are all done.
    level = [
        (
            asyncio.ensure_future(
                ask(
                    f"level 0, part {i + 1} of {total}",
                    f"{TASK}\n\nAnswer from this part of a longer document only (part {i + 1} "
                    f"of {total}); keep names, numbers and claims.\n\n{chunk}",
                )
            ),
            (i, i + 1),
        )
        for i, chunk in enumerate(parts)
    ]
    fan_in = FAN_IN if 2 <= FAN_IN < total else max(total, 2)
    depth = 0
    while len(level) > 1:
        depth += 1
        above = []
        for start in range(0, len(level), fan_in):
            group = level[start : start + fan_in]
            span = (group[0][1][0], group[-1][1][1])
            if len(group) == 1:
                above.append(group[0])
                continue

            async def merge(group=group, span=span, depth=depth) -> str:
                answers = await asyncio.gather(*(task for task, _ in group))
                labels = [span_label(*s) for _, s in group]
                return await ask(
                    f"level {depth}, {span_label(*span)}", merge_prompt(labels, list(answers))
                )

            above.append((asyncio.ensure_future(merge()), span))
        level = above
        log(f"Level {depth}: {len(level)} call(s) planned")
    return await level[0][0]


async def main() -> None:
    global started
    started = time.perf_counter()
    whole = await ask("baseline, the whole document", f"{TASK}\n\nThe document:\n\n{DOCUMENT.strip()}")
    baseline_s = time.perf_counter() - started
    started = time.perf_counter()
    merged = await map_reduce()
    strategy_s = time.perf_counter() - started
    print(f"\nBaseline (one call): {baseline_s:.2f} s; map-reduce: {strategy_s:.2f} s")
    print(f"\n## One call\n{whole}\n\n## Map-reduce\n{merged}")


asyncio.run(main())
