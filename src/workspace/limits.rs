//! Every limit on a set-up, defined once.
//!
//! The loader ([`super::sanitize`]) refuses text beyond these limits and clamps numbers into
//! these ranges; the editor applies the very same limits as the person types ([`clip_text`],
//! [`NumberRange::fit`]) and says so in a sentence at the field. So whatever the page saves or
//! shares, it can read back unchanged.

/// Most questions a workspace may hold.
pub const MAX_QUESTIONS: usize = 1000;

/// Most agent prompts (conversations) a workspace may hold.
pub const MAX_AGENT_PROMPTS: usize = MAX_QUESTIONS;

/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 20_000;

/// Longest topic, in characters.
pub const MAX_TOPIC_CHARS: usize = MAX_QUESTION_CHARS;

/// Longest agent prompt, in characters.
pub const MAX_AGENT_PROMPT_CHARS: usize = MAX_QUESTION_CHARS;

/// Longest system or synthesis prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 100_000;

/// Longest timeout kept, in milliseconds (one day; browser timers misbehave past about 24.8 days).
pub const MAX_TIMEOUT_MS: f64 = 86_400_000.0;

/// Most retries kept per call.
pub const MAX_RETRIES: u32 = 10;

/// Most rounds of one run.
pub const MAX_ROUNDS: u32 = 100;

/// Largest `max_tokens` kept.
pub const MAX_MAX_TOKENS: u32 = 1_000_000;
/// Characters of a variant's model name.
pub const MAX_MODEL_CHARS: usize = 200;

/// Fastest simulation speed kept.
pub const MAX_SIMULATION_SPEED: f64 = 1000.0;

/// Longest simulated tool latency kept, in milliseconds.
pub const MAX_TOOL_LATENCY_MS: f64 = 60_000.0;

/// Most turns an agent conversation may be set to.
pub const MAX_AGENT_TURNS: usize = 50;

/// A closed range of numbers a setting may take, with its name for sentences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumberRange {
    /// How the setting is called in a sentence (“the timeout”).
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
}

/// Timeout per call, in ms (empty is no timeout).
pub const TIMEOUT_MS: NumberRange = NumberRange {
    name: "The timeout",
    min: 1.0,
    max: MAX_TIMEOUT_MS,
};
/// Concurrency limit (empty is unlimited).
pub const CONCURRENCY_LIMIT: NumberRange = NumberRange {
    name: "The concurrency limit",
    min: 1.0,
    max: MAX_QUESTIONS as f64,
};
/// Quorum: successes needed for the synthesis.
pub const QUORUM: NumberRange = NumberRange {
    name: "The quorum",
    min: 1.0,
    max: MAX_QUESTIONS as f64,
};
/// Retries per call.
pub const RETRIES: NumberRange = NumberRange {
    name: "Retries",
    min: 0.0,
    max: MAX_RETRIES as f64,
};
/// Rounds of a run (the run repeated, one round after the other).
pub const ROUNDS: NumberRange = NumberRange {
    name: "Rounds",
    min: 1.0,
    max: MAX_ROUNDS as f64,
};
/// `max_tokens` of every call.
pub const MAX_TOKENS: NumberRange = NumberRange {
    name: "Max tokens",
    min: 1.0,
    max: MAX_MAX_TOKENS as f64,
};
/// Sampling temperature (empty is the provider's default).
pub const TEMPERATURE: NumberRange = NumberRange {
    name: "The temperature",
    min: 0.0,
    max: 2.0,
};
/// Speed factor of the simulated model.
pub const SIMULATION_SPEED: NumberRange = NumberRange {
    name: "The speed",
    min: 0.1,
    max: MAX_SIMULATION_SPEED,
};
/// Chances (failures, slow outliers, rate limits) of the simulated model.
pub const RATE: NumberRange = NumberRange {
    name: "A rate",
    min: 0.0,
    max: 1.0,
};
/// Real milliseconds between simulated chunks.
pub const CHUNK_MS: NumberRange = NumberRange {
    name: "The chunk interval",
    min: 1.0,
    max: 10_000.0,
};
/// Simulated latency of a tool call, in ms.
pub const TOOL_LATENCY_MS: NumberRange = NumberRange {
    name: "The tool latency",
    min: 0.0,
    max: MAX_TOOL_LATENCY_MS,
};
/// Turns per agent conversation.
pub const AGENT_TURNS: NumberRange = NumberRange {
    name: "Max turns",
    min: 1.0,
    max: MAX_AGENT_TURNS as f64,
};

