//! Unit tests of the hand-written parser: the syntax answers use, its simplifications, and
//! its speed on adversarial input.

use super::*;

fn element(tag: MdTag, children: Vec<MdNode>) -> MdNode {
    MdNode::element(tag, children)
}

fn text(value: &str) -> MdNode {
    MdNode::text(value)
}

fn paragraph(children: Vec<MdNode>) -> MdNode {
    element(MdTag::Paragraph, children)
}

fn link(href: &str, children: Vec<MdNode>) -> MdNode {
    let tag = MdTag::Link {
        href: href.into(),
        title: String::new(),
    };
    element(tag, children)
}

fn bullets(items: Vec<Vec<MdNode>>) -> MdNode {
    let items = items.into_iter().map(|item| element(MdTag::Item, item));
    let tag = MdTag::List {
        ordered: false,
        start: None,
    };
    element(tag, items.collect())
}

/// Inputs built to trip up a Markdown parser; `eighths` of 8 makes each about 100 KB.
fn adversarial_inputs(eighths: usize) -> Vec<String> {
    let n = |count: usize| count * eighths / 8;
    // Runs of 1, 2, 3 … backticks: the total grows with the square of the longest run.
    let longest = (440.0 * (eighths as f64 / 8.0).sqrt()) as usize;
    let growing_backticks: String = (1..longest).map(|k| "`".repeat(k) + "a").collect();
    let repeated = [
        ("*", 100_000),
        ("[", 100_000),
        ("_a", 50_000),
        ("**a", 33_000),
        ("![", 50_000),
        ("[a](", 25_000),
        ("[a]((b)", 14_000),
        ("<", 100_000),
        ("<a", 50_000),
        ("&#", 50_000),
        ("\\", 100_000),
        ("~~a", 33_000),
        ("> ", 50_000),
        ("- ", 50_000),
        ("1. ", 33_000),
        ("* - ", 25_000),
        ("\n>", 50_000),
        ("[*a] ", 20_000),
    ];
    let mut inputs: Vec<String> = repeated
        .iter()
        .map(|(unit, count)| unit.repeat(n(*count)))
        .collect();
    inputs.push("[a][b]".repeat(n(16_000)) + "\n\n[b]: https://b.example");
    inputs.push(growing_backticks);
    inputs.push("|a".repeat(n(20_000)) + "\n" + &"|-".repeat(n(20_000)) + &"\nx".repeat(n(10_000)));
    inputs
}

