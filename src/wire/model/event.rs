//! What comes back from a model: streamed events, token usage, why it stopped.

use super::ContentBlock;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One step of a streamed model response, the same for every provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProviderEvent {
    /// The response began (HTTP headers arrived, or the simulated model accepted the request).
    Opened { request_id: Option<String> },
    /// A piece of answer text.
    TextDelta { text: String },
    /// The model began a tool call; `index` is its position among the response's content blocks.
    ToolUseStart {
        index: usize,
        id: String,
        name: String,
    },
    /// A fragment of the JSON input of the tool call at `index`.
    ToolInputDelta { index: usize, partial_json: String },
    /// Token usage so far (cumulative, as both APIs report it).
    Usage { usage: Usage },
    /// The response is complete.
    Stop { reason: StopReason },
    /// The rate-limit headers of the response, when the page could read any.
    RateLimit { info: crate::wire::RateLimitInfo },
}

/// Token counts of one response, as the Anthropic API reports them: `input_tokens` are the
/// input tokens that were neither written to nor read from the prompt cache; a cached prefix is
/// counted in `cache_creation_input_tokens` (written, at a surcharge) or
/// `cache_read_input_tokens` (read, at a discount). OpenAI's `prompt_tokens` include the cached
/// ones, so its decoder subtracts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u32,
    pub output_tokens: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_creation_input_tokens: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_read_input_tokens: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Usage {
    /// Plain input and output tokens, nothing cached.
    pub fn new(input_tokens: u32, output_tokens: u32) -> Usage {
        Usage {
            input_tokens,
            output_tokens,
            ..Usage::default()
        }
    }

    /// Keeps the larger of each count: usage reports are cumulative, some omit a field.
    pub fn merge(&mut self, other: Usage) {
        self.input_tokens = self.input_tokens.max(other.input_tokens);
        self.output_tokens = self.output_tokens.max(other.output_tokens);
        self.cache_creation_input_tokens = self
            .cache_creation_input_tokens
            .max(other.cache_creation_input_tokens);
        self.cache_read_input_tokens = self
            .cache_read_input_tokens
            .max(other.cache_read_input_tokens);
    }

    /// Every input token of the request: plain, written to the cache and read from it.
    pub fn total_input_tokens(&self) -> u32 {
        self.input_tokens
            .saturating_add(self.cache_creation_input_tokens)
            .saturating_add(self.cache_read_input_tokens)
    }
}

impl std::ops::Add for Usage {
    type Output = Usage;
    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens + other.input_tokens,
            output_tokens: self.output_tokens + other.output_tokens,
            cache_creation_input_tokens: self.cache_creation_input_tokens
                + other.cache_creation_input_tokens,
            cache_read_input_tokens: self.cache_read_input_tokens + other.cache_read_input_tokens,
        }
    }
}

/// Why the model stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    MaxTokens,
    ToolUse,
    StopSequence,
    Other(String),
}

impl StopReason {
    /// Maps the Anthropic `stop_reason` and the OpenAI `finish_reason` strings.
    pub fn from_wire(value: &str) -> StopReason {
        match value {
            "end_turn" | "stop" => StopReason::EndTurn,
            "max_tokens" | "length" => StopReason::MaxTokens,
            "tool_use" | "tool_calls" | "function_call" => StopReason::ToolUse,
            "stop_sequence" => StopReason::StopSequence,
            other => StopReason::Other(other.to_string()),
        }
    }
}

/// A complete model response: its content blocks in order, why it stopped, and its usage.
#[derive(Clone, Debug, PartialEq)]
pub struct AssistantMessage {
    pub content: Vec<ContentBlock>,
    pub stop_reason: StopReason,
    pub usage: Usage,
}

impl AssistantMessage {
    /// All text of the response.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The tool calls of the response, in the order the model wrote them.
    pub fn tool_uses(&self) -> Vec<(&str, &str, &Value)> {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::ToolUse { id, name, input } => {
                    Some((id.as_str(), name.as_str(), input))
                }
                _ => None,
            })
            .collect()
    }
}
