//! The SSE decoder on hand-written streams, each also fed one byte at a time and in random
//! pieces, which must not change what comes out.

use parallel_playground::engine::SplitMix64;
use parallel_playground::wire::sse::{SseDecoder, SseError, SseEvent, SseLeftover};

type Decoded = (Vec<Result<SseEvent, SseError>>, SseLeftover);

fn decode_in_pieces(body: &[u8], pieces: &[&[u8]]) -> Decoded {
    let mut decoder = SseDecoder::new();
    let mut events = Vec::new();
    for piece in pieces {
        events.extend(decoder.feed(piece));
    }
    assert_eq!(pieces.concat(), body);
    (events, decoder.finish())
}

/// Decodes `body` whole, one byte at a time and in 64 random splits; asserts that all agree.
fn decode_every_way(body: &[u8]) -> Decoded {
    let whole = decode_in_pieces(body, &[body]);
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(decode_in_pieces(body, &bytes), whole, "one byte at a time");
    let mut rng = SplitMix64::new(body.len() as u64);
    for _ in 0..64 {
        let pieces = random_pieces(body, &mut rng);
        assert_eq!(decode_in_pieces(body, &pieces), whole, "pieces {pieces:?}");
    }
    whole
}

fn random_pieces<'a>(body: &'a [u8], rng: &mut SplitMix64) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (piece, after) = rest.split_at(1 + rng.index(rest.len().min(12)));
        pieces.push(piece);
        rest = after;
    }
    pieces
}

/// The events of a body that must decode without errors.
fn events_of(body: &str) -> Vec<(String, String)> {
    let (events, _) = decode_every_way(body.as_bytes());
    events
        .into_iter()
        .map(|e| e.expect("no error"))
        .map(|e| (e.event, e.data))
        .collect()
}

fn event(name: &str, data: &str) -> (String, String) {
    (name.to_string(), data.to_string())
}

#[test]
fn lf_crlf_and_cr_line_ends_give_the_same_events() {
    let lf = "event: a\ndata: one\n\ndata: two\ndata: three\n\n";
    let expected = vec![event("a", "one"), event("message", "two\nthree")];
    assert_eq!(events_of(lf), expected);
    assert_eq!(events_of(&lf.replace('\n', "\r\n")), expected);
    assert_eq!(events_of(&lf.replace('\n', "\r")), expected);
    let mixed = "event: a\r\ndata: one\r\rdata: two\ndata: three\r\n\n";
    assert_eq!(events_of(mixed), expected);
}

#[test]
fn comments_are_skipped_wherever_they_appear() {
    let body = ": ping\n\n:\ndata: a\n: in the middle\ndata: b\n\n: last\n\n";
    assert_eq!(events_of(body), vec![event("message", "a\nb")]);
}

#[test]
fn one_leading_space_is_stripped_and_no_more() {
    let body = "data:tight\n\ndata: one\n\ndata:  two\n\ndata: tab\t\n\n";
    let data: Vec<String> = events_of(body).into_iter().map(|e| e.1).collect();
    assert_eq!(data, ["tight", "one", " two", "tab\t"]);
}

#[test]
fn a_value_keeps_its_own_colons() {
    let body = "data: {\"a\": \"b:c\"}\n\n";
    assert_eq!(events_of(body), vec![event("message", "{\"a\": \"b:c\"}")]);
}

#[test]
fn id_retry_and_unknown_fields_are_ignored() {
    let body = "id: 7\nretry: 3000\nretry: soon\nid\nfoo: bar\ndata: x\nid: 8\n\n";
    assert_eq!(events_of(body), vec![event("message", "x")]);
}

#[test]
fn a_field_without_colon_has_an_empty_value() {
    // `data` alone adds an empty line; `event` alone clears the name back to the default.
    let body = "data\ndata\n\nevent: named\nevent\ndata: x\n\n";
    assert_eq!(
        events_of(body),
        vec![event("message", "\n"), event("message", "x")]
    );
}

#[test]
fn an_event_without_data_is_not_dispatched_and_its_name_does_not_leak() {
    let body = "event: lonely\n\n\n\ndata: next\n\n";
    assert_eq!(events_of(body), vec![event("message", "next")]);
}

#[test]
fn an_empty_data_line_is_dispatched_with_empty_data() {
    assert_eq!(events_of("data:\n\n"), vec![event("message", "")]);
}

#[test]
fn a_byte_order_mark_at_the_start_is_dropped() {
    let body = "\u{FEFF}event: first\ndata: x\n\n";
    assert_eq!(events_of(body), vec![event("first", "x")]);
}

#[test]
fn multi_byte_characters_survive_every_split() {
    let body = "event: café\ndata: é🚀 — 日本語\n\n";
    assert_eq!(events_of(body), vec![event("café", "é🚀 — 日本語")]);
}

#[test]
fn invalid_utf8_is_replaced_not_a_panic() {
    let (events, _) = decode_every_way(b"data: a\xFF\xC3b\n\n");
    assert_eq!(
        events,
        vec![Ok(SseEvent {
            event: "message".into(),
            data: "a\u{FFFD}\u{FFFD}b".into(),
        })]
    );
}

#[test]
fn an_unterminated_event_is_discarded_and_reported() {
    let (events, leftover) = decode_every_way(b"data: done\n\ndata: half\n");
    assert_eq!(events.len(), 1);
    assert_eq!(
        leftover,
        SseLeftover {
            partial_line: false,
            partial_event: true
        }
    );

    let (events, leftover) = decode_every_way(b"data: done\n\ndata: ha");
    assert_eq!(events.len(), 1);
    assert!(leftover.partial_line && !leftover.partial_event);
}

#[test]
fn a_clean_end_leaves_nothing_over() {
    for body in [
        "data: a\n\n",
        "data: a\r\n\r\n",
        "data: a\n\n: bye\n",
        "",
        "\u{FEFF}",
    ] {
        let (_, leftover) = decode_every_way(body.as_bytes());
        assert!(leftover.is_empty(), "{body:?}: {leftover:?}");
    }
}

#[test]
fn a_cr_at_the_very_end_still_ends_the_line() {
    let (events, leftover) = decode_every_way(b"data: a\r\r");
    assert_eq!(events.len(), 1);
    assert!(leftover.is_empty());
}

#[test]
fn a_line_past_the_limit_is_an_error_whatever_the_pieces() {
    let mut body = b"data: ok\n\ndata: ".to_vec();
    body.extend(std::iter::repeat_n(b'x', 100));
    body.extend(b"\n\ndata: never\n\n");
    let mut rng = SplitMix64::new(3);
    for round in 0..32 {
        let pieces = if round == 0 {
            body.chunks(1).collect()
        } else {
            random_pieces(&body, &mut rng)
        };
        let mut decoder = SseDecoder::with_max_bytes(64);
        let events: Vec<_> = pieces.iter().flat_map(|p| decoder.feed(p)).collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1], Err(SseError::LineTooLong { limit: 64 }));
    }
}
