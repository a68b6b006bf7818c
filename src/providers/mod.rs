//! The provider interface: one request in, one stream of events out.
//!
//! Every model the playground talks to — the simulated one, the Anthropic Messages API, an
//! OpenAI-compatible server — is a [`Provider`]. The engine and the agent loop only see
//! [`ModelRequest`], [`ProviderEvent`] and [`ProviderError`]; wire formats stay in [`crate::wire`].
//!
//! Cancellation is by drop: dropping the stream returned by [`Provider::stream`] aborts the
//! request (in the browser, the HTTP providers call `AbortController.abort()` on drop).

mod network_hint;
mod response;
pub mod scripted;
mod setup;
pub mod simulated;

#[cfg(target_arch = "wasm32")]
pub mod http;

pub use crate::wire::model::{
    ApiErrorKind, AssistantMessage, ContentBlock, Message, ModelRequest, ProviderError,
    ProviderEvent, Role, StopReason, ToolSpec, Usage,
};
pub use network_hint::{network_failure_message, not_an_event_stream_message, ApiFormat};
pub use response::ResponseAccumulator;
pub use setup::{check_http_setup, needs_key, SetupProblem};

use futures::stream::LocalBoxStream;

/// The stream a provider returns for one request.
pub type EventStream = LocalBoxStream<'static, Result<ProviderEvent, ProviderError>>;

/// Something that answers model requests: simulated, Anthropic, or OpenAI-compatible.
pub trait Provider {
    /// Starts the request; `attempt` is 0 for the first try and counts retries (the official
    /// SDKs send it as `x-stainless-retry-count`). The stream ends after [`ProviderEvent::Stop`]
    /// or the first error; dropping it aborts the request.
    fn stream(&self, request: &ModelRequest, attempt: u32) -> EventStream;
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
