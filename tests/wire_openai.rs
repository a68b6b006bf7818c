//! The OpenAI stream decoder on hand-written Chat Completions streams, each also fed one byte at
//! a time and in random pieces, which must not change what comes out.

use parallel_playground::engine::SplitMix64;
use parallel_playground::providers::{
    ApiErrorKind, ProviderError, ProviderEvent, ResponseAccumulator, StopReason, Usage,
};
use parallel_playground::wire::decode_body;
use parallel_playground::wire::openai::OpenAiStreamDecoder;

type Decoded = Vec<Result<ProviderEvent, ProviderError>>;

/// Decodes `body` whole, one byte at a time and in 64 random splits; asserts that all agree.
fn decode_every_way(body: &str) -> Decoded {
    let body = body.as_bytes();
    let whole = decode_body(&mut OpenAiStreamDecoder::new(), [body]);
    let bytewise = decode_body(&mut OpenAiStreamDecoder::new(), body.chunks(1));
    assert_eq!(bytewise, whole, "one byte at a time");
    let mut rng = SplitMix64::new(body.len() as u64);
    for _ in 0..64 {
        let pieces = random_pieces(body, &mut rng);
        let split = decode_body(&mut OpenAiStreamDecoder::new(), &pieces);
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

/// One streamed chunk as the API writes it: `data: {...}` and a blank line.
fn chunk(json: &str) -> String {
    format!("data: {json}\n\n")
}

/// A chunk whose only choice has this `delta` and `finish_reason`.
fn choice(delta: &str, finish_reason: &str) -> String {
    chunk(&format!(
        r#"{{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1730000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{{"index":0,"delta":{delta},"logprobs":null,"finish_reason":{finish_reason}}}],"usage":null}}"#
    ))
}

const DONE: &str = "data: [DONE]\n\n";
const USAGE: &str = r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":82,"completion_tokens":41,"total_tokens":123}}"#;

fn text(text: &str) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::TextDelta { text: text.into() })
}

fn tool_start(index: usize, id: &str, name: &str) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::ToolUseStart {
        index,
        id: id.into(),
        name: name.into(),
    })
}

fn tool_input(index: usize, partial_json: &str) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::ToolInputDelta {
        index,
        partial_json: partial_json.into(),
    })
}

fn stop(reason: StopReason) -> Result<ProviderEvent, ProviderError> {
    Ok(ProviderEvent::Stop { reason })
}

