//! The provider interface: one request in, one stream of events out.
//!
//! Every model the playground talks to — the simulated one, the Anthropic Messages API, an
//! OpenAI-compatible server — is a [`Provider`]. The engine and the agent loop only see
//! [`ModelRequest`], [`ProviderEvent`] and [`ProviderError`]; wire formats stay in [`crate::wire`].
//!
//! Cancellation is by drop: dropping the stream returned by [`Provider::stream`] aborts the
//! request (in the browser, the HTTP providers call `AbortController.abort()` on drop).

mod error;
mod network_hint;
mod request;
mod response;
pub mod scripted;
pub mod simulated;

#[cfg(target_arch = "wasm32")]
pub mod http;

pub use error::{seconds_text, ApiErrorKind, ProviderError};
pub use network_hint::{network_failure_message, ApiFormat};
pub use request::{ContentBlock, Message, ModelRequest, Role, ToolSpec};
pub use response::{AssistantMessage, ResponseAccumulator};

use futures::stream::LocalBoxStream;
use serde::{Deserialize, Serialize};

/// The stream a provider returns for one request.
pub type EventStream = LocalBoxStream<'static, Result<ProviderEvent, ProviderError>>;

/// Something that answers model requests: simulated, Anthropic, or OpenAI-compatible.
pub trait Provider {
    /// Starts the request; `attempt` is 0 for the first try and counts retries (the official
    /// SDKs send it as `x-stainless-retry-count`). The stream ends after [`ProviderEvent::Stop`]
    /// or the first error; dropping it aborts the request.
    fn stream(&self, request: &ModelRequest, attempt: u32) -> EventStream;
}

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

/// Token counts of one response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u32,
    pub output_tokens: u32,
}

impl Usage {
    /// Keeps the larger of each count: usage reports are cumulative, some omit a field.
    pub fn merge(&mut self, other: Usage) {
        self.input_tokens = self.input_tokens.max(other.input_tokens);
        self.output_tokens = self.output_tokens.max(other.output_tokens);
    }
}

impl std::ops::Add for Usage {
    type Output = Usage;
    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens + other.input_tokens,
            output_tokens: self.output_tokens + other.output_tokens,
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

/// Splits text into words that keep their trailing whitespace, so that joining them gives the
/// text back: the unit in which simulated and scripted answers stream.
pub fn words_with_spaces(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if !c.is_whitespace() && current.ends_with(char::is_whitespace) {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Gives way once: completes on its second poll. Providers await it before their first real
/// work, so that every call of a batch started in one tick is stamped before any of them runs.
#[derive(Default)]
pub struct YieldNow(bool);

impl std::future::Future for YieldNow {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
