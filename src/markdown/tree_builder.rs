//! Collects the parsers' output into a tree of [`MdNode`]s and enforces [`MAX_NESTING_DEPTH`].
//!
//! The parsers open a frame for each element that may come, fill it, then close it either as
//! elements or as plain text (a prefix, then the children, which join the parent). A frame
//! opened past the depth cap gets no room for elements, so it always closes as plain text.
//! The builder keeps an explicit stack of frames rather than recursing, so no input can
//! exhaust the call stack while building.

use super::{MdNode, MdTag, MAX_NESTING_DEPTH};

/// One open frame and what has been collected inside it so far.
struct Frame {
    children: Vec<MdNode>,
    /// Element levels from the top down to this frame's content.
    depth: usize,
    /// How many nested elements this frame may still become.
    levels: usize,
}

/// Builds the tree; see the module documentation.
pub(super) struct TreeBuilder {
    stack: Vec<Frame>,
}

impl TreeBuilder {
    /// An empty tree.
    pub(super) fn new() -> TreeBuilder {
        TreeBuilder {
            stack: vec![Frame {
                children: Vec::new(),
                depth: 0,
                levels: 0,
            }],
        }
    }

    /// Opens a frame that may become up to `levels` nested elements, as far as the cap
    /// allows; returns how many it may become.
    pub(super) fn open(&mut self, levels: usize) -> usize {
        let depth = self.depth();
        let levels = levels.min(MAX_NESTING_DEPTH.saturating_sub(depth));
        self.stack.push(Frame {
            children: Vec::new(),
            depth: depth + levels,
            levels,
        });
        levels
    }

    /// Opens a frame of one level around the last node added: only for a node that was
    /// closed from a frame granted two levels, so the node stays within the cap.
    pub(super) fn wrap_last(&mut self) {
        let last = self.stack.last_mut().and_then(|frame| frame.children.pop());
        self.open(1);
        if let Some(node) = last {
            self.push(node);
        }
    }

    /// Closes the innermost frame: `prefix` as text, then its children wrapped in `tags`
    /// (outermost first) when the frame has room for them, else the children alone.
    pub(super) fn close(&mut self, prefix: &str, tags: &[MdTag]) {
        let Some(frame) = self.pop() else {
            return;
        };
        self.text(prefix);
        if tags.is_empty() || tags.len() > frame.levels {
            frame
                .children
                .into_iter()
                .for_each(|child| self.push(child));
            return;
        }
        let mut children = frame.children;
        for tag in tags.iter().rev() {
            children = vec![MdNode::element(tag.clone(), children)];
        }
        children.into_iter().for_each(|child| self.push(child));
    }

    /// Closes the innermost frame and hands back its children instead of adding them.
    pub(super) fn take(&mut self) -> Vec<MdNode> {
        self.pop().map(|frame| frame.children).unwrap_or_default()
    }

    /// Adds a childless element (or inline code holding `text`), or just `text` past the cap.
    pub(super) fn leaf(&mut self, tag: MdTag, text: &str) {
        if self.depth() >= MAX_NESTING_DEPTH {
            return self.text(text);
        }
        let children = match tag {
            MdTag::Code => vec![MdNode::text(text)],
            _ => Vec::new(),
        };
        self.push(MdNode::element(tag, children));
    }

    /// Adds text, merged into the text before it.
    pub(super) fn text(&mut self, text: &str) {
        if !text.is_empty() {
            self.push(MdNode::text(text));
        }
    }

    /// Makes the open list tight: the paragraphs of its items give their content to the items.
    pub(super) fn unwrap_item_paragraphs(&mut self) {
        let Some(list) = self.stack.last_mut() else {
            return;
        };
        for item in &mut list.children {
            if let MdNode::Element {
                tag: MdTag::Item,
                children,
            } = item
            {
                let mut flat = Vec::with_capacity(children.len());
                for child in std::mem::take(children) {
                    match child {
                        MdNode::Element {
                            tag: MdTag::Paragraph,
                            children,
                        } => flat.extend(children),
                        other => flat.push(other),
                    }
                }
                *children = flat;
            }
        }
    }

    /// Closes whatever is still open and returns the top-level nodes.
    pub(super) fn finish(mut self) -> Vec<MdNode> {
        while self.stack.len() > 1 {
            self.close("", &[]);
        }
        self.stack
            .pop()
            .map(|root| root.children)
            .unwrap_or_default()
    }

    /// Hands back the top-level nodes collected so far, when no frame is open.
    pub(super) fn take_top_level(&mut self) -> Vec<MdNode> {
        match self.stack.as_mut_slice() {
            [root] => std::mem::take(&mut root.children),
            _ => Vec::new(),
        }
    }

    fn depth(&self) -> usize {
        self.stack.last().map_or(0, |frame| frame.depth)
    }

    /// The innermost frame, unless only the top level is left (it is never closed).
    fn pop(&mut self) -> Option<Frame> {
        if self.stack.len() > 1 {
            self.stack.pop()
        } else {
            None
        }
    }

    /// Appends to the innermost frame, merging neighbouring text into one node.
    fn push(&mut self, node: MdNode) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if let (Some(MdNode::Text(last)), MdNode::Text(text)) = (frame.children.last_mut(), &node) {
            last.push_str(text);
            return;
        }
        frame.children.push(node);
    }
}
