//! Folding a stream of [`ProviderEvent`]s into the complete assistant message.

use super::{AssistantMessage, ContentBlock, ProviderError, ProviderEvent, StopReason, Usage};
use serde_json::Value;

/// One content block while it streams in.
#[derive(Debug)]
enum PendingBlock {
    Text(String),
    ToolUse {
        index: usize,
        id: String,
        name: String,
        json: String,
    },
}

/// Collects streamed events into an [`AssistantMessage`]; keeps the text seen so far, so a
/// cut or cancelled call still has its partial answer.
#[derive(Debug, Default)]
pub struct ResponseAccumulator {
    blocks: Vec<PendingBlock>,
    usage: Usage,
    stop: Option<StopReason>,
}

impl ResponseAccumulator {
    /// Takes one event in.
    pub fn push(&mut self, event: &ProviderEvent) {
        match event {
            ProviderEvent::Opened { .. } | ProviderEvent::RateLimit { .. } => {}
            ProviderEvent::TextDelta { text } => match self.blocks.last_mut() {
                Some(PendingBlock::Text(existing)) => existing.push_str(text),
                _ => self.blocks.push(PendingBlock::Text(text.clone())),
            },
            ProviderEvent::ToolUseStart { index, id, name } => {
                self.blocks.push(PendingBlock::ToolUse {
                    index: *index,
                    id: id.clone(),
                    name: name.clone(),
                    json: String::new(),
                })
            }
            ProviderEvent::ToolInputDelta {
                index,
                partial_json,
            } => {
                let target = self.blocks.iter_mut().rev().find_map(|block| match block {
                    PendingBlock::ToolUse { index: i, json, .. } if i == index => Some(json),
                    _ => None,
                });
                if let Some(json) = target {
                    json.push_str(partial_json);
                }
            }
            ProviderEvent::Usage { usage } => self.usage.merge(*usage),
            ProviderEvent::Stop { reason } => self.stop = Some(reason.clone()),
        }
    }

    /// The text streamed so far.
    pub fn text(&self) -> String {
        self.blocks
            .iter()
            .filter_map(|block| match block {
                PendingBlock::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The usage reported so far.
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Whether the stream reached its end.
    pub fn is_complete(&self) -> bool {
        self.stop.is_some()
    }

    /// The finished message; an error if the stream stopped early or a tool input is not JSON.
    pub fn finish(self) -> Result<AssistantMessage, ProviderError> {
        let stop_reason = self.stop.ok_or_else(|| ProviderError::StreamCut {
            message: "no end-of-message event".into(),
        })?;
        let mut content = Vec::with_capacity(self.blocks.len());
        for block in self.blocks {
            match block {
                PendingBlock::Text(text) => content.push(ContentBlock::Text { text }),
                PendingBlock::ToolUse { id, name, json, .. } => {
                    let input = if json.trim().is_empty() {
                        Value::Object(Default::default())
                    } else {
                        serde_json::from_str(&json).map_err(|e| ProviderError::Decode {
                            message: format!("the input of tool call {name} is not JSON ({e})"),
                        })?
                    };
                    content.push(ContentBlock::ToolUse { id, name, input });
                }
            }
        }
        Ok(AssistantMessage {
            content,
            stop_reason,
            usage: self.usage,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_text_and_tool_input_fragments_in_order() {
        let mut acc = ResponseAccumulator::default();
        for event in [
            ProviderEvent::TextDelta {
                text: "Let me ".into(),
            },
            ProviderEvent::TextDelta {
                text: "add.".into(),
            },
            ProviderEvent::ToolUseStart {
                index: 1,
                id: "t1".into(),
                name: "sum_numbers".into(),
            },
            ProviderEvent::ToolInputDelta {
                index: 1,
                partial_json: "{\"numbers\": [2,".into(),
            },
            ProviderEvent::ToolInputDelta {
                index: 1,
                partial_json: " 3]}".into(),
            },
            ProviderEvent::Usage {
                usage: Usage::new(10, 7),
            },
            ProviderEvent::Stop {
                reason: StopReason::ToolUse,
            },
        ] {
            acc.push(&event);
        }
        let message = acc.finish().expect("complete");
        assert_eq!(message.text(), "Let me add.");
        let uses = message.tool_uses();
        assert_eq!(uses.len(), 1);
        assert_eq!(uses[0].1, "sum_numbers");
        assert_eq!(uses[0].2["numbers"][1], 3);
        assert_eq!(message.usage.output_tokens, 7);
    }

    #[test]
    fn a_stream_without_stop_is_cut_but_keeps_its_text() {
        let mut acc = ResponseAccumulator::default();
        acc.push(&ProviderEvent::TextDelta {
            text: "partial".into(),
        });
        assert_eq!(acc.text(), "partial");
        assert!(matches!(acc.finish(), Err(ProviderError::StreamCut { .. })));
    }
}
