//! What a single line is, read on its own: indentation, block quote and list markers,
//! headings, fences, thematic breaks, table cells, link reference definitions. Pure functions
//! of one line; the block parser decides what they mean in context.

use super::super::inline_parser;
use super::MAX_LANGUAGE_CHARS;

/// Width of the leading spaces and tabs, a tab counting four columns.
pub(super) fn indentation(line: &str) -> usize {
    line.bytes()
        .map_while(|b| match b {
            b' ' => Some(1),
            b'\t' => Some(4),
            _ => None,
        })
        .sum()
}

pub(super) fn trim_indent(line: &str) -> &str {
    line.trim_start_matches([' ', '\t'])
}

/// `line` without up to `columns` columns of leading spaces and tabs.
pub(super) fn strip_columns(line: &str, columns: usize) -> &str {
    let mut width = 0;
    for (index, c) in line.char_indices() {
        if width >= columns {
            return &line[index..];
        }
        width += match c {
            ' ' => 1,
            '\t' => 4,
            _ => return &line[index..],
        };
    }
    ""
}

pub(super) fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Whether `line` starts a block that ends a paragraph.
pub(super) fn starts_block(line: &str) -> bool {
    let trimmed = trim_indent(line);
    indentation(line) < 4
        && (trimmed.starts_with('>')
            || atx_heading(trimmed).is_some()
            || fence_start(trimmed).is_some()
            || is_thematic_break(trimmed)
            || list_item(line).is_some_and(|item| item.can_interrupt))
}

/// The line after a block quote marker (`>` and one optional space).
pub(super) fn quote_marker(line: &str) -> Option<&str> {
    if indentation(line) >= 4 {
        return None;
    }
    let rest = trim_indent(line).strip_prefix('>')?;
    Some(rest.strip_prefix([' ', '\t']).unwrap_or(rest))
}

/// The start of a list item: `- `, `* `, `+ `, `1. ` or `1) `.
pub(super) struct ListItem<'l> {
    pub(super) marker: u8,
    pub(super) start: Option<u64>,
    /// The column the item's content starts at.
    pub(super) indent: usize,
    pub(super) content: &'l str,
    /// Whether it may end a paragraph (an empty item, or a number but 1, may not).
    pub(super) can_interrupt: bool,
}

pub(super) fn list_item(line: &str) -> Option<ListItem<'_>> {
    let indent = indentation(line);
    let trimmed = trim_indent(line);
    if indent >= 4 || is_thematic_break(trimmed) {
        return None;
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    let (marker, start) = match trimmed.as_bytes().get(digits) {
        Some(&b @ (b'-' | b'*' | b'+')) if digits == 0 => (b, None),
        Some(&b @ (b'.' | b')')) if (1..=9).contains(&digits) => {
            (b, Some(trimmed[..digits].parse().unwrap_or(1)))
        }
        _ => return None,
    };
    let after = &trimmed[digits + 1..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let spaces = indentation(after);
    let (content, gap) = match spaces {
        _ if is_blank(after) => ("", 1),
        5.. => (&after[1..], 1),
        _ => (trim_indent(after), spaces),
    };
    Some(ListItem {
        marker,
        start,
        indent: indent + digits + 1 + gap,
        content,
        can_interrupt: !content.is_empty() && start.is_none_or(|start| start == 1),
    })
}

/// `# Title` → (1, "Title"); an optional closing run of `#` is dropped.
pub(super) fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[level..];
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let content = rest.trim();
    let unclosed = content.trim_end_matches('#');
    let content = match unclosed {
        "" => "",
        _ if unclosed.ends_with([' ', '\t']) => unclosed.trim_end(),
        _ => content,
    };
    Some((level as u8, content))
}

/// A `===` or `---` line under a paragraph: heading level 1 or 2.
pub(super) fn setext_level(line: &str) -> Option<u8> {
    let marker = trim_indent(line).trim_end();
    if indentation(line) >= 4 || marker.is_empty() {
        return None;
    }
    [(b'=', 1), (b'-', 2)]
        .into_iter()
        .find(|(byte, _)| marker.bytes().all(|b| b == *byte))
        .map(|(_, level)| level)
}

/// An opening code fence: its character, its length and its info string.
pub(super) fn fence_start(line: &str) -> Option<(u8, usize, &str)> {
    let byte = *line
        .as_bytes()
        .first()
        .filter(|b| matches!(b, b'`' | b'~'))?;
    let length = line.bytes().take_while(|&b| b == byte).count();
    let info = line[length..].trim();
    (length >= 3 && !(byte == b'`' && info.contains('`'))).then_some((byte, length, info))
}

pub(super) fn is_closing_fence(line: &str, byte: u8, length: usize) -> bool {
    let fence = line.trim();
    indentation(line) < 4 && fence.len() >= length && fence.bytes().all(|b| b == byte)
}

/// `---`, `***` or `___`, spaces allowed between.
pub(super) fn is_thematic_break(line: &str) -> bool {
    let Some(marker) = line
        .bytes()
        .next()
        .filter(|b| matches!(b, b'-' | b'*' | b'_'))
    else {
        return false;
    };
    line.bytes().all(|b| b == marker || b == b' ' || b == b'\t')
        && line.bytes().filter(|&b| b == marker).count() >= 3
}

/// The cells of a table row: split at `|` (not at `\|`), outer pipes dropped.
pub(super) fn split_cells(row: &str) -> Vec<&str> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let mut cells = Vec::new();
    let (mut start, mut index) = (0, 0);
    let bytes = row.as_bytes();
    while let Some(&b) = bytes.get(index) {
        match b {
            b'\\' => index += 1,
            b'|' => {
                cells.push(&row[start..index]);
                start = index + 1;
            }
            _ => {}
        }
        index += 1;
    }
    let last = row.get(start..).unwrap_or("");
    if !last.trim().is_empty() {
        cells.push(last);
    }
    cells
}

/// `[label]: destination "title"` on one line.
pub(super) fn link_definition(line: &str) -> Option<(String, (String, String))> {
    let rest = line.strip_prefix('[')?;
    let (label, rest) = rest.split_once("]:")?;
    if label.contains(['[', ']']) || label.trim().is_empty() || label.len() > 999 {
        return None;
    }
    let (destination, rest) = inline_parser::link_destination(rest.trim_start())?;
    let spaced = rest.trim_start();
    let (title, rest) = match inline_parser::link_title(spaced) {
        Some(title) if spaced.len() < rest.len() => title,
        _ => (String::new(), rest),
    };
    let valid = is_blank(rest) && !destination.is_empty();
    valid.then(|| (inline_parser::normalize_label(label), (destination, title)))
}

/// The language named by a code fence's info string, if it looks like one.
pub(super) fn code_language(info: &str) -> Option<String> {
    let word = info.split_whitespace().next()?;
    let plausible = word.len() <= MAX_LANGUAGE_CHARS
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.' | '#'));
    plausible.then(|| word.to_string())
}
