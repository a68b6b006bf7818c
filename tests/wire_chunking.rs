//! Property tests: arbitrary bytes in arbitrary pieces never make a decoder panic, the pieces a
//! body arrives in never change what it decodes to, and generated valid streams of both APIs
//! decode to exactly the response they were written from.
#![cfg(not(target_arch = "wasm32"))]

use parallel_playground::providers::{ProviderError, ProviderEvent, ResponseAccumulator, Usage};
use parallel_playground::wire::anthropic::AnthropicStreamDecoder;
use parallel_playground::wire::openai::OpenAiStreamDecoder;
use parallel_playground::wire::sse::SseDecoder;
use parallel_playground::wire::{decode_body, StreamDecoder};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use std::cell::Cell;

/// Random byte strings, each fed to all three decoders in three ways.
const ARBITRARY_CASES: u32 = 10_000;
/// Random valid responses, each written as an Anthropic and an OpenAI stream.
const VALID_CASES: u32 = 5_000;

type Decoded = Vec<Result<ProviderEvent, ProviderError>>;

/// Runs `test` on `cases` inputs from `strategy`, panicking with the shrunk failure if any,
/// and returns how many inputs ran.
fn run_cases<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> usize {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let count = Cell::new(0);
    let result = runner.run(&strategy, |input| {
        count.set(count.get() + 1);
        test(input)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    count.get()
}

/// Cuts `body` into pieces of the given lengths, cycling through them.
fn pieces<'a>(body: &'a [u8], lengths: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    for &length in lengths.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, after) = rest.split_at(length.clamp(1, rest.len()));
        out.push(piece);
        rest = after;
    }
    out
}

/// Decodes `body` whole, in `lengths` pieces and byte by byte; fails unless all three agree.
fn decode_three_ways<D: StreamDecoder>(
    new: fn() -> D,
    body: &[u8],
    lengths: &[usize],
) -> Result<Decoded, TestCaseError> {
    let whole = decode_body(&mut new(), [body]);
    prop_assert_eq!(&decode_body(&mut new(), pieces(body, lengths)), &whole);
    prop_assert_eq!(&decode_body(&mut new(), body.chunks(1)), &whole);
    Ok(whole)
}

/// Every decoded body ends exactly once: its last item is a stop or an error, no other is.
fn ends_exactly_once(decoded: &Decoded) -> Result<(), TestCaseError> {
    let ends = |item: &Result<ProviderEvent, ProviderError>| {
        matches!(item, Err(_) | Ok(ProviderEvent::Stop { .. }))
    };
    prop_assert_eq!(decoded.iter().filter(|i| ends(i)).count(), 1);
    prop_assert!(decoded.last().is_some_and(ends));
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "data: ", "data:", "event: ", "id: 1", "retry: 9", ": ping", "\n", "\r", "\r\n", "\n\n", ":",
    " ", "{", "}", "[", "]", ",", "\"", "\"type\":", "\"index\":0,", "\"delta\":", "null", "é",
    "🚀", "\u{FEFF}", "\u{FFFD}", "\"message_stop\"", "\"error\"", "\"choices\":", "[DONE]",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n",
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}\n\n",
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"é\"}}\n\n",
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":4}}\n\n",
    "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"o\"}}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"🚀\"}}]}\n\n",
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{\"}}]}}]}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}\n\n",
    "data: [DONE]\n\n",
];

/// Bytes that look a little or a lot like an event stream.
fn stream_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        1 => any::<u8>().prop_map(|b| vec![b]),
        3 => prop::sample::select(FRAGMENTS).prop_map(|f| f.as_bytes().to_vec()),
    ];
    prop::collection::vec(token, 0..80).prop_map(|tokens| tokens.concat())
}

fn piece_lengths() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..24, 1..16)
}

#[test]
fn arbitrary_bytes_in_arbitrary_pieces_decode_the_same_and_never_panic() {
    let ran = run_cases(
        ARBITRARY_CASES,
        (stream_like_bytes(), piece_lengths()),
        |(body, lengths)| {
            let sse = |pieces: Vec<&[u8]>| {
                let mut decoder = SseDecoder::with_max_bytes(64);
                let events: Vec<_> = pieces.iter().flat_map(|p| decoder.feed(p)).collect();
                (events, decoder.finish())
            };
            let whole = sse(vec![&body]);
            prop_assert_eq!(&sse(pieces(&body, &lengths)), &whole);
            prop_assert_eq!(&sse(body.chunks(1).collect()), &whole);

            let anthropic = decode_three_ways(AnthropicStreamDecoder::new, &body, &lengths)?;
            ends_exactly_once(&anthropic)?;
            let openai = decode_three_ways(OpenAiStreamDecoder::new, &body, &lengths)?;
            ends_exactly_once(&openai)
        },
    );
    eprintln!("arbitrary bytes: {ran} inputs, each through 3 decoders fed 3 ways");
    assert_eq!(ran, ARBITRARY_CASES as usize);
}

