//! Inline Markdown: emphasis, strikethrough, code spans, links, images, autolinks, hard
//! breaks, backslash escapes and a few entities, read left to right in one pass.
//!
//! A possible opener (`*`, `_`, `~~`, `[`, `![`) opens a frame in the [`TreeBuilder`] and
//! waits on a stack of at most [`MAX_OPENERS`]; a closer resolves the nearest matching opener,
//! and openers never resolved close as their literal text. Bounding the stack keeps every
//! search short, so any input (a hundred thousand `*` or `[`) parses in linear time, and
//! nothing recurses.
//!
//! Simplified on purpose, and safe either way: a single `~` is text, raw HTML is text, bare
//! URLs are not linked, and only `&amp; &lt; &gt; &quot; &nbsp;` and numeric entities are
//! decoded. Link targets are decoded before [`safe_link_target`] sees
//! them, so `&#106;avascript:` is refused like `javascript:`.

use super::block_parser::Definitions;
use super::{safe_link_target, to_plain_text, tree_builder::TreeBuilder, MdTag, MAX_NESTING_DEPTH};
use std::collections::BTreeMap;

mod text_syntax;

use text_syntax::{
    backtick_runs, decode_entity, inline_link, is_email, is_punctuation, is_uri, repeat, run_length,
};
pub(super) use text_syntax::{link_destination, link_title, normalize_label};

/// Openers waiting at once; more become text.
const MAX_OPENERS: usize = MAX_NESTING_DEPTH;

/// Image addresses longer than this are not shown (a long `data:` image is noise, not help).
const MAX_SHOWN_IMAGE_ADDRESS: usize = 2048;

/// Characters that may start inline syntax.
const SPECIAL: [char; 11] = ['\\', '`', '*', '_', '~', '[', '!', ']', '<', '&', '\n'];

#[derive(Clone, Copy)]
enum Opener {
    /// A run of `count` `*`, `_` or `~` that may open emphasis; `both` when it may close
    /// too, `wide` when its frame has room for two elements (`***` → emphasis and strong).
    Delimiter {
        byte: u8,
        count: usize,
        both: bool,
        wide: bool,
    },
    /// `[` or `![`; its text starts at `text_start`. No longer `live` once it failed to
    /// become a link, or a link formed inside it.
    Bracket {
        image: bool,
        live: bool,
        text_start: usize,
    },
}

/// Parses `src` into `out`, resolving reference links with `definitions`.
pub(super) fn parse(src: &str, out: &mut TreeBuilder, definitions: &Definitions) {
    let mut parser = InlineParser {
        src,
        out,
        definitions,
        openers: Vec::new(),
        pending: 0,
        code_runs: None,
    };
    let mut at = 0;
    while let Some(found) = src.get(at..).and_then(|rest| rest.find(SPECIAL)) {
        at = parser.special(at + found);
    }
    parser.flush(src.len());
    while !parser.openers.is_empty() {
        parser.close_literal();
    }
}

struct InlineParser<'s, 'o> {
    src: &'s str,
    out: &'o mut TreeBuilder,
    definitions: &'o Definitions,
    openers: Vec<Opener>,
    /// Where the text not yet given to `out` starts.
    pending: usize,
    /// Where the text's backtick runs start, by length; found when first needed.
    code_runs: Option<BTreeMap<usize, Vec<usize>>>,
}

impl InlineParser<'_, '_> {
    /// Handles the special character at `at`; returns where to go on from.
    fn special(&mut self, at: usize) -> usize {
        let bytes = self.src.as_bytes();
        let handled = match bytes.get(at) {
            Some(b'\\') => self.escape(at),
            Some(b'`') => Some(self.code_span(at)),
            Some(&byte @ (b'*' | b'_' | b'~')) => Some(self.delimiter_run(at, byte)),
            Some(b'[') => Some(self.open_bracket(at, false)),
            Some(b'!') if bytes.get(at + 1) == Some(&b'[') => Some(self.open_bracket(at, true)),
            Some(b']') => Some(self.close_bracket(at)),
            Some(b'<') => self.autolink(at),
            Some(b'&') => decode_entity(&self.src[at..])
                .map(|(c, length)| self.emit(at, at + length, c.encode_utf8(&mut [0; 4]))),
            Some(b'\n') => Some(self.line_end(at)),
            _ => None,
        };
        handled.unwrap_or(at + 1)
    }

    /// Gives the text up to `at` to `out`.
    fn flush(&mut self, at: usize) {
        if let Some(text) = self.src.get(self.pending..at) {
            self.out.text(text);
        }
        self.pending = at;
    }

    /// Replaces the source from `at` to `end` with `text`.
    fn emit(&mut self, at: usize, end: usize, text: &str) -> usize {
        self.flush(at);
        self.out.text(text);
        self.pending = end;
        end
    }

    fn escape(&mut self, at: usize) -> Option<usize> {
        match self.src.as_bytes().get(at + 1) {
            Some(b'\n') => {
                self.flush(at);
                self.out.leaf(MdTag::LineBreak, "\n");
                self.pending = at + 2;
                Some(at + 2)
            }
            Some(b) if b.is_ascii_punctuation() => {
                Some(self.emit(at, at + 2, &self.src[at + 1..at + 2]))
            }
            _ => None,
        }
    }

