//! Safe Markdown rendering of model output.
//!
//! Model output is untrusted. [`parse_markdown`] turns it into a small tree of [`MdNode`]s that
//! the page builds node by node — never through `innerHTML` — so nothing in an answer can run:
//!
//! - raw HTML, block or inline, stays literal text (the person sees `<script>`, harmlessly);
//! - a link keeps its target only when it is `http:`, `https:` or `mailto:` (see
//!   [`safe_link_target`]); any other link shows its text alone;
//! - an image never loads: it becomes its alt text, followed by its address when that is a
//!   web address;
//! - nesting is capped at [`MAX_NESTING_DEPTH`] elements and Markdown structure at
//!   [`MAX_MARKDOWN_BYTES`] of input, so no answer can exhaust the stack or stall the page.
//!
//! The parser is a small hand-written one for the Markdown that answers use: headings (`#` and
//! underlined), paragraphs, emphasis, strong, `~~strikethrough~~`, code spans, fenced and
//! indented code, block quotes, bullet and numbered lists, rules, hard breaks, inline,
//! reference and angle-bracket links, images, tables, backslash escapes and a few entities.
//! Line breaks inside a paragraph are kept as `\n` in its text. Anything else (HTML, footnotes,
//! task lists, math, bare URLs) stays literal text. `block_parser` reads lines into blocks,
//! `inline_parser` reads the text inside them, and `tree_builder` enforces the depth cap.
//! Neither recurses, and both take time linear in the input. [`MarkdownStream`] parses a
//! text that arrives in chunks, each line once, handing out each finished block once.
//!
//! ```
//! use parallel_playground::markdown::{parse_markdown, to_plain_text, MdNode, MdTag};
//!
//! let nodes = parse_markdown("**Paris** <script>alert(1)</script> [x](javascript:alert(1))");
//! let MdNode::Element { tag: MdTag::Paragraph, children } = &nodes[0] else { panic!() };
//! assert!(matches!(children[0], MdNode::Element { tag: MdTag::Strong, .. }));
//! assert_eq!(to_plain_text(&nodes), "Paris <script>alert(1)</script> x");
//! ```

mod block_parser;
mod inline_parser;
mod link_policy;
mod plain_text;
mod streaming;
mod tree_builder;

#[cfg(test)]
mod streaming_tests;
#[cfg(test)]
mod syntax_tests;
#[cfg(test)]
mod tests;

pub use link_policy::{safe_link_target, ALLOWED_LINK_SCHEMES};
pub use plain_text::to_plain_text;
pub use streaming::MarkdownStream;

/// The deepest an element may sit in a parsed tree; deeper structure is flattened into its
/// parent (the text is kept, the formatting is not).
pub const MAX_NESTING_DEPTH: usize = 32;

/// How much input is read as Markdown; anything after it is shown as one plain paragraph.
pub const MAX_MARKDOWN_BYTES: usize = 256 * 1024;

/// One node of rendered Markdown: an element with children, or text to show as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MdNode {
    /// An element; [`MdTag::html_name`] says which HTML element shows it.
    Element {
        /// What kind of element.
        tag: MdTag,
        /// Its content, in order.
        children: Vec<MdNode>,
    },
    /// Text, to be inserted as a text node (never parsed as HTML).
    Text(String),
}

impl MdNode {
    /// An element node.
    pub fn element(tag: MdTag, children: Vec<MdNode>) -> MdNode {
        MdNode::Element { tag, children }
    }

    /// A text node.
    pub fn text(text: &str) -> MdNode {
        MdNode::Text(text.to_string())
    }
}

/// The elements rendered Markdown may contain — and nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MdTag {
    /// A paragraph (also holds a raw HTML block, as literal text).
    Paragraph,
    /// A heading of level 1 to 6.
    Heading(u8),
    /// A block quote.
    BlockQuote,
    /// Preformatted code; `language` is the first word of a fenced block's info string, kept
    /// only when it looks like a language name (letters, digits, `-_+.#`, at most 32 characters).
    CodeBlock {
        /// For example `rust`.
        language: Option<String>,
    },
    /// A list: `ordered` lists have `start` as the number of their first item.
    List {
        /// Numbered (`<ol>`) rather than bulleted (`<ul>`).
        ordered: bool,
        /// The first number of an ordered list; `None` for bullets.
        start: Option<u64>,
    },
    /// One list item.
    Item,
    /// Emphasis (`*a*`).
    Emphasis,
    /// Strong emphasis (`**a**`).
    Strong,
    /// Struck-through text (`~~a~~`).
    Strikethrough,
    /// Inline code; its child is one text node.
    Code,
    /// A link whose `href` passed [`safe_link_target`].
    Link {
        /// Starts with `http:`, `https:` or `mailto:`.
        href: String,
        /// The link's title (a tooltip), possibly empty.
        title: String,
    },
    /// A horizontal rule (no children).
    Rule,
    /// A hard line break (no children).
    LineBreak,
    /// A table: one [`MdTag::TableHead`], then [`MdTag::TableRow`]s.
    Table,
    /// The header of a table: one [`MdTag::TableRow`] of header cells.
    TableHead,
    /// One row of cells.
    TableRow,
    /// One cell; `header` cells are in the [`MdTag::TableHead`].
    TableCell {
        /// A header cell (`<th>`) rather than a data cell (`<td>`).
        header: bool,
    },
}

impl MdTag {
    /// The HTML element that shows this tag (`"p"`, `"h2"`, `"a"`, `"th"` …).
    pub fn html_name(&self) -> &'static str {
        match self {
            MdTag::Paragraph => "p",
            MdTag::Heading(level) => match level {
                0 | 1 => "h1",
                2 => "h2",
                3 => "h3",
                4 => "h4",
                5 => "h5",
                _ => "h6",
            },
            MdTag::BlockQuote => "blockquote",
            MdTag::CodeBlock { .. } => "pre",
            MdTag::List { ordered: true, .. } => "ol",
            MdTag::List { ordered: false, .. } => "ul",
            MdTag::Item => "li",
            MdTag::Emphasis => "em",
            MdTag::Strong => "strong",
            MdTag::Strikethrough => "del",
            MdTag::Code => "code",
            MdTag::Link { .. } => "a",
            MdTag::Rule => "hr",
            MdTag::LineBreak => "br",
            MdTag::Table => "table",
            MdTag::TableHead => "thead",
            MdTag::TableRow => "tr",
            MdTag::TableCell { header: true } => "th",
            MdTag::TableCell { header: false } => "td",
        }
    }
}

/// Parses untrusted Markdown into a tree that is safe to render node by node.
///
/// Never panics. Input beyond [`MAX_MARKDOWN_BYTES`] (cut at a line break where possible) is
/// appended as one plain paragraph, so a runaway answer still shows in full.
pub fn parse_markdown(text: &str) -> Vec<MdNode> {
    let (markdown, overflow) = split_at_markdown_limit(text);
    let mut nodes = block_parser::parse(markdown);
    if !overflow.is_empty() {
        nodes.push(MdNode::element(
            MdTag::Paragraph,
            vec![MdNode::text(overflow)],
        ));
    }
    nodes
}

/// Splits `text` into the part read as Markdown and the rest, preferring a line break as the cut.
fn split_at_markdown_limit(text: &str) -> (&str, &str) {
    if text.len() <= MAX_MARKDOWN_BYTES {
        return (text, "");
    }
    let mut cut = MAX_MARKDOWN_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(line_end) = text[..cut].rfind('\n') {
        cut = line_end + 1;
    }
    text.split_at(cut)
}
