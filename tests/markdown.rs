//! Model output rendered as Markdown: ordinary answers look right, and no payload in the XSS
//! corpus (or any random input) yields a node that could run script or leave the page.

#[path = "support/xss_payloads.rs"]
mod xss_payloads;

use parallel_playground::markdown::{
    parse_markdown, safe_link_target, to_plain_text, MdNode, MdTag, MAX_NESTING_DEPTH,
};
use xss_payloads::XSS_PAYLOADS;

/// Where the browser security suite reads the same corpus.
const PAYLOADS_JSON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/xss-payloads.json");

/// Element names that dangerous HTML would need; the corpus uses them as `<name`.
const DANGEROUS_TAGS: &[&str] = &[
    "script", "img", "svg", "iframe", "math", "body", "details", "object", "embed", "a ", "form",
    "input", "video", "style", "link", "meta", "base", "template", "textarea", "marquee",
    "noscript", "b ", "div",
];

/// Every problem with `nodes` as a safe tree, as readable strings (empty when safe).
fn safety_problems(nodes: &[MdNode]) -> Vec<String> {
    let mut problems = Vec::new();
    check_nodes(nodes, 0, false, &mut problems);
    problems
}

fn check_nodes(nodes: &[MdNode], depth: usize, in_link: bool, problems: &mut Vec<String>) {
    for node in nodes {
        let MdNode::Element { tag, children } = node else {
            continue;
        };
        let depth = depth + 1;
        if depth > MAX_NESTING_DEPTH {
            problems.push(format!("element at depth {depth}: {tag:?}"));
        }
        match tag {
            MdTag::Link { href, .. } => {
                let lower = href.to_ascii_lowercase();
                let allowed = ["http:", "https:", "mailto:"]
                    .iter()
                    .any(|scheme| lower.starts_with(scheme));
                if !allowed || safe_link_target(href).as_deref() != Some(href.as_str()) {
                    problems.push(format!("unsafe href {href:?}"));
                }
                if in_link {
                    problems.push(format!("link inside a link: {href:?}"));
                }
            }
            MdTag::Heading(level) if !(1..=6).contains(level) => {
                problems.push(format!("heading level {level}"));
            }
            MdTag::CodeBlock {
                language: Some(language),
            } if !language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_+.#".contains(c)) =>
            {
                problems.push(format!("code language {language:?}"));
            }
            MdTag::Rule | MdTag::LineBreak if !children.is_empty() => {
                problems.push(format!("{tag:?} has children"));
            }
            MdTag::Code if children.iter().any(|c| !matches!(c, MdNode::Text(_))) => {
                problems.push("inline code holds elements".into());
            }
            _ => {}
        }
        let in_link = in_link || matches!(tag, MdTag::Link { .. });
        check_nodes(children, depth, in_link, problems);
    }
}

/// All links in `nodes` as `(href, text)`.
fn links(nodes: &[MdNode]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for node in nodes {
        if let MdNode::Element { tag, children } = node {
            if let MdTag::Link { href, .. } = tag {
                found.push((href.clone(), to_plain_text(children)));
            }
            found.extend(links(children));
        }
    }
    found
}

fn element(tag: MdTag, children: Vec<MdNode>) -> MdNode {
    MdNode::element(tag, children)
}

fn text(value: &str) -> MdNode {
    MdNode::text(value)
}

#[test]
fn the_corpus_has_at_least_forty_payloads() {
    assert!(XSS_PAYLOADS.len() >= 40, "{}", XSS_PAYLOADS.len());
}

#[test]
fn no_payload_yields_an_unsafe_node() {
    for payload in XSS_PAYLOADS {
        let problems = safety_problems(&parse_markdown(payload));
        assert!(problems.is_empty(), "{payload:?}: {problems:?}");
    }
}

#[test]
fn no_payload_keeps_a_link_to_anything_but_the_web_or_mail() {
    for payload in XSS_PAYLOADS {
        for (href, _) in links(&parse_markdown(payload)) {
            assert!(
                href.starts_with("https://") || href.starts_with("mailto:"),
                "{payload:?} kept {href:?}"
            );
        }
    }
}

