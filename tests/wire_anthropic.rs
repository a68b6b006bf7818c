//! The Anthropic stream decoder on hand-written Messages API streams, each also fed one byte at
//! a time and in random pieces, which must not change what comes out.

use parallel_playground::engine::SplitMix64;
use parallel_playground::providers::{
    ApiErrorKind, ProviderError, ProviderEvent, ResponseAccumulator, StopReason, Usage,
};
use parallel_playground::wire::anthropic::AnthropicStreamDecoder;
use parallel_playground::wire::{decode_body, StreamDecoder};

type Decoded = Vec<Result<ProviderEvent, ProviderError>>;

/// Decodes `body` whole, one byte at a time and in 64 random splits; asserts that all agree.
fn decode_every_way(body: &str) -> Decoded {
    let body = body.as_bytes();
    let whole = decode_body(&mut AnthropicStreamDecoder::new(), [body]);
    let bytewise = decode_body(&mut AnthropicStreamDecoder::new(), body.chunks(1));
    assert_eq!(bytewise, whole, "one byte at a time");
    let mut rng = SplitMix64::new(body.len() as u64);
    for _ in 0..64 {
        let pieces = random_pieces(body, &mut rng);
        let split = decode_body(&mut AnthropicStreamDecoder::new(), &pieces);
        assert_eq!(split, whole, "pieces {pieces:?}");
    }
    whole
}

fn random_pieces<'a>(body: &'a [u8], rng: &mut SplitMix64) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (piece, after) = rest.split_at(1 + rng.index(rest.len().min(40)));
        pieces.push(piece);
        rest = after;
    }
    pieces
}

/// One SSE event as the API writes it.
fn sse(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn text(text: &str) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::TextDelta { text: text.into() })
}

fn usage(input_tokens: u32, output_tokens: u32) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::Usage {
        usage: Usage::new(input_tokens, output_tokens),
    })
}

fn stop(reason: StopReason) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::Stop { reason })
}

const MESSAGE_START: &str = r#"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}}"#;

