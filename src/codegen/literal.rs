//! String literals for the generated programs: escaping per language, and splitting long text
//! into pieces that fit on a line.
//!
//! The text comes from the person (questions, prompts, model name), so every literal must
//! survive quotes, backslashes, newlines, `${`, `"""`, `{}` and any Unicode. Printable characters
//! are written as they are (a learner should read `Zürich`, not `Z\u00fcrich`); control
//! characters, line and paragraph separators, and invisible formatting characters (bidi
//! overrides, zero-width spaces, the BOM) are escaped so that the source shows exactly what the
//! string holds.

/// A Python string literal (`"…"`) holding exactly `text`.
pub fn python_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let code = u32::from(c);
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TypeScript string literal (`"…"`) holding exactly `text`; `${` needs no care outside
/// template literals.
pub fn typescript_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let code = u32::from(c);
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Rust string literal (`"…"`) holding exactly `text`.
pub fn rust_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    push_rust_escaped(&mut out, text);
    out.push('"');
    out
}

/// A Rust string literal holding `pieces` joined, one piece per line with `\` continuations;
/// `indent` is the indentation of the continuation lines.
pub fn rust_string_lines(pieces: &[&str], indent: &str) -> String {
    let mut out = String::from("\"");
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str("\\\n");
            out.push_str(indent);
            // A continuation swallows the whitespace that starts the next line, so a piece that
            // starts with whitespace must escape it to keep it.
            if let Some(first) = piece.chars().next().filter(|c| c.is_whitespace()) {
                push_rust_char_escape(&mut out, first);
                push_rust_escaped(&mut out, &piece[first.len_utf8()..]);
                continue;
            }
        }
        push_rust_escaped(&mut out, piece);
    }
    out.push('"');
    out
}

fn push_rust_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => push_rust_char_escape(out, c),
            c => out.push(c),
        }
    }
}

fn push_rust_char_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