    /// A line end: a hard break after two spaces, else kept as a newline.
    fn line_end(&mut self, at: usize) -> usize {
        let line = self.src.get(self.pending..at).unwrap_or("");
        let trimmed = line.trim_end_matches(' ');
        self.out.text(trimmed);
        if line.len() - trimmed.len() >= 2 {
            self.out.leaf(MdTag::LineBreak, "\n");
        } else {
            self.out.text("\n");
        }
        self.pending = at + 1;
        at + 1
    }

    /// A code span closes at the next backtick run of the same length; otherwise the run is text.
    fn code_span(&mut self, at: usize) -> usize {
        let src = self.src;
        let after = at + run_length(src, at);
        let length = after - at;
        let runs = self.code_runs.get_or_insert_with(|| backtick_runs(src));
        let closing = runs.get(&length).and_then(|starts| {
            let next = starts.partition_point(|&start| start < after);
            starts.get(next).copied()
        });
        let Some(start) = closing else {
            return after;
        };
        let content = src[after..start].replace('\n', " ");
        let stripped = content.len() > 2
            && content.starts_with(' ')
            && content.ends_with(' ')
            && content.bytes().any(|b| b != b' ');
        let content = if stripped {
            &content[1..content.len() - 1]
        } else {
            &content
        };
        self.flush(at);
        self.out.leaf(MdTag::Code, content);
        self.pending = start + length;
        self.pending
    }

    /// A run of `*`, `_` or `~~`: closes what it can, then opens with what is left.
    fn delimiter_run(&mut self, at: usize, byte: u8) -> usize {
        let src = self.src;
        let end = at + run_length(src, at);
        let count = end - at;
        if byte == b'~' && count != 2 {
            return end;
        }
        let before = src[..at].chars().next_back().unwrap_or(' ');
        let after = src[end..].chars().next().unwrap_or(' ');
        let left = !after.is_whitespace()
            && (!is_punctuation(after) || before.is_whitespace() || is_punctuation(before));
        let right = !before.is_whitespace()
            && (!is_punctuation(before) || after.is_whitespace() || is_punctuation(after));
        let (can_open, can_close) = match byte {
            // `snake_case` stays text: `_` needs punctuation or space on its outer side.
            b'_' => (
                left && (!right || is_punctuation(before)),
                right && (!left || is_punctuation(after)),
            ),
            _ => (left, right),
        };
        self.flush(at);
        let mut left_over = count;
        let both = can_open && can_close;
        while can_close && left_over > 0 {
            let Some(index) = self.delimiter_opener(byte, count, both) else {
                break;
            };
            let Some(&Opener::Delimiter {
                count: opened,
                both: opener_both,
                wide,
                ..
            }) = self.openers.get(index)
            else {
                break;
            };
            let used = match byte {
                b'~' => 2,
                _ => left_over.min(opened).min(3),
            };
            let tags: &[MdTag] = match (byte, used) {
                (b'~', _) => &[MdTag::Strikethrough],
                (_, 1) => &[MdTag::Emphasis],
                (_, 2) => &[MdTag::Strong],
                _ => &[MdTag::Emphasis, MdTag::Strong],
            };
            self.close_above(index);
            self.openers.pop();
            if wide && used < 3 && opened > used {
                // `***a** b*`: the opener's other star wraps what just closed.
                self.out.close("", tags);
                self.out.wrap_last();
                self.openers.push(Opener::Delimiter {
                    byte,
                    count: opened - used,
                    both: opener_both,
                    wide: false,
                });
            } else {
                self.out.close(&repeat(byte, opened - used), tags);
            }
            left_over -= used;
        }
        if left_over > 0 && can_open && self.openers.len() < MAX_OPENERS {
            let wide = self.out.open(if left_over >= 3 { 2 } else { 1 }) == 2;
            self.openers.push(Opener::Delimiter {
                byte,
                count: left_over,
                both,
                wide,
            });
        } else {
            self.out.text(&repeat(byte, left_over));
        }
        self.drop_dead_brackets();
        self.pending = end;
        end
    }

    /// The nearest opener that a run of `count` `byte`s can close, not looking past a bracket
    /// that may still become a link. CommonMark's rule of three keeps `*a**b*` one emphasis.
    fn delimiter_opener(&self, byte: u8, count: usize, both: bool) -> Option<usize> {
        for (index, opener) in self.openers.iter().enumerate().rev() {
            match *opener {
                Opener::Delimiter {
                    byte: open,
                    count: opened,
                    both: opener_both,
                    ..
                } if open == byte => {
                    let sum = opened + count;
                    let odd = (both || opener_both) && sum % 3 == 0 && count % 3 != 0;
                    if !odd {
                        return Some(index);
                    }
                }
                Opener::Bracket { live: true, .. } => return None,
                _ => {}
            }
        }
        None
    }

