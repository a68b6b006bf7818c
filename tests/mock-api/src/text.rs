//! What the mock model says: deterministic answer text cut into streamable pieces, token
//! estimates, and tool inputs made up from a JSON schema.
//!
//! A *piece* is one streamed unit (a word with its leading whitespace, or a fragment of tool-input
//! JSON) and counts as one output token, so the usage the mock reports equals what it sent.

use serde_json::Value;

/// Words appended after the "Mock answer about …:" opening until the answer has `tokens` words.
const FILLER: &[&str] = &[
    "independent",
    "calls",
    "can",
    "run",
    "at",
    "the",
    "same",
    "time",
    "so",
    "the",
    "total",
    "wait",
    "is",
    "close",
    "to",
    "the",
    "slowest",
    "single",
    "answer",
    "rather",
    "than",
    "the",
    "sum",
    "of",
    "every",
    "answer",
    "in",
    "turn",
];

/// How many words of the question the generated answer repeats.
const QUESTION_WORDS: usize = 6;

/// The generated answer to `question`, `tokens` pieces long:
/// `Mock answer about <first words of the question>: <filler>.`
///
/// ```
/// let pieces = mock_api::text::answer_pieces("What is Rust?", 8);
/// assert_eq!(pieces.len(), 8);
/// assert!(pieces.concat().starts_with("Mock answer about What is Rust: "));
/// assert_eq!(mock_api::text::answer_pieces("What is Rust?", 6).concat(), "Mock answer about What is Rust.");
/// ```
pub fn answer_pieces(question: &str, tokens: usize) -> Vec<String> {
    let mut words: Vec<String> = vec!["Mock".into(), "answer".into()];
    let topic: Vec<String> = question
        .split_whitespace()
        .take(QUESTION_WORDS)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    if topic.is_empty() {
        words[1].push(':');
    } else {
        words.push("about".into());
        words.extend(topic);
        if let Some(last) = words.last_mut() {
            last.push(':');
        }
    }
    // Start the filler at a question-dependent place so different questions read differently.
    let offset = (fnv1a(question.as_bytes()) % FILLER.len() as u64) as usize;
    let mut filler = FILLER.iter().cycle().skip(offset);
    while words.len() < tokens {
        words.push(filler.next().copied().unwrap_or("more").to_string());
    }
    words.truncate(tokens);
    if let Some(last) = words.last_mut() {
        let trimmed = last.trim_end_matches(':').to_string();
        *last = format!("{trimmed}.");
    }
    words
        .into_iter()
        .enumerate()
        .map(|(i, w)| if i == 0 { w } else { format!(" {w}") })
        .collect()
}

/// `text` cut into pieces that concatenate back to exactly `text` (whitespace included), one per
/// word. Used by `echo=1`, so payloads come back byte for byte.
pub fn echo_pieces(text: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() && in_word {
            pieces.push(std::mem::take(&mut current));
            in_word = false;
        }
        if !c.is_whitespace() {
            in_word = true;
        }
        current.push(c);
    }
    if !current.is_empty() {
        match pieces.last_mut() {
            Some(last) if !in_word => last.push_str(&current),
            _ => pieces.push(current),
        }
    }
    pieces
}

/// The text of an answer to tool results: `The tool returned: <results joined with ", ">`.
pub fn tool_result_answer(results: &[String]) -> String {
    format!("The tool returned: {}", results.join(", "))
}

/// Input tokens the mock reports for a prompt of `chars` characters: one per four, rounded up,
/// at least one.
pub fn estimate_input_tokens(chars: usize) -> u64 {
    (chars.div_ceil(4)).max(1) as u64
}

/// A tool input that satisfies the schema's properties, as compact JSON with the properties in
/// schema order: numbers and integers count up from 2, arrays of numbers are `[2, 3]`, strings
/// are `"example"` (or the first `enum` value), booleans `true`, objects are filled recursively.
///
/// ```
/// use serde_json::json;
/// let props = vec![("a".to_string(), json!({"type": "number"})), ("b".to_string(), json!({"type": "integer"}))];
/// assert_eq!(mock_api::text::tool_input_json(&props), r#"{"a":2,"b":3}"#);
/// ```
pub fn tool_input_json(properties: &[(String, Value)]) -> String {
    let mut next_number = 2;
    object_json(
        properties.iter().map(|(k, v)| (k.as_str(), v)),
        &mut next_number,
    )
}

