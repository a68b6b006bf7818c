//! Voting's reading of an answer: its final result (the last number, the last line, or what
//! follows a marker the person gives), and the majority over the samples.
//!
//! Simple extractors only — no regular expressions, so no pattern a person types can make the
//! page spin: each one is a single pass over the text.

use serde::{Deserialize, Serialize};

/// How the final result of an answer is read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Extraction {
    /// The last number in the answer (`1,234.5` → `1234.5`).
    #[default]
    Number,
    /// The last line that is not empty.
    LastLine,
    /// What follows the last occurrence of `marker`, to the end of its line (`Answer:`).
    After { marker: String },
}

impl Extraction {
    /// The value of the extraction menu.
    pub fn as_str(&self) -> &'static str {
        match self {
            Extraction::Number => "number",
            Extraction::LastLine => "last-line",
            Extraction::After { .. } => "after",
        }
    }

    /// The marker of [`Extraction::After`] (empty otherwise).
    pub fn marker(&self) -> &str {
        match self {
            Extraction::After { marker } => marker,
            _ => "",
        }
    }

    /// From the menu's value and the marker field.
    pub fn from_parts(kind: &str, marker: &str) -> Extraction {
        match kind {
            "last-line" => Extraction::LastLine,
            "after" => Extraction::After {
                marker: marker.to_string(),
            },
            _ => Extraction::Number,
        }
    }
}

/// The longest result kept (a runaway last line is cut).
const MAX_RESULT_CHARS: usize = 200;

/// The final result of `text`, or `None` when there is none.
pub fn extract(text: &str, how: &Extraction) -> Option<String> {
    let raw = match how {
        Extraction::Number => last_number(text),
        Extraction::LastLine => text
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string),
        Extraction::After { marker } => {
            let marker = marker.trim();
            if marker.is_empty() {
                return None;
            }
            let at = text.rfind(marker)?;
            let rest = &text[at + marker.len()..];
            let line = rest.lines().next().unwrap_or("").trim();
            (!line.is_empty()).then(|| line.to_string())
        }
    }?;
    let normalized = normalize(&raw);
    (!normalized.is_empty()).then_some(normalized)
}

/// The last number of `text`: digits with an optional sign, decimal point and thousands commas.
fn last_number(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut end = chars.len();
    // Walk back to the last digit, then to the start of its number.
    while end > 0 && !chars[end - 1].is_ascii_digit() {
        end -= 1;
    }
    if end == 0 {
        return None;
    }
    let mut start = end;
    while start > 0 {
        let c = chars[start - 1];
        let digit_before = start >= 2 && chars[start - 2].is_ascii_digit();
        if c.is_ascii_digit() || ((c == '.' || c == ',') && digit_before) {
            start -= 1;
        } else {
            break;
        }
    }
    if start > 0 && chars[start - 1] == '-' {
        start -= 1;
    }
    let number: String = chars[start..end].iter().filter(|c| **c != ',').collect();
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() => Some(crate::providers::simulated::format_number(value)),
        _ => Some(number),
    }
}

/// A result as it is compared: trimmed, lower case, without surrounding punctuation or
/// markdown emphasis, whitespace collapsed, at most [`MAX_RESULT_CHARS`] characters.
pub fn normalize(result: &str) -> String {
    let trimmed = result.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '!' | '*' | '_' | '`' | '"')
    });
    trimmed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .chars()
        .take(MAX_RESULT_CHARS)
        .collect()
}

/// The votes: each result with its count (most first; ties in the order first seen), the
/// winner, and the agreement (the winner's share of the answers that gave a result).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    pub counts: Vec<(String, usize)>,
    /// Samples that answered with a readable result.
    pub voted: usize,
    /// Samples that answered with no readable result, or did not answer.
    pub abstained: usize,
}

impl Tally {
    /// The majority (plurality) result.
    pub fn winner(&self) -> Option<&str> {
        self.counts.first().map(|(r, _)| r.as_str())
    }

    /// The winner's share of the votes, 0–1 (0 with no votes).
    pub fn agreement(&self) -> f64 {
        match self.counts.first() {
            Some((_, n)) if self.voted > 0 => *n as f64 / self.voted as f64,
            _ => 0.0,
        }
    }
}

/// Counts the results of `answers` (`None` for a sample that did not answer).
pub fn tally<'a>(answers: impl IntoIterator<Item = Option<&'a str>>, how: &Extraction) -> Tally {
    let mut tally = Tally::default();
    for answer in answers {
        match answer.and_then(|text| extract(text, how)) {
            Some(result) => {
                tally.voted += 1;
                match tally.counts.iter_mut().find(|(r, _)| *r == result) {
                    Some((_, n)) => *n += 1,
                    None => tally.counts.push((result, 1)),
                }
            }
            None => tally.abstained += 1,
        }
    }
    // A stable sort keeps ties in the order they were first seen.
    tally.counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_last_number_with_sign_decimals_and_thousands() {
        let n = Extraction::Number;
        assert_eq!(
            extract("It is 12, no: **-1,234.50**.", &n).as_deref(),
            Some("-1234.5")
        );
        assert_eq!(extract("Answer: 42", &n).as_deref(), Some("42"));
        assert_eq!(extract("no digits here", &n), None);
        assert_eq!(extract("version 3.", &n).as_deref(), Some("3"));
    }

    #[test]
    fn reads_the_last_line_and_the_text_after_a_marker() {
        let text = "Thinking…\nAnswer: Paris.\n\n";
        assert_eq!(
            extract(text, &Extraction::LastLine).as_deref(),
            Some("answer: paris")
        );
        let after = Extraction::After {
            marker: "Answer:".into(),
        };
        assert_eq!(extract(text, &after).as_deref(), Some("paris"));
        let missing = Extraction::After {
            marker: "Result:".into(),
        };
        assert_eq!(extract(text, &missing), None);
        assert_eq!(
            extract(text, &Extraction::After { marker: " ".into() }),
            None
        );
    }

    #[test]
    fn the_majority_wins_with_its_share_of_the_votes() {
        let answers = ["= 7", "so 8", "7", "it is 7.", "none"];
        let t = tally(
            answers.iter().map(|a| Some(*a)).chain([None]),
            &Extraction::Number,
        );
        assert_eq!(t.winner(), Some("7"));
        assert_eq!(t.counts, vec![("7".into(), 3), ("8".into(), 1)]);
        assert_eq!((t.voted, t.abstained), (4, 2));
        assert!((t.agreement() - 0.75).abs() < 1e-9);
    }

    #[test]
    fn a_tie_goes_to_the_result_seen_first() {
        let t = tally(["1", "2", "2", "1"].map(Some), &Extraction::Number);
        assert_eq!(t.winner(), Some("1"));
        assert!((t.agreement() - 0.5).abs() < 1e-9);
    }
}
