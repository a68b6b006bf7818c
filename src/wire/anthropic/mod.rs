//! The Anthropic Messages API (`POST /v1/messages`): the request body, the non-streaming
//! response, and [`AnthropicStreamDecoder`] for its event stream.
//!
//! Unknown fields, content block types, delta types and event types are skipped, so that new
//! API features (thinking, citations, server tools) do not break older builds of the page.

mod stream;

pub use stream::AnthropicStreamDecoder;

use super::{errors::stream_error, temperature_json};
use crate::wire::model::{
    AssistantMessage, ContentBlock, Message, ModelRequest, ProviderError, Role, StopReason, Usage,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The JSON body for `POST /v1/messages`; `stream` adds `"stream": true`.
///
/// ```
/// use parallel_playground::providers::ModelRequest;
/// use parallel_playground::wire::anthropic::request_body;
///
/// let request = ModelRequest::ask("claude-haiku-4-5", Some("Be brief."), "Hi", 256);
/// let body = request_body(&request, true);
/// assert_eq!(body["system"], "Be brief.");
/// assert_eq!(body["messages"][0]["content"][0]["text"], "Hi");
/// assert_eq!(body["stream"], true);
/// ```
pub fn request_body(request: &ModelRequest, stream: bool) -> Value {
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("max_tokens".into(), json!(request.max_tokens));
    if let Some(system) = request.system.as_deref().filter(|s| !s.trim().is_empty()) {
        let system = if request.cache_system {
            // The whole system prompt is the shared prefix: a cache breakpoint on its block.
            json!([{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}])
        } else {
            json!(system)
        };
        body.insert("system".into(), system);
    }
    let messages = request.messages.iter().map(message_json).collect();
    body.insert("messages".into(), Value::Array(messages));
    if !request.tools.is_empty() {
        let tools = request.tools.iter().map(|tool| {
            json!({
                "name": tool.name,
                "description": tool.description,
                "input_schema": tool.input_schema,
            })
        });
        body.insert("tools".into(), Value::Array(tools.collect()));
    }
    if let Some(temperature) = request.temperature.and_then(temperature_json) {
        body.insert("temperature".into(), temperature);
    }
    if stream {
        body.insert("stream".into(), Value::Bool(true));
    }
    Value::Object(body)
}

fn message_json(message: &Message) -> Value {
    // The API refuses empty text blocks; drop them unless nothing else is left.
    let mut blocks: Vec<&ContentBlock> = message
        .content
        .iter()
        .filter(|block| !matches!(block, ContentBlock::Text { text } if text.is_empty()))
        .collect();
    if blocks.is_empty() {
        blocks = message.content.iter().collect();
    }
    let content: Vec<Value> = blocks.into_iter().map(block_json).collect();
    let role = match message.role {
        Role::User => "user",
        Role::Assistant => "assistant",
    };
    json!({ "role": role, "content": content })
}

fn block_json(block: &ContentBlock) -> Value {
    match block {
        ContentBlock::Text { text } => json!({ "type": "text", "text": text }),
        ContentBlock::ToolUse { id, name, input } => {
            json!({ "type": "tool_use", "id": id, "name": name, "input": input })
        }
        ContentBlock::ToolResult {
            tool_use_id,
            content,
            is_error,
        } => {
            let mut block = json!({
                "type": "tool_result",
                "tool_use_id": tool_use_id,
                "content": content,
            });
            if *is_error {
                block["is_error"] = Value::Bool(true);
            }
            block
        }
    }
}

/// Token counts as both the response and the stream report them; either may be missing.
#[derive(Debug, Default, Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<u32>,
    #[serde(default)]
    output_tokens: Option<u32>,
    /// Prompt-cache writes and reads (`null` or absent when the request marked no prefix).
    #[serde(default)]
    cache_creation_input_tokens: Option<u32>,
    #[serde(default)]
    cache_read_input_tokens: Option<u32>,
}

impl From<WireUsage> for Usage {
    fn from(wire: WireUsage) -> Usage {
        Usage {
            input_tokens: wire.input_tokens.unwrap_or(0),
            output_tokens: wire.output_tokens.unwrap_or(0),
            cache_creation_input_tokens: wire.cache_creation_input_tokens.unwrap_or(0),
            cache_read_input_tokens: wire.cache_read_input_tokens.unwrap_or(0),
        }
    }
}

/// A complete (non-streaming) Messages API response.
#[derive(Debug, Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<Vec<WireBlock>>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    /// Thinking, server tools, anything newer: not part of the answer the playground shows.
    #[serde(other)]
    Unknown,
}

