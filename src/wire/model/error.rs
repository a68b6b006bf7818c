//! Typed provider errors, each with a sentence a person can act on.

use crate::base::seconds_text;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The `error.type` of an API error body, shared by both wire formats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorKind {
    InvalidRequest,
    Authentication,
    Permission,
    NotFound,
    RequestTooLarge,
    RateLimit,
    Api,
    Overloaded,
    Timeout,
    Other(String),
}

impl ApiErrorKind {
    /// Maps the Anthropic `error.type` (and OpenAI's `error.type`/`code`) strings.
    pub fn from_wire(value: &str) -> ApiErrorKind {
        match value {
            "invalid_request_error" => ApiErrorKind::InvalidRequest,
            "authentication_error" | "invalid_api_key" => ApiErrorKind::Authentication,
            "permission_error" => ApiErrorKind::Permission,
            "not_found_error" | "model_not_found" => ApiErrorKind::NotFound,
            "request_too_large" => ApiErrorKind::RequestTooLarge,
            "rate_limit_error" | "rate_limit_exceeded" | "insufficient_quota" => {
                ApiErrorKind::RateLimit
            }
            "api_error" | "server_error" => ApiErrorKind::Api,
            "overloaded_error" => ApiErrorKind::Overloaded,
            "timeout_error" => ApiErrorKind::Timeout,
            other => ApiErrorKind::Other(other.to_string()),
        }
    }

    /// The kind implied by an HTTP status when the body says nothing useful.
    pub fn from_status(status: u16) -> ApiErrorKind {
        match status {
            400 => ApiErrorKind::InvalidRequest,
            401 => ApiErrorKind::Authentication,
            403 => ApiErrorKind::Permission,
            404 => ApiErrorKind::NotFound,
            408 | 504 => ApiErrorKind::Timeout,
            413 => ApiErrorKind::RequestTooLarge,
            429 => ApiErrorKind::RateLimit,
            529 => ApiErrorKind::Overloaded,
            _ => ApiErrorKind::Api,
        }
    }
}

/// Why a provider call failed.
#[derive(Clone, Debug, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProviderError {
    /// The server answered with an error status.
    #[error("{}", describe_http(*status, kind, message, *retry_after_ms))]
    Http {
        status: u16,
        kind: ApiErrorKind,
        message: String,
        /// From `retry-after-ms`, else `retry-after` (seconds or an HTTP date).
        retry_after_ms: Option<f64>,
        /// The `x-should-retry` header, which overrides the status-based rule.
        should_retry: Option<bool>,
        request_id: Option<String>,
    },
    /// The request never got an answer: offline, refused by CORS, blocked as mixed content.
    /// The message already names the likely cause.
    #[error("{message}")]
    Network { message: String },
    /// The response stream ended before the model finished.
    #[error("The response stream was cut off before the end ({message}).")]
    StreamCut { message: String },
    /// The response was not in the expected format.
    #[error("The response could not be read: {message}")]
    Decode { message: String },
    /// The server reported an error inside the stream, after it had started.
    #[error("{}", describe_stream_error(kind, message))]
    Stream { kind: ApiErrorKind, message: String },
    /// The set-up cannot work (no key, bad URL); nothing was sent.
    #[error("{message}")]
    Config { message: String },
}

impl ProviderError {
    /// Whether the official SDKs would retry this: 408, 409, 429, ≥500 and network errors,
    /// unless the server said otherwise with `x-should-retry`.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Http {
                status,
                should_retry,
                ..
            } => should_retry.unwrap_or(matches!(status, 408 | 409 | 429) || *status >= 500),
            ProviderError::Network { .. } => true,
            _ => false,
        }
    }

    /// The delay the server asked for, if any.
    pub fn retry_after_ms(&self) -> Option<f64> {
        match self {
            ProviderError::Http { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// A short label for the timeline and the log: `429`, `network`, `cut`, …
    pub fn short_label(&self) -> String {
        match self {
            ProviderError::Http { status, .. } => status.to_string(),
            ProviderError::Network { .. } => "network".into(),
            ProviderError::StreamCut { .. } => "cut stream".into(),
            ProviderError::Decode { .. } => "bad response".into(),
            ProviderError::Stream { kind, .. } => match kind {
                ApiErrorKind::Overloaded => "overloaded".into(),
                _ => "stream error".into(),
            },
            ProviderError::Config { .. } => "set-up".into(),
        }
    }
}

fn describe_http(
    status: u16,
    kind: &ApiErrorKind,
    message: &str,
    retry_after_ms: Option<f64>,
) -> String {
    let advice = match (status, kind) {
        (401, _) | (_, ApiErrorKind::Authentication) => {
            "the API key was not accepted: check the key in Settings".to_string()
        }
        (403, _) | (_, ApiErrorKind::Permission) => {
            "the key may not use this model or feature".to_string()
        }
        (404, _) | (_, ApiErrorKind::NotFound) => {
            "not found: check the model name and the base URL".to_string()
        }
        (429, _) | (_, ApiErrorKind::RateLimit) => match retry_after_ms {
            Some(ms) => format!("rate limited: the server asks to wait {}", seconds_text(ms)),
            None => "rate limited: too many requests at once; lower the concurrency limit".into(),
        },
        (529, _) | (_, ApiErrorKind::Overloaded) => {
            "the API is overloaded: retrying in a moment usually works".to_string()
        }
        (408, _) | (_, ApiErrorKind::Timeout) => "the server timed out".to_string(),
        (413, _) => "the request is too large".to_string(),
        (400, _) => "the request was refused".to_string(),
        (s, _) if s >= 500 => "the server had an internal error".to_string(),
        _ => "the request failed".to_string(),
    };
    let detail = message.trim();
    if detail.is_empty() {
        format!("HTTP {status}: {advice}.")
    } else {
        format!("HTTP {status}: {advice}. Server said: {detail}")
    }
}

fn describe_stream_error(kind: &ApiErrorKind, message: &str) -> String {
    let what = match kind {
        ApiErrorKind::Overloaded => "The API became overloaded during the answer",
        ApiErrorKind::RateLimit => "The rate limit was hit during the answer",
        _ => "The server reported an error during the answer",
    };
    if message.trim().is_empty() {
        format!("{what}.")
    } else {
        format!("{what}: {}", message.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> ProviderError {
        ProviderError::Http {
            status,
            kind: ApiErrorKind::from_status(status),
            message: String::new(),
            retry_after_ms: None,
            should_retry: None,
            request_id: None,
        }
    }

    #[test]
    fn retries_the_statuses_the_sdks_retry() {
        for status in [408, 409, 429, 500, 502, 503, 529] {
            assert!(http(status).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert!(!http(status).is_retryable(), "{status}");
        }
        assert!(ProviderError::Network {
            message: "offline".into()
        }
        .is_retryable());
        assert!(!ProviderError::StreamCut {
            message: "eof".into()
        }
        .is_retryable());
    }

    #[test]
    fn should_retry_header_overrides_the_status() {
        let mut e = http(400);
        if let ProviderError::Http { should_retry, .. } = &mut e {
            *should_retry = Some(true);
        }
        assert!(e.is_retryable());
    }

    #[test]
    fn messages_say_what_to_do() {
        assert!(http(401).to_string().contains("check the key"));
        assert!(http(529).to_string().contains("overloaded"));
        let mut limited = http(429);
        if let ProviderError::Http { retry_after_ms, .. } = &mut limited {
            *retry_after_ms = Some(2000.0);
        }
        assert!(limited.to_string().contains("wait 2.0 s"), "{limited}");
    }
}
