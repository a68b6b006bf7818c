"""A cached prefix: a cold fan-out against warm-one-then-fan-out (Parallel Playground).

Every call shares PREFIX, sent as the system prompt marked with cache_control. A cache entry is
available only once the response that wrote it has begun, so calls fired at once all write it
(1.25x the input price), while after one warm-up call the others read it (0.1x). Each side gets
its own tag at the start of the prefix, so that the first cannot warm the cache for the second.

Needs `pip install anthropic`; reads ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL if set).
"""

import asyncio
import random
import time

from anthropic import AsyncAnthropic

MODEL = @MODEL@
SYSTEM = @SYSTEM@
MAX_TOKENS = @MAX_TOKENS@
CONCURRENCY_LIMIT = @LIMIT@
QUESTIONS = [
@QUESTIONS@]
PREFIX = @PREFIX@

client = AsyncAnthropic()
limit = asyncio.Semaphore(CONCURRENCY_LIMIT) if CONCURRENCY_LIMIT else None
NONCE = random.randrange(1_000_000)


def system_blocks(side: str) -> list[dict]:
    text = f"[run {NONCE:06} · {side}]\n\n" + (SYSTEM.strip() + "\n\n" if SYSTEM.strip() else "")
    return [{"type": "text", "text": text + PREFIX.strip(), "cache_control": {"type": "ephemeral"}}]


async def ask(side: str, question: str, began: asyncio.Event | None = None):
    async def call():
        # Streaming, so that the warm-up can tell when its response begins.
        async with client.messages.stream(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            system=system_blocks(side),
            messages=[{"role": "user", "content": question}],
        ) as stream:
            async for event in stream:
                if began is not None and event.type == "content_block_delta":
                    began.set()
            message = await stream.get_final_message()
        if began is not None:
            began.set()
        return message.usage

    if limit is None:
        return await call()
    async with limit:
        return await call()


def report(name: str, usages) -> None:
    writes = sum(1 for u in usages if (u.cache_creation_input_tokens or 0) > 0)
    reads = sum(1 for u in usages if (u.cache_read_input_tokens or 0) > 0)
    # Input price units: plain 1, cache write 1.25, cache read 0.1.
    units = sum(
        u.input_tokens
        + 1.25 * (u.cache_creation_input_tokens or 0)
        + 0.1 * (u.cache_read_input_tokens or 0)
        for u in usages
    )
    print(f"{name}: {len(usages)} calls, cache writes {writes}, cache reads {reads}, "
          f"input cost {units:.0f} token-price units")
    for i, u in enumerate(usages):
        print(f"  call {i + 1}: input {u.input_tokens}, cache write "
              f"{u.cache_creation_input_tokens or 0}, cache read {u.cache_read_input_tokens or 0}")


async def main() -> None:
    started = time.perf_counter()
    cold = await asyncio.gather(*(ask("baseline", q) for q in QUESTIONS))
    cold_s = time.perf_counter() - started

    started = time.perf_counter()
    began = asyncio.Event()
    warm = asyncio.ensure_future(ask("strategy", QUESTIONS[0], began))
    await began.wait()
    waited_s = time.perf_counter() - started
    rest = await asyncio.gather(*(ask("strategy", q) for q in QUESTIONS[1:]))
    warm_s = time.perf_counter() - started
    report("cold fan-out", cold)
    report("warm then fan-out", [await warm, *rest])
    print(f"cold: {cold_s:.2f} s; warm then fan-out: {warm_s:.2f} s "
          f"(the fan-out waited {waited_s:.2f} s for the warm-up to begin)")


asyncio.run(main())
