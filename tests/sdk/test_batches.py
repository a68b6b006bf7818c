"""The official SDKs' batch methods against the mock's batch APIs (tests/mock-api/src/batches*.rs).

The mock processes a batch in ``x-mock-batch-ms`` milliseconds (or the largest ``batch_ms=``
control of its requests); request outcomes come from the usual controls (``errors=529`` →
errored) and ``outcome=canceled|expired``.
"""

from __future__ import annotations

import io
import json
import time

import anthropic
import openai

FAST = {"x-mock-batch-ms": "300"}
POLL_S = 0.05
POLL_LIMIT = 200


def anthropic_client(mock) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key="test-key", default_headers=FAST)


def openai_client(mock) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="test-key", default_headers=FAST)


def message_request(custom_id: str, model: str, text: str) -> dict:
    return {
        "custom_id": custom_id,
        "params": {
            "model": model,
            "max_tokens": 64,
            "messages": [{"role": "user", "content": text}],
        },
    }


def wait_until(read, done):
    """Calls ``read()`` until ``done(value)``; every value seen."""
    seen = []
    for _ in range(POLL_LIMIT):
        value = read()
        seen.append(value)
        if done(value):
            return seen
        time.sleep(POLL_S)
    raise AssertionError(f"never finished: {seen[-1]!r}")


def test_anthropic_sdk_creates_polls_and_reads_results_by_custom_id(mock):
    client = anthropic_client(mock)
    batch = client.messages.batches.create(
        requests=[
            message_request("q0", "mock?tokens=9", "Why is the sky blue?"),
            message_request("q1", "mock?errors=529", "Why is grass green?"),
            message_request("q2", "mock?outcome=expired", "Why is snow white?"),
        ]
    )
    assert batch.id.startswith("msgbatch_")
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 3
    polls = wait_until(
        lambda: client.messages.batches.retrieve(batch.id),
        lambda b: b.processing_status == "ended",
    )
    processing = [b.request_counts.processing for b in polls]
    assert processing == sorted(processing, reverse=True)
    ended = polls[-1]
    assert (ended.request_counts.succeeded, ended.request_counts.errored) == (1, 1)
    assert ended.request_counts.expired == 1
    assert ended.ended_at is not None and ended.results_url

    results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
    assert set(results) == {"q0", "q1", "q2"}
    assert results["q0"].type == "succeeded"
    assert "sky" in results["q0"].message.content[0].text
    assert results["q0"].message.usage.output_tokens == 9
    assert results["q1"].type == "errored"
    assert results["q1"].error.error.type == "overloaded_error"
    assert results["q2"].type == "expired"


def test_anthropic_sdk_cancels_and_lists(mock):
    client = anthropic.Anthropic(
        base_url=mock.url, api_key="test-key", default_headers={"x-mock-batch-ms": "60000"}
    )
    batch = client.messages.batches.create(
        requests=[message_request("a", "mock", "One"), message_request("b", "mock", "Two")]
    )
    canceling = client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    ended = wait_until(
        lambda: client.messages.batches.retrieve(batch.id),
        lambda b: b.processing_status == "ended",
    )[-1]
    assert ended.request_counts.canceled == 2
    assert [r.result.type for r in client.messages.batches.results(batch.id)] == [
        "canceled",
        "canceled",
    ]
    assert batch.id in [b.id for b in client.messages.batches.list(limit=10)]


def test_openai_sdk_uploads_a_file_runs_the_batch_and_reads_both_files(mock):
    client = openai_client(mock)
    lines = [
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": model,
                "max_tokens": 20,
                "messages": [{"role": "user", "content": "Why run it as a batch?"}],
            },
        }
        for custom_id, model in [("q0", "mock?tokens=4"), ("q1", "mock?errors=500")]
    ]
    jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
    uploaded = client.files.create(file=("requests.jsonl", io.BytesIO(jsonl)), purpose="batch")
    assert uploaded.purpose == "batch" and uploaded.bytes == len(jsonl)

    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "in_progress"
    done = wait_until(
        lambda: client.batches.retrieve(batch.id),
        lambda b: b.status in ("completed", "failed", "expired", "cancelled"),
    )[-1]
    assert done.status == "completed"
    assert (done.request_counts.total, done.request_counts.completed) == (2, 1)

    output = [json.loads(l) for l in client.files.content(done.output_file_id).text.splitlines()]
    assert [o["custom_id"] for o in output] == ["q0"]
    assert output[0]["response"]["body"]["usage"]["completion_tokens"] == 4
    errors = [json.loads(l) for l in client.files.content(done.error_file_id).text.splitlines()]
    assert errors[0]["custom_id"] == "q1"
    assert errors[0]["response"]["status_code"] == 500
    assert batch.id in [b.id for b in client.batches.list(limit=5)]


def test_openai_sdk_cancel_marks_every_unfinished_request(mock):
    client = openai.OpenAI(
        base_url=mock.url + "/v1", api_key="k", default_headers={"x-mock-batch-ms": "60000"}
    )
    line = {
        "custom_id": "q0",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "mock", "messages": [{"role": "user", "content": "Hi"}]},
    }
    uploaded = client.files.create(
        file=("r.jsonl", io.BytesIO((json.dumps(line) + "\n").encode())), purpose="batch"
    )
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert client.batches.cancel(batch.id).status == "cancelling"
    done = wait_until(lambda: client.batches.retrieve(batch.id), lambda b: b.status == "cancelled")[-1]
    errors = client.files.content(done.error_file_id).text.splitlines()
    assert json.loads(errors[0])["error"]["code"] == "batch_cancelled"
