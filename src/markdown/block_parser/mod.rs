//! Block structure: reads the input line by line, the way CommonMark describes, keeping a
//! stack of open containers (block quotes, lists, list items) and one open leaf (paragraph,
//! code block or table). Leaf text goes to the inline parser as the leaf closes.
//!
//! Simplified on purpose, and safe either way: a tab counts as four columns, HTML blocks do
//! not exist (HTML is paragraph text), a link reference definition fits on one line, and at
//! most [`MAX_CONTAINERS`] containers nest (deeper `>` markers are skipped, deeper list
//! markers stay text). Rows of a table show at most as many cells as its header, and short
//! rows are padded with empty cells, up to [`MAX_PADDED_CELLS`] in a table.

use super::{inline_parser, tree_builder::TreeBuilder, MdNode, MdTag, MAX_NESTING_DEPTH};
use std::collections::BTreeMap;

mod line_syntax;

use line_syntax::{
    atx_heading, code_language, fence_start, indentation, is_blank, is_closing_fence,
    is_thematic_break, link_definition, list_item, quote_marker, setext_level, split_cells,
    starts_block, strip_columns, trim_indent,
};

/// Link reference definitions: normalised label → (destination, title), both decoded.
pub(super) type Definitions = BTreeMap<String, (String, String)>;

/// Containers that may be open at once; a paragraph inside the deepest still fits the cap.
const MAX_CONTAINERS: usize = MAX_NESTING_DEPTH - 1;

/// Empty cells added to a table's short rows, at most (so a wide header over many short rows
/// cannot multiply the output).
const MAX_PADDED_CELLS: usize = 1024;

/// Longest language name kept from a code fence.
const MAX_LANGUAGE_CHARS: usize = 32;

/// Parses `markdown` into a tree. Reads it twice when it defines link references, since a
/// reference may come before its definition.
pub(super) fn parse(markdown: &str) -> Vec<MdNode> {
    let (nodes, definitions) = BlockParser::run(markdown, &Definitions::new());
    if definitions.is_empty() {
        return nodes;
    }
    BlockParser::run(markdown, &definitions).0
}

/// No link references: what a [`LineFeed`] reads with.
static NO_DEFINITIONS: Definitions = Definitions::new();

/// The block parser kept open between chunks of a streaming text and fed its complete lines.
/// When a line leaves no block open (no container, no leaf), the blocks before it are final:
/// what follows parses the same on its own as after them, since the parser then carries no
/// state but a blank-line flag that only lists read. Link reference definitions break that
/// (a definition changes text before it), so a feed says when it has read one.
pub(super) struct LineFeed {
    parser: BlockParser<'static>,
}

impl LineFeed {
    pub(super) fn new() -> LineFeed {
        LineFeed {
            parser: BlockParser::new(&NO_DEFINITIONS),
        }
    }

    /// Reads one complete line (without its `\n`); true when no block is open after it.
    pub(super) fn line(&mut self, line: &str) -> bool {
        self.parser.line(line.strip_suffix('\r').unwrap_or(line));
        self.parser.containers.is_empty() && matches!(self.parser.leaf, Leaf::None)
    }

    /// The finished top-level blocks read since the last call (only right after a line that
    /// left no block open).
    pub(super) fn take_finished(&mut self) -> Vec<MdNode> {
        self.parser.out.take_top_level()
    }

    /// Whether a link reference definition was read.
    pub(super) fn read_a_definition(&self) -> bool {
        !self.parser.found.is_empty()
    }
}

enum Container {
    Quote,
    /// A list; `marker` is its bullet (`-*+`) or its number's delimiter (`.` or `)`).
    List {
        tag: MdTag,
        marker: u8,
        tight: bool,
    },
    /// A list item whose content starts `indent` columns in.
    Item {
        indent: usize,
    },
}

enum Leaf {
    None,
    Paragraph(String),
    /// A fenced (`fence` is its character and length) or indented code block.
    Code {
        fence: Option<(u8, usize)>,
        indent: usize,
        language: Option<String>,
        text: String,
        blank_lines: usize,
    },
    Table {
        columns: usize,
    },
}

struct BlockParser<'d> {
    out: TreeBuilder,
    definitions: &'d Definitions,
    found: Definitions,
    containers: Vec<Container>,
    leaf: Leaf,
    /// Whether the current line is blank, and whether the line before it was.
    blank: bool,
    after_blank: bool,
    /// Empty cells the open table may still add to short rows.
    padding_left: usize,
}

