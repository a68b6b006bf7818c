//! OpenAI Chat Completions (`POST {base}/chat/completions`), as OpenAI and the compatible
//! servers (Ollama, llama.cpp, vLLM, LM Studio, …) speak it: the request body and
//! [`OpenAiStreamDecoder`] for the streamed chunks.
//!
//! The provider-neutral types are shaped like the Anthropic API, so the mapping is done here:
//! the system prompt becomes the first message, tool results become `tool` messages, and tool
//! calls get content-block indices (see [`OpenAiStreamDecoder`]).

mod stream;

pub use stream::OpenAiStreamDecoder;

use super::temperature_json;
use crate::wire::model::{ContentBlock, Message, ModelRequest, Role};
use serde_json::{json, Map, Value};

/// The JSON body for `POST {base}/chat/completions`; `stream` asks for a stream that ends with
/// a usage chunk.
///
/// ```
/// use parallel_playground::providers::ModelRequest;
/// use parallel_playground::wire::openai::request_body;
///
/// let request = ModelRequest::ask("gpt-4o-mini", Some("Be brief."), "Hi", 256);
/// let body = request_body(&request, true);
/// assert_eq!(body["messages"][0]["role"], "system");
/// assert_eq!(body["messages"][1]["content"], "Hi");
/// assert_eq!(body["stream_options"]["include_usage"], true);
/// ```
pub fn request_body(request: &ModelRequest, stream: bool) -> Value {
    let mut messages = Vec::new();
    if let Some(system) = request.system.as_deref().filter(|s| !s.trim().is_empty()) {
        messages.push(json!({ "role": "system", "content": system }));
    }
    for message in &request.messages {
        push_message_json(message, &mut messages);
    }
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("max_tokens".into(), json!(request.max_tokens));
    if !request.tools.is_empty() {
        let tools = request.tools.iter().map(|tool| {
            json!({
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.input_schema,
                },
            })
        });
        body.insert("tools".into(), Value::Array(tools.collect()));
    }
    if let Some(temperature) = request.temperature.and_then(temperature_json) {
        body.insert("temperature".into(), temperature);
    }
    if stream {
        body.insert("stream".into(), Value::Bool(true));
        body.insert("stream_options".into(), json!({ "include_usage": true }));
    }
    Value::Object(body)
}

/// Appends the Chat Completions messages for one neutral message: a user message becomes its
/// `tool` results (first, as they answer the previous assistant turn) and then its text; an
/// assistant message becomes one message with its text and `tool_calls`.
fn push_message_json(message: &Message, messages: &mut Vec<Value>) {
    let text = message.text();
    match message.role {
        Role::User => {
            let mut has_results = false;
            for block in &message.content {
                if let ContentBlock::ToolResult {
                    tool_use_id,
                    content,
                    is_error,
                } = block
                {
                    has_results = true;
                    // The format has no error flag: say it in the text the model reads.
                    let content = if *is_error {
                        format!("Error: {content}")
                    } else {
                        content.clone()
                    };
                    messages.push(json!({
                        "role": "tool",
                        "tool_call_id": tool_use_id,
                        "content": content,
                    }));
                }
            }
            if !has_results || !text.is_empty() {
                messages.push(json!({ "role": "user", "content": text }));
            }
        }
        Role::Assistant => {
            let calls: Vec<Value> = message
                .content
                .iter()
                .filter_map(|block| match block {
                    ContentBlock::ToolUse { id, name, input } => Some(json!({
                        "id": id,
                        "type": "function",
                        "function": { "name": name, "arguments": input.to_string() },
                    })),
                    _ => None,
                })
                .collect();
            let mut assistant = Map::new();
            assistant.insert("role".into(), json!("assistant"));
            if calls.is_empty() {
                assistant.insert("content".into(), json!(text));
            } else {
                let content = if text.is_empty() {
                    Value::Null
                } else {
                    json!(text)
                };
                assistant.insert("content".into(), content);
                assistant.insert("tool_calls".into(), Value::Array(calls));
            }
            messages.push(Value::Object(assistant));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::model::ToolSpec;

    #[test]
    fn tool_calls_and_results_become_assistant_and_tool_messages() {
        let mut request = ModelRequest::ask("gpt-4o", Some("Be exact."), "Weather?", 300);
        request.tools.push(ToolSpec {
            name: "weather".into(),
            description: "Current weather".into(),
            input_schema: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        });
        request.messages.push(Message {
            role: Role::Assistant,
            content: vec![
                ContentBlock::ToolUse {
                    id: "call_a".into(),
                    name: "weather".into(),
                    input: json!({"city": "Oslo"}),
                },
                ContentBlock::ToolUse {
                    id: "call_b".into(),
                    name: "weather".into(),
                    input: json!({"city": "Rome"}),
                },
            ],
        });
        request.messages.push(Message {
            role: Role::User,
            content: vec![
                ContentBlock::ToolResult {
                    tool_use_id: "call_a".into(),
                    content: "-2 °C".into(),
                    is_error: false,
                },
                ContentBlock::ToolResult {
                    tool_use_id: "call_b".into(),
                    content: "timeout".into(),
                    is_error: true,
                },
            ],
        });
        let body = request_body(&request, false);
        let messages = body["messages"].as_array().expect("messages");
        let roles: Vec<&str> = messages.iter().filter_map(|m| m["role"].as_str()).collect();
        assert_eq!(roles, ["system", "user", "assistant", "tool", "tool"]);
        assert_eq!(messages[2]["content"], Value::Null);
        let call = &messages[2]["tool_calls"][1];
        assert_eq!(call["type"], "function");
        assert_eq!(call["function"]["arguments"], r#"{"city":"Rome"}"#);
        assert_eq!(messages[3]["tool_call_id"], "call_a");
        assert_eq!(messages[4]["content"], "Error: timeout");
        assert_eq!(body["tools"][0]["function"]["parameters"]["type"], "object");
        assert_eq!(body["max_tokens"], 300);
        assert!(body.get("stream").is_none() && body.get("temperature").is_none());
    }
}
