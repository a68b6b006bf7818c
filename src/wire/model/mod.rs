//! The provider-neutral model of a call: the request ([`ModelRequest`]), the streamed events that
//! come back ([`ProviderEvent`]), and why a call failed ([`ProviderError`]). The wire formats
//! translate between these and JSON; providers and the engine speak only these.

mod error;
mod event;
mod request;
mod synthesis;

pub use error::{ApiErrorKind, ProviderError};
pub use event::{AssistantMessage, ProviderEvent, StopReason, Usage};
pub use request::{ContentBlock, Message, ModelRequest, Role, ToolSpec};
pub use synthesis::{ANSWER_HEADING, MISSING_HEADING};