impl<'d> BlockParser<'d> {
    fn new(definitions: &'d Definitions) -> BlockParser<'d> {
        BlockParser {
            out: TreeBuilder::new(),
            definitions,
            found: Definitions::new(),
            containers: Vec::new(),
            leaf: Leaf::None,
            blank: false,
            after_blank: false,
            padding_left: 0,
        }
    }

    fn run(markdown: &str, definitions: &'d Definitions) -> (Vec<MdNode>, Definitions) {
        let mut parser = BlockParser::new(definitions);
        for line in markdown.split('\n') {
            parser.line(line.strip_suffix('\r').unwrap_or(line));
        }
        // Code cut off by the end of the input (a streaming answer) has no final line end.
        if let (Leaf::Code { text, .. }, false) = (&mut parser.leaf, markdown.ends_with('\n')) {
            text.pop();
        }
        parser.close_leaf();
        parser.close_containers(0);
        (parser.out.finish(), parser.found)
    }

    fn line(&mut self, line: &str) {
        self.after_blank = std::mem::take(&mut self.blank);
        let (matched, rest) = self.match_containers(line);
        if matched == self.containers.len() {
            if let Leaf::Code {
                fence: Some((byte, length)),
                indent,
                text,
                ..
            } = &mut self.leaf
            {
                if !is_closing_fence(rest, *byte, *length) {
                    text.push_str(strip_columns(rest, *indent));
                    text.push('\n');
                    return;
                }
                return self.close_leaf();
            }
        } else if matches!(self.leaf, Leaf::Paragraph(_))
            && !is_blank(rest)
            && !starts_block(rest)
            && !matches!(
                self.containers.get(matched.wrapping_sub(1)),
                Some(Container::List { .. })
            )
        {
            // A lazy continuation line: "> a\nb" keeps b in the quote's paragraph.
            return self.add_to_paragraph(rest);
        }
        self.close_containers(matched);
        let rest = self.open_containers(rest);
        self.add_leaf_line(rest);
    }

    /// How many open containers this line continues, and the line after their markers.
    fn match_containers<'l>(&self, line: &'l str) -> (usize, &'l str) {
        let mut rest = line;
        for (index, container) in self.containers.iter().enumerate() {
            let next = match container {
                Container::Quote => quote_marker(rest),
                Container::List { .. } => Some(rest),
                Container::Item { indent } => (is_blank(rest) || indentation(rest) >= *indent)
                    .then(|| strip_columns(rest, *indent)),
            };
            match next {
                Some(next) => rest = next,
                // A list outlives its item only when another item of the same list follows.
                None if matches!(container, Container::Item { .. }) => {
                    let previous = self.containers.get(index.wrapping_sub(1));
                    let same_list = matches!(previous, Some(Container::List { marker, .. })
                        if list_item(rest).is_some_and(|item| item.marker == *marker));
                    let matched = if same_list {
                        index
                    } else {
                        index.saturating_sub(1)
                    };
                    return (matched, rest);
                }
                None => return (index, rest),
            }
        }
        (self.containers.len(), rest)
    }