/// Reads a complete Messages API response (a `200` body without streaming).
///
/// ```
/// use parallel_playground::providers::StopReason;
/// use parallel_playground::wire::anthropic::parse_message;
///
/// let body = r#"{"type":"message","content":[{"type":"text","text":"Hi"}],
///     "stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}"#;
/// let message = parse_message(body).expect("a valid response");
/// assert_eq!(message.text(), "Hi");
/// assert_eq!(message.stop_reason, StopReason::EndTurn);
/// ```
pub fn parse_message(body: &str) -> Result<AssistantMessage, ProviderError> {
    let root: Value = serde_json::from_str(body).map_err(|e| ProviderError::Decode {
        message: format!("the Messages API response is not JSON ({e})"),
    })?;
    if let Some(error) = root.get("error").filter(|e| !e.is_null()) {
        return Err(stream_error(error));
    }
    let wire: WireMessage = serde_json::from_value(root).map_err(|e| ProviderError::Decode {
        message: format!("the Messages API response has an unexpected shape ({e})"),
    })?;
    let content = wire
        .content
        .unwrap_or_default()
        .into_iter()
        .filter_map(|block| match block {
            WireBlock::Text { text } => Some(ContentBlock::Text { text }),
            WireBlock::ToolUse { id, name, input } => {
                Some(ContentBlock::ToolUse { id, name, input })
            }
            WireBlock::Unknown => None,
        })
        .collect();
    Ok(AssistantMessage {
        content,
        stop_reason: wire
            .stop_reason
            .as_deref()
            .map_or(StopReason::EndTurn, StopReason::from_wire),
        usage: wire.usage.map(Usage::from).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::model::ToolSpec;

    fn tool_conversation() -> ModelRequest {
        let mut request = ModelRequest::ask("claude-sonnet-4-5", None, "Add 2 and 3", 512);
        request.temperature = Some(0.7);
        request.tools.push(ToolSpec {
            name: "sum_numbers".into(),
            description: "Adds numbers".into(),
            input_schema: json!({"type": "object"}),
        });
        request.messages.push(Message {
            role: Role::Assistant,
            content: vec![
                ContentBlock::Text { text: "".into() },
                ContentBlock::ToolUse {
                    id: "toolu_1".into(),
                    name: "sum_numbers".into(),
                    input: json!({"numbers": [2, 3]}),
                },
            ],
        });
        request.messages.push(Message {
            role: Role::User,
            content: vec![ContentBlock::ToolResult {
                tool_use_id: "toolu_1".into(),
                content: "no such tool".into(),
                is_error: true,
            }],
        });
        request
    }

    #[test]
    fn a_tool_conversation_becomes_messages_api_blocks() {
        let body = request_body(&tool_conversation(), false);
        assert_eq!(body["temperature"], json!(0.7));
        assert!(body.get("system").is_none() && body.get("stream").is_none());
        assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
        let assistant = &body["messages"][1];
        assert_eq!(assistant["role"], "assistant");
        assert_eq!(
            assistant["content"],
            json!([{"type": "tool_use", "id": "toolu_1", "name": "sum_numbers",
                    "input": {"numbers": [2, 3]}}]),
            "the empty text block is dropped"
        );
        assert_eq!(
            body["messages"][2]["content"][0],
            json!({"type": "tool_result", "tool_use_id": "toolu_1",
                   "content": "no such tool", "is_error": true})
        );
    }

    #[test]
    fn a_full_response_keeps_text_and_tool_calls_and_skips_unknown_blocks() {
        let body = r#"{"id":"msg_1","type":"message","role":"assistant","model":"m",
            "content":[{"type":"thinking","thinking":"hmm","signature":"s"},
                       {"type":"text","text":"Adding.","citations":null},
                       {"type":"tool_use","id":"toolu_1","name":"sum_numbers","input":{"numbers":[2,3]}}],
            "stop_reason":"tool_use","stop_sequence":null,
            "usage":{"input_tokens":20,"output_tokens":9,"cache_read_input_tokens":0}}"#;
        let message = parse_message(body).expect("valid");
        assert_eq!(message.content.len(), 2);
        assert_eq!(message.text(), "Adding.");
        assert_eq!(message.tool_uses()[0].2["numbers"][0], 2);
        assert_eq!(message.stop_reason, StopReason::ToolUse);
        assert_eq!(message.usage.input_tokens, 20);
    }

    #[test]
    fn a_response_that_is_not_a_message_is_a_decode_error() {
        assert!(matches!(
            parse_message("<html>"),
            Err(ProviderError::Decode { .. })
        ));
        assert!(matches!(
            parse_message(r#"{"content":"text"}"#),
            Err(ProviderError::Decode { .. })
        ));
        assert!(matches!(
            parse_message(r#"{"type":"error","error":{"type":"overloaded_error","message":"x"}}"#),
            Err(ProviderError::Stream { .. })
        ));
    }
}