#[test]
fn dangerous_html_in_a_payload_stays_visible_as_text() {
    for payload in XSS_PAYLOADS {
        let shown = to_plain_text(&parse_markdown(payload)).to_ascii_lowercase();
        // A reference definition (`[x]: target`) is never shown, so its target does not count.
        let lower: String = payload
            .lines()
            .filter(|line| !(line.starts_with('[') && line.contains("]: ")))
            .collect::<Vec<_>>()
            .join("\n")
            .to_ascii_lowercase();
        for tag in DANGEROUS_TAGS {
            let opening = format!("<{tag}");
            if lower.contains(&opening) {
                assert!(
                    shown.contains(&opening),
                    "{payload:?} lost {opening:?}: {shown:?}"
                );
            }
        }
    }
}

#[test]
fn link_payloads_show_their_text_without_a_link() {
    for payload in [
        "[click](javascript:alert(1))",
        "[click](<java\tscript:alert(1)>)",
        "[click](&#106;avascript:alert(1))",
        "[click](//evil.example/phish)",
        "[click][x]\n\n[x]: javascript:alert(1)",
    ] {
        let nodes = parse_markdown(payload);
        assert_eq!(
            nodes,
            vec![element(MdTag::Paragraph, vec![text("click")])],
            "{payload:?}"
        );
    }
}

#[test]
fn a_dangerous_autolink_shows_its_address_as_text() {
    let nodes = parse_markdown("<javascript:alert(1)>");
    assert!(links(&nodes).is_empty());
    assert_eq!(to_plain_text(&nodes), "javascript:alert(1)");
}

#[test]
fn a_linked_image_with_dangerous_targets_leaves_only_its_alt_text() {
    let nodes = parse_markdown("[![x](javascript:alert(1))](javascript:alert(2))");
    assert_eq!(nodes, vec![element(MdTag::Paragraph, vec![text("x")])]);
}

#[test]
fn a_code_fence_info_string_cannot_inject_attributes() {
    let nodes = parse_markdown("```\" onmouseover=\"alert(1)\nx\n```");
    assert_eq!(
        nodes,
        vec![element(
            MdTag::CodeBlock { language: None },
            vec![text("x\n")]
        )]
    );
}

#[test]
fn the_e2e_corpus_file_matches_the_rust_corpus() {
    let expected = serde_json::to_string_pretty(XSS_PAYLOADS).expect("strings serialise") + "\n";
    if std::env::var_os("UPDATE_XSS_PAYLOADS_JSON").is_some() {
        std::fs::write(PAYLOADS_JSON, &expected).expect("write the corpus file");
    }
    let on_disk = std::fs::read_to_string(PAYLOADS_JSON).unwrap_or_default();
    let parsed: Vec<String> = serde_json::from_str(&on_disk).unwrap_or_default();
    assert_eq!(
        parsed, XSS_PAYLOADS,
        "{PAYLOADS_JSON} is out of date: rerun with UPDATE_XSS_PAYLOADS_JSON=1"
    );
}

#[test]
fn headings_paragraphs_and_emphasis_render_as_elements() {
    let nodes = parse_markdown("## Paris\n\nThe *Louvre*, the **Orsay** and ~~no~~ `code`.");
    assert_eq!(
        nodes,
        vec![
            element(MdTag::Heading(2), vec![text("Paris")]),
            element(
                MdTag::Paragraph,
                vec![
                    text("The "),
                    element(MdTag::Emphasis, vec![text("Louvre")]),
                    text(", the "),
                    element(MdTag::Strong, vec![text("Orsay")]),
                    text(" and "),
                    element(MdTag::Strikethrough, vec![text("no")]),
                    text(" "),
                    element(MdTag::Code, vec![text("code")]),
                    text("."),
                ]
            ),
        ]
    );
}

#[test]
fn lists_keep_their_kind_and_start() {
    let nodes = parse_markdown("- a\n- b\n\n3. c\n4. d");
    let item = |value: &str| element(MdTag::Item, vec![text(value)]);
    assert_eq!(
        nodes,
        vec![
            element(
                MdTag::List {
                    ordered: false,
                    start: None
                },
                vec![item("a"), item("b")]
            ),
            element(
                MdTag::List {
                    ordered: true,
                    start: Some(3)
                },
                vec![item("c"), item("d")]
            ),
        ]
    );
}

#[test]
fn code_blocks_keep_their_language_and_text() {
    let nodes = parse_markdown("```rust\nlet a = 1 < 2;\n```");
    assert_eq!(
        nodes,
        vec![element(
            MdTag::CodeBlock {
                language: Some("rust".into())
            },
            vec![text("let a = 1 < 2;\n")]
        )]
    );
}

