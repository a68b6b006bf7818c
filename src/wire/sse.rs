//! [`SseDecoder`]: Server-Sent Events out of a body that arrives in pieces of any size.
//!
//! Follows the parsing rules of the WHATWG HTML standard (“Interpreting an event stream”):
//! lines end with CR, LF or CRLF (a CRLF may be split between two chunks), a leading UTF-8 BOM
//! is dropped, lines starting with `:` are comments, `data:` lines are joined with `\n`, one
//! space after the colon is removed, and an event is dispatched on a blank line. `id:` and
//! `retry:` are read and ignored: the playground never reconnects.
//!
//! ```
//! use parallel_playground::wire::sse::SseDecoder;
//!
//! let mut decoder = SseDecoder::new();
//! assert!(decoder.feed(b"event: ping\r\ndata: {\"a\"").is_empty());
//! let events = decoder.feed(b":1}\r\n\r\n");
//! let event = events[0].as_ref().expect("a complete event");
//! assert_eq!((event.event.as_str(), event.data.as_str()), ("ping", "{\"a\":1}"));
//! assert!(decoder.finish().is_empty());
//! ```

use thiserror::Error;

/// The longest line, and the largest event, the decoder keeps in memory by default: 8 MiB.
pub const DEFAULT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// The event name the standard gives an event without an `event:` field.
pub const DEFAULT_EVENT_NAME: &str = "message";

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, or [`DEFAULT_EVENT_NAME`] when the event had none.
    pub event: String,
    /// The values of the event's `data:` lines joined with `\n`.
    pub data: String,
}

/// Why the decoder gave up on a stream.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SseError {
    /// A line grew past the limit without ending: not an event stream, or a broken one.
    #[error("a line of the event stream is longer than {limit} bytes")]
    LineTooLong { limit: usize },
    /// The `data:` lines of one event add up to more than the limit.
    #[error("an event of the event stream is larger than {limit} bytes")]
    EventTooLarge { limit: usize },
}

/// What the body left unfinished when it ended; the standard discards it, but a decoder can
/// take it as a sign that the stream was cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SseLeftover {
    /// Bytes came after the last line end.
    pub partial_line: bool,
    /// `data:` lines were read but the blank line that dispatches them never came.
    pub partial_event: bool,
}

impl SseLeftover {
    /// Whether the body ended cleanly, right after a dispatched event (or a comment).
    pub fn is_empty(&self) -> bool {
        !self.partial_line && !self.partial_event
    }
}

/// The incremental event-stream parser: feed it bytes as they arrive, then call
/// [`finish`](SseDecoder::finish) when the body ends.
#[derive(Clone, Debug)]
pub struct SseDecoder {
    /// Bytes of the line being read, not yet ended.
    line: Vec<u8>,
    /// The last line ended with CR: an LF right after it belongs to the same line end.
    after_cr: bool,
    /// No line has ended yet, so a BOM at the start of `line` is the stream's BOM.
    at_stream_start: bool,
    event_name: String,
    data: String,
    max_bytes: usize,
    failed: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder::with_max_bytes(DEFAULT_MAX_BYTES)
    }
}

impl SseDecoder {
    /// A decoder with the default size limit ([`DEFAULT_MAX_BYTES`]).
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// A decoder that refuses lines and events longer than `max_bytes`.
    pub fn with_max_bytes(max_bytes: usize) -> SseDecoder {
        SseDecoder {
            line: Vec::new(),
            after_cr: false,
            at_stream_start: true,
            event_name: String::new(),
            data: String::new(),
            max_bytes,
            failed: false,
        }
    }

    /// Reads the next bytes; returns the events they complete, in order. After an error the
    /// decoder ignores everything until [`finish`](SseDecoder::finish).
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Result<SseEvent, SseError>> {
        let mut events = Vec::new();
        let mut rest = chunk;
        while !self.failed {
            if self.after_cr {
                match rest.split_first() {
                    Some((b'\n', after_lf)) => rest = after_lf,
                    Some(_) => {}
                    None => break,
                }
                self.after_cr = false;
            }
            let line_end = rest.iter().position(|&b| b == b'\n' || b == b'\r');
            let taken = line_end.unwrap_or(rest.len());
            if self.line.len() + taken > self.max_bytes {
                self.failed = true;
                events.push(Err(SseError::LineTooLong {
                    limit: self.max_bytes,
                }));
                break;
            }
            self.line.extend_from_slice(&rest[..taken]);
            let Some(end) = line_end else { break };
            self.after_cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            let line = std::mem::take(&mut self.line);
            if let Some(result) = self.process_line(&line) {
                self.failed = result.is_err();
                events.push(result);
            }
            // Keep the allocation for the next line.
            self.line = line;
            self.line.clear();
        }
        events
    }

