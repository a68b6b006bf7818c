//! Unit tests of the link policy, the tree builder's limits and plain-text output.

use super::*;

/// The greatest number of elements on any path from the top to a node.
fn element_depth(nodes: &[MdNode]) -> usize {
    nodes
        .iter()
        .map(|node| match node {
            MdNode::Element { children, .. } => 1 + element_depth(children),
            MdNode::Text(_) => 0,
        })
        .max()
        .unwrap_or(0)
}

fn paragraph(children: Vec<MdNode>) -> MdNode {
    MdNode::element(MdTag::Paragraph, children)
}

#[test]
fn allowed_schemes_pass_in_any_case_and_come_out_lower_case() {
    assert_eq!(
        safe_link_target("HTTP://example.com"),
        Some("http://example.com".into())
    );
    assert_eq!(
        safe_link_target("  https://example.com/path?q=1#x  "),
        Some("https://example.com/path?q=1#x".into())
    );
    assert_eq!(
        safe_link_target("MailTo:someone@example.com"),
        Some("mailto:someone@example.com".into())
    );
}

#[test]
fn scripting_and_data_schemes_are_refused_however_disguised() {
    for target in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java\u{0}script:alert(1)",
        " \u{1}javascript:alert(1)",
        "javascript\t:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "java script:alert(1)",
        "\u{feff}javascript:alert(1)",
        "ｊavascript:alert(1)",
        "javascript&#58;alert(1)",
        "%6Aavascript:alert(1)",
    ] {
        assert_eq!(safe_link_target(target), None, "{target:?}");
    }
}

#[test]
fn control_characters_inside_an_allowed_target_are_removed() {
    assert_eq!(
        safe_link_target("ht\ttp://exa\nmple.com"),
        Some("http://example.com".into())
    );
}

#[test]
fn relative_and_protocol_relative_targets_are_refused() {
    for target in ["//evil.example", "/path", "#top", "?q=1", "page.html", ""] {
        assert_eq!(safe_link_target(target), None, "{target:?}");
    }
}

#[test]
fn a_refused_link_keeps_its_text() {
    assert_eq!(
        parse_markdown("[click me](javascript:alert(1))"),
        vec![paragraph(vec![MdNode::text("click me")])]
    );
}

#[test]
fn an_allowed_link_becomes_a_link_element_with_its_title() {
    assert_eq!(
        parse_markdown("[Louvre](https://www.louvre.fr \"Museum\")"),
        vec![paragraph(vec![MdNode::element(
            MdTag::Link {
                href: "https://www.louvre.fr".into(),
                title: "Museum".into()
            },
            vec![MdNode::text("Louvre")]
        )])]
    );
}

#[test]
fn an_email_autolink_gets_a_mailto_target() {
    let nodes = parse_markdown("<someone@example.com>");
    let MdNode::Element { children, .. } = &nodes[0] else {
        panic!("{nodes:?}")
    };
    assert_eq!(
        children[0],
        MdNode::element(
            MdTag::Link {
                href: "mailto:someone@example.com".into(),
                title: String::new()
            },
            vec![MdNode::text("someone@example.com")]
        )
    );
}

#[test]
fn an_image_becomes_its_alt_text_and_web_address() {
    assert_eq!(
        parse_markdown("![the *tower*](https://example.com/t.png)"),
        vec![paragraph(vec![MdNode::text(
            "the tower (https://example.com/t.png)"
        )])]
    );
    assert_eq!(
        parse_markdown("![x](javascript:alert(1))"),
        vec![paragraph(vec![MdNode::text("x")])]
    );
}

#[test]
fn raw_html_blocks_become_paragraphs_of_literal_text() {
    let nodes = parse_markdown("<div onclick=\"x()\">\nhi\n</div>");
    assert_eq!(
        nodes,
        vec![paragraph(vec![MdNode::text(
            "<div onclick=\"x()\">\nhi\n</div>"
        )])]
    );
}

