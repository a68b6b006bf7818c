//! [`ScriptedProvider`]: answers follow an exact script (times, text, errors) per prompt.
//! Used by the engine's tests and benchmarks, where every millisecond must be known in advance.
//!
//! ```
//! use parallel_playground::providers::scripted::{ScriptedAttempt, ScriptedProvider};
//! use parallel_playground::engine::VirtualClock;
//! use std::rc::Rc;
//! let provider = ScriptedProvider::new(Rc::new(VirtualClock::new()))
//!     .script("Slow?", vec![ScriptedAttempt::answer(5000.0, "Five seconds.")]);
//! ```

use super::{
    words_with_spaces, EventStream, ModelRequest, Provider, ProviderError, ProviderEvent,
    StopReason, Usage,
};
use crate::base::Clock;
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use std::rc::Rc;

/// What one attempt of a scripted call does.
#[derive(Clone, Debug)]
pub enum ScriptedAttempt {
    /// Streams `text` word by word: the first word at `first_token_ms`, the last at `total_ms`.
    Answer {
        first_token_ms: f64,
        total_ms: f64,
        text: String,
        output_tokens: u32,
    },
    /// Fails with `error` after `after_ms`.
    Fail { after_ms: f64, error: ProviderError },
    /// Streams `text` from `first_token_ms` on, then never finishes.
    Stall { first_token_ms: f64, text: String },
}

impl ScriptedAttempt {
    /// An answer that takes `total_ms`, its first word right away.
    pub fn answer(total_ms: f64, text: &str) -> ScriptedAttempt {
        ScriptedAttempt::Answer {
            first_token_ms: 0.0,
            total_ms,
            text: text.to_string(),
            output_tokens: text.split_whitespace().count() as u32,
        }
    }

    /// A failure after `after_ms`.
    pub fn fail(after_ms: f64, error: ProviderError) -> ScriptedAttempt {
        ScriptedAttempt::Fail { after_ms, error }
    }
}

/// A provider that plays scripts, keyed by the prompt (the last user message).
pub struct ScriptedProvider {
    clock: Rc<dyn Clock>,
    scripts: HashMap<String, Vec<ScriptedAttempt>>,
    fallback: ScriptedAttempt,
}

impl ScriptedProvider {
    /// A provider whose unscripted prompts (such as the synthesis) answer instantly.
    pub fn new(clock: Rc<dyn Clock>) -> ScriptedProvider {
        ScriptedProvider {
            clock,
            scripts: HashMap::new(),
            fallback: ScriptedAttempt::answer(0.0, "Synthesis of the answers."),
        }
    }

    /// Scripts the attempts for `prompt`; the last attempt repeats for further retries.
    pub fn script(mut self, prompt: &str, attempts: Vec<ScriptedAttempt>) -> ScriptedProvider {
        self.scripts.insert(prompt.to_string(), attempts);
        self
    }

    /// What unscripted prompts do.
    pub fn fallback(mut self, attempt: ScriptedAttempt) -> ScriptedProvider {
        self.fallback = attempt;
        self
    }
}

type Item = Result<ProviderEvent, ProviderError>;

impl Provider for ScriptedProvider {
    fn stream(&self, request: &ModelRequest, attempt: u32) -> EventStream {
        let prompt = request.last_user_text();
        let step = self
            .scripts
            .get(&prompt)
            .and_then(|attempts| attempts.get((attempt as usize).min(attempts.len() - 1)))
            .unwrap_or(&self.fallback)
            .clone();
        let clock = self.clock.clone();
        let start = clock.now_ms();
        let input_tokens = (prompt.len() / 4).max(1) as u32;
        // Each timed step: (offset from start, events released then).
        let mut timed: Vec<(f64, Vec<Item>)> =
            vec![(0.0, vec![Ok(ProviderEvent::Opened { request_id: None })])];
        let mut stall = false;
        match step {
            ScriptedAttempt::Answer {
                first_token_ms,
                total_ms,
                text,
                output_tokens,
            } => {
                let words = words_with_spaces(&text);
                let gap = if words.len() > 1 {
                    (total_ms - first_token_ms) / (words.len() - 1) as f64
                } else {
                    0.0
                };
                for (i, word) in words.into_iter().enumerate() {
                    timed.push((
                        first_token_ms + gap * i as f64,
                        vec![Ok(ProviderEvent::TextDelta { text: word })],
                    ));
                }
                timed.push((
                    total_ms,
                    vec![
                        Ok(ProviderEvent::Usage {
                            usage: Usage::new(input_tokens, output_tokens),
                        }),
                        Ok(ProviderEvent::Stop {
                            reason: StopReason::EndTurn,
                        }),
                    ],
                ));
            }
            ScriptedAttempt::Fail { after_ms, error } => timed.push((after_ms, vec![Err(error)])),
            ScriptedAttempt::Stall {
                first_token_ms,
                text,
            } => {
                timed.push((first_token_ms, vec![Ok(ProviderEvent::TextDelta { text })]));
                stall = true;
            }
        }
        let timed = stream::iter(timed).then(move |(offset, items)| {
            let clock = clock.clone();
            async move {
                let wait = start + offset - clock.now_ms();
                if wait > 0.0 {
                    clock.sleep(wait).await;
                }
                stream::iter(items)
            }
        });
        let events = timed.flatten();
        if stall {
            Box::pin(events.chain(stream::pending()))
        } else {
            Box::pin(events)
        }
    }
}