    /// The body has ended: drops any unfinished event (as the standard says), reports what was
    /// dropped, and makes the decoder ready for a new stream.
    pub fn finish(&mut self) -> SseLeftover {
        let pending_line = if self.at_stream_start {
            self.line
                .strip_prefix(BYTE_ORDER_MARK)
                .unwrap_or(&self.line)
        } else {
            &self.line
        };
        let leftover = if self.failed {
            SseLeftover::default()
        } else {
            SseLeftover {
                partial_line: !pending_line.is_empty(),
                partial_event: !self.data.is_empty(),
            }
        };
        *self = SseDecoder::with_max_bytes(self.max_bytes);
        leftover
    }

    /// Interprets one complete line; returns an event when the line is blank and data waits.
    fn process_line(&mut self, line: &[u8]) -> Option<Result<SseEvent, SseError>> {
        let mut line = line;
        if self.at_stream_start {
            self.at_stream_start = false;
            line = line.strip_prefix(BYTE_ORDER_MARK).unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch().map(Ok);
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => return None, // a comment, such as `: ping`
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"event" => self.event_name = String::from_utf8_lossy(value).into_owned(),
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max_bytes {
                    return Some(Err(SseError::EventTooLarge {
                        limit: self.max_bytes,
                    }));
                }
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            // `id` and `retry` only matter for reconnecting; unknown fields are ignored.
            _ => {}
        }
        None
    }

    /// The blank-line step: hands out the buffered event, if it has data, and clears it.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let name = std::mem::take(&mut self.event_name);
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the `\n` added after the last data line
        Some(SseEvent {
            event: if name.is_empty() {
                DEFAULT_EVENT_NAME.to_string()
            } else {
                name
            },
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(decoder: &mut SseDecoder, bytes: &[u8]) -> Vec<SseEvent> {
        decoder
            .feed(bytes)
            .into_iter()
            .map(|r| r.expect("no error"))
            .collect()
    }

    #[test]
    fn a_crlf_split_between_chunks_ends_one_line_only() {
        let mut decoder = SseDecoder::new();
        assert!(events(&mut decoder, b"data: a\r").is_empty());
        // Were the LF a second line end, this blank line would dispatch early.
        assert!(events(&mut decoder, b"\ndata: b\r").is_empty());
        let got = events(&mut decoder, b"\n\r\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].data, "a\nb");
    }

    #[test]
    fn an_empty_chunk_after_cr_keeps_the_pending_lf_skip() {
        let mut decoder = SseDecoder::new();
        assert!(events(&mut decoder, b"data: a\r").is_empty());
        assert!(events(&mut decoder, b"").is_empty());
        assert!(events(&mut decoder, b"\n").is_empty());
        assert_eq!(events(&mut decoder, b"\n").len(), 1);
    }

    #[test]
    fn a_bom_split_across_chunks_is_dropped_from_the_first_field() {
        let mut decoder = SseDecoder::new();
        decoder.feed(b"\xEF");
        decoder.feed(b"\xBB\xBFevent: x\n");
        let got = events(&mut decoder, b"data: y\n\n");
        assert_eq!(got[0].event, "x");
    }

    #[test]
    fn a_bom_after_the_first_line_is_kept_as_text() {
        let mut decoder = SseDecoder::new();
        let got = events(&mut decoder, b"\n\xEF\xBB\xBFdata: y\n\ndata: z\n\n");
        assert_eq!(
            got.len(),
            1,
            "the field name is not `data` with a BOM in front"
        );
        assert_eq!(got[0].data, "z");
    }

    #[test]
    fn an_overlong_line_is_an_error_and_the_decoder_then_stops() {
        let mut decoder = SseDecoder::with_max_bytes(8);
        assert_eq!(events(&mut decoder, b"data: 1\n\n").len(), 1);
        let got = decoder.feed(b"data: 12345\n\ndata: 2\n\n");
        assert_eq!(got, vec![Err(SseError::LineTooLong { limit: 8 })]);
        assert!(decoder.feed(b"data: 3\n\n").is_empty());
    }

    #[test]
    fn many_data_lines_cannot_grow_an_event_past_the_limit() {
        let mut decoder = SseDecoder::with_max_bytes(10);
        let got = decoder.feed(b"data: abcd\ndata: efgh\ndata: ijkl\n\n");
        assert_eq!(got, vec![Err(SseError::EventTooLarge { limit: 10 })]);
    }

    #[test]
    fn finish_reports_an_unterminated_event_and_resets() {
        let mut decoder = SseDecoder::new();
        decoder.feed(b"data: a\n");
        let leftover = decoder.finish();
        assert!(leftover.partial_event && !leftover.partial_line);
        decoder.feed(b"data: b");
        assert!(decoder.finish().partial_line);
        assert_eq!(events(&mut decoder, b"data: c\n\n")[0].data, "c");
        assert!(decoder.finish().is_empty());
    }
}
