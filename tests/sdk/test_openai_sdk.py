"""The official OpenAI Python SDK against the mock's Chat Completions endpoint."""

from __future__ import annotations

import json
import math
import time

import openai

MULTIPLY_TOOL = {
    "type": "function",
    "function": {
        "name": "multiply",
        "description": "Multiply two integers.",
        "parameters": {
            "type": "object",
            "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
            "required": ["x", "y"],
        },
    },
}


def client(mock, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="test-key", **options)


def input_tokens(*texts: str) -> int:
    return max(1, math.ceil(sum(len(t) for t in texts) / 4))


def test_stream_with_usage_reports_content_and_usage(mock):
    system = "You are terse."
    question = "How does HTTP/1.1 limit connections?"
    stream = client(mock).chat.completions.create(
        model="mock?tokens=15&tps=300&ttft=20",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": question}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    content = "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices
    )
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    usage_chunk = chunks[-1]
    assert content.startswith("Mock answer about How does HTTP/1.1 limit connections: ")
    assert len(content.split(" ")) == 15
    assert finish == ["stop"]
    assert usage_chunk.choices == []
    assert usage_chunk.usage.completion_tokens == 15
    assert usage_chunk.usage.prompt_tokens == input_tokens(system, question)
    assert usage_chunk.usage.total_tokens == usage_chunk.usage.prompt_tokens + 15


def test_stream_without_usage_option_has_no_usage_chunk(mock):
    chunks = list(
        client(mock).chat.completions.create(
            model="mock?tokens=3&ttft=0",
            messages=[{"role": "user", "content": "Hi"}],
            stream=True,
        )
    )
    assert all(c.usage is None for c in chunks)
    assert all(c.choices for c in chunks)


def test_tool_call_round_trip(mock):
    sdk = client(mock)
    messages = [{"role": "user", "content": "What is 2 times 3?"}]
    stream = sdk.chat.completions.create(
        model="mock?ttft=10", messages=messages, tools=[MULTIPLY_TOOL], stream=True
    )
    call_id, name, arguments, finish = None, None, "", None
    for chunk in stream:
        choice = chunk.choices[0]
        for call in choice.delta.tool_calls or []:
            assert call.index == 0
            call_id = call.id or call_id
            name = (call.function.name if call.function else None) or name
            arguments += (call.function.arguments or "") if call.function else ""
        finish = choice.finish_reason or finish
    assert finish == "tool_calls"
    assert name == "multiply"
    assert call_id and call_id.startswith("call_mock_")
    args = json.loads(arguments)
    assert args == {"x": 2, "y": 3}

    messages += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": str(args["x"] * args["y"])},
    ]
    final = sdk.chat.completions.create(model="mock?ttft=10", messages=messages, tools=[MULTIPLY_TOOL])
    assert final.choices[0].finish_reason == "stop"
    assert final.choices[0].message.content == "The tool returned: 6"
    assert final.choices[0].message.tool_calls is None


def test_non_streaming_tool_call_has_parsed_arguments(mock):
    completion = client(mock).chat.completions.create(
        model="mock?ttft=0",
        messages=[{"role": "user", "content": "Multiply something."}],
        tools=[MULTIPLY_TOOL],
    )
    [call] = completion.choices[0].message.tool_calls
    assert call.function.name == "multiply"
    assert json.loads(call.function.arguments) == {"x": 2, "y": 3}
    assert completion.choices[0].finish_reason == "tool_calls"


def test_rate_limit_is_retried_after_retry_after_ms(mock):
    started = time.monotonic()
    completion = client(mock).chat.completions.create(
        model="mock?errors=429&retry_after_ms=300&ttft=0",
        messages=[{"role": "user", "content": "Again please."}],
    )
    elapsed = time.monotonic() - started
    assert completion.choices[0].message.content.startswith("Mock answer about Again please:")
    assert 0.3 <= elapsed < 0.9
    assert [(e["attempt"], e["status"]) for e in mock.requests()] == [(0, 429), (1, 200)]
