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
    // Cut by position, one allocation a word: growing each word a character at a time (and
    // decoding its last character again for every next one) took 25 ms for a thousand answers.
    let mut words = Vec::new();
    let mut start = 0;
    let mut after_space = false;
    for (at, c) in text.char_indices() {
        let space = c.is_whitespace();
        if !space && after_space {
            words.push(text[start..at].to_string());
            start = at;
        }
        after_space = space;
    }
    if start < text.len() {
        words.push(text[start..].to_string());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::words_with_spaces;

    #[test]
    fn words_keep_their_trailing_whitespace_and_join_back_into_the_text() {
        assert_eq!(
            words_with_spaces("Hello  wide\n\nwörld – ok "),
            ["Hello  ", "wide\n\n", "wörld ", "– ", "ok "]
        );
        assert_eq!(words_with_spaces("  lead"), ["  ", "lead"]);
        assert!(words_with_spaces("").is_empty());
        let text = "- **Point** one.\n\tTwo 語 three";
        assert_eq!(words_with_spaces(text).concat(), text);
    }
}