/// The fastest of five runs of `work` (a busy machine slows some runs, never all five).
fn fastest_of_five(mut work: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let started = std::time::Instant::now();
            work();
            started.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// Linear time, measured as a ratio in one run (not against a clock, which a loaded machine
/// slows): one 100 KB input takes about as long as eight 12.5 KB ones. Quadratic work would
/// make it eight times as long.
#[test]
fn adversarial_inputs_of_100_kb_parse_in_time_linear_in_their_length() {
    for (small, large) in adversarial_inputs(1).iter().zip(adversarial_inputs(8)) {
        assert!(large.len() <= 110_000, "{}", large.len());
        let eight_small = fastest_of_five(|| {
            for _ in 0..8 {
                assert!(!parse_markdown(small).is_empty());
            }
        });
        let one_large = fastest_of_five(|| assert!(!parse_markdown(&large).is_empty()));
        let ratio = one_large / eight_small;
        assert!(
            ratio < 3.0,
            "{:?}…: 100 KB took {ratio:.1} times as long as 8 × 12.5 KB",
            &large[..8]
        );
    }
}

#[test]
fn emphasis_forms_nest_as_commonmark_reads_them() {
    let em = |children| element(MdTag::Emphasis, children);
    let strong = |children| element(MdTag::Strong, children);
    assert_eq!(
        parse_markdown("***both*** __strong__ _em_"),
        vec![paragraph(vec![
            em(vec![strong(vec![text("both")])]),
            text(" "),
            strong(vec![text("strong")]),
            text(" "),
            em(vec![text("em")]),
        ])]
    );
    assert_eq!(
        parse_markdown("***bold** then italic*"),
        vec![paragraph(vec![em(vec![
            strong(vec![text("bold")]),
            text(" then italic")
        ])])]
    );
    assert_eq!(
        parse_markdown("*a**b*"),
        vec![paragraph(vec![em(vec![text("a**b")])])]
    );
}

#[test]
fn intraword_underscores_single_tildes_and_lone_stars_stay_text() {
    for line in [
        "snake_case_name",
        "about ~5 minutes",
        "2 * 3 * 4",
        "a ~b~ c",
    ] {
        assert_eq!(parse_markdown(line), vec![paragraph(vec![text(line)])]);
    }
}

#[test]
fn code_spans_use_backtick_runs_of_any_length() {
    let code = |value| element(MdTag::Code, vec![text(value)]);
    assert_eq!(
        parse_markdown("`a` ``b ` c`` ``` `x` ```"),
        vec![paragraph(vec![
            code("a"),
            text(" "),
            code("b ` c"),
            text(" "),
            code("`x`"),
        ])]
    );
    assert_eq!(
        parse_markdown("`*not em*` ``unclosed"),
        vec![paragraph(vec![code("*not em*"), text(" ``unclosed")])]
    );
}

#[test]
fn escapes_and_the_common_entities_become_characters() {
    assert_eq!(
        parse_markdown("\\*a\\* &amp; &lt;b&gt; &#169; &#xA9; &copy; &#0;"),
        vec![paragraph(vec![text("*a* & <b> © © &copy; \u{fffd}")])]
    );
}

#[test]
fn link_targets_are_decoded_before_the_link_policy() {
    assert_eq!(
        parse_markdown("[a](&#106;avascript:alert(1)) [b](https&#58;//b.example)"),
        vec![paragraph(vec![
            text("a "),
            link("https://b.example", vec![text("b")])
        ])]
    );
    assert_eq!(
        parse_markdown("[c](https://c.example/\\(x\\) 'it\\'s')"),
        vec![paragraph(vec![element(
            MdTag::Link {
                href: "https://c.example/(x)".into(),
                title: "it's".into()
            },
            vec![text("c")]
        )])]
    );
}

#[test]
fn reference_links_resolve_definitions_anywhere_and_hide_them() {
    let nodes = parse_markdown("[One][1], [two][] and [Three].\n\n[1]: https://1.example\n[TWO]: https://2.example \"Two\"\n[three]: <https://3.example>");
    assert_eq!(to_plain_text(&nodes), "One, two and Three.");
    let MdNode::Element { children, .. } = &nodes[0] else {
        panic!("{nodes:?}")
    };
    assert_eq!(children[0], link("https://1.example", vec![text("One")]));
    assert_eq!(
        children[2],
        element(
            MdTag::Link {
                href: "https://2.example".into(),
                title: "Two".into()
            },
            vec![text("two")]
        )
    );
    assert_eq!(children[4], link("https://3.example", vec![text("Three")]));
    assert_eq!(
        parse_markdown("[undefined] and [x][y]"),
        vec![paragraph(vec![text("[undefined] and [x][y]")])]
    );
}

#[test]
fn brackets_that_are_not_links_keep_emphasis_inside_and_after() {
    assert_eq!(
        parse_markdown("[1] see *this* [a](https://a.example)"),
        vec![paragraph(vec![
            text("[1] see "),
            element(MdTag::Emphasis, vec![text("this")]),
            text(" "),
            link("https://a.example", vec![text("a")]),
        ])]
    );
}

#[test]
fn links_never_nest() {
    let nodes = parse_markdown("[a [b](https://b.example) <https://c.example>](https://a.example)");
    assert_eq!(
        nodes,
        vec![paragraph(vec![
            text("[a "),
            link("https://b.example", vec![text("b")]),
            text(" "),
            link("https://c.example", vec![text("https://c.example")]),
            text("](https://a.example)"),
        ])]
    );
    let nodes = parse_markdown("[see <https://c.example>](https://a.example)");
    assert_eq!(
        nodes,
        vec![paragraph(vec![link(
            "https://a.example",
            vec![text("see https://c.example")]
        )])]
    );
}

#[test]
fn tight_lists_hold_text_and_loose_lists_hold_paragraphs() {
    assert_eq!(
        parse_markdown("- a\n- b\n  - c\n\nafter"),
        vec![
            bullets(vec![
                vec![text("a")],
                vec![text("b"), bullets(vec![vec![text("c")]])]
            ]),
            paragraph(vec![text("after")]),
        ]
    );
    assert_eq!(
        parse_markdown("- a\n\n- b\n  more"),
        vec![bullets(vec![
            vec![paragraph(vec![text("a")])],
            vec![paragraph(vec![text("b\nmore")])]
        ])]
    );
}

#[test]
fn numbered_lists_keep_their_start_and_only_one_interrupts_a_paragraph() {
    let ordered = |start| MdTag::List {
        ordered: true,
        start: Some(start),
    };
    assert_eq!(
        parse_markdown("7) seven\n8) eight"),
        vec![element(
            ordered(7),
            vec![
                element(MdTag::Item, vec![text("seven")]),
                element(MdTag::Item, vec![text("eight")])
            ]
        )]
    );
    assert_eq!(
        parse_markdown("In\n1986. a year"),
        vec![paragraph(vec![text("In\n1986. a year")])]
    );
    assert_eq!(
        parse_markdown("Steps:\n1. go"),
        vec![
            paragraph(vec![text("Steps:")]),
            element(ordered(1), vec![element(MdTag::Item, vec![text("go")])])
        ]
    );
}

#[test]
fn fenced_code_inside_a_list_item_is_unindented() {
    let nodes = parse_markdown("1. Run:\n   ```sh\n   cargo run\n   ```\n2. Done");
    let code = element(
        MdTag::CodeBlock {
            language: Some("sh".into()),
        },
        vec![text("cargo run\n")],
    );
    let MdNode::Element { children, .. } = &nodes[0] else {
        panic!("{nodes:?}")
    };
    assert_eq!(children[0], element(MdTag::Item, vec![text("Run:"), code]));
}

#[test]
fn a_code_block_cut_off_by_the_end_has_no_final_line_end() {
    assert_eq!(
        parse_markdown("~~~\nstreaming"),
        vec![element(
            MdTag::CodeBlock { language: None },
            vec![text("streaming")]
        )]
    );
}

#[test]
fn headings_rules_and_quotes_in_their_usual_forms() {
    let nodes = parse_markdown(
        "Title\n=====\n\nSub\n---\n\n### Three ###\n#hashtag\n\n***\n> a\nlazy\n> > deep",
    );
    assert_eq!(
        nodes,
        vec![
            element(MdTag::Heading(1), vec![text("Title")]),
            element(MdTag::Heading(2), vec![text("Sub")]),
            element(MdTag::Heading(3), vec![text("Three")]),
            paragraph(vec![text("#hashtag")]),
            element(MdTag::Rule, vec![]),
            element(
                MdTag::BlockQuote,
                vec![
                    paragraph(vec![text("a\nlazy")]),
                    element(MdTag::BlockQuote, vec![paragraph(vec![text("deep")])])
                ]
            ),
        ]
    );
}

#[test]
fn hard_breaks_come_from_two_spaces_or_a_backslash() {
    let br = || element(MdTag::LineBreak, vec![]);
    assert_eq!(
        parse_markdown("a  \nb\\\nc \nd"),
        vec![paragraph(vec![
            text("a"),
            br(),
            text("b"),
            br(),
            text("c\nd")
        ])]
    );
}

#[test]
fn table_rows_are_fitted_to_the_header() {
    let nodes =
        parse_markdown("Intro\n| a | b |\n|:-:|--|\n| 1 |\n| 1 | 2 | 3 |\n| x \\| y | **z** |");
    assert_eq!(to_plain_text(&nodes), "Intro\n\na\tb\n1\t\n1\t2\nx | y\tz");
}

#[test]
fn raw_html_and_footnotes_stay_literal_text() {
    assert_eq!(
        parse_markdown("<details>\n<summary>S</summary>\n\n- [ ] task [^1]"),
        vec![
            paragraph(vec![text("<details>\n<summary>S</summary>")]),
            bullets(vec![vec![text("[ ] task [^1]")]]),
        ]
    );
}
