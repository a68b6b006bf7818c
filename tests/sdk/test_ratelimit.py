"""The official SDKs see the mock's rate-limit headers, and retry its 429s after retry-after."""

from __future__ import annotations

import threading

import anthropic
import openai
import pytest


def anthropic_client(mock, **options) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key="test-key", **options)


def openai_client(mock, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="test-key", **options)


def test_anthropic_sdk_reads_both_header_families(mock):
    raw = anthropic_client(mock).messages.with_raw_response.create(
        model="mock?rpm=5&tpm=100000&ttft=0&tps=0&tokens=3",
        max_tokens=50,
        messages=[{"role": "user", "content": "Budgets?"}],
    )
    assert raw.headers["anthropic-ratelimit-requests-limit"] == "5"
    assert raw.headers["anthropic-ratelimit-requests-remaining"] == "4"
    assert raw.headers["anthropic-ratelimit-requests-reset"].endswith("Z")
    assert int(raw.headers["anthropic-ratelimit-output-tokens-remaining"]) == 100000 - 3
    assert raw.headers["x-ratelimit-remaining-requests"] == "4"
    assert raw.parse().usage.output_tokens == 3


def test_openai_sdk_sees_a_spent_budget_as_a_rate_limit_error_with_its_headers(mock):
    model = "mock?rpm=1&ttft=0&tps=0&tokens=3"
    sdk = openai_client(mock, max_retries=0)
    raw = sdk.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": "First"}]
    )
    assert raw.headers["x-ratelimit-limit-requests"] == "1"
    assert raw.headers["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(openai.RateLimitError) as refused:
        sdk.chat.completions.create(model=model, messages=[{"role": "user", "content": "Second"}])
    headers = refused.value.response.headers
    assert headers["retry-after"] == "60"
    assert headers["x-ratelimit-reset-requests"].endswith("s")


def test_anthropic_sdk_retries_a_concurrency_429_after_retry_after(mock):
    model = "mock?max_concurrent=1&ttft=1200&tps=0&tokens=2"
    holder = threading.Thread(
        target=lambda: anthropic_client(mock).messages.create(
            model=model, max_tokens=20, messages=[{"role": "user", "content": "Holding"}]
        )
    )
    holder.start()
    try:
        # Wait until the first request is in flight, then ask: 429 (retry-after: 1), retried.
        for _ in range(100):
            if mock.requests():
                break
            threading.Event().wait(0.02)
        message = anthropic_client(mock, max_retries=4).messages.create(
            model=model, max_tokens=20, messages=[{"role": "user", "content": "Waiting"}]
        )
    finally:
        holder.join(timeout=10)
    assert message.usage.output_tokens == 2
    behaviours = [r["behaviour"] for r in mock.requests()]
    assert "over_capacity" in behaviours
    assert behaviours.count("ok") == 2
