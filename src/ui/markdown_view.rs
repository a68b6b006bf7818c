//! Renders untrusted Markdown: the parsed tree becomes DOM nodes one by one — text nodes for
//! text, a fixed set of elements, and only checked `href`s. No HTML string is ever parsed.

use crate::markdown::{parse_markdown, MdNode, MdTag};
use leptos::html::Div;
use leptos::prelude::*;
use web_sys::{Document, Node};

/// Markdown text shown as formatted, safe HTML; re-rendered when the text changes.
#[component]
pub fn Markdown(
    #[prop(into)] text: Signal<String>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let text = text.get();
        let (Some(el), Some(document)) = (
            container.get(),
            web_sys::window().and_then(|w| w.document()),
        ) else {
            return;
        };
        el.set_text_content(None);
        append_nodes(&document, &el, &parse_markdown(&text));
    });
    view! { <div class="markdown" data-testid=(!testid.is_empty()).then_some(testid) node_ref=container></div> }
}

fn append_nodes(document: &Document, parent: &Node, nodes: &[MdNode]) {
    for node in nodes {
        match node {
            MdNode::Text(text) => {
                let _ = parent.append_child(&document.create_text_node(text));
            }
            MdNode::Element { tag, children } => {
                let Ok(el) = document.create_element(tag.html_name()) else {
                    continue;
                };
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
                let _ = parent.append_child(&el);
            }
        }
    }
}
