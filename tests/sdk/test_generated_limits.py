"""The exported programs' limits against the mock: a token budget spaces the calls' starts as
the bucket refills, and the adaptive limit (AIMD) gets every call through a server that takes
only a few at a time. Helpers from test_generated_code.py."""

from __future__ import annotations

import math

import pytest

from test_generated_code import plan_programs, run_program

# Python and TypeScript carry the limits; the Rust program says it leaves them out.
LIMIT_LANGUAGES = ["python", "typescript"]
QUESTIONS = ["Budget question one?", "Budget question two?", "Budget question three?"]
MAX_TOKENS = 1000


def reserved(question: str) -> int:
    """What a call reserves, as the page's engine counts it: input at about four
    characters a token, plus max_tokens."""
    return math.ceil(len(question) / 4) + MAX_TOKENS


@pytest.mark.parametrize("language", LIMIT_LANGUAGES)
def test_a_token_budget_spaces_the_starts_as_the_bucket_refills(
    language, mock, tmp_path
):
    total = sum(reserved(q) for q in QUESTIONS)
    # A budget a little short of the three calls: two start at once, the third once the
    # bucket has refilled the difference (about 1.5 s).
    budget = round(total / 1.025)
    expected_wait = 60 * (total - budget) / budget
    plan = {
        "questions": QUESTIONS,
        "system_prompt": None,
        "max_tokens": MAX_TOKENS,
        "concurrency_limit": None,
        "limits": {"tpm": budget},
    }
    programs = plan_programs(tmp_path, "mock?ttft=200&tps=200&tokens=4", plan)
    run = run_program(language, programs, mock, crate=None)
    assert run.returncode == 0, run.explain()
    research = sorted(mock.requests()[:3], key=lambda r: r["received_at_ms"])
    starts = [(r["received_at_ms"] - research[0]["received_at_ms"]) / 1000 for r in research]
    assert starts[1] < 0.3, (starts, run.stdout)
    assert 0.8 * expected_wait < starts[2] < expected_wait + 1.0, (
        starts,
        expected_wait,
        run.stdout,
    )
    # The short answers gave back what they did not use: the synthesis did not wait a
    # whole refill (which would take about 20 s).
    synthesis = mock.requests()[3]
    assert (synthesis["received_at_ms"] - research[0]["received_at_ms"]) / 1000 < 6, run.stdout


@pytest.mark.parametrize("language", LIMIT_LANGUAGES)
def test_the_adaptive_limit_gets_every_call_through_a_server_that_takes_two(
    language, mock, tmp_path
):
    plan = {
        "questions": [f"Adaptive question {i}?" for i in range(6)],
        "concurrency_limit": None,
        "quorum": 6,
        "retry": {"max_retries": 6, "initial_delay_ms": 200.0, "max_delay_ms": 2000.0},
        "limits": {"adaptive": True},
    }
    programs = plan_programs(tmp_path, "mock?max_concurrent=2&ttft=300&tps=100&tokens=6", plan)
    run = run_program(language, programs, mock, crate=None)
    assert run.returncode == 0, run.explain()
    assert "Research done: 6 of 6 questions answered." in run.stdout, run.stdout
    refused = [r for r in mock.requests() if r["status"] == 429]
    # It started at 4, so the server refused some, and the limit came down.
    assert refused, run.stdout
    assert "Concurrency limit: 2" in run.stdout or "Concurrency limit: 1" in run.stdout, run.stdout
