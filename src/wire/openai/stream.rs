//! [`OpenAiStreamDecoder`]: streamed Chat Completion chunks, tool-call fragments, the usage
//! chunk and `[DONE]` as provider events.

use crate::wire::model::{ProviderError, ProviderEvent, StopReason, Usage};
use crate::wire::sse::{SseDecoder, SseEvent};
use crate::wire::tool_input::ToolInputCheck;
use crate::wire::{errors::stream_error, handle_sse_events, Decoded, StreamDecoder};
use serde::Deserialize;
use serde_json::Value;

/// Decodes a streamed Chat Completion into [`ProviderEvent`]s.
///
/// Content-block indices, so that text and tool calls never share one: the text is block 0 and
/// the tool call OpenAI numbers `i` is block `i + 1`. Only choice 0 is read. The stream is
/// complete at `data: [DONE]`, or — for local servers that never send it — at the end of a
/// body that gave a `finish_reason`; anything else is [`ProviderError::StreamCut`].
#[derive(Debug, Default)]
pub struct OpenAiStreamDecoder {
    sse: SseDecoder,
    usage: Usage,
    finish_reason: Option<StopReason>,
    tool_calls: Vec<ToolCallProgress>,
    tool_inputs: ToolInputCheck,
    ended: bool,
}

/// What is known of one tool call while its fragments arrive.
#[derive(Debug)]
struct ToolCallProgress {
    openai_index: usize,
    id: Option<String>,
    name: Option<String>,
    started: bool,
    /// Argument fragments that came before the name, held until the call can start.
    held_arguments: String,
}

impl OpenAiStreamDecoder {
    /// A decoder for one response.
    pub fn new() -> OpenAiStreamDecoder {
        OpenAiStreamDecoder::default()
    }

    fn handle(&mut self, event: &SseEvent, out: &mut Decoded) -> Result<(), ProviderError> {
        let data = event.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        if data == "[DONE]" {
            self.tool_inputs.check_all()?;
            let reason = self.finish_reason.take().unwrap_or(StopReason::EndTurn);
            out.push(Ok(ProviderEvent::Stop { reason }));
            return Ok(());
        }
        let value: Value = serde_json::from_str(data).map_err(|e| ProviderError::Decode {
            message: format!("a chunk of the stream is not valid JSON ({e})"),
        })?;
        if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
            return Err(stream_error(error));
        }
        let chunk: Chunk = serde_json::from_value(value).map_err(|e| ProviderError::Decode {
            message: format!("a chunk of the stream has an unexpected shape ({e})"),
        })?;
        let first_choice = chunk
            .choices
            .unwrap_or_default()
            .into_iter()
            .find(|choice| choice.index.unwrap_or(0) == 0);
        if let Some(choice) = first_choice {
            if let Some(delta) = choice.delta {
                for text in [delta.content, delta.refusal].into_iter().flatten() {
                    if !text.is_empty() {
                        out.push(Ok(ProviderEvent::TextDelta { text }));
                    }
                }
                for fragment in delta.tool_calls.unwrap_or_default() {
                    self.take_tool_call_fragment(fragment, out);
                }
            }
            if let Some(reason) = choice.finish_reason.filter(|r| !r.is_empty()) {
                self.finish_reason = Some(StopReason::from_wire(&reason));
            }
        }
        if let Some(usage) = chunk.usage {
            // `prompt_tokens` include the cached ones; Usage counts them apart.
            let cached = usage
                .prompt_tokens_details
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0);
            self.usage.merge(Usage {
                input_tokens: usage.prompt_tokens.unwrap_or(0).saturating_sub(cached),
                output_tokens: usage.completion_tokens.unwrap_or(0),
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: cached,
            });
            out.push(Ok(ProviderEvent::Usage { usage: self.usage }));
        }
        Ok(())
    }

    /// Folds one `tool_calls` fragment in: the call starts once its name is known, and its
    /// argument fragments follow as they come.
    fn take_tool_call_fragment(&mut self, fragment: ToolCallFragment, out: &mut Decoded) {
        let id = fragment.id.filter(|id| !id.is_empty());
        let openai_index = match fragment.index {
            Some(index) => index,
            // Without an index (some compatible servers), a new id is a new call and anything
            // else continues the latest call.
            None => match (&id, self.tool_calls.last()) {
                (Some(id), Some(last)) if last.id.as_ref() == Some(id) => last.openai_index,
                (None, Some(last)) => last.openai_index,
                _ => self
                    .tool_calls
                    .iter()
                    .map(|c| c.openai_index.saturating_add(1))
                    .max()
                    .unwrap_or(0),
            },
        };
        let slot = match self
            .tool_calls
            .iter()
            .position(|c| c.openai_index == openai_index)
        {
            Some(slot) => slot,
            None => {
                self.tool_calls.push(ToolCallProgress {
                    openai_index,
                    id: None,
                    name: None,
                    started: false,
                    held_arguments: String::new(),
                });
                self.tool_calls.len() - 1
            }
        };
        let Some(call) = self.tool_calls.get_mut(slot) else {
            return;
        };
        let block_index = openai_index.saturating_add(1);
        call.id = call.id.take().or(id);
        let (name, arguments) = fragment
            .function
            .map(|f| (f.name, f.arguments))
            .unwrap_or_default();
        call.name = call.name.take().or(name.filter(|n| !n.is_empty()));
        call.held_arguments
            .push_str(arguments.as_deref().unwrap_or_default());
        if let (false, Some(name)) = (call.started, &call.name) {
            call.started = true;
            self.tool_inputs.start(block_index, name);
            out.push(Ok(ProviderEvent::ToolUseStart {
                index: block_index,
                id: call
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("call_{openai_index}")),
                name: name.clone(),
            }));
        }
        if call.started && !call.held_arguments.is_empty() {
            let partial_json = std::mem::take(&mut call.held_arguments);
            self.tool_inputs.push(block_index, &partial_json);
            out.push(Ok(ProviderEvent::ToolInputDelta {
                index: block_index,
                partial_json,
            }));
        }
    }
}

impl StreamDecoder for OpenAiStreamDecoder {
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
        match self.finish_reason.take() {
            Some(reason) => match self.tool_inputs.check_all() {
                Ok(()) => vec![Ok(ProviderEvent::Stop { reason })],
                Err(error) => vec![Err(error)],
            },
            None => {
                let message = if leftover.is_empty() {
                    "the body ended without a finish_reason or [DONE]"
                } else {
                    "the body ended in the middle of a chunk"
                };
                vec![Err(ProviderError::StreamCut {
                    message: message.into(),
                })]
            }
        }
    }
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallFragment>>,
}

#[derive(Deserialize)]
struct ToolCallFragment {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionFragment>,
}

#[derive(Deserialize)]
struct FunctionFragment {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: Option<u32>,
    #[serde(default)]
    completion_tokens: Option<u32>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptTokensDetails>,
}

/// `usage.prompt_tokens_details`: how many prompt tokens came from the automatic prompt cache.
#[derive(Deserialize)]
struct PromptTokensDetails {
    #[serde(default)]
    cached_tokens: Option<u32>,
}
