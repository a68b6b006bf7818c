//! Hostile text for every parser of outside text (shared by `tests/hostile_inputs.rs`, natively,
//! and `tests/browser.rs`, in wasm where the stack is small): nesting 100,000 deep and lines of
//! 1 MB. Each parser must return (an error is fine) without panicking or exhausting the stack,
//! and what it returns must be bounded.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use parallel_playground::markdown::{
    parse_markdown, to_plain_text, MarkdownStream, MdNode, MAX_NESTING_DEPTH,
};
use parallel_playground::providers::simulated::Expression;
use parallel_playground::wire::anthropic::AnthropicStreamDecoder;
use parallel_playground::wire::decode_body;
use parallel_playground::wire::openai::OpenAiStreamDecoder;
use parallel_playground::wire::sse::SseDecoder;
use parallel_playground::workspace::{decode_saved, decode_share};

/// How deep the nested inputs go.
pub const DEEP: usize = 100_000;

/// One mebibyte: the length of the long lines.
pub const MB: usize = 1 << 20;

/// `open` repeated `depth` times, `middle`, then `close` repeated `depth` times.
pub fn nested(open: &str, middle: &str, close: &str, depth: usize) -> String {
    let mut text = String::with_capacity((open.len() + close.len()) * depth + middle.len());
    (0..depth).for_each(|_| text.push_str(open));
    text.push_str(middle);
    (0..depth).for_each(|_| text.push_str(close));
    text
}

/// Every deep or long input, with a name for failure messages.
pub fn hostile_texts() -> Vec<(&'static str, String)> {
    let staircase: String = (0..2_000).map(|i| " ".repeat(i) + "- item\n").collect();
    vec![
        ("parentheses", nested("(", "1+1", ")", DEEP)),
        ("unclosed parentheses", "(".repeat(DEEP) + "1+1"),
        ("brackets", nested("[", "a", "](https://x.example)", DEEP)),
        ("json arrays", nested("[", "1", "]", DEEP)),
        ("json objects", nested("{\"a\":", "1", "}", DEEP)),
        ("quotes", "> ".repeat(DEEP) + "deep"),
        ("quote lines", "\n>".repeat(DEEP)),
        ("list markers", "- ".repeat(DEEP) + "deep"),
        ("numbered markers", "1. ".repeat(DEEP) + "deep"),
        ("list staircase", staircase),
        ("emphasis", nested("*", "a", "*", DEEP)),
        ("underscores", nested("_", "a", "_", DEEP)),
        ("strong runs", "**a".repeat(DEEP)),
        ("links in links", nested("[", "a", "](b)", DEEP)),
        ("a 1 MB line", "a".repeat(MB)),
        ("a 1 MB line of parentheses", "(".repeat(MB)),
        ("a 1 MB line of arithmetic", "1+".repeat(MB / 2) + "1"),
        ("a 1 MB line of markup", "*a[`<".repeat(MB / 5)),
    ]
}

/// Depth of the deepest element in `nodes`, counted without recursion.
pub fn element_depth(nodes: &[MdNode]) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&MdNode, usize)> = nodes.iter().map(|n| (n, 1)).collect();
    while let Some((node, depth)) = stack.pop() {
        if let MdNode::Element { children, .. } = node {
            deepest = deepest.max(depth);
            stack.extend(children.iter().map(|c| (c, depth + 1)));
        }
    }
    deepest
}

/// A share link holding `json` (as the page writes them: deflate, then URL-safe base64).
pub fn share_link(json: &str) -> String {
    let engine = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6);
    format!("#w=1.{}", engine.encode(packed))
}

/// An Anthropic stream whose tool call's input JSON is `input`, in one delta.
fn anthropic_tool_stream(input: &str) -> String {
    let delta = serde_json::json!({
        "type": "content_block_delta", "index": 0,
        "delta": { "type": "input_json_delta", "partial_json": input },
    });
    format!(
        "event: message_start\ndata: {{\"type\":\"message_start\",\"message\":{{\"usage\":{{\"input_tokens\":1}}}}}}\n\n\
         event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"sum_numbers\",\"input\":{{}}}}}}\n\n\
         event: content_block_delta\ndata: {delta}\n\n\
         event: content_block_stop\ndata: {{\"type\":\"content_block_stop\",\"index\":0}}\n\n\
         event: message_delta\ndata: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"tool_use\"}},\"usage\":{{\"output_tokens\":1}}}}\n\n\
         event: message_stop\ndata: {{\"type\":\"message_stop\"}}\n\n"
    )
}

/// Runs `text` through every parser of outside text; panics (with `name`) when a result is
/// not bounded. Returns how many parsers ran.
pub fn feed_every_parser(name: &str, text: &str) -> usize {
    // The simulated model's arithmetic: refused or parsed, never deeper than its limit.
    if let Ok(expression) = Expression::parse_in(text) {
        assert!(expression.nodes.len() < 200, "{name}: arithmetic");
    }

    // Markdown, whole and streamed.
    let nodes = parse_markdown(text);
    assert!(
        element_depth(&nodes) <= MAX_NESTING_DEPTH,
        "{name}: Markdown depth"
    );
    assert!(
        to_plain_text(&nodes).len() <= text.len() * 2 + 16,
        "{name}: plain text"
    );
    let mut stream = MarkdownStream::default();
    let mut streamed = Vec::new();
    for chunk in text.as_bytes().chunks(64 * 1024) {
        streamed.extend(stream.push(std::str::from_utf8(chunk).unwrap_or("")));
    }
    streamed.extend(stream.open_nodes());
    assert!(
        element_depth(&streamed) <= MAX_NESTING_DEPTH,
        "{name}: streamed depth"
    );

    // Saved state and share links: an error, not a crash (serde_json stops at depth 128).
    let _ = decode_saved(text);
    let _ = decode_share(text);
    let _ = decode_share(&format!("#w=1.{text}"));
    let _ = decode_share(&share_link(text));

    // The SSE layer and both providers' stream decoders, as data and as a tool call's input.
    let mut sse = SseDecoder::new();
    let events = sse.feed(format!("data: {text}\n\n").as_bytes());
    assert!(events.len() <= 2, "{name}: SSE events");
    let _ = sse.finish();
    for body in [
        format!("data: {text}\n\n"),
        format!("event: x\ndata: {text}\n\n"),
    ] {
        let events = decode_body(&mut OpenAiStreamDecoder::new(), [body.as_bytes()]);
        assert!(events.len() <= 4, "{name}: OpenAI events");
        let events = decode_body(&mut AnthropicStreamDecoder::new(), [body.as_bytes()]);
        assert!(events.len() <= 4, "{name}: Anthropic events");
    }
    let body = anthropic_tool_stream(text);
    let events = decode_body(&mut AnthropicStreamDecoder::new(), [body.as_bytes()]);
    assert!(events.len() <= 8, "{name}: tool input events");
    9
}
