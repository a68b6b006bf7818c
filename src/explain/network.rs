//! "The network" point of the explain panel: the protocol and the browser's connection limit
//! when Resource Timing reports them; what cannot be known, and what the lanes' own times still
//! show, when the server hides them (no `Timing-Allow-Origin`).

use super::{Explanation, NetworkFacts};
use crate::base::seconds_text;
use crate::engine::{Group, LaneStatus, RunView};

/// Calls whose first token came only once another call had ended, after a wait well beyond
/// the quickest first token: they waited for something another call had to free.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WaitedForAnother {
    pub calls: usize,
    pub of: usize,
    /// The longest time to first token among them.
    pub longest_ms: f64,
}

/// [`WaitedForAnother`] over the research calls of `group`.
pub fn waited_for_another(view: &RunView, group: Group) -> WaitedForAnother {
    let times: Vec<(f64, f64, Option<f64>)> = view
        .question_lanes(group)
        .iter()
        .filter(|l| l.status == LaneStatus::Done)
        .filter_map(|l| Some((l.started_ms?, l.first_token_ms?, l.ended_ms)))
        .collect();
    let quickest = times
        .iter()
        .map(|(start, first, _)| first - start)
        .fold(f64::INFINITY, f64::min);
    let waiting: Vec<f64> = times
        .iter()
        .enumerate()
        .filter(|(i, (start, first, _))| {
            let wait = first - start;
            wait >= 50.0
                && wait > 2.0 * quickest
                && times
                    .iter()
                    .enumerate()
                    .any(|(j, (_, _, end))| j != *i && end.is_some_and(|e| e <= *first))
        })
        .map(|(_, (start, first, _))| first - start)
        .collect();
    WaitedForAnother {
        calls: waiting.len(),
        of: times.len(),
        longest_ms: waiting.iter().cloned().fold(0.0, f64::max),
    }
}

/// The network point for the calls of `group`, given what Resource Timing showed.
pub fn explain_network(view: &RunView, group: Group, net: &NetworkFacts) -> Explanation {
    let http1 = net.protocol.eq_ignore_ascii_case("http/1.1");
    let text = if net.protocol.is_empty() {
        hidden(waited_for_another(view, group))
    } else if net.stalled > 0 && http1 {
        format!(
            "{} of the {} calls were stalled: over HTTP/1.1 a browser opens at most six \
             connections to one server, and each streaming answer holds one until it ends, so \
             the others wait (up to {} here). HTTP/2 sends every call over one connection, so \
             the limit disappears — the Anthropic API speaks HTTP/2; many local servers speak \
             only HTTP/1.1.",
            net.stalled,
            net.calls,
            seconds_text(net.longest_stall_ms)
        )
    } else if http1 {
        format!(
            "These calls used HTTP/1.1. Browsers open at most six connections to one server \
             over HTTP/1.1; with seven or more calls at once, the extra calls wait for a free \
             connection (stalled). {} calls did not reach that limit.",
            net.calls
        )
    } else {
        format!(
            "These calls used {}: one connection carries every call, so the browser's \
             six-connection limit of HTTP/1.1 does not apply.",
            net.protocol
        )
    };
    Explanation {
        title: "The network",
        text,
    }
}

/// The server sent no `Timing-Allow-Origin`: say what cannot be known, infer what can.
fn hidden(waited: WaitedForAnother) -> String {
    let unknown = "The server does not let the browser report timing details (it sends no \
                   Timing-Allow-Origin header), so the protocol and where each call's time went \
                   — waiting for a connection, connecting, waiting for the server — cannot be \
                   known here. If it speaks HTTP/1.1, as many local servers do, the browser opens \
                   at most six connections to it.";
    if waited.calls == 0 {
        format!(
            "{unknown} What the calls' own times show: none of the {} calls had to wait for \
             another to end before its first token, so neither a connection limit nor the \
             server's slots held them back.",
            waited.of
        )
    } else {
        format!(
            "{unknown} What the calls' own times show: {} of the {} calls got their first token \
             only after another call had ended (up to {} after they were sent) — they were \
             waiting for a connection or for a slot in the server, which from here look the \
             same. Fewer calls at once (a concurrency limit), more server slots, or a server \
             that speaks HTTP/2 would tell them apart.",
            waited.calls,
            waited.of,
            seconds_text(waited.longest_ms)
        )
    }
}
