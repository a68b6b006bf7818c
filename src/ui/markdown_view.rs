//! Renders untrusted Markdown: the parsed tree becomes DOM nodes one by one — text nodes for
//! text, a fixed set of elements, and only checked `href`s. No HTML string is ever parsed.
//!
//! A text that grows by appending (a streaming answer) goes through a [`MarkdownStream`]:
//! blocks that are finished are built once and stay in the page untouched (a selection in
//! them survives the next frame), and only the open block after them is rebuilt, so a frame
//! costs the same at the 20,000th word as at the 200th.

use crate::markdown::{parse_markdown, MarkdownStream, MdNode, MdTag};
use leptos::html::Div;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Document, Element, Node};

/// Markdown text shown as formatted, safe HTML; re-rendered when the text changes.
#[component]
pub fn Markdown(
    #[prop(into)] text: Signal<String>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    let shown = Rc::new(RefCell::new(Shown::default()));
    Effect::new(move |_| {
        let (Some(el), Some(document)) = (
            container.get(),
            web_sys::window().and_then(|w| w.document()),
        ) else {
            return;
        };
        text.with(|text| shown.borrow_mut().update(&document, &el, text));
    });
    view! { <div class="markdown" data-testid=(!testid.is_empty()).then_some(testid) node_ref=container></div> }
}

/// What the container shows: the stream it was built from and the nodes of its open part.
#[derive(Default)]
struct Shown {
    stream: MarkdownStream,
    open: Vec<Node>,
}

impl Shown {
    fn update(&mut self, document: &Document, el: &Element, text: &str) {
        let appended = text.len() >= self.stream.text().len()
            && text.is_char_boundary(self.stream.text().len())
            && text.starts_with(self.stream.text());
        if !appended {
            // A new text, not more of the same: start over.
            el.set_text_content(None);
            self.stream = MarkdownStream::default();
            self.open.clear();
        }
        let finished = self.stream.push(&text[self.stream.text().len()..]);
        if self.stream.needs_whole_parse() {
            // A link reference definition can change any block before it.
            el.set_text_content(None);
            self.open = append_nodes(document, el, &parse_markdown(text));
            return;
        }
        for node in self.open.drain(..) {
            let _ = el.remove_child(&node);
        }
        append_nodes(document, el, &finished);
        self.open = append_nodes(document, el, &self.stream.open_nodes());
    }
}

/// Appends `nodes` to `parent`; returns the DOM nodes appended.
fn append_nodes(document: &Document, parent: &Node, nodes: &[MdNode]) -> Vec<Node> {
    let built: Vec<Node> = nodes
        .iter()
        .filter_map(|node| build_node(document, node))
        .collect();
    for node in &built {
        let _ = parent.append_child(node);
    }
    built
}

/// One DOM node for `node` and its children. Recursive, over a tree whose depth the parser
/// caps at [`crate::markdown::MAX_NESTING_DEPTH`].
fn build_node(document: &Document, node: &MdNode) -> Option<Node> {
    let (tag, children) = match node {
        MdNode::Text(text) => return Some(document.create_text_node(text).into()),
        MdNode::Element { tag, children } => (tag, children),
    };
    let el = document.create_element(tag.html_name()).ok()?;
    match tag {
        MdTag::Link { href, title } => {
            let _ = el.set_attribute("href", href);
            let _ = el.set_attribute("rel", "noopener noreferrer nofollow");
            let _ = el.set_attribute("target", "_blank");
            if !title.is_empty() {
                let _ = el.set_attribute("title", title);
            }
        }
        MdTag::List {
            start: Some(start), ..
        } if *start != 1 => {
            let _ = el.set_attribute("start", &start.to_string());
        }
        _ => {}
    }
    append_nodes(document, &el, children);
    Some(el.into())
}