/// One piece of a generated response.
#[derive(Clone, Debug)]
enum Part {
    /// Answer text, in the deltas it streams as.
    Text(Vec<String>),
    /// A tool call whose input `{"q": text}` streams in pieces cut at these character counts.
    Tool {
        name: String,
        text: String,
        cuts: Vec<usize>,
    },
}

/// A valid response and how its stream is written: line ends and keep-alive comments.
#[derive(Clone, Debug)]
struct Response {
    parts: Vec<Part>,
    usage: Usage,
    line_ends: Vec<usize>,
    comments: Vec<bool>,
}

fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 1..max).prop_map(String::from_iter)
}

fn response() -> impl Strategy<Value = Response> {
    let part = prop_oneof![
        prop::collection::vec(any_text(6), 1..4).prop_map(Part::Text),
        (
            any_text(8),
            any_text(12),
            prop::collection::vec(0usize..16, 0..4)
        )
            .prop_map(|(name, text, cuts)| Part::Tool { name, text, cuts }),
    ];
    (
        prop::collection::vec(part, 0..5),
        (0u32..100_000, 1u32..100_000),
        prop::collection::vec(0usize..3, 1..8),
        prop::collection::vec(any::<bool>(), 1..8),
    )
        .prop_map(|(parts, (input, output), line_ends, comments)| Response {
            parts,
            usage: Usage::new(input, output),
            line_ends,
            comments,
        })
}

impl Part {
    fn tool_input(text: &str) -> String {
        json!({ "q": text }).to_string()
    }

    /// The tool input's JSON in pieces, cut at character (never byte) positions.
    fn input_pieces(text: &str, cuts: &[usize]) -> Vec<String> {
        let chars: Vec<char> = Part::tool_input(text).chars().collect();
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % chars.len()).collect();
        bounds.extend([0, chars.len()]);
        bounds.sort_unstable();
        bounds.dedup();
        bounds
            .windows(2)
            .map(|w| chars[w[0]..w[1]].iter().collect())
            .collect()
    }
}

/// Writes SSE events with the response's mix of line ends and keep-alive comments.
struct StreamWriter<'a> {
    response: &'a Response,
    body: String,
    lines: usize,
}

impl StreamWriter<'_> {
    fn line(&mut self, text: &str) {
        const ENDS: [&str; 3] = ["\n", "\r\n", "\r"];
        let mut end = ENDS[self.response.line_ends[self.lines % self.response.line_ends.len()]];
        // After a CR, an empty line ended by LF would read as one CRLF: a different stream.
        if text.is_empty() && end == "\n" && self.body.ends_with('\r') {
            end = "\r\n";
        }
        self.lines += 1;
        self.body.push_str(text);
        self.body.push_str(end);
    }

    fn event(&mut self, name: Option<&str>, data: &str) {
        if self.response.comments[self.lines % self.response.comments.len()] {
            self.line(": keep-alive");
        }
        if let Some(name) = name {
            self.line(&format!("event: {name}"));
        }
        self.line(&format!("data: {data}"));
        self.line("");
    }
}

