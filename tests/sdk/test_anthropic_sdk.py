"""The official Anthropic Python SDK against the mock: a client we did not write must accept it."""

from __future__ import annotations

import math
import time

import anthropic
import pytest

ADD_TOOL = {
    "name": "add",
    "description": "Add two numbers.",
    "input_schema": {
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
        "required": ["a", "b"],
    },
}


def client(mock, **options) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key="test-key", **options)


def input_tokens(*texts: str) -> int:
    """Input tokens as the mock counts them: characters / 4, rounded up, at least 1."""
    return max(1, math.ceil(sum(len(t) for t in texts) / 4))


def test_create_returns_the_generated_text_and_its_usage(mock):
    question = "What is the capital of France?"
    message = client(mock).messages.create(
        model="mock?tokens=12&ttft=20",
        max_tokens=256,
        messages=[{"role": "user", "content": question}],
    )
    text = message.content[0].text
    assert message.id.startswith("msg_mock_")
    assert message.stop_reason == "end_turn"
    assert text.startswith("Mock answer about What is the capital of France: ")
    assert len(text.split(" ")) == 12
    assert message.usage.output_tokens == 12
    assert message.usage.input_tokens == input_tokens(question)
    [entry] = mock.requests()
    assert entry["has_api_key"] is True
    assert (entry["input_tokens"], entry["output_tokens"]) == (
        message.usage.input_tokens,
        message.usage.output_tokens,
    )


def test_stream_deltas_add_up_to_the_final_message(mock):
    system = "Answer briefly."
    question = "Why do parallel calls finish sooner?"
    with client(mock).messages.stream(
        model="mock?tokens=20&tps=200&ttft=30",
        max_tokens=256,
        system=system,
        messages=[{"role": "user", "content": question}],
    ) as stream:
        deltas = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(deltas) == 20
    assert "".join(deltas) == final.content[0].text
    assert final.usage.output_tokens == 20
    assert final.usage.input_tokens == input_tokens(system, question)
    assert final.stop_reason == "end_turn"
    [entry] = mock.requests()
    assert entry["stream"] is True and entry["completed"] is True


def test_max_tokens_truncates_the_answer(mock):
    message = client(mock).messages.create(
        model="mock?tokens=50&tps=0",
        max_tokens=7,
        messages=[{"role": "user", "content": "Tell me everything."}],
    )
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 7


def test_tool_use_round_trip(mock):
    sdk = client(mock)
    question = "What is 2 + 3?"
    messages = [{"role": "user", "content": question}]
    with sdk.messages.stream(
        model="mock?ttft=10", max_tokens=256, tools=[ADD_TOOL], messages=messages
    ) as stream:
        first = stream.get_final_message()
    assert first.stop_reason == "tool_use"
    [call] = [block for block in first.content if block.type == "tool_use"]
    assert call.name == "add"
    assert call.input == {"a": 2, "b": 3}

    result = str(call.input["a"] + call.input["b"])
    messages += [
        {"role": "assistant", "content": first.content},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": result}],
        },
    ]
    second = sdk.messages.create(
        model="mock?ttft=10", max_tokens=256, tools=[ADD_TOOL], messages=messages
    )
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == "The tool returned: 5"
    assert [e["behaviour"] for e in mock.requests()] == ["tool_use", "tool_result"]


def test_rate_limit_is_retried_after_retry_after(mock):
    started = time.monotonic()
    message = client(mock).messages.create(
        model="mock?errors=429&retry_after=1&ttft=10",
        max_tokens=64,
        messages=[{"role": "user", "content": "Retry me."}],
    )
    elapsed = time.monotonic() - started
    assert message.content[0].text.startswith("Mock answer about Retry me:")
    assert elapsed >= 1.0
    entries = mock.requests()
    assert [(e["attempt"], e["status"]) for e in entries] == [(0, 429), (1, 200)]


def test_persistent_overload_raises_after_the_retries(mock):
    with pytest.raises(anthropic.InternalServerError) as raised:
        client(mock, max_retries=1).messages.create(
            model="mock?errors=529,529,529",
            max_tokens=64,
            messages=[{"role": "user", "content": "Are you there?"}],
        )
    assert raised.value.status_code == 529
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert [e["attempt"] for e in mock.requests()] == [0, 1]


def test_overload_in_the_middle_of_a_stream_raises(mock):
    received = []
    with pytest.raises(anthropic.APIStatusError) as raised:
        with client(mock).messages.stream(
            model="mock?midstream=overloaded&ttft=10",
            max_tokens=64,
            messages=[{"role": "user", "content": "Start, then fail."}],
        ) as stream:
            for text in stream.text_stream:
                received.append(text)
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert len(received) == 3


def test_bad_key_is_an_authentication_error(mock):
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(base_url=mock.url, api_key="bad-key").messages.create(
            model="mock", max_tokens=16, messages=[{"role": "user", "content": "hi"}]
        )