    /// Opens the block quotes and list items that start `line`; returns what follows them.
    fn open_containers<'l>(&mut self, mut line: &'l str) -> &'l str {
        loop {
            if let Some(rest) = quote_marker(line) {
                if self.containers.len() < MAX_CONTAINERS {
                    self.start_block();
                    self.containers.push(Container::Quote);
                    self.out.open(1);
                }
                line = rest;
                continue;
            }
            let Some(item) = list_item(line) else {
                return line;
            };
            let same_list = matches!(self.containers.last(),
                Some(Container::List { marker, .. }) if *marker == item.marker);
            if !same_list {
                let interrupts = matches!(self.leaf, Leaf::Paragraph(_));
                if (interrupts && !item.can_interrupt) || self.containers.len() + 2 > MAX_CONTAINERS
                {
                    return line;
                }
                self.start_block();
                let tag = MdTag::List {
                    ordered: item.start.is_some(),
                    start: item.start,
                };
                self.containers.push(Container::List {
                    tag,
                    marker: item.marker,
                    tight: true,
                });
                self.out.open(1);
            } else {
                self.start_block();
            }
            self.containers.push(Container::Item {
                indent: item.indent,
            });
            self.out.open(1);
            line = item.content;
        }
    }

    /// Adds what is left of a line once its containers are known.
    fn add_leaf_line(&mut self, line: &str) {
        if is_blank(line) {
            self.blank = true;
            match &mut self.leaf {
                Leaf::Code {
                    fence: None,
                    blank_lines,
                    ..
                } => *blank_lines += 1,
                _ => self.close_leaf(),
            }
            return;
        }
        let indented = indentation(line) >= 4;
        match &self.leaf {
            Leaf::Paragraph(text) => {
                if let Some(level) = setext_level(line) {
                    let text = text.trim_end().to_string();
                    self.leaf = Leaf::None;
                    return self.inline_block(MdTag::Heading(level), &text);
                }
                if self.start_table(line) {
                    return;
                }
                if indented || !starts_block(line) {
                    return self.add_to_paragraph(line);
                }
            }
            Leaf::Table { columns } if indented || !starts_block(line) => {
                return self.table_row(line, *columns, false);
            }
            _ => {}
        }
        if indented {
            if let Leaf::Code {
                fence: None,
                text,
                blank_lines,
                ..
            } = &mut self.leaf
            {
                text.extend(std::iter::repeat_n('\n', std::mem::take(blank_lines)));
            } else {
                self.start_block();
                self.leaf = Leaf::Code {
                    fence: None,
                    indent: 0,
                    language: None,
                    text: String::new(),
                    blank_lines: 0,
                };
            }
            if let Leaf::Code { text, .. } = &mut self.leaf {
                text.push_str(strip_columns(line, 4));
                text.push('\n');
            }
            return;
        }
        self.start_block();
        let trimmed = trim_indent(line);
        if let Some((level, content)) = atx_heading(trimmed) {
            self.inline_block(MdTag::Heading(level), content);
        } else if let Some((byte, length, info)) = fence_start(trimmed) {
            self.leaf = Leaf::Code {
                fence: Some((byte, length)),
                indent: indentation(line),
                language: code_language(info),
                text: String::new(),
                blank_lines: 0,
            };
        } else if is_thematic_break(trimmed) {
            self.out.leaf(MdTag::Rule, "---");
        } else if let Some((label, definition)) = link_definition(trimmed) {
            self.found.entry(label).or_insert(definition);
        } else {
            self.leaf = Leaf::Paragraph(trimmed.to_string());
        }
    }

    fn add_to_paragraph(&mut self, line: &str) {
        if let Leaf::Paragraph(text) = &mut self.leaf {
            text.push('\n');
            text.push_str(trim_indent(line));
        }
    }

    /// Turns the paragraph's last line into a table header when `line` is a delimiter row
    /// (`|---|:--:|`) with as many cells.
    fn start_table(&mut self, line: &str) -> bool {
        let Leaf::Paragraph(text) = &mut self.leaf else {
            return false;
        };
        let header_start = text.rfind('\n').map_or(0, |newline| newline + 1);
        let header = &text[header_start..];
        if !line.contains('|') || !header.contains('|') {
            return false;
        }
        let columns = split_cells(header).len();
        let delimiters = split_cells(line);
        let is_delimiter_row = columns > 0
            && delimiters.len() == columns
            && delimiters.iter().all(|cell| {
                let cell = cell.trim();
                let dashes = cell.trim_start_matches(':').trim_end_matches(':');
                !dashes.is_empty()
                    && dashes.bytes().all(|b| b == b'-')
                    && cell.len() - dashes.len() <= 2
            });
        if !is_delimiter_row {
            return false;
        }
        let header = text.split_off(header_start);
        self.start_block();
        self.out.open(1);
        self.out.open(1);
        self.padding_left = MAX_PADDED_CELLS;
        self.table_row(&header, columns, true);
        self.out.close("", &[MdTag::TableHead]);
        self.leaf = Leaf::Table { columns };
        true
    }

    fn table_row(&mut self, line: &str, columns: usize, header: bool) {
        let cells = split_cells(line);
        let present = cells.len().min(columns);
        let shown = columns.min(present + self.padding_left);
        self.padding_left -= shown - present;
        self.out.open(1);
        for index in 0..shown {
            let cell = cells.get(index).map_or("", |cell| cell.trim());
            self.inline_block(MdTag::TableCell { header }, cell);
        }
        self.out.close("", &[MdTag::TableRow]);
    }

    fn inline_block(&mut self, tag: MdTag, text: &str) {
        self.out.open(1);
        inline_parser::parse(text, &mut self.out, self.definitions);
        self.out.close("", &[tag]);
    }

    /// Closes the open leaf before a new block; a blank line before the block makes the list
    /// that holds it directly loose.
    fn start_block(&mut self) {
        self.close_leaf();
        if !std::mem::take(&mut self.after_blank) {
            return;
        }
        let list = match self.containers.as_mut_slice() {
            [.., list @ Container::List { .. }] | [.., list, Container::Item { .. }] => list,
            _ => return,
        };
        if let Container::List { tight, .. } = list {
            *tight = false;
        }
    }

    fn close_leaf(&mut self) {
        match std::mem::replace(&mut self.leaf, Leaf::None) {
            Leaf::None => {}
            Leaf::Paragraph(text) if !is_blank(&text) => {
                self.inline_block(MdTag::Paragraph, text.trim_end())
            }
            Leaf::Paragraph(_) => {}
            Leaf::Code { language, text, .. } => {
                self.out.open(1);
                self.out.text(&text);
                self.out.close("", &[MdTag::CodeBlock { language }]);
            }
            Leaf::Table { .. } => self.out.close("", &[MdTag::Table]),
        }
    }

    /// Closes the open leaf and containers past the first `keep`, when there are any.
    fn close_containers(&mut self, keep: usize) {
        if keep >= self.containers.len() {
            return;
        }
        self.close_leaf();
        while self.containers.len() > keep {
            match self.containers.pop() {
                Some(Container::Quote) => self.out.close("", &[MdTag::BlockQuote]),
                Some(Container::Item { .. }) => self.out.close("", &[MdTag::Item]),
                Some(Container::List { tag, tight, .. }) => {
                    if tight {
                        self.out.unwrap_item_paragraphs();
                    }
                    self.out.close("", &[tag]);
                }
                None => {}
            }
        }
    }
}