fn anthropic_stream(response: &Response) -> String {
    let mut w = StreamWriter {
        response,
        body: String::new(),
        lines: 0,
    };
    let usage = response.usage;
    let start = json!({"type": "message_start", "message": {"id": "msg", "content": [],
        "usage": {"input_tokens": usage.input_tokens, "output_tokens": 1}}});
    w.event(Some("message_start"), &start.to_string());
    for (index, part) in response.parts.iter().enumerate() {
        let (block, deltas) = match part {
            Part::Text(deltas) => (
                json!({"type": "text", "text": ""}),
                deltas
                    .iter()
                    .map(|t| json!({"type": "text_delta", "text": t}))
                    .collect(),
            ),
            Part::Tool { name, text, cuts } => (
                json!({"type": "tool_use", "id": format!("toolu_{index}"), "name": name, "input": {}}),
                Part::input_pieces(text, cuts)
                    .iter()
                    .map(|p| json!({"type": "input_json_delta", "partial_json": p}))
                    .collect::<Vec<_>>(),
            ),
        };
        let start = json!({"type": "content_block_start", "index": index, "content_block": block});
        w.event(Some("content_block_start"), &start.to_string());
        w.event(Some("ping"), r#"{"type": "ping"}"#);
        for delta in deltas {
            let delta = json!({"type": "content_block_delta", "index": index, "delta": delta});
            w.event(Some("content_block_delta"), &delta.to_string());
        }
        let stop = json!({"type": "content_block_stop", "index": index});
        w.event(Some("content_block_stop"), &stop.to_string());
    }
    let delta = json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
        "usage": {"output_tokens": usage.output_tokens}});
    w.event(Some("message_delta"), &delta.to_string());
    w.event(Some("message_stop"), r#"{"type":"message_stop"}"#);
    w.body
}

fn openai_stream(response: &Response) -> String {
    let mut w = StreamWriter {
        response,
        body: String::new(),
        lines: 0,
    };
    let chunk =
        |delta: Value| json!({"choices": [{"index": 0, "delta": delta, "finish_reason": null}]});
    let mut call = 0;
    for part in &response.parts {
        match part {
            Part::Text(deltas) => {
                for text in deltas {
                    w.event(None, &chunk(json!({"content": text})).to_string());
                }
            }
            Part::Tool { name, text, cuts } => {
                let first = json!({"tool_calls": [{"index": call, "id": format!("call_{call}"),
                    "type": "function", "function": {"name": name, "arguments": ""}}]});
                w.event(None, &chunk(first).to_string());
                for piece in Part::input_pieces(text, cuts) {
                    let more =
                        json!({"tool_calls": [{"index": call, "function": {"arguments": piece}}]});
                    w.event(None, &chunk(more).to_string());
                }
                call += 1;
            }
        }
    }
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    w.event(None, &finish.to_string());
    let usage = json!({"choices": [], "usage": {"prompt_tokens": response.usage.input_tokens,
        "completion_tokens": response.usage.output_tokens}});
    w.event(None, &usage.to_string());
    w.event(None, "[DONE]");
    w.body
}

/// Checks that a decoded stream is exactly the generated response.
fn matches_response(decoded: Decoded, response: &Response) -> Result<(), TestCaseError> {
    let mut accumulator = ResponseAccumulator::default();
    for item in decoded {
        match item {
            Ok(event) => accumulator.push(&event),
            Err(error) => return Err(TestCaseError::fail(format!("decoded an error: {error}"))),
        }
    }
    let message = accumulator
        .finish()
        .map_err(|e| TestCaseError::fail(format!("incomplete: {e}")))?;
    let expected_text: String = response
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::Text(deltas) => Some(deltas.concat()),
            Part::Tool { .. } => None,
        })
        .collect();
    prop_assert_eq!(message.text(), expected_text);
    let expected_tools: Vec<(String, Value)> = response
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::Tool { name, text, .. } => Some((name.clone(), json!({ "q": text }))),
            Part::Text(_) => None,
        })
        .collect();
    let tools: Vec<(String, Value)> = message
        .tool_uses()
        .into_iter()
        .map(|(_, name, input)| (name.to_string(), input.clone()))
        .collect();
    prop_assert_eq!(tools, expected_tools);
    prop_assert_eq!(message.usage, response.usage);
    Ok(())
}

#[test]
fn valid_streams_decode_to_their_response_whatever_the_pieces() {
    let ran = run_cases(
        VALID_CASES,
        (response(), piece_lengths()),
        |(response, lengths)| {
            let anthropic = anthropic_stream(&response);
            let decoded =
                decode_three_ways(AnthropicStreamDecoder::new, anthropic.as_bytes(), &lengths)?;
            matches_response(decoded, &response)?;
            let openai = openai_stream(&response);
            let decoded = decode_three_ways(OpenAiStreamDecoder::new, openai.as_bytes(), &lengths)?;
            matches_response(decoded, &response)
        },
    );
    eprintln!(
        "valid responses: {ran} inputs, each as an Anthropic and an OpenAI stream fed 3 ways"
    );
    assert_eq!(ran, VALID_CASES as usize);
}
