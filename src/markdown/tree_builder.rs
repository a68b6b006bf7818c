//! Folds pulldown-cmark's flat event stream into a tree of [`MdNode`]s, applying the safety
//! rules on the way: HTML becomes text, unsafe links lose their target, images become text,
//! and nesting stops at [`MAX_NESTING_DEPTH`].
//!
//! The builder keeps an explicit stack of open frames rather than recursing, so no input can
//! exhaust the call stack while building.

use super::{link_policy::safe_link_target, MdNode, MdTag, MAX_NESTING_DEPTH};
use pulldown_cmark::{CodeBlockKind, Event, LinkType, Tag};

/// What an open frame turns into when it closes.
enum FrameKind {
    /// The top level: never closed.
    Root,
    /// An element of the output.
    Element(MdTag),
    /// Its children join the parent: links with refused targets, structure past the depth cap,
    /// and elements the page does not render.
    Transparent,
    /// An image: becomes its alt text, then its address when that is a web address.
    Image { shown_address: Option<String> },
}

/// One open frame and what has been collected inside it so far.
struct Frame {
    kind: FrameKind,
    children: Vec<MdNode>,
    /// How many element levels this frame adds to the output.
    depth_cost: usize,
}

/// Collects events into a tree; see the module documentation.
pub(super) struct TreeBuilder {
    stack: Vec<Frame>,
    /// Element levels currently open.
    depth: usize,
}

impl TreeBuilder {
    /// An empty tree.
    pub(super) fn new() -> TreeBuilder {
        TreeBuilder {
            stack: vec![Frame {
                kind: FrameKind::Root,
                children: Vec::new(),
                depth_cost: 0,
            }],
            depth: 0,
        }
    }

