"""A peer for `cargo xtask bench`: the page's research calls sent with the official Python SDK.

    .tools/venv/bin/python tests/bench/peer_python.py --base-url URL --model M \
        --max-tokens 256 --questions '["Q1", …]' [--rounds 3]

Sends every question at once (`asyncio.gather`), streaming as the page does, and measures the
wall time around the gather: from just before the first request is created to the end of the
last stream. One unmeasured round first (connections, imports and code paths warm up, as the
page gets one), then `--rounds` measured rounds. Prints `BENCH peer_python_ms=<median>` and
`BENCH peer_python_rounds=<n>` on stdout.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time

import anthropic


async def ask(client: anthropic.AsyncAnthropic, model: str, max_tokens: int, question: str) -> str:
    """One streamed research call; returns its text (the page keeps the text too)."""
    parts = []
    stream = await client.messages.create(
        model=model,
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": question}],
        stream=True,
    )
    async for event in stream:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            parts.append(event.delta.text)
    return "".join(parts)


async def research_round(client, model, max_tokens, questions) -> float:
    """Milliseconds for all questions at once."""
    started = time.perf_counter()
    answers = await asyncio.gather(*(ask(client, model, max_tokens, q) for q in questions))
    elapsed = (time.perf_counter() - started) * 1000.0
    if not all(answers):
        raise RuntimeError("an answer came back empty")
    return elapsed


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--questions", required=True, help="a JSON array of strings")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = json.loads(args.questions)

    client = anthropic.AsyncAnthropic(base_url=args.base_url, api_key="bench-key", max_retries=0)
    async with client:
        await research_round(client, args.model, args.max_tokens, questions)
        walls = [
            await research_round(client, args.model, args.max_tokens, questions)
            for _ in range(args.rounds)
        ]
    print(
        f"  bench: Python SDK {anthropic.__version__}: "
        + ", ".join(f"{w:.1f}" for w in walls)
        + " ms",
        file=sys.stderr,
    )
    print(f"BENCH peer_python_ms={statistics.median(walls):.3f}")
    print(f"BENCH peer_python_rounds={len(walls)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