    fn open_bracket(&mut self, at: usize, image: bool) -> usize {
        let end = at + if image { 2 } else { 1 };
        if self.openers.len() >= MAX_OPENERS {
            return end;
        }
        self.flush(at);
        self.openers.push(Opener::Bracket {
            image,
            live: true,
            text_start: end,
        });
        self.out.open(1);
        self.pending = end;
        end
    }

    /// `]`: makes a link or image of the nearest live bracket when a target follows.
    fn close_bracket(&mut self, at: usize) -> usize {
        let live = self
            .openers
            .iter()
            .rposition(|opener| matches!(opener, Opener::Bracket { live: true, .. }));
        let Some(index) = live else {
            return at + 1;
        };
        let Some(&Opener::Bracket {
            image, text_start, ..
        }) = self.openers.get(index)
        else {
            return at + 1;
        };
        self.flush(at);
        let Some((destination, title, end)) = self.link_target(text_start, at) else {
            if let Some(Opener::Bracket { live, .. }) = self.openers.get_mut(index) {
                *live = false;
            }
            self.drop_dead_brackets();
            return at + 1;
        };
        self.close_above(index);
        self.openers.pop();
        if image {
            let alt = to_plain_text(&self.out.take());
            let address = safe_link_target(&destination)
                .filter(|href| !href.starts_with("mailto:"))
                .filter(|href| href.len() <= MAX_SHOWN_IMAGE_ADDRESS);
            let shown = match (alt.trim().is_empty(), address) {
                (true, Some(address)) => address,
                (false, Some(address)) => format!("{alt} ({address})"),
                (_, None) => alt,
            };
            self.out.text(&shown);
        } else {
            let link = safe_link_target(&destination).map(|href| MdTag::Link { href, title });
            self.out.close("", link.as_slice());
            // A link inside a link would only confuse: brackets around this one stay text.
            for opener in &mut self.openers {
                if let Opener::Bracket {
                    image: false, live, ..
                } = opener
                {
                    *live = false;
                }
            }
        }
        self.pending = end;
        end
    }

    /// What follows `]` at `close`: `(destination "title")`, or a reference (`[label]`,
    /// `[]` or nothing) to a definition. Gives the decoded target and where the link ends.
    fn link_target(&self, text_start: usize, close: usize) -> Option<(String, String, usize)> {
        let after = self.src.get(close + 1..)?;
        if let Some((destination, title, length)) = after.strip_prefix('(').and_then(inline_link) {
            return Some((destination, title, close + 2 + length));
        }
        if self.definitions.is_empty() {
            return None;
        }
        let text = self.src.get(text_start..close)?;
        let (label, end) = match after.strip_prefix('[').map(|rest| (rest, rest.find(']'))) {
            Some((_, Some(0))) => (text, close + 3),
            Some((rest, Some(length))) if !rest[..length].contains('[') => {
                (&rest[..length], close + length + 3)
            }
            _ => (text, close + 1),
        };
        if label.len() > 999 {
            return None;
        }
        let (destination, title) = self.definitions.get(&normalize_label(label))?;
        Some((destination.clone(), title.clone(), end))
    }

    /// `<https://…>` or `<someone@example.com>`; a refused address shows as text.
    fn autolink(&mut self, at: usize) -> Option<usize> {
        let rest = self.src.get(at + 1..)?;
        let length =
            rest.find(|c: char| c == '<' || c == '>' || c.is_whitespace() || c.is_control())?;
        let address = rest
            .get(..length)
            .filter(|_| rest[length..].starts_with('>'))?;
        let href = if is_uri(address) {
            safe_link_target(address)
        } else if is_email(address) {
            safe_link_target(&format!("mailto:{address}"))
        } else {
            return None;
        };
        let in_link = self.openers.iter().any(|opener| {
            matches!(
                opener,
                Opener::Bracket {
                    image: false,
                    live: true,
                    ..
                }
            )
        });
        self.flush(at);
        self.out.open(1);
        self.out.text(address);
        let link = href.filter(|_| !in_link).map(|href| MdTag::Link {
            href,
            title: String::new(),
        });
        self.out.close("", link.as_slice());
        self.pending = at + length + 2;
        Some(self.pending)
    }

    /// Closes the openers above `index` as text.
    fn close_above(&mut self, index: usize) {
        while self.openers.len() > index + 1 {
            self.close_literal();
        }
    }

    /// Closes the innermost opener as text: its markers, then its content.
    fn close_literal(&mut self) {
        let prefix = match self.openers.pop() {
            Some(Opener::Delimiter { byte, count, .. }) => repeat(byte, count),
            Some(Opener::Bracket { image: true, .. }) => "![".to_string(),
            Some(Opener::Bracket { image: false, .. }) => "[".to_string(),
            None => return,
        };
        self.out.close(&prefix, &[]);
    }

    /// Brackets that can no longer become links need no room on the stack once on top.
    fn drop_dead_brackets(&mut self) {
        while let Some(Opener::Bracket { live: false, .. }) = self.openers.last() {
            self.close_literal();
        }
    }
}