impl NumberRange {
    /// `value` brought into the range (NaN becomes the minimum), and a sentence for the person
    /// when it had to be changed.
    ///
    /// ```
    /// use parallel_playground::workspace::limits::RETRIES;
    ///
    /// assert_eq!(RETRIES.fit(3.0), (3.0, None));
    /// let (kept, sentence) = RETRIES.fit(40.0);
    /// assert_eq!(kept, 10.0);
    /// assert_eq!(sentence.as_deref(), Some("Retries can be at most 10; it was set to 10."));
    /// ```
    pub fn fit(&self, value: f64) -> (f64, Option<String>) {
        if value > self.max {
            (
                self.max,
                Some(format!(
                    "{} can be at most {}; it was set to {}.",
                    self.name,
                    show(self.max),
                    show(self.max)
                )),
            )
        } else if value >= self.min {
            (value, None)
        } else {
            (
                self.min,
                Some(format!(
                    "{} must be at least {}; it was set to {}.",
                    self.name,
                    show(self.min),
                    show(self.min)
                )),
            )
        }
    }

    /// The number typed into a field (`None` when it is not a finite number), fitted.
    pub fn fit_typed(&self, text: &str) -> Option<(f64, Option<String>)> {
        let value = text.trim().parse::<f64>().ok().filter(|v| v.is_finite())?;
        Some(self.fit(value))
    }

    /// As [`NumberRange::fit_typed`], for settings that are whole numbers (rounded first).
    pub fn fit_typed_whole(&self, text: &str) -> Option<(f64, Option<String>)> {
        let value = text.trim().parse::<f64>().ok().filter(|v| v.is_finite())?;
        Some(self.fit(value.round()))
    }

    /// Whether `value` lies in the range.
    pub fn contains(&self, value: f64) -> bool {
        value >= self.min && value <= self.max
    }

    /// The bound as the text of an `<input min max>` attribute.
    pub fn min_attr(&self) -> String {
        self.min.to_string()
    }

    /// See [`NumberRange::min_attr`].
    pub fn max_attr(&self) -> String {
        self.max.to_string()
    }
}

/// A number with thousands separators for sentences (`20,000`).
pub fn show(value: f64) -> String {
    if value.fract() != 0.0 || value.abs() >= 1e15 {
        return value.to_string();
    }
    let digits = format!("{}", value.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Text as typed into a field with a length limit: what is kept, and a sentence when it was cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clipped {
    pub text: String,
    /// Set when the text was longer than the limit.
    pub sentence: Option<String>,
}

/// Keeps the first `max_chars` characters of `text` for the field called `field` (“Question 2”),
/// with a sentence when something was cut.
///
/// ```
/// use parallel_playground::workspace::limits::clip_text;
///
/// assert_eq!(clip_text("Topic", "Rome", 10).text, "Rome");
/// let cut = clip_text("Question 1", &"x".repeat(25_000), 20_000);
/// assert_eq!(cut.text.len(), 20_000);
/// assert_eq!(
///     cut.sentence.as_deref(),
///     Some("Question 1 can hold at most 20,000 characters; the 25,000 given were cut to the first 20,000.")
/// );
/// ```
pub fn clip_text(field: &str, text: &str, max_chars: usize) -> Clipped {
    match text.char_indices().nth(max_chars) {
        None => Clipped {
            text: text.to_string(),
            sentence: None,
        },
        Some((cut, _)) => {
            let length = text.chars().count();
            Clipped {
                text: text[..cut].to_string(),
                sentence: Some(format!(
                    "{field} can hold at most {} characters; the {} given were cut to the first {}.",
                    show(max_chars as f64),
                    show(length as f64),
                    show(max_chars as f64)
                )),
            }
        }
    }
}

/// The sentence shown when a list is full (`"questions"`, [`MAX_QUESTIONS`]).
pub fn list_full(items: &str, max: usize) -> String {
    format!("A set-up can hold at most {} {items}.", show(max as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_sentences_have_thousands_separators() {
        assert_eq!(show(1_000_000.0), "1,000,000");
        assert_eq!(show(999.0), "999");
        assert_eq!(show(0.1), "0.1");
    }

    #[test]
    fn clipping_counts_characters_not_bytes() {
        let cut = clip_text("Topic", "ééé", 2);
        assert_eq!(cut.text, "éé");
        assert!(cut.sentence.is_some());
        assert_eq!(clip_text("Topic", "ééé", 3).sentence, None);
    }

    #[test]
    fn nan_fits_as_the_minimum_with_a_sentence() {
        let (value, sentence) = RATE.fit(f64::NAN);
        assert_eq!(value, 0.0);
        assert!(sentence.is_some());
    }
}