#[test]
fn tables_render_with_header_and_body_cells() {
    let nodes = parse_markdown("| City | Days |\n|:-----|-----:|\n| Paris | 3 |\n| Rome | 2 |");
    let [MdNode::Element {
        tag: MdTag::Table,
        children: rows,
    }] = nodes.as_slice()
    else {
        panic!("{nodes:?}")
    };
    assert_eq!(rows.len(), 3);
    assert!(matches!(
        &rows[0],
        MdNode::Element {
            tag: MdTag::TableHead,
            ..
        }
    ));
    assert_eq!(to_plain_text(&nodes), "City\tDays\nParis\t3\nRome\t2");
}

#[test]
fn safe_links_are_kept_in_every_form() {
    let nodes = parse_markdown(
        "[inline](https://a.example) [ref][r] <https://b.example> <me@example.com> \
         [mail](MAILTO:me@example.com)\n\n[r]: http://c.example",
    );
    assert_eq!(
        links(&nodes),
        vec![
            ("https://a.example".into(), "inline".into()),
            ("http://c.example".into(), "ref".into()),
            ("https://b.example".into(), "https://b.example".into()),
            ("mailto:me@example.com".into(), "me@example.com".into()),
            ("mailto:me@example.com".into(), "mail".into()),
        ]
    );
}

#[test]
fn quotes_rules_and_hard_breaks_render_as_elements() {
    let nodes = parse_markdown("> quoted  \nnext line\n\n---");
    assert_eq!(
        nodes,
        vec![
            element(
                MdTag::BlockQuote,
                vec![element(
                    MdTag::Paragraph,
                    vec![
                        text("quoted"),
                        element(MdTag::LineBreak, vec![]),
                        text("next line")
                    ]
                )]
            ),
            element(MdTag::Rule, vec![]),
        ]
    );
}

#[test]
fn plain_text_reads_like_the_answer() {
    let nodes = parse_markdown(
        "# Paris guide\n\nSee the **Louvre** ([site](https://www.louvre.fr)).\n\n\
         1. Museums\n2. Food\n\n```\ncode here\n```\n\n> Tip: walk.",
    );
    assert_eq!(
        to_plain_text(&nodes),
        "Paris guide\n\nSee the Louvre (site).\n\n1. Museums\n2. Food\n\ncode here\n\nTip: walk."
    );
}

#[test]
fn pathological_inputs_give_a_safe_tree() {
    let inputs = [
        "[".repeat(100_000),
        "*a".repeat(50_000),
        "> ".repeat(50_000),
        "<".repeat(100_000),
        "- ".repeat(50_000),
        "[a](".repeat(30_000),
        "|a".repeat(50_000) + "\n" + &"|-".repeat(50_000),
        "`".repeat(100_000),
    ];
    // (How the time grows with the input is checked as a ratio in `syntax_tests.rs`.)
    for input in inputs {
        let nodes = parse_markdown(&input);
        assert!(safety_problems(&nodes).is_empty(), "{:?}…", &input[..8]);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod random_input {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Pieces that matter to Markdown and to link checking, so random input hits real paths.
    const PIECES: &[&str] = &[
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "!",
        "*",
        "_",
        "`",
        "```",
        "~~",
        "|",
        "-",
        "#",
        "\n",
        " ",
        "\t",
        "javascript:",
        "JaVa\tScRiPt:",
        "http://a",
        "https:",
        "data:",
        "vbscript:",
        "&#106;",
        "&colon;",
        "&#x3A;",
        "mailto:",
        "<script>",
        "</",
        "a",
        "1.",
        ":",
        "\"",
        "'",
        "\\",
        "&",
        ";",
        "//",
        "\u{0}",
        "é",
        "> ",
        "    ",
        "[x]: ",
        "@",
        "<img ",
        "onerror=",
    ];

    fn run(strategy: impl Strategy<Value = String>, cases: u32) {
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |input| {
            let nodes = parse_markdown(&input);
            let problems = safety_problems(&nodes);
            prop_assert!(problems.is_empty(), "{:?}: {:?}", input, problems);
            let _ = to_plain_text(&nodes);
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
    }

    #[test]
    fn random_markdown_like_text_never_panics_or_keeps_an_unsafe_link() {
        let piece = proptest::sample::select(PIECES);
        run(
            proptest::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat()),
            4_000,
        );
    }

    #[test]
    fn random_unicode_never_panics_or_keeps_an_unsafe_link() {
        run(any::<String>(), 2_000);
    }
}
