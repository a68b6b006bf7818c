//! Map-reduce's pure parts: a document split into chunks, and the reduce tree over them.
//!
//! Chunks follow paragraphs (blank lines) and hold at most `size` characters. A paragraph longer
//! than that is split at sentence ends, a sentence longer than that at spaces, a word longer than
//! that at characters — three fixed steps, each a loop, never a recursion over the text.

use std::ops::Range;

/// The smallest and largest chunk size, in characters.
pub const MIN_CHUNK_SIZE: usize = 100;
pub const MAX_CHUNK_SIZE: usize = 50_000;
/// The most chunks one run makes (one call each).
pub const MAX_CHUNKS: usize = 200;

/// `size` kept between [`MIN_CHUNK_SIZE`] and [`MAX_CHUNK_SIZE`].
pub fn clamp_chunk_size(size: usize) -> usize {
    size.clamp(MIN_CHUNK_SIZE, MAX_CHUNK_SIZE)
}

/// The paragraphs of `text`: runs of lines between blank lines, trimmed, empty ones dropped.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out.into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Splits `text` into chunks of at most `size` characters (clamped), by paragraphs.
///
/// ```
/// use parallel_playground::patterns::chunking::chunk_document;
/// let doc = "One.\n\nTwo.\n\nThree is a longer paragraph.";
/// assert_eq!(chunk_document(doc, 100), vec![doc.to_string()]);
/// ```
pub fn chunk_document(text: &str, size: usize) -> Vec<String> {
    let size = clamp_chunk_size(size);
    let mut chunks = Vec::new();
    let mut current = String::new();
    for paragraph in paragraphs(text) {
        let len = chars(&paragraph);
        if len > size {
            flush(&mut chunks, &mut current);
            chunks.extend(split_long(&paragraph, size));
            continue;
        }
        if !current.is_empty() && chars(&current) + 2 + len > size {
            flush(&mut chunks, &mut current);
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&paragraph);
    }
    flush(&mut chunks, &mut current);
    chunks
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn flush(chunks: &mut Vec<String>, current: &mut String) {
    if !current.trim().is_empty() {
        chunks.push(std::mem::take(current));
    }
    current.clear();
}

/// A paragraph longer than `size`: sentences packed up to `size`; longer sentences by words,
/// longer words by characters.
fn split_long(paragraph: &str, size: usize) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    for sentence in sentences(paragraph) {
        if chars(&sentence) <= size {
            units.push(sentence);
            continue;
        }
        for word in sentence.split_whitespace() {
            if chars(word) <= size {
                units.push(word.to_string());
            } else {
                let letters: Vec<char> = word.chars().collect();
                units.extend(letters.chunks(size).map(|c| c.iter().collect::<String>()));
            }
        }
    }
    pack(units, " ", size)
}

/// The sentences of `text`: each ends after `.`, `!` or `?` (and any closing quotes or
/// brackets) followed by whitespace, or at the end.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut after_end = false;
    for c in text.chars() {
        if c.is_whitespace() && after_end {
            out.push(std::mem::take(&mut current).trim().to_string());
            after_end = false;
            continue;
        }
        current.push(c);
        if matches!(c, '.' | '!' | '?') {
            after_end = true;
        } else if !matches!(c, '"' | '\'' | ')' | ']' | '”' | '’') {
            after_end = false;
        }
    }
    out.push(current.trim().to_string());
    out.retain(|s| !s.is_empty());
    out
}

/// Joins `units` with `sep` into pieces of at most `size` characters (each unit fits alone).
fn pack(units: Vec<String>, sep: &str, size: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for unit in units {
        if !current.is_empty() && chars(&current) + chars(sep) + chars(&unit) > size {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str(sep);
        }
        current.push_str(&unit);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The reduce tree over `inputs` results with fan-in `fan_in`: for each level (the first merges
/// the map results), the ranges of the level below that each node merges. A fan-in below 2, or
/// one at least `inputs`, is a single merging call; one input needs no reduce at all. A range of
/// one is passed up as it is (no call).
///
/// ```
/// use parallel_playground::patterns::chunking::reduce_tree;
/// assert_eq!(reduce_tree(5, 2), vec![vec![0..2, 2..4, 4..5], vec![0..2, 2..3], vec![0..2]]);
/// assert_eq!(reduce_tree(5, 0), vec![vec![0..5]]);
/// assert!(reduce_tree(1, 3).is_empty());
/// ```
pub fn reduce_tree(inputs: usize, fan_in: usize) -> Vec<Vec<Range<usize>>> {
    if inputs <= 1 {
        return Vec::new();
    }
    if fan_in < 2 || fan_in >= inputs {
        return vec![vec![0..inputs]];
    }
    let mut levels = Vec::new();
    let mut count = inputs;
    while count > 1 {
        let level: Vec<Range<usize>> = (0..count)
            .step_by(fan_in)
            .map(|start| start..(start + fan_in).min(count))
            .collect();
        count = level.len();
        levels.push(level);
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_packed_up_to_the_size_and_kept_whole() {
        let a = "a".repeat(60);
        let b = "b".repeat(60);
        let c = "c".repeat(30);
        let doc = format!("{a}\n\n{b}\n  \n\n{c}\n");
        let chunks = chunk_document(&doc, 130);
        assert_eq!(chunks, vec![format!("{a}\n\n{b}"), c.clone()]);
        assert_eq!(chunk_document(&doc, 100), vec![a, format!("{b}\n\n{c}")]);
    }

    #[test]
    fn a_long_paragraph_is_split_at_sentences_then_words_then_characters() {
        let sentence = "This sentence has exactly forty chars. ";
        let paragraph = sentence.repeat(10);
        let chunks = chunk_document(&paragraph, 100);
        assert!(
            chunks.iter().all(|c| c.chars().count() <= 100),
            "{chunks:?}"
        );
        assert!(chunks.iter().all(|c| c.ends_with("chars.")), "{chunks:?}");
        assert_eq!(chunks.len(), 5);

        let word = "x".repeat(250);
        let chunks = chunk_document(&format!("short. {word} tail"), 100);
        assert!(
            chunks.iter().all(|c| c.chars().count() <= 100),
            "{chunks:?}"
        );
        let joined: String = chunks.concat();
        assert_eq!(joined.matches('x').count(), 250);
        assert!(joined.ends_with("tail"));
    }

    #[test]
    fn nothing_is_lost_and_order_is_kept() {
        let doc = (0..40)
            .map(|i| format!("Paragraph {i} says something. It has two sentences!"))
            .collect::<Vec<_>>()
            .join("\n\n");
        let chunks = chunk_document(&doc, 200);
        let words: Vec<&str> = doc.split_whitespace().collect();
        let back: Vec<&str> = chunks.iter().flat_map(|c| c.split_whitespace()).collect();
        assert_eq!(words, back);
        assert!(chunk_document("  \n\n ", 200).is_empty());
    }

    #[test]
    fn the_tree_has_fan_in_nodes_per_level_up_to_one() {
        let tree = reduce_tree(10, 3);
        let sizes: Vec<usize> = tree.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![4, 2, 1]);
        assert_eq!(tree[0][3], 9..10);
        assert_eq!(reduce_tree(4, 4), vec![vec![0..4]]);
        assert_eq!(reduce_tree(3, 1), vec![vec![0..3]]);
    }
}
