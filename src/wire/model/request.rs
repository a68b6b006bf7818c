//! The provider-neutral request: a conversation, a system prompt, tools and sampling settings.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One block of message content, shaped like the Anthropic Messages API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        content: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
}

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentBlock>,
}

impl Message {
    /// A user message with plain text.
    pub fn user(text: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: vec![ContentBlock::Text { text: text.into() }],
        }
    }

    /// All text blocks joined: the readable part of the message.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A tool the model may call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
}

/// Everything a provider needs to answer one call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelRequest {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub messages: Vec<Message>,
    pub max_tokens: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
    /// The system prompt is a prefix shared by many calls: the Anthropic request marks it with
    /// `cache_control: {"type": "ephemeral"}` (a 5-minute prompt-cache entry). OpenAI caches
    /// long prefixes on its own, without a marker.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cache_system: bool,
}

impl ModelRequest {
    /// A single-question request: the shape of every research and synthesis call.
    pub fn ask(model: &str, system: Option<&str>, prompt: &str, max_tokens: u32) -> ModelRequest {
        ModelRequest {
            model: model.to_string(),
            system: system.filter(|s| !s.trim().is_empty()).map(str::to_string),
            messages: vec![Message::user(prompt)],
            max_tokens,
            temperature: None,
            tools: Vec::new(),
            cache_system: false,
        }
    }

    /// The text of the last user message (what the model is asked now).
    pub fn last_user_text(&self) -> String {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map(Message::text)
            .unwrap_or_default()
    }
}
