//! [`MarkdownStream`]: the same tree as a whole parse for any chunking, and work per chunk
//! that does not grow with the text.

use super::{parse_markdown, MarkdownStream, MdNode};

/// What the stream shows after each chunk: the finished nodes so far, then the open part.
fn stream_in_chunks(text: &str, chunk_chars: usize) -> Vec<(usize, Vec<MdNode>)> {
    let mut stream = MarkdownStream::default();
    let mut finished = Vec::new();
    let mut shown = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut length = 0;
    for chunk in chars.chunks(chunk_chars.max(1)) {
        let chunk: String = chunk.iter().collect();
        length += chunk.len();
        finished.extend(stream.push(&chunk));
        let mut now = finished.clone();
        now.extend(stream.open_nodes());
        if !stream.needs_whole_parse() {
            shown.push((length, now));
        }
    }
    shown
}

const DOCUMENT: &str = "# Title\n\nSetext\n===\n\nA *paragraph* with `code`\nand a lazy line.\n\n\
    - tight\n- list\n\n- now\n\n  loose\n\n1. one\n2) two\n\n> quote\ncontinued\n>\n> > deeper\n\n\
    ```rust\nfn main() {\n\n    blank lines inside\n}\n```\n\n    indented code\n\n    more\n\n\
    | a | b |\n|---|:-:|\n| 1 | 2 |\nrow\n\n<div>html</div>\n\n---\n\n***bold em*** ~~gone~~  \nend\n\n\
    - a\n  ```\n  x\n\nb\n\n```\nreal\n\nstill code\n```\n\r\nlast line, open";

#[test]
fn every_chunking_shows_what_a_whole_parse_shows_at_every_step() {
    for chunk_chars in [1, 2, 3, 7, 50, 10_000] {
        for (length, shown) in stream_in_chunks(DOCUMENT, chunk_chars) {
            assert_eq!(
                shown,
                parse_markdown(&DOCUMENT[..length]),
                "{chunk_chars}-character chunks, after {:?}",
                &DOCUMENT[..length]
            );
        }
    }
}

#[test]
fn a_reference_definition_asks_for_a_whole_parse() {
    let mut stream = MarkdownStream::default();
    stream.push("See [the site][s].\n\n");
    assert!(!stream.needs_whole_parse());
    stream.push("[s]: https://example.com\n");
    assert!(stream.needs_whole_parse());
}

/// Paragraphs of `words` words in all, in the style of a long answer.
fn long_answer(words: usize) -> String {
    let sentence = "Parallel calls finish when the slowest one does, so *latency* adds up. ";
    let mut text = String::new();
    for word in 0..words / 12 {
        text.push_str(sentence);
        if word % 6 == 5 {
            text.push_str("\n\n");
        }
    }
    text
}

/// Bytes parsed for each chunk of `text` as it streams in, a frame (one open-part parse) per
/// chunk.
fn work_per_chunk(text: &str, chunk_bytes: usize) -> Vec<f64> {
    let mut stream = MarkdownStream::default();
    let mut work = Vec::new();
    for chunk in text.as_bytes().chunks(chunk_bytes) {
        let before = stream.parsed_bytes();
        stream.push(std::str::from_utf8(chunk).expect("ASCII text"));
        stream.open_nodes();
        work.push((stream.parsed_bytes() - before) as f64);
    }
    work
}

fn mean(work: &[f64]) -> f64 {
    work.iter().sum::<f64>() / work.len() as f64
}

#[test]
fn work_per_chunk_does_not_grow_with_the_text() {
    let short = work_per_chunk(&long_answer(200), 24);
    let long = work_per_chunk(&long_answer(20_000), 24);
    let tenth = long.len() / 10;
    let (short, long_start, long_end) = (
        mean(&short),
        mean(&long[..tenth]),
        mean(&long[long.len() - tenth..]),
    );
    // Parsing the whole text per chunk would make the last tenth 19 times the first.
    assert!(
        long_end / long_start < 1.2,
        "20,000 words: {long_start:.0} bytes parsed per chunk in the first tenth, {long_end:.0} in the last"
    );
    // A 20,000-word answer costs per chunk what a 200-word one does (100 times longer).
    assert!(
        long_end / short < 1.5,
        "bytes parsed per chunk: {short:.0} for 200 words, {long_end:.0} at the end of 20,000"
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod random_chunking {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "\n", "\n\n", " ", "    ", "\t", "a", "b c", "*", "_", "`", "```", "~~~", "~~", "> ", ">",
        "- ", "* ", "1. ", "2) ", "#", "# ", "===", "---", "|", "|-|", "[", "]", "(", ")", "\\",
        "<", "&amp;", "\r\n", "é",
    ];

    proptest! {
        #[test]
        fn any_text_in_any_chunks_shows_what_a_whole_parse_shows(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..120),
            chunk_chars in 1usize..40,
        ) {
            let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
            for (length, shown) in stream_in_chunks(&text, chunk_chars) {
                prop_assert_eq!(shown, parse_markdown(&text[..length]), "{:?}", &text[..length]);
            }
        }
    }
}
