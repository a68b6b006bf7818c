//! Durations as the page prints them.

/// `1.5 s`, `250 ms`: durations as the page prints them.
pub fn seconds_text(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}
