//! Rendered Markdown back to readable plain text, for copying and for tests.
//!
//! Blocks are separated by blank lines, list items start with `- ` or their number, table cells
//! are separated by tabs (so a table pastes into a spreadsheet) and links keep only their text.

use super::{MdNode, MdTag};

/// The text of `nodes` as a person would read it, without any markup.
///
/// ```
/// use parallel_playground::markdown::{parse_markdown, to_plain_text};
///
/// let nodes = parse_markdown("# Paris\n\n- the *Louvre*\n- [Orsay](https://www.musee-orsay.fr)");
/// assert_eq!(to_plain_text(&nodes), "Paris\n\n- the Louvre\n- Orsay");
/// ```
pub fn to_plain_text(nodes: &[MdNode]) -> String {
    let mut writer = PlainWriter::default();
    writer.write_nodes(nodes);
    writer.out.trim_end().to_string()
}

/// Builds the text, inserting line breaks lazily so blocks never leave stray blank lines.
#[derive(Default)]
struct PlainWriter {
    out: String,
    /// Line breaks wanted before the next text.
    pending_newlines: usize,
    /// A list marker was just written: the item's first block starts on the same line.
    after_marker: bool,
    /// Open lists, innermost last: the next item number of ordered lists.
    lists: Vec<Option<u64>>,
}

impl PlainWriter {
    fn write_nodes(&mut self, nodes: &[MdNode]) {
        for node in nodes {
            match node {
                MdNode::Text(text) => self.write(text),
                MdNode::Element { tag, children } => self.write_element(tag, children),
            }
        }
    }

    fn write_element(&mut self, tag: &MdTag, children: &[MdNode]) {
        match tag {
            MdTag::Paragraph | MdTag::Heading(_) | MdTag::BlockQuote | MdTag::CodeBlock { .. } => {
                self.want_newlines(2);
                self.write_nodes(children);
                self.want_newlines(2);
            }
            MdTag::List { start, .. } => {
                self.want_newlines(if self.lists.is_empty() { 2 } else { 1 });
                self.lists.push(*start);
                self.write_nodes(children);
                self.lists.pop();
                self.want_newlines(if self.lists.is_empty() { 2 } else { 1 });
            }
            MdTag::Item => {
                self.want_newlines(1);
                let indent = "  ".repeat(self.lists.len().saturating_sub(1));
                let marker = match self.lists.last_mut() {
                    Some(Some(number)) => {
                        let marker = format!("{indent}{number}. ");
                        *number = number.saturating_add(1);
                        marker
                    }
                    _ => format!("{indent}- "),
                };
                self.write(&marker);
                self.after_marker = true;
                self.write_nodes(children);
                self.after_marker = false;
                self.want_newlines(1);
            }
            MdTag::Table => {
                self.want_newlines(2);
                self.write_nodes(children);
                self.want_newlines(2);
            }
            MdTag::TableHead => self.write_nodes(children),
            MdTag::TableRow => {
                self.want_newlines(1);
                for (i, cell) in children.iter().enumerate() {
                    if i > 0 {
                        self.flush_newlines();
                        self.out.push('\t');
                    }
                    self.write_nodes(std::slice::from_ref(cell));
                }
                self.want_newlines(1);
            }
            MdTag::Rule => {
                self.want_newlines(2);
                self.write("---");
                self.want_newlines(2);
            }
            MdTag::LineBreak => {
                self.flush_newlines();
                self.out.push('\n');
            }
            MdTag::Emphasis
            | MdTag::Strong
            | MdTag::Strikethrough
            | MdTag::Code
            | MdTag::Link { .. }
            | MdTag::TableCell { .. } => self.write_nodes(children),
        }
    }

    fn want_newlines(&mut self, count: usize) {
        if !self.after_marker {
            self.pending_newlines = self.pending_newlines.max(count);
        }
    }

    fn write(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.flush_newlines();
        self.after_marker = false;
        self.out.push_str(text);
    }

    /// Writes the line breaks wanted so far (none at the very start).
    fn flush_newlines(&mut self) {
        if !self.out.is_empty() {
            let present = self.out.len() - self.out.trim_end_matches('\n').len();
            for _ in present..self.pending_newlines {
                self.out.push('\n');
            }
        }
        self.pending_newlines = 0;
    }
}