fn object_json<'a>(
    properties: impl Iterator<Item = (&'a str, &'a Value)>,
    next_number: &mut i64,
) -> String {
    let fields: Vec<String> = properties
        .map(|(name, schema)| {
            let key = Value::String(name.to_string()).to_string();
            format!("{key}:{}", value_json(schema, next_number))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn value_json(schema: &Value, next_number: &mut i64) -> String {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        return first.to_string();
    }
    let kind = match schema.get("type") {
        Some(Value::String(s)) => s.as_str(),
        // `"type": ["number", "null"]` and the like: take the first non-null type.
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("null"),
        _ => "null",
    };
    match kind {
        "number" | "integer" => {
            let n = *next_number;
            *next_number += 1;
            n.to_string()
        }
        "string" => "\"example\"".to_string(),
        "boolean" => "true".to_string(),
        "array" => {
            let item_kind = schema
                .get("items")
                .and_then(|i| i.get("type"))
                .and_then(Value::as_str);
            match item_kind {
                Some("number") | Some("integer") => "[2,3]".to_string(),
                Some("string") => "[\"example\"]".to_string(),
                Some("boolean") => "[true]".to_string(),
                _ => "[]".to_string(),
            }
        }
        "object" => match schema.get("properties").and_then(Value::as_object) {
            Some(props) => object_json(props.iter().map(|(k, v)| (k.as_str(), v)), next_number),
            None => "{}".to_string(),
        },
        _ => "null".to_string(),
    }
}

/// `json` cut into two or three fragments (fewer only when it is shorter), at character
/// boundaries, the way the real APIs stream tool arguments.
pub fn json_fragments(json: &str) -> Vec<String> {
    let chars: Vec<char> = json.chars().collect();
    let parts = chars.len().clamp(1, 3);
    let size = chars.len().div_ceil(parts).max(1);
    chars
        .chunks(size)
        .map(|c| c.iter().collect::<String>())
        .collect()
}

/// FNV-1a, 64 bit: a hash that is the same on every run and every Rust version, for the
/// deterministic choices (chaos, filler offset, attempt counters, ids).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answer_has_exactly_the_requested_number_of_pieces() {
        for tokens in [0, 1, 3, 7, 30, 100] {
            assert_eq!(answer_pieces("Why is the sky blue?", tokens).len(), tokens);
        }
    }

    #[test]
    fn answer_mentions_the_question_and_ends_with_a_full_stop() {
        let text = answer_pieces("Why is the sky blue?", 30).concat();
        assert!(
            text.starts_with("Mock answer about Why is the sky blue: "),
            "{text}"
        );
        assert!(text.ends_with('.'));
        assert_eq!(text.split(' ').count(), 30);
    }

    #[test]
    fn answer_is_deterministic_and_differs_between_questions() {
        assert_eq!(answer_pieces("alpha", 20), answer_pieces("alpha", 20));
        assert_ne!(
            answer_pieces("alpha", 20)[3..],
            answer_pieces("beta gamma", 20)[4..]
        );
    }

    #[test]
    fn answer_without_question_still_reads() {
        assert_eq!(
            answer_pieces("", 3).concat(),
            format!("Mock answer: {}.", FILLER[(fnv1a(b"") % 28) as usize])
        );
    }

    #[test]
    fn echo_pieces_rebuild_the_text_exactly() {
        for text in [
            "",
            "one",
            "  lead and trail  ",
            "<img src=x onerror=alert(1)>\n\n```js\nalert(2)\n```\n",
        ] {
            let pieces = echo_pieces(text);
            assert_eq!(pieces.concat(), text);
            assert_eq!(pieces.len(), text.split_whitespace().count());
        }
    }

    #[test]
    fn tool_input_follows_schema_order_and_types() {
        let props = vec![
            ("b".to_string(), json!({"type": "number"})),
            ("a".to_string(), json!({"type": "integer"})),
            (
                "xs".to_string(),
                json!({"type": "array", "items": {"type": "number"}}),
            ),
            ("label".to_string(), json!({"type": "string"})),
            (
                "unit".to_string(),
                json!({"type": "string", "enum": ["celsius", "kelvin"]}),
            ),
            ("flag".to_string(), json!({"type": "boolean"})),
        ];
        let json = tool_input_json(&props);
        assert_eq!(
            json,
            r#"{"b":2,"a":3,"xs":[2,3],"label":"example","unit":"celsius","flag":true}"#
        );
        assert!(serde_json::from_str::<Value>(&json).is_ok());
    }

    #[test]
    fn json_fragments_rejoin_and_number_two_or_three() {
        let json = r#"{"a":2,"b":3}"#;
        let parts = json_fragments(json);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), json);
        assert_eq!(json_fragments("{}"), vec!["{", "}"]);
    }

    #[test]
    fn input_tokens_round_up() {
        assert_eq!(estimate_input_tokens(0), 1);
        assert_eq!(estimate_input_tokens(4), 1);
        assert_eq!(estimate_input_tokens(5), 2);
    }
}
