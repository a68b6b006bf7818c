//! Wire formats: the Anthropic Messages API, OpenAI Chat Completions, and SSE decoding.
//!
//! Pure and panic-free: bytes from the network go in, [`ProviderEvent`]s or typed
//! [`ProviderError`]s come out. The browser providers in `crate::providers::http` only move
//! bytes; everything about the formats lives here and is tested natively.
//!
//! - [`sse`]: the incremental Server-Sent-Events parser both streaming APIs use.
//! - [`anthropic`] and [`openai`]: request bodies, response parsing and a [`StreamDecoder`] each.
//! - [`error_from_response`]: error statuses, error bodies and retry headers.

pub mod anthropic;
mod errors;
pub mod model;
pub mod openai;
pub mod sse;
mod tool_input;

pub use errors::{error_from_response, ErrorHeaders};

use model::{ProviderError, ProviderEvent};
use serde_json::Value;
use sse::{SseError, SseEvent};

/// Turns a streamed response body into provider events, chunk by chunk, whatever the chunk
/// boundaries (mid-line, mid-UTF-8 character).
pub trait StreamDecoder {
    /// Feeds the next bytes of the body; returns the events they complete, in order.
    fn feed(&mut self, chunk: &[u8]) -> Vec<Result<ProviderEvent, ProviderError>>;
    /// The body has ended; returns what is left. A body that ends before the response is
    /// complete yields [`ProviderError::StreamCut`].
    fn finish(&mut self) -> Vec<Result<ProviderEvent, ProviderError>>;
}

/// Decodes a body that is already in memory, fed in the given pieces and then finished: what a
/// provider gets from a body that arrives in those chunks.
///
/// ```
/// use parallel_playground::providers::{ProviderEvent, StopReason};
/// use parallel_playground::wire::{decode_body, openai::OpenAiStreamDecoder};
///
/// let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n";
/// let (head, tail) = body.as_bytes().split_at(20);
/// let events = decode_body(&mut OpenAiStreamDecoder::new(), [head, tail]);
/// assert_eq!(events.len(), 2);
/// assert_eq!(events[1], Ok(ProviderEvent::Stop { reason: StopReason::EndTurn }));
/// ```
pub fn decode_body<D, I>(decoder: &mut D, chunks: I) -> Vec<Result<ProviderEvent, ProviderError>>
where
    D: StreamDecoder + ?Sized,
    I: IntoIterator,
    I::Item: AsRef<[u8]>,
{
    let mut events = Vec::new();
    for chunk in chunks {
        events.extend(decoder.feed(chunk.as_ref()));
    }
    events.extend(decoder.finish());
    events
}

/// What decoding produces: events in order, the last one possibly an error.
type Decoded = Vec<Result<ProviderEvent, ProviderError>>;

/// Runs SSE events through `handle` until the provider's stream ends (a stop event or the first
/// error); returns the provider events and whether the stream ended.
fn handle_sse_events<F>(events: Vec<Result<SseEvent, SseError>>, mut handle: F) -> (Decoded, bool)
where
    F: FnMut(&SseEvent, &mut Decoded) -> Result<(), ProviderError>,
{
    let mut out = Vec::new();
    for item in events {
        let from = out.len();
        let handled = item
            .map_err(unreadable_stream)
            .and_then(|event| handle(&event, &mut out));
        if let Err(error) = handled {
            out.push(Err(error));
        }
        let ends_stream = |item: &Result<ProviderEvent, ProviderError>| {
            matches!(item, Err(_) | Ok(ProviderEvent::Stop { .. }))
        };
        if let Some(offset) = out[from..].iter().position(ends_stream) {
            out.truncate(from + offset + 1);
            return (out, true);
        }
    }
    (out, false)
}

/// A temperature as JSON, printed as the person typed it (`0.7`, not `0.699999988`); `None` for
/// NaN or infinity, which JSON cannot carry.
fn temperature_json(temperature: f32) -> Option<Value> {
    let shortest: f64 = temperature.to_string().parse().ok()?;
    serde_json::Number::from_f64(shortest).map(Value::Number)
}

/// The error for a body the SSE parser gave up on.
fn unreadable_stream(error: SseError) -> ProviderError {
    ProviderError::Decode {
        message: error.to_string(),
    }
}
