//! [`AnthropicStreamDecoder`]: the Messages API event stream (`message_start`,
//! `content_block_*`, `message_delta`, `message_stop`, `ping`, `error`) as provider events.

use super::WireUsage;
use crate::wire::model::{ProviderError, ProviderEvent, StopReason, Usage};
use crate::wire::sse::{SseDecoder, SseEvent};
use crate::wire::tool_input::ToolInputCheck;
use crate::wire::{errors::stream_error, handle_sse_events, Decoded, StreamDecoder};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// Decodes the Messages API event stream into [`ProviderEvent`]s.
///
/// `message_start` and `message_delta` give [`ProviderEvent::Usage`] (cumulative, the input
/// count kept from `message_start`), content blocks give text and tool-call events with the
/// API's block index, `message_stop` gives [`ProviderEvent::Stop`] and ends the stream, as does
/// the first error. A body that ends before `message_stop` is [`ProviderError::StreamCut`].
#[derive(Debug, Default)]
pub struct AnthropicStreamDecoder {
    sse: SseDecoder,
    usage: Usage,
    stop_reason: Option<StopReason>,
    tool_inputs: ToolInputCheck,
    ended: bool,
}

impl AnthropicStreamDecoder {
    /// A decoder for one response.
    pub fn new() -> AnthropicStreamDecoder {
        AnthropicStreamDecoder::default()
    }

    /// Handles one SSE event, pushing the provider events it means onto `out`.
    fn handle(&mut self, event: &SseEvent, out: &mut Decoded) -> Result<(), ProviderError> {
        if event.data.trim().is_empty() {
            return Ok(());
        }
        let value: Value =
            serde_json::from_str(&event.data).map_err(|e| ProviderError::Decode {
                message: format!("the `{}` event is not valid JSON ({e})", event.event),
            })?;
        let kind = match value.get("type").and_then(Value::as_str) {
            Some(kind) => kind.to_string(),
            None => event.event.clone(),
        };
        match kind.as_str() {
            "message_start" => {
                let start: MessageStart = shaped(value, &kind)?;
                self.report_usage(start.message.usage, out);
            }
            "content_block_start" => {
                let start: BlockStart = shaped(value, &kind)?;
                match start.content_block {
                    StartedBlock::Text { text } if !text.is_empty() => {
                        out.push(Ok(ProviderEvent::TextDelta { text }));
                    }
                    StartedBlock::ToolUse { id, name, input } => {
                        self.tool_inputs.start(start.index, &name);
                        out.push(Ok(ProviderEvent::ToolUseStart {
                            index: start.index,
                            id,
                            name,
                        }));
                        // Streaming sends `{}` here and the input as deltas; pass on anything
                        // else so that it is not lost.
                        if input.as_object().is_some_and(|o| !o.is_empty()) {
                            let partial_json = input.to_string();
                            self.tool_inputs.push(start.index, &partial_json);
                            out.push(Ok(ProviderEvent::ToolInputDelta {
                                index: start.index,
                                partial_json,
                            }));
                        }
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                let delta: BlockDelta = shaped(value, &kind)?;
                match delta.delta {
                    DeltaBody::TextDelta { text } if !text.is_empty() => {
                        out.push(Ok(ProviderEvent::TextDelta { text }));
                    }
                    DeltaBody::InputJsonDelta { partial_json } if !partial_json.is_empty() => {
                        self.tool_inputs.push(delta.index, &partial_json);
                        out.push(Ok(ProviderEvent::ToolInputDelta {
                            index: delta.index,
                            partial_json,
                        }));
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                let delta: MessageDelta = shaped(value, &kind)?;
                if let Some(reason) = delta.delta.and_then(|d| d.stop_reason) {
                    self.stop_reason = Some(StopReason::from_wire(&reason));
                }
                if let Some(usage) = delta.usage {
                    self.report_usage(usage, out);
                }
            }
            "content_block_stop" => {
                if let Some(index) = value.get("index").and_then(Value::as_u64) {
                    self.tool_inputs.check(index as usize)?;
                }
            }
            "message_stop" => {
                self.tool_inputs.check_all()?;
                let reason = self.stop_reason.take().unwrap_or(StopReason::EndTurn);
                out.push(Ok(ProviderEvent::Stop { reason }));
            }
            "error" => {
                let error = value.get("error").cloned().unwrap_or(Value::Null);
                return Err(stream_error(&error));
            }
            // `ping`, and event types added after this was written.
            _ => {}
        }
        Ok(())
    }

    fn report_usage(&mut self, wire: WireUsage, out: &mut Decoded) {
        self.usage.merge(wire.into());
        out.push(Ok(ProviderEvent::Usage { usage: self.usage }));
    }
}

impl StreamDecoder for AnthropicStreamDecoder {
    fn feed(&mut self, chunk: &[u8]) -> Decoded {
        if self.ended {
            return Vec::new();
        }
        let events = self.sse.feed(chunk);
        let (out, ended) = handle_sse_events(events, |event, out| self.handle(event, out));
        self.ended = ended;
        out
    }

    fn finish(&mut self) -> Decoded {
        let leftover = self.sse.finish();
        if std::mem::replace(&mut self.ended, true) {
            return Vec::new();
        }
        let message = if leftover.is_empty() {
            "the body ended without a message_stop event"
        } else {
            "the body ended in the middle of an event"
        };
        vec![Err(ProviderError::StreamCut {
            message: message.into(),
        })]
    }
}

/// Reads an event whose JSON is valid into its expected shape.
fn shaped<T: DeserializeOwned>(value: Value, kind: &str) -> Result<T, ProviderError> {
    serde_json::from_value(value).map_err(|e| ProviderError::Decode {
        message: format!("the `{kind}` event has an unexpected shape ({e})"),
    })
}

#[derive(Deserialize)]
struct MessageStart {
    message: StartedMessage,
}

#[derive(Deserialize)]
struct StartedMessage {
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Deserialize)]
struct BlockStart {
    index: usize,
    content_block: StartedBlock,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StartedBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
struct BlockDelta {
    index: usize,
    delta: DeltaBody,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum DeltaBody {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    /// `thinking_delta`, `signature_delta`, `citations_delta`, …
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
struct MessageDelta {
    #[serde(default)]
    delta: Option<MessageDeltaBody>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct MessageDeltaBody {
    #[serde(default)]
    stop_reason: Option<String>,
}
