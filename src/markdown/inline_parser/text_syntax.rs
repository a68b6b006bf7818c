//! The small recognisers inline parsing leans on: link destinations, titles and labels,
//! backslash escapes and entities, backtick runs, punctuation, autolink addresses. Pure
//! functions of a piece of text, none of them recursive.

use std::collections::BTreeMap;

/// The inside of `(…)` after `]`: destination, title and the length up to and with `)`.
pub(super) fn inline_link(inside: &str) -> Option<(String, String, usize)> {
    let rest = inside.trim_start();
    let (destination, rest) = match rest.starts_with(')') {
        true => (String::new(), rest),
        false => link_destination(rest)?,
    };
    let spaced = rest.trim_start();
    let (title, rest) = match link_title(spaced) {
        Some(title) if spaced.len() < rest.len() => title,
        _ => (String::new(), rest),
    };
    let rest = rest.trim_start().strip_prefix(')')?;
    Some((destination, title, inside.len() - rest.len()))
}

/// A link destination, `<…>` or up to white space (parentheses balanced), decoded.
pub(in crate::markdown) fn link_destination(text: &str) -> Option<(String, &str)> {
    if let Some(inside) = text.strip_prefix('<') {
        let end = inside.find(['<', '>', '\n'])?;
        let rest = inside[end..].strip_prefix('>')?;
        return Some((unescape(&inside[..end]), rest));
    }
    let bytes = text.as_bytes();
    let (mut depth, mut end) = (0usize, 0);
    while let Some(&b) = bytes.get(end) {
        match b {
            b'\\' if bytes.get(end + 1).is_some_and(u8::is_ascii_punctuation) => end += 1,
            b'(' if depth >= 32 => return None,
            b'(' => depth += 1,
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            0..=b' ' => break,
            _ => {}
        }
        end += 1;
    }
    (depth == 0 && end > 0).then(|| (unescape(&text[..end]), &text[end..]))
}

/// A link title in `"…"`, `'…'` or `(…)`, decoded, and the text after it.
pub(in crate::markdown) fn link_title(text: &str) -> Option<(String, &str)> {
    let close = match text.as_bytes().first()? {
        b'"' => b'"',
        b'\'' => b'\'',
        b'(' => b')',
        _ => return None,
    };
    let body = &text[1..];
    let bytes = body.as_bytes();
    let mut end = 0;
    while let Some(&b) = bytes.get(end) {
        if b == close {
            return Some((unescape(&body[..end]), &body[end + 1..]));
        }
        if b == b'(' && close == b')' {
            return None;
        }
        end += if b == b'\\' { 2 } else { 1 };
    }
    None
}

/// A reference label as definitions are looked up: case and inner white space ignored.
pub(in crate::markdown) fn normalize_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `text` with backslash escapes and entities replaced by the characters they stand for.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find(['\\', '&']) {
        out.push_str(&rest[..found]);
        rest = &rest[found..];
        let (c, length) = match rest.as_bytes() {
            [b'\\', b, ..] if b.is_ascii_punctuation() => (*b as char, 2),
            [b, ..] => decode_entity(rest).unwrap_or((*b as char, 1)),
            [] => break,
        };
        out.push(c);
        rest = &rest[length..];
    }
    out + rest
}

/// The character of an entity at the start of `text` (`&amp;`, `&#106;`, `&#x6A;` …) and
/// the entity's length.
pub(super) fn decode_entity(text: &str) -> Option<(char, usize)> {
    const NAMED: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&nbsp;", '\u{a0}'),
    ];
    if let Some((name, c)) = NAMED.iter().find(|(name, _)| text.starts_with(name)) {
        return Some((*c, name.len()));
    }
    let number = text.strip_prefix("&#")?;
    let (digits, radix, max) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 6),
        None => (number, 10, 7),
    };
    let length = digits
        .bytes()
        .take_while(|b| (*b as char).is_digit(radix))
        .count();
    if !(1..=max).contains(&length) || !digits[length..].starts_with(';') {
        return None;
    }
    let value = u32::from_str_radix(&digits[..length], radix).ok()?;
    let c = char::from_u32(value)
        .filter(|&c| c != '\0')
        .unwrap_or('\u{fffd}');
    Some((c, text.len() - digits.len() + length + 1))
}

/// Where the backtick runs of `src` start, by length.
pub(super) fn backtick_runs(src: &str) -> BTreeMap<usize, Vec<usize>> {
    let mut runs = BTreeMap::<usize, Vec<usize>>::new();
    let mut at = 0;
    while let Some(found) = src.get(at..).and_then(|rest| rest.find('`')) {
        let start = at + found;
        let length = run_length(src, start);
        runs.entry(length).or_default().push(start);
        at = start + length;
    }
    runs
}

/// How many times the byte at `at` repeats from there.
pub(super) fn run_length(src: &str, at: usize) -> usize {
    let bytes = src.as_bytes().get(at..).unwrap_or_default();
    let first = bytes.first();
    bytes.iter().take_while(|b| Some(*b) == first).count()
}

pub(super) fn repeat(byte: u8, count: usize) -> String {
    char::from(byte).to_string().repeat(count)
}

/// Punctuation or a symbol, as emphasis rules understand it.
pub(super) fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || !(c.is_ascii() || c.is_alphanumeric() || c.is_whitespace())
}

/// `scheme:anything`, the scheme 2 to 32 characters (RFC 3986 syntax).
pub(super) fn is_uri(address: &str) -> bool {
    address.split_once(':').is_some_and(|(scheme, _)| {
        (2..=32).contains(&scheme.len())
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
    })
}

pub(super) fn is_email(address: &str) -> bool {
    address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    })
}