    /// Adds one parser event.
    pub(super) fn push_event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.open(tag),
            Event::End(_) => self.close(),
            Event::Text(text) => self.push_text(&text),
            // Raw HTML is shown, never interpreted.
            Event::Html(html) | Event::InlineHtml(html) => self.push_text(&html),
            Event::Code(code) => self.push_leaf(MdTag::Code, &code),
            Event::SoftBreak => self.push_text("\n"),
            Event::HardBreak => self.push_leaf(MdTag::LineBreak, "\n"),
            Event::Rule => self.push_leaf(MdTag::Rule, "---"),
            // Not enabled in the parser options; kept readable should they ever appear.
            Event::InlineMath(math) | Event::DisplayMath(math) => self.push_text(&math),
            Event::FootnoteReference(label) => self.push_text(&format!("[^{label}]")),
            Event::TaskListMarker(done) => self.push_text(if done { "[x] " } else { "[ ] " }),
        }
    }

    /// Closes whatever is still open and returns the top-level nodes.
    pub(super) fn finish(mut self) -> Vec<MdNode> {
        while self.stack.len() > 1 {
            self.close();
        }
        self.stack
            .pop()
            .map(|root| root.children)
            .unwrap_or_default()
    }

    fn open(&mut self, tag: Tag<'_>) {
        let element = match tag {
            Tag::Image { dest_url, .. } => {
                let shown_address = safe_link_target(&dest_url)
                    .filter(|href| !href.starts_with("mailto:"))
                    .filter(|href| href.len() <= MAX_SHOWN_IMAGE_ADDRESS);
                self.push_frame(FrameKind::Image { shown_address }, 0);
                return;
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => self.link_tag(link_type, &dest_url, &title),
            Tag::Paragraph | Tag::HtmlBlock => Some(MdTag::Paragraph),
            Tag::Heading { level, .. } => Some(MdTag::Heading(level as u8)),
            Tag::BlockQuote(_) => Some(MdTag::BlockQuote),
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Some(MdTag::CodeBlock {
                language: code_language(&info),
            }),
            Tag::CodeBlock(CodeBlockKind::Indented) => Some(MdTag::CodeBlock { language: None }),
            Tag::List(start) => Some(MdTag::List {
                ordered: start.is_some(),
                start,
            }),
            Tag::Item => Some(MdTag::Item),
            Tag::Table(_) => Some(MdTag::Table),
            Tag::TableHead => Some(MdTag::TableHead),
            Tag::TableRow => Some(MdTag::TableRow),
            Tag::TableCell => Some(MdTag::TableCell {
                header: self.inside_table_head(),
            }),
            Tag::Emphasis => Some(MdTag::Emphasis),
            Tag::Strong => Some(MdTag::Strong),
            Tag::Strikethrough => Some(MdTag::Strikethrough),
            _ => None,
        };
        match element {
            Some(tag) => {
                // The head's cells get wrapped in a row when it closes: two levels.
                let cost = if tag == MdTag::TableHead { 2 } else { 1 };
                if self.depth + cost <= MAX_NESTING_DEPTH {
                    self.push_frame(FrameKind::Element(tag), cost);
                } else {
                    self.push_frame(FrameKind::Transparent, 0);
                }
            }
            None => self.push_frame(FrameKind::Transparent, 0),
        }
    }

    /// The element for a link, or `None` to keep only its text.
    fn link_tag(&self, link_type: LinkType, dest_url: &str, title: &str) -> Option<MdTag> {
        // A link inside a link would only confuse; the outer one wins.
        if self.inside_link() {
            return None;
        }
        let href = match link_type {
            // `<someone@example.com>` carries the bare address.
            LinkType::Email => safe_link_target(&format!("mailto:{dest_url}")),
            _ => safe_link_target(dest_url),
        }?;
        Some(MdTag::Link {
            href,
            title: title.to_string(),
        })
    }

    fn push_frame(&mut self, kind: FrameKind, depth_cost: usize) {
        self.depth += depth_cost;
        self.stack.push(Frame {
            kind,
            children: Vec::new(),
            depth_cost,
        });
    }

    /// Closes the innermost open frame (an unmatched end is ignored).
    fn close(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        self.depth = self.depth.saturating_sub(frame.depth_cost);
        match frame.kind {
            FrameKind::Root => self.stack.push(frame),
            FrameKind::Element(MdTag::TableHead) => {
                let row = MdNode::element(MdTag::TableRow, frame.children);
                self.push_node(MdNode::element(MdTag::TableHead, vec![row]));
            }
            FrameKind::Element(tag) => self.push_node(MdNode::element(tag, frame.children)),
            FrameKind::Transparent => {
                for child in frame.children {
                    self.push_node(child);
                }
            }
            FrameKind::Image { shown_address } => {
                let alt = super::to_plain_text(&frame.children);
                let shown = match (alt.trim().is_empty(), shown_address) {
                    (true, Some(address)) => address,
                    (false, Some(address)) => format!("{alt} ({address})"),
                    (_, None) => alt,
                };
                self.push_text(&shown);
            }
        }
    }

    /// Adds a childless element (or one holding `text`), or just `text` past the depth cap.
    fn push_leaf(&mut self, tag: MdTag, text: &str) {
        if self.depth + 1 > MAX_NESTING_DEPTH {
            self.push_text(text);
            return;
        }
        let children = match tag {
            MdTag::Code => vec![MdNode::text(text)],
            _ => Vec::new(),
        };
        self.push_node(MdNode::element(tag, children));
    }

    fn push_text(&mut self, text: &str) {
        if !text.is_empty() {
            self.push_node(MdNode::text(text));
        }
    }

    /// Appends to the innermost frame, merging neighbouring text into one node.
    fn push_node(&mut self, node: MdNode) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if let (Some(MdNode::Text(last)), MdNode::Text(text)) = (frame.children.last_mut(), &node) {
            last.push_str(text);
            return;
        }
        frame.children.push(node);
    }

    fn inside_table_head(&self) -> bool {
        self.stack
            .iter()
            .rev()
            .find_map(|frame| match &frame.kind {
                FrameKind::Element(tag) => Some(*tag == MdTag::TableHead),
                _ => None,
            })
            .unwrap_or(false)
    }

    fn inside_link(&self) -> bool {
        self.stack
            .iter()
            .any(|frame| matches!(frame.kind, FrameKind::Element(MdTag::Link { .. })))
    }
}

/// Image addresses longer than this are not shown (a long `data:` image is noise, not help).
const MAX_SHOWN_IMAGE_ADDRESS: usize = 2048;

/// Longest language name kept from a code fence.
const MAX_LANGUAGE_CHARS: usize = 32;

/// The language named by a code fence's info string, if it looks like one.
fn code_language(info: &str) -> Option<String> {
    let word = info.split_whitespace().next()?;
    let plausible = word.len() <= MAX_LANGUAGE_CHARS
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.' | '#'));
    plausible.then(|| word.to_string())
}
