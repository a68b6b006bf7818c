//! A tool call whose streamed input is not JSON ends the stream with that reason, in both wire
//! formats, however the body is split — so the turn fails instead of ending green without tools.

use parallel_playground::providers::{ProviderError, ProviderEvent};
use parallel_playground::wire::anthropic::AnthropicStreamDecoder;
use parallel_playground::wire::openai::OpenAiStreamDecoder;
use parallel_playground::wire::{decode_body, StreamDecoder};

type Decoded = Vec<Result<ProviderEvent, ProviderError>>;

fn decode_whole_and_bytewise<D: StreamDecoder + Default>(body: &str) -> Decoded {
    let whole = decode_body(&mut D::default(), [body.as_bytes()]);
    let bytewise = decode_body(&mut D::default(), body.as_bytes().chunks(1));
    assert_eq!(bytewise, whole, "one byte at a time");
    whole
}

fn sse(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn anthropic_tool_call(fragments: &[&str]) -> String {
    let mut body = sse(
        "message_start",
        r#"{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}"#,
    );
    body += &sse(
        "content_block_start",
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"add","input":{}}}"#,
    );
    for fragment in fragments {
        let delta = serde_json::json!({
            "type": "content_block_delta", "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": fragment},
        });
        body += &sse("content_block_delta", &delta.to_string());
    }
    body += &sse(
        "content_block_stop",
        r#"{"type":"content_block_stop","index":0}"#,
    );
    body += &sse(
        "message_delta",
        r#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}"#,
    );
    body += &sse("message_stop", r#"{"type":"message_stop"}"#);
    body
}

fn openai_tool_call(fragments: &[&str], done: bool) -> String {
    let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
        let value =
            serde_json::json!({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        format!("data: {value}\n\n")
    };
    let mut body = chunk(
        serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "add", "arguments": ""}}]}),
        serde_json::Value::Null,
    );
    for fragment in fragments {
        body += &chunk(
            serde_json::json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}),
            serde_json::Value::Null,
        );
    }
    body += &chunk(serde_json::json!({}), serde_json::json!("tool_calls"));
    if done {
        body += "data: [DONE]\n\n";
    }
    body
}

fn ends_with_bad_tool_input(events: &Decoded) -> bool {
    matches!(events.last(), Some(Err(ProviderError::Decode { message })) if message.contains("tool call add"))
        && !events
            .iter()
            .any(|e| matches!(e, Ok(ProviderEvent::Stop { .. })))
}

#[test]
fn anthropic_tool_input_that_is_not_json_ends_the_stream_with_the_reason() {
    let good = decode_whole_and_bytewise::<AnthropicStreamDecoder>(&anthropic_tool_call(&[
        "{\"a\": 2,",
        " \"b\": 3}",
    ]));
    assert!(
        matches!(good.last(), Some(Ok(ProviderEvent::Stop { .. }))),
        "{good:?}"
    );
    let bad = decode_whole_and_bytewise::<AnthropicStreamDecoder>(&anthropic_tool_call(&[
        "{\"a\": 2,",
        " \"b\":",
    ]));
    assert!(ends_with_bad_tool_input(&bad), "{bad:?}");
}

#[test]
fn openai_tool_arguments_that_are_not_json_end_the_stream_with_the_reason() {
    let good = decode_whole_and_bytewise::<OpenAiStreamDecoder>(&openai_tool_call(
        &["{\"a\":2,", "\"b\":3}"],
        true,
    ));
    assert!(
        matches!(good.last(), Some(Ok(ProviderEvent::Stop { .. }))),
        "{good:?}"
    );
    for done in [true, false] {
        let bad = decode_whole_and_bytewise::<OpenAiStreamDecoder>(&openai_tool_call(
            &["{\"a\":2,"],
            done,
        ));
        assert!(ends_with_bad_tool_input(&bad), "done={done}: {bad:?}");
    }
}

#[test]
fn hostile_nesting_in_a_tool_input_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let bad = decode_whole_and_bytewise::<AnthropicStreamDecoder>(&anthropic_tool_call(&[&deep]));
    assert!(ends_with_bad_tool_input(&bad), "{:?}", bad.last());
}