#[test]
fn code_fence_languages_are_kept_only_when_plausible() {
    let language = |md: &str| match parse_markdown(md).first() {
        Some(MdNode::Element {
            tag: MdTag::CodeBlock { language },
            ..
        }) => language.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(language("```rust\nfn main() {}\n```"), Some("rust".into()));
    assert_eq!(language("```c++ extra words\nx\n```"), Some("c++".into()));
    assert_eq!(language("```\"><script>\nx\n```"), None);
    assert_eq!(language("    indented"), None);
}

#[test]
fn table_heads_hold_one_row_of_header_cells() {
    let nodes = parse_markdown("| a | b |\n|---|---|\n| 1 | 2 |");
    let cell =
        |header, text: &str| MdNode::element(MdTag::TableCell { header }, vec![MdNode::text(text)]);
    assert_eq!(
        nodes,
        vec![MdNode::element(
            MdTag::Table,
            vec![
                MdNode::element(
                    MdTag::TableHead,
                    vec![MdNode::element(
                        MdTag::TableRow,
                        vec![cell(true, "a"), cell(true, "b")]
                    )]
                ),
                MdNode::element(MdTag::TableRow, vec![cell(false, "1"), cell(false, "2")]),
            ]
        )]
    );
}

#[test]
fn deep_block_quotes_are_flattened_at_the_depth_cap() {
    let nodes = parse_markdown(&format!("{} deep", ">".repeat(5_000)));
    assert!(element_depth(&nodes) <= MAX_NESTING_DEPTH);
    assert_eq!(to_plain_text(&nodes), "deep");
}

#[test]
fn deep_lists_and_emphasis_are_flattened_at_the_depth_cap() {
    let list: String = (0..200)
        .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
        .collect();
    let nodes = parse_markdown(&list);
    assert!(element_depth(&nodes) <= MAX_NESTING_DEPTH);
    assert!(to_plain_text(&nodes).contains("item 199"));

    let emphasis = format!("{}x{}", "*_".repeat(500), "_*".repeat(500));
    let nodes = parse_markdown(&emphasis);
    assert!(element_depth(&nodes) <= MAX_NESTING_DEPTH);
    assert!(to_plain_text(&nodes).contains('x'));
}

#[test]
fn a_table_at_the_depth_cap_keeps_its_cells_as_text() {
    let quoted = format!("{} | a | b |\n{0} |---|---|\n{0} | 1 | 2 |", ">".repeat(31));
    let nodes = parse_markdown(&quoted);
    assert!(element_depth(&nodes) <= MAX_NESTING_DEPTH);
    let text = to_plain_text(&nodes);
    assert!(text.contains('a') && text.contains('2'), "{text:?}");
}

#[test]
fn input_past_the_markdown_limit_is_shown_as_plain_text() {
    let line = "**bold** <b>x</b>\n";
    let text = line.repeat(MAX_MARKDOWN_BYTES / line.len() + 10);
    let nodes = parse_markdown(&text);
    let Some(MdNode::Element { tag, children }) = nodes.last() else {
        panic!("no nodes")
    };
    assert_eq!(*tag, MdTag::Paragraph);
    let [MdNode::Text(rest)] = children.as_slice() else {
        panic!("{children:?}")
    };
    assert!(rest.starts_with("**bold**"), "{:?}", &rest[..20]);
    assert_eq!(
        to_plain_text(&nodes).matches("bold").count(),
        text.matches("bold").count()
    );
}

#[test]
fn the_markdown_limit_never_cuts_inside_a_character() {
    let text = "é".repeat(MAX_MARKDOWN_BYTES);
    let nodes = parse_markdown(&text);
    let shown = to_plain_text(&nodes);
    assert_eq!(
        shown.chars().filter(|c| *c == 'é').count(),
        MAX_MARKDOWN_BYTES
    );
}

#[test]
fn neighbouring_text_is_merged_into_one_node() {
    assert_eq!(
        parse_markdown("a [b] c <i>d</i> e"),
        vec![paragraph(vec![MdNode::text("a [b] c <i>d</i> e")])]
    );
}

#[test]
fn plain_text_numbers_ordered_lists_from_their_start() {
    let nodes = parse_markdown("3. three\n4. four\n   - nested\n5. five\n\nAfter");
    assert_eq!(
        to_plain_text(&nodes),
        "3. three\n4. four\n  - nested\n5. five\n\nAfter"
    );
}

#[test]
fn plain_text_separates_table_cells_with_tabs() {
    let nodes = parse_markdown("Intro\n\n| a | b |\n|---|---|\n|  | 2 |\n\nOutro");
    assert_eq!(to_plain_text(&nodes), "Intro\n\na\tb\n\t2\n\nOutro");
}

#[test]
fn every_tag_names_a_harmless_html_element() {
    let tags = [
        MdTag::Paragraph,
        MdTag::Heading(0),
        MdTag::Heading(9),
        MdTag::BlockQuote,
        MdTag::CodeBlock { language: None },
        MdTag::List {
            ordered: true,
            start: Some(1),
        },
        MdTag::List {
            ordered: false,
            start: None,
        },
        MdTag::Item,
        MdTag::Emphasis,
        MdTag::Strong,
        MdTag::Strikethrough,
        MdTag::Code,
        MdTag::Link {
            href: "https://a".into(),
            title: String::new(),
        },
        MdTag::Rule,
        MdTag::LineBreak,
        MdTag::Table,
        MdTag::TableHead,
        MdTag::TableRow,
        MdTag::TableCell { header: true },
        MdTag::TableCell { header: false },
    ];
    let harmless = [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "ol",
        "ul",
        "li",
        "em",
        "strong",
        "del",
        "code",
        "a",
        "hr",
        "br",
        "table",
        "thead",
        "tr",
        "th",
        "td",
    ];
    for tag in tags {
        assert!(harmless.contains(&tag.html_name()), "{tag:?}");
    }
}
