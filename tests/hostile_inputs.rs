//! No input can crash the page: every parser of outside text (the simulated arithmetic,
//! Markdown whole and streamed, saved state, share links, SSE and both providers' stream
//! decoders, a tool call's input JSON) gets nesting 100,000 deep and 1 MB lines, and returns a
//! bounded result. The same inputs run in wasm in `tests/browser.rs`, where a stack overflow
//! would kill the page.

#[path = "hostile/cases.rs"]
mod cases;

use cases::{feed_every_parser, hostile_texts, nested, DEEP};
use proptest::prelude::*;

/// Native threads get 2 MB of stack by default; the page's wasm gets about 1 MB. A parser that
/// recursed once per level would need far more than either for 100,000 levels.
#[test]
fn every_parser_survives_deep_nesting_and_long_lines() {
    for (name, text) in hostile_texts() {
        assert_eq!(feed_every_parser(name, &text), 9, "{name}");
    }
}

/// Openers and closers of every kind of nesting the parsers know.
const NESTINGS: &[(&str, &str)] = &[
    ("(", ")"),
    ("[", "]"),
    ("{\"a\":", "}"),
    ("> ", ""),
    ("- ", ""),
    ("  - ", "\n"),
    ("*", "*"),
    ("_", "_"),
    ("**", "**"),
    ("~~", "~~"),
    ("`", "`"),
    ("[a](", ")"),
    ("![", "](x)"),
    ("<", ">"),
    ("1. ", ""),
    ("\n>", ""),
    ("data: [", "]"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn any_nesting_up_to_100_000_deep_returns_a_bounded_result(
        kind in 0..NESTINGS.len(),
        other in 0..NESTINGS.len(),
        depth in 1..=DEEP,
        middle in "[a-z0-9+*() ]{0,12}",
    ) {
        let (open, close) = NESTINGS[kind];
        let (inner_open, inner_close) = NESTINGS[other];
        // Two kinds interleaved, as a hostile answer could mix them.
        let text = nested(&format!("{open}{inner_open}"), &middle, &format!("{inner_close}{close}"), depth / 2);
        prop_assert_eq!(feed_every_parser("random nesting", &text), 9);
    }
}