/// A text block, then a tool call whose input arrives in fragments, as the API streams it.
fn text_then_tool_call() -> String {
    [
        sse("message_start", MESSAGE_START),
        sse("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
        sse("ping", r#"{"type": "ping"}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, checking the weather in "}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Zürich 🚀:"}}"#),
        sse("content_block_stop", r#"{"type":"content_block_stop","index":0}"#),
        sse("content_block_start", r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x","name":"get_weather","input":{}}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"Zürich\", \"unit\": \"°C\"}"}}"#),
        sse("content_block_stop", r#"{"type":"content_block_stop","index":1}"#),
        sse("message_delta", r#"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"#),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat()
}

#[test]
fn a_text_and_tool_call_stream_gives_every_event_in_order() {
    let events = decode_every_way(&text_then_tool_call());
    let expected = vec![
        usage(472, 2),
        text("Okay, checking the weather in "),
        text("Zürich 🚀:"),
        Ok(ProviderEvent::ToolUseStart {
            index: 1,
            id: "toolu_01T1x".into(),
            name: "get_weather".into(),
        }),
        Ok(ProviderEvent::ToolInputDelta {
            index: 1,
            partial_json: "{\"location\":".into(),
        }),
        Ok(ProviderEvent::ToolInputDelta {
            index: 1,
            partial_json: " \"Zürich\", \"unit\": \"°C\"}".into(),
        }),
        usage(472, 89),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(events, expected);
}

#[test]
fn the_decoded_stream_folds_into_the_complete_message() {
    let mut accumulator = ResponseAccumulator::default();
    for event in decode_every_way(&text_then_tool_call()) {
        accumulator.push(&event.expect("no error"));
    }
    let message = accumulator.finish().expect("complete");
    assert_eq!(message.text(), "Okay, checking the weather in Zürich 🚀:");
    let (id, name, input) = message.tool_uses()[0];
    assert_eq!((id, name), ("toolu_01T1x", "get_weather"));
    assert_eq!(input["location"], "Zürich");
    assert_eq!(message.usage.output_tokens, 89);
}

#[test]
fn crlf_and_cr_line_ends_decode_like_lf() {
    let lf = text_then_tool_call();
    let expected = decode_every_way(&lf);
    assert_eq!(decode_every_way(&lf.replace('\n', "\r\n")), expected);
    assert_eq!(decode_every_way(&lf.replace('\n', "\r")), expected);
}

#[test]
fn thinking_citations_and_unknown_events_are_skipped() {
    let body = [
        sse("message_start", MESSAGE_START),
        sse("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me see"}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}}"#),
        sse("content_block_start", r#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Hi","citations":[]}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{"cited_text":"x"}}}"#),
        sse("brand_new_event", r#"{"type":"brand_new_event","whatever":[1,2]}"#),
        ": a comment\n\n".to_string(),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![usage(472, 2), text("Hi"), stop(StopReason::EndTurn)]
    );
}

#[test]
fn an_error_event_mid_stream_ends_the_stream() {
    let body = [
        sse("message_start", MESSAGE_START),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#),
        sse("error", r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}"#),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat();
    let events = decode_every_way(&body);
    assert_eq!(
        events,
        vec![
            usage(472, 2),
            text("Hel"),
            Err(ProviderError::Stream {
                kind: ApiErrorKind::Overloaded,
                message: "Overloaded".into(),
            }),
        ],
        "nothing after the error, not even a cut-stream error from finish"
    );
}

#[test]
fn malformed_json_is_a_decode_error_naming_the_event() {
    let body = [
        sse("message_start", MESSAGE_START),
        sse(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0,"delta":{"#,
        ),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat();
    let events = decode_every_way(&body);
    assert_eq!(events.len(), 2);
    match &events[1] {
        Err(ProviderError::Decode { message }) => {
            assert!(message.contains("content_block_delta"), "{message}")
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn valid_json_in_the_wrong_shape_is_a_decode_error() {
    let body = sse(
        "content_block_delta",
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}"#,
    );
    let events = decode_every_way(&body);
    assert!(
        matches!(&events[..], [Err(ProviderError::Decode { .. })]),
        "{events:?}"
    );
}

#[test]
fn a_body_cut_before_message_stop_is_a_cut_stream() {
    let full = text_then_tool_call();
    let before_stop = full.find("event: message_stop").expect("has a stop");
    for cut in [before_stop, before_stop + 10, full.len() - 1, 0] {
        let events = decode_every_way(&full[..cut]);
        assert!(
            matches!(events.last(), Some(Err(ProviderError::StreamCut { .. }))),
            "cut at {cut}: {events:?}"
        );
        assert!(events[..events.len() - 1].iter().all(Result::is_ok));
    }
}

#[test]
fn nothing_after_message_stop_is_reported() {
    let body = [
        text_then_tool_call(),
        sse("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}}"#),
        "data: not json\n\n".to_string(),
        "data: cut".to_string(),
    ]
    .concat();
    let events = decode_every_way(&body);
    assert_eq!(events.last(), Some(&stop(StopReason::ToolUse)));
    assert_eq!(events.len(), 8);
}

#[test]
fn the_stop_reason_defaults_to_end_turn_and_maps_max_tokens() {
    let no_delta = sse("message_stop", r#"{"type":"message_stop"}"#);
    assert_eq!(decode_every_way(&no_delta), vec![stop(StopReason::EndTurn)]);
    let truncated = [
        sse("message_delta", r#"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"input_tokens":5,"output_tokens":256}}"#),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&truncated),
        vec![usage(5, 256), stop(StopReason::MaxTokens)]
    );
}

#[test]
fn the_event_field_names_data_without_a_type() {
    let body = "event: message_stop\ndata: {}\n\n";
    assert_eq!(decode_every_way(body), vec![stop(StopReason::EndTurn)]);
}

#[test]
fn an_endless_line_is_a_decode_error_not_unbounded_memory() {
    let mut decoder = AnthropicStreamDecoder::new();
    let mut events = Vec::new();
    let block = vec![b'x'; 1024 * 1024];
    events.extend(decoder.feed(b"data: "));
    for _ in 0..9 {
        events.extend(decoder.feed(&block));
    }
    events.extend(decoder.finish());
    assert!(
        matches!(&events[..], [Err(ProviderError::Decode { .. })]),
        "{events:?}"
    );
}

#[test]
fn cache_writes_and_reads_are_decoded_from_the_usage_fields() {
    let start = r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":2048,"cache_read_input_tokens":0,"output_tokens":1}}}"#;
    let body = [
        sse("message_start", start),
        sse(
            "message_delta",
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}"#,
        ),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat();
    let mut answer = ResponseAccumulator::default();
    for event in decode_every_way(&body).iter().flatten() {
        answer.push(event);
    }
    let usage = answer.usage();
    assert_eq!(
        usage,
        Usage {
            input_tokens: 12,
            output_tokens: 7,
            cache_creation_input_tokens: 2048,
            cache_read_input_tokens: 0,
        }
    );
    assert_eq!(usage.total_input_tokens(), 2060);

    let message = parallel_playground::wire::anthropic::parse_message(
        r#"{"content":[],"usage":{"input_tokens":3,"output_tokens":1,"cache_read_input_tokens":900,"cache_creation_input_tokens":null}}"#,
    )
    .expect("a valid message");
    assert_eq!(message.usage.cache_read_input_tokens, 900);
    assert_eq!(message.usage.cache_creation_input_tokens, 0);
}

#[test]
fn a_shared_prefix_is_sent_as_a_system_block_with_cache_control() {
    use parallel_playground::providers::ModelRequest;
    let mut request = ModelRequest::ask("claude-haiku-4-5", Some("Long document"), "Q?", 64);
    let plain = parallel_playground::wire::anthropic::request_body(&request, true);
    assert_eq!(plain["system"], "Long document");
    request.cache_system = true;
    let marked = parallel_playground::wire::anthropic::request_body(&request, true);
    assert_eq!(
        marked["system"],
        serde_json::json!([{"type": "text", "text": "Long document",
                            "cache_control": {"type": "ephemeral"}}])
    );
}