/// Characters written as escapes: controls, line and paragraph separators, and invisible
/// formatting characters (which could make the source read differently from what it does, and
/// which rustc refuses in literals when they change the text direction).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Splits `text` into pieces of at most about `width` characters to write one per line: after
/// every newline, and between words (after the spaces) when a line is too long. A single word
/// longer than `width` stays whole. The pieces joined are exactly `text`.
pub fn split_lines(text: &str, width: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while rest.chars().count() > width {
            // The last place after a run of spaces, within the width.
            let mut cut = None;
            let mut previous = '\0';
            for (count, (at, c)) in rest.char_indices().enumerate() {
                if count > width {
                    break;
                }
                if previous == ' ' && c != ' ' {
                    cut = Some(at);
                }
                previous = c;
            }
            // A word longer than the width: cut after it instead.
            let cut = cut.filter(|&at| at > 0).or_else(|| {
                let word_end = rest.find(' ')?;
                let next = rest[word_end..].find(|c| c != ' ')?;
                Some(word_end + next)
            });
            let Some(at) = cut else {
                break;
            };
            pieces.push(&rest[..at]);
            rest = &rest[at..];
        }
        if !rest.is_empty() {
            pieces.push(rest);
        }
    }
    if pieces.is_empty() {
        pieces.push("");
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back a literal written by one of the functions above (only the escapes they
    /// write): the test's independent check that escaping loses nothing.
    pub(super) fn unescape(literal: &str, language: &str) -> String {
        let inner = literal
            .strip_prefix('"')
            .and_then(|l| l.strip_suffix('"'))
            .expect("quoted");
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            assert_ne!(c, '"', "unescaped quote in {literal:?}");
            assert!(!needs_escape(c) || c == '\n', "raw {c:?} in {literal:?}");
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next().expect("escape") {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '\n' if language == "rust" => {
                    while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                        chars.next();
                    }
                }
                'x' if language != "rust" => {
                    let hex: String = chars.by_ref().take(2).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                'u' if language == "rust" => {
                    assert_eq!(chars.next(), Some('{'));
                    let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                other => panic!("unexpected escape \\{other} in {literal:?}"),
            }
        }
        out
    }

    const NASTY: &[&str] = &[
        "",
        "plain",
        r#"He said "hi" and left"#,
        r"C:\new\table \\ \n \u{41} \x41",
        "line one\nline two\r\n\ttabbed",
        "${injected} `backtick` {} {0} {{}} %s #{x}",
        r#"triple """ quotes ''' and */ /* -->"#,
        "Zürich, 東京, emoji 🚀👨‍👩‍👧, combining e\u{301}",
        "bidi \u{202e}evil\u{202c} zero\u{200b}width \u{feff}bom \u{2028}sep\u{2029}",
        "nul \0 bell \u{7} del \u{7f} c1 \u{85} \u{9f}",
        "\\",
        "\"",
        "ends with backslash \\",
    ];

    #[test]
    fn python_literals_read_back_exactly() {
        for text in NASTY {
            assert_eq!(unescape(&python_string(text), "python"), *text);
        }
        assert_eq!(python_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(python_string("x\u{202e}y\0"), r#""x\u202ey\x00""#);
    }

    #[test]
    fn typescript_literals_read_back_exactly() {
        for text in NASTY {
            assert_eq!(unescape(&typescript_string(text), "ts"), *text);
        }
        assert_eq!(typescript_string("${x}"), r#""${x}""#);
        assert_eq!(typescript_string("a\u{2028}b"), r#""a\u2028b""#);
    }

    #[test]
    fn rust_literals_read_back_exactly() {
        for text in NASTY {
            assert_eq!(unescape(&rust_string(text), "rust"), *text);
        }
        assert_eq!(rust_string("{}\0"), r#""{}\u{0}""#);
        assert_eq!(rust_string("a\u{202e}"), r#""a\u{202e}""#);
    }

    #[test]
    fn printable_unicode_stays_readable() {
        let text = "Zürich 東京 🚀";
        assert_eq!(python_string(text), format!("\"{text}\""));
        assert_eq!(typescript_string(text), format!("\"{text}\""));
        assert_eq!(rust_string(text), format!("\"{text}\""));
    }

    #[test]
    fn rust_continuations_keep_the_whitespace_that_starts_a_piece() {
        let text = "first line\n  indented\n\tnext\n\u{a0}nbsp";
        let pieces = split_lines(text, 80);
        assert_eq!(pieces.len(), 4);
        let literal = rust_string_lines(&pieces, "    ");
        assert_eq!(unescape(&literal, "rust"), text);
        assert!(literal.contains("\\\n    \\u{20} indented"), "{literal}");
    }

    #[test]
    fn splits_long_lines_between_words_and_after_newlines() {
        let text = "one two three four five six\nseven";
        let pieces = split_lines(text, 10);
        assert_eq!(pieces.concat(), text);
        assert_eq!(
            pieces,
            ["one two ", "three ", "four five ", "six\n", "seven"]
        );
        assert!(pieces.iter().all(|p| p.chars().count() <= 10));
    }

    #[test]
    fn a_word_longer_than_the_width_stays_whole() {
        assert_eq!(split_lines("abcdefghijkl mn", 5), ["abcdefghijkl ", "mn"]);
        assert_eq!(split_lines("", 5), [""]);
        assert_eq!(split_lines("   ", 1), ["   "]);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = String> {
        // Mostly the characters that matter, plus anything at all.
        proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(vec![
                    '"', '\\', '\n', '\r', '\t', '$', '{', '}', '`', '\'', ' ', '\0', '\u{7f}',
                    '\u{85}', '\u{2028}', '\u{202e}', '\u{200b}', '\u{feff}', '\u{a0}', 'é', '東',
                    '🚀', 'a', 'x', 'u',
                ]),
                any::<char>(),
            ],
            0..40,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn pieces_always_join_back_to_the_text(text in any_text(), width in 1usize..30) {
            prop_assert_eq!(split_lines(&text, width).concat(), text);
        }

        #[test]
        fn literals_never_hold_a_raw_quote_newline_or_control(text in any_text()) {
            for literal in [python_string(&text), typescript_string(&text), rust_string(&text)] {
                let inner = &literal[1..literal.len() - 1];
                prop_assert!(!inner.chars().any(|c| c == '\n' || needs_escape(c)));
                // Every quote inside is preceded by an odd run of backslashes.
                let chars: Vec<char> = inner.chars().collect();
                for (i, c) in chars.iter().enumerate() {
                    if *c == '"' {
                        let slashes = chars[..i].iter().rev().take_while(|&&c| c == '\\').count();
                        prop_assert!(slashes % 2 == 1, "{}", literal);
                    }
                }
            }
        }

        #[test]
        fn literals_read_back_exactly(text in any_text(), width in 1usize..30) {
            prop_assert_eq!(super::tests::unescape(&python_string(&text), "python"), text.clone());
            prop_assert_eq!(super::tests::unescape(&typescript_string(&text), "ts"), text.clone());
            let pieces = split_lines(&text, width);
            prop_assert_eq!(
                super::tests::unescape(&rust_string_lines(&pieces, "        "), "rust"),
                text
            );
        }
    }
}