/// Text, then two tool calls in fragments, the finish chunk, the usage chunk and `[DONE]`.
fn text_then_two_tool_calls() -> String {
    [
        choice(r#"{"role":"assistant","content":"","refusal":null}"#, "null"),
        choice(r#"{"content":"Checking "}"#, "null"),
        choice(r#"{"content":"both 🚀"}"#, "null"),
        choice(r#"{"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]}"#, "null"),
        choice(r#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}"#, "null"),
        choice(r#"{"tool_calls":[{"index":0,"function":{"arguments":"ation\": \"Paris\"}"}}]}"#, "null"),
        choice(r#"{"tool_calls":[{"index":1,"id":"call_def","type":"function","function":{"name":"get_time","arguments":""}}]}"#, "null"),
        choice(r#"{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":\"CET\"}"}}]}"#, "null"),
        choice("{}", r#""tool_calls""#),
        chunk(USAGE),
        DONE.to_string(),
    ]
    .concat()
}

#[test]
fn a_text_and_tool_calls_stream_gives_every_event_in_order() {
    let expected = vec![
        text("Checking "),
        text("both 🚀"),
        tool_start(1, "call_abc", "get_weather"),
        tool_input(1, "{\"loc"),
        tool_input(1, "ation\": \"Paris\"}"),
        tool_start(2, "call_def", "get_time"),
        tool_input(2, "{\"tz\":\"CET\"}"),
        Ok(ProviderEvent::Usage {
            usage: Usage::new(82, 41),
        }),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(decode_every_way(&text_then_two_tool_calls()), expected);
}

#[test]
fn the_decoded_stream_folds_into_the_complete_message() {
    let mut accumulator = ResponseAccumulator::default();
    for event in decode_every_way(&text_then_two_tool_calls()) {
        accumulator.push(&event.expect("no error"));
    }
    let message = accumulator.finish().expect("complete");
    assert_eq!(message.text(), "Checking both 🚀");
    let calls = message.tool_uses();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].2["location"], "Paris");
    assert_eq!(
        (calls[1].0, calls[1].2["tz"].as_str()),
        ("call_def", Some("CET"))
    );
    assert_eq!(message.stop_reason, StopReason::ToolUse);
}

#[test]
fn crlf_and_cr_line_ends_decode_like_lf() {
    let lf = text_then_two_tool_calls();
    let expected = decode_every_way(&lf);
    assert_eq!(decode_every_way(&lf.replace('\n', "\r\n")), expected);
    assert_eq!(decode_every_way(&lf.replace('\n', "\r")), expected);
}

#[test]
fn a_finish_reason_without_done_completes_at_the_end_of_the_body() {
    let body = [
        choice(r#"{"content":"Hi"}"#, "null"),
        choice("{}", r#""length""#),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![text("Hi"), stop(StopReason::MaxTokens)]
    );
}

#[test]
fn a_body_with_neither_finish_reason_nor_done_is_a_cut_stream() {
    let full = text_then_two_tool_calls();
    let finish = full.find("\"tool_calls\"}").expect("has a finish chunk");
    for cut in [0, 40, finish] {
        let events = decode_every_way(&full[..cut]);
        assert!(
            matches!(events.last(), Some(Err(ProviderError::StreamCut { .. }))),
            "cut at {cut}: {events:?}"
        );
    }
}

#[test]
fn an_error_object_in_the_stream_ends_it() {
    let body = [
        choice(r#"{"content":"Hel"}"#, "null"),
        chunk(r#"{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}"#),
        choice(r#"{"content":"lo"}"#, "null"),
        DONE.to_string(),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![
            text("Hel"),
            Err(ProviderError::Stream {
                kind: ApiErrorKind::Api,
                message: "The server had an error".into(),
            }),
        ]
    );
}

#[test]
fn malformed_json_is_a_decode_error() {
    let body = [
        choice(r#"{"content":"Hi"}"#, "null"),
        chunk("{\"choices\": ["),
    ]
    .concat();
    let events = decode_every_way(&body);
    assert_eq!(events.len(), 2);
    assert!(
        matches!(events[1], Err(ProviderError::Decode { .. })),
        "{events:?}"
    );
}

#[test]
fn nothing_after_done_is_reported() {
    let body = [
        choice(r#"{"content":"Hi"}"#, r#""stop""#),
        DONE.to_string(),
        choice(r#"{"content":"late"}"#, "null"),
        "data: {oops\n\n".to_string(),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![text("Hi"), stop(StopReason::EndTurn)]
    );
}

#[test]
fn arguments_before_the_name_wait_for_the_call_to_start() {
    let body = [
        choice(r#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}"#, "null"),
        choice(r#"{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"1}"}}]}"#, "null"),
        DONE.to_string(),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![
            tool_start(1, "call_1", "f"),
            tool_input(1, "{\"a\":1}"),
            stop(StopReason::EndTurn)
        ]
    );
}

#[test]
fn calls_without_an_index_are_told_apart_by_their_ids() {
    let body = [
        choice(
            r#"{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]}"#,
            "null",
        ),
        choice(
            r#"{"tool_calls":[{"id":"b","function":{"name":"g","arguments":"{\"x\""}}]}"#,
            "null",
        ),
        choice(
            r#"{"tool_calls":[{"function":{"arguments":":1}"}}]}"#,
            r#""tool_calls""#,
        ),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![
            tool_start(1, "a", "f"),
            tool_input(1, "{}"),
            tool_start(2, "b", "g"),
            tool_input(2, "{\"x\""),
            tool_input(2, ":1}"),
            stop(StopReason::ToolUse)
        ]
    );
}

#[test]
fn other_choices_and_reasoning_fields_are_ignored() {
    let body = [
        chunk(r#"{"choices":[{"index":1,"delta":{"content":"second choice"}},{"index":0,"delta":{"content":"first","reasoning_content":"hmm"}}]}"#),
        choice(r#"{"content":null,"reasoning":"more"}"#, "null"),
        DONE.to_string(),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![text("first"), stop(StopReason::EndTurn)]
    );
}

#[test]
fn comments_and_unknown_event_names_do_not_disturb_the_stream() {
    let body = [
        ": OPENROUTER PROCESSING\n\n".to_string(),
        choice(r#"{"content":"é"}"#, "null"),
        "event: keepalive\n: x\n\n".to_string(),
        DONE.to_string(),
    ]
    .concat();
    assert_eq!(
        decode_every_way(&body),
        vec![text("é"), stop(StopReason::EndTurn)]
    );
}

#[test]
fn cached_prompt_tokens_are_counted_apart_from_the_plain_input() {
    let body = [
        choice(r#"{"role":"assistant","content":"Hi"}"#, r#""stop""#),
        chunk(
            r#"{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":5,"total_tokens":1205,"prompt_tokens_details":{"cached_tokens":1024}}}"#,
        ),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let mut answer = ResponseAccumulator::default();
    for event in decode_every_way(&body).iter().flatten() {
        answer.push(event);
    }
    let usage = answer.usage();
    assert_eq!(
        (usage.input_tokens, usage.cache_read_input_tokens),
        (176, 1024)
    );
    assert_eq!(usage.total_input_tokens(), 1200);
}
