//! Error responses: the JSON error bodies of both APIs, the retry headers, and the error
//! objects some servers send inside a stream.

use crate::base::parse_retry_after;
use crate::wire::model::{ApiErrorKind, ProviderError};
use serde_json::Value;

/// The longest excerpt of a body that is not a JSON error, in characters.
const EXCERPT_CHARS: usize = 200;

/// The response headers that matter for an error; each is the raw header value, if present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorHeaders {
    /// `retry-after-ms`: the delay in milliseconds.
    pub retry_after_ms: Option<String>,
    /// `retry-after`: seconds, or an HTTP date.
    pub retry_after: Option<String>,
    /// `x-should-retry`: `true` or `false`, overriding the status-based rule.
    pub should_retry: Option<String>,
    /// `request-id` (Anthropic) or `x-request-id` (OpenAI).
    pub request_id: Option<String>,
}

/// Turns an error response into [`ProviderError::Http`]: the kind and message from an Anthropic
/// or OpenAI error body (or an excerpt of any other body), the delay the server asked for
/// (relative to `now_unix_ms` when it is a date), `x-should-retry` and the request id.
///
/// ```
/// use parallel_playground::providers::{ApiErrorKind, ProviderError};
/// use parallel_playground::wire::{error_from_response, ErrorHeaders};
///
/// let body = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}"#;
/// let headers = ErrorHeaders { retry_after: Some("3".into()), ..ErrorHeaders::default() };
/// let error = error_from_response(429, body, &headers, 0.0);
/// assert_eq!(error.retry_after_ms(), Some(3000.0));
/// assert!(matches!(error, ProviderError::Http { kind: ApiErrorKind::RateLimit, .. }));
/// ```
pub fn error_from_response(
    status: u16,
    body: &str,
    headers: &ErrorHeaders,
    now_unix_ms: f64,
) -> ProviderError {
    let parsed = serde_json::from_str::<Value>(body).ok();
    let error = parsed.as_ref().and_then(|root| root.get("error"));
    let kind = error
        .and_then(known_kind)
        .unwrap_or_else(|| ApiErrorKind::from_status(status));
    let message = parsed
        .as_ref()
        .and_then(body_message)
        .unwrap_or_else(|| excerpt(body));
    let request_id = non_empty(headers.request_id.as_deref()).or_else(|| {
        let from_body = parsed.as_ref()?.get("request_id")?.as_str();
        non_empty(from_body)
    });
    ProviderError::Http {
        status,
        kind,
        message,
        retry_after_ms: parse_retry_after(
            headers.retry_after_ms.as_deref(),
            headers.retry_after.as_deref(),
            now_unix_ms,
        ),
        should_retry: headers.should_retry.as_deref().and_then(parse_flag),
        request_id,
    }
}

/// Turns the `error` member of an event in a stream (Anthropic's `error` event, or an OpenAI
/// chunk that is `{"error": {...}}`) into [`ProviderError::Stream`].
pub(crate) fn stream_error(error: &Value) -> ProviderError {
    let kind =
        known_kind(error).unwrap_or_else(|| match error.get("type").and_then(Value::as_str) {
            Some(wire) if !wire.trim().is_empty() => ApiErrorKind::Other(wire.trim().to_string()),
            _ => ApiErrorKind::Api,
        });
    let message = error_message(error).unwrap_or_default();
    ProviderError::Stream { kind, message }
}

/// The kind named by OpenAI's `error.code` (the more specific: `invalid_api_key` comes with the
/// type `invalid_request_error`), else by `error.type`, when it is one we know.
fn known_kind(error: &Value) -> Option<ApiErrorKind> {
    ["code", "type"]
        .into_iter()
        .filter_map(|key| error.get(key)?.as_str())
        .map(ApiErrorKind::from_wire)
        .find(|kind| !matches!(kind, ApiErrorKind::Other(_)))
}

/// The message of a JSON error body: `error.message`, a bare `error` string (Ollama), or a
/// top-level `message` / `detail` string (other OpenAI-compatible servers).
fn body_message(root: &Value) -> Option<String> {
    let error = root.get("error");
    error
        .and_then(error_message)
        .or_else(|| non_empty(root.get("message")?.as_str()))
        .or_else(|| non_empty(root.get("detail")?.as_str()))
}

fn error_message(error: &Value) -> Option<String> {
    match error {
        Value::String(text) => non_empty(Some(text)),
        _ => non_empty(error.get("message")?.as_str()),
    }
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The body with its whitespace collapsed, cut to [`EXCERPT_CHARS`] characters.
fn excerpt(body: &str) -> String {
    let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_openai_code_is_read_before_the_type() {
        let not_found = json!({"type": "invalid_request_error", "code": "model_not_found"});
        assert_eq!(known_kind(&not_found), Some(ApiErrorKind::NotFound));
        let limited = json!({"type": "requests", "code": "rate_limit_exceeded"});
        assert_eq!(known_kind(&limited), Some(ApiErrorKind::RateLimit));
        let numeric_code = json!({"type": "server_error", "code": 500});
        assert_eq!(known_kind(&numeric_code), Some(ApiErrorKind::Api));
        assert_eq!(known_kind(&json!({"type": "tokens"})), None);
    }

    #[test]
    fn an_html_page_becomes_a_short_single_line_excerpt() {
        let body = format!("<html>\n  <body>{}</body>\n</html>", "x".repeat(500));
        let error = error_from_response(502, &body, &ErrorHeaders::default(), 0.0);
        let ProviderError::Http { kind, message, .. } = error else {
            panic!("not an HTTP error");
        };
        assert_eq!(kind, ApiErrorKind::Api);
        assert!(message.starts_with("<html> <body>xxx"), "{message}");
        assert_eq!(message.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn an_unknown_stream_error_type_is_kept_by_name() {
        let error = stream_error(&json!({"type": "billing_error", "message": "m"}));
        assert_eq!(
            error,
            ProviderError::Stream {
                kind: ApiErrorKind::Other("billing_error".into()),
                message: "m".into()
            }
        );
    }
}
