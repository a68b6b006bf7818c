//! Markdown that arrives in chunks (a streaming answer), parsed in time linear in its length.
//!
//! [`MarkdownStream`] keeps the block parser open between chunks and feeds it each complete
//! line once. Whenever a line leaves no block open, the blocks before it are *finished*: they
//! will parse the same whatever follows, so they are handed out once and never parsed again.
//! Only the *open* part after the last finished block is parsed again with each chunk, and it
//! is as long as one block, not the whole text. A page shows the finished blocks once (a
//! selection in them survives) and rebuilds only the open part.
//!
//! A link reference definition (`[a]: https://…`) can change text before it, so once one is
//! read the stream says so ([`MarkdownStream::needs_whole_parse`]) and the page parses the
//! whole text instead, as [`super::parse_markdown`] does.
//!
//! ```
//! use parallel_playground::markdown::{parse_markdown, MarkdownStream};
//!
//! let text = "# Title\n\nFirst *paragraph*.\n\n- a\n- b\n\nLast, still open";
//! let mut stream = MarkdownStream::default();
//! let mut shown = Vec::new();
//! for chunk in text.as_bytes().chunks(7) {
//!     shown.extend(stream.push(std::str::from_utf8(chunk).unwrap()));
//! }
//! shown.extend(stream.open_nodes());
//! assert_eq!(shown, parse_markdown(text));
//! ```

use super::block_parser::LineFeed;
use super::{parse_markdown, MdNode};

/// A streaming Markdown text; see the module documentation.
pub struct MarkdownStream {
    text: String,
    /// Bytes of `text` whose lines the block parser has read (up to a line end).
    fed: usize,
    /// Bytes of `text` searched for a line end (a long line arriving in pieces is searched once).
    scanned: usize,
    /// Where the open part starts: everything before it is in finished blocks.
    open_from: usize,
    feed: LineFeed,
    /// Bytes read by a parser so far, line feed and open-part parses alike: the work done.
    parsed_bytes: u64,
}

impl Default for MarkdownStream {
    fn default() -> MarkdownStream {
        MarkdownStream {
            text: String::new(),
            fed: 0,
            scanned: 0,
            open_from: 0,
            feed: LineFeed::new(),
            parsed_bytes: 0,
        }
    }
}

impl MarkdownStream {
    /// The whole text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Appends `chunk`; returns the top-level nodes that it finished, in order (each finished
    /// node is returned once).
    pub fn push(&mut self, chunk: &str) -> Vec<MdNode> {
        self.text.push_str(chunk);
        let mut finished = Vec::new();
        while let Some(found) = self.text[self.scanned..].find('\n') {
            let line_end = self.scanned + found;
            let closed_every_block = self.feed.line(&self.text[self.fed..line_end]);
            self.parsed_bytes += (line_end + 1 - self.fed) as u64;
            self.fed = line_end + 1;
            self.scanned = self.fed;
            if closed_every_block {
                finished.extend(self.feed.take_finished());
                self.open_from = self.fed;
            }
        }
        self.scanned = self.text.len();
        finished
    }

    /// The nodes of the open part (parsed now; call once per frame).
    pub fn open_nodes(&mut self) -> Vec<MdNode> {
        let open = &self.text[self.open_from..];
        self.parsed_bytes += open.len() as u64;
        if open.is_empty() {
            return Vec::new();
        }
        parse_markdown(open)
    }

    /// Whether a link reference definition was read: the finished blocks may then be wrong,
    /// and the whole text should be parsed with [`parse_markdown`].
    pub fn needs_whole_parse(&self) -> bool {
        self.feed.read_a_definition()
    }

    /// How many bytes the parsers have read so far: grows with the text, not with its square.
    pub fn parsed_bytes(&self) -> u64 {
        self.parsed_bytes
    }
}
