//! The CSV export of an experiment: one row per call per round.

use super::record::CallRecord;
use std::fmt::Write;

/// The header row.
pub const CSV_HEADER: &str = "round,variant,run_group,lane,status,queued_ms,start_ms,\
first_token_ms,end_ms,tokens_in,tokens_out,retries,error,label";

/// A field quoted when it holds a comma, a quote or a line break (quotes doubled, RFC 4180).
/// A field that a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a `'`.
pub fn csv_field(text: &str) -> String {
    let text = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn ms(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_default()
}

pub(super) fn write_row(out: &mut String, call: &CallRecord) {
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        call.round,
        call.info.variant.letter(),
        call.info.run_name(),
        call.lane,
        call.status(),
        ms(Some(call.queued_ms)),
        ms(call.start_ms),
        ms(call.first_token_ms),
        ms(call.end_ms),
        call.tokens_in,
        call.tokens_out,
        call.retries,
        csv_field(&call.error().unwrap_or_default()),
        csv_field(&call.info.label),
    );
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn fields_are_escaped() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
