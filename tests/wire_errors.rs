//! Error responses of both APIs and of compatible servers, read into `ProviderError::Http`.

use parallel_playground::engine::parse_http_date_ms;
use parallel_playground::providers::{ApiErrorKind, ProviderError};
use parallel_playground::wire::{error_from_response, ErrorHeaders};

/// The parts of an HTTP error, or a panic if it is another kind of error.
struct Http {
    kind: ApiErrorKind,
    message: String,
    retry_after_ms: Option<f64>,
    should_retry: Option<bool>,
    request_id: Option<String>,
}

fn read(status: u16, body: &str, headers: &ErrorHeaders) -> Http {
    match error_from_response(status, body, headers, 0.0) {
        ProviderError::Http {
            status: got,
            kind,
            message,
            retry_after_ms,
            should_retry,
            request_id,
        } => {
            assert_eq!(got, status);
            Http {
                kind,
                message,
                retry_after_ms,
                should_retry,
                request_id,
            }
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

#[test]
fn an_anthropic_error_body_gives_kind_message_and_request_id() {
    let body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011"}"#;
    let error = read(529, body, &ErrorHeaders::default());
    assert_eq!(error.kind, ApiErrorKind::Overloaded);
    assert_eq!(error.message, "Overloaded");
    assert_eq!(error.request_id.as_deref(), Some("req_011"));
}

#[test]
fn the_request_id_header_wins_over_the_body() {
    let body =
        r#"{"type":"error","error":{"type":"api_error","message":"x"},"request_id":"req_body"}"#;
    let headers = ErrorHeaders {
        request_id: Some(" req_header ".into()),
        ..ErrorHeaders::default()
    };
    assert_eq!(
        read(500, body, &headers).request_id.as_deref(),
        Some("req_header")
    );
}

#[test]
fn an_openai_error_code_names_the_kind_before_the_type() {
    let body = r#"{"error":{"message":"Incorrect API key provided: sk-...abc.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
    let error = read(401, body, &ErrorHeaders::default());
    // The code is more specific than the type.
    assert_eq!(error.kind, ApiErrorKind::Authentication);
    assert!(error.message.starts_with("Incorrect API key"));
    assert_eq!(error.request_id, None);
}

#[test]
fn an_unknown_type_falls_back_to_the_status() {
    let body = r#"{"error":{"message":"slow down","type":"tokens","code":null}}"#;
    assert_eq!(
        read(429, body, &ErrorHeaders::default()).kind,
        ApiErrorKind::RateLimit
    );
}

#[test]
fn compatible_servers_with_a_bare_error_string_are_understood() {
    let body = r#"{"error":"model \"llama9\" not found, try pulling it first"}"#;
    let error = read(404, body, &ErrorHeaders::default());
    assert_eq!(error.kind, ApiErrorKind::NotFound);
    assert_eq!(
        error.message,
        "model \"llama9\" not found, try pulling it first"
    );
    let fastapi = read(
        400,
        r#"{"detail":"max_tokens is too large"}"#,
        &ErrorHeaders::default(),
    );
    assert_eq!(fastapi.message, "max_tokens is too large");
}

#[test]
fn an_empty_body_gives_an_empty_message_and_the_status_kind() {
    let error = read(403, "", &ErrorHeaders::default());
    assert_eq!(error.kind, ApiErrorKind::Permission);
    assert_eq!(error.message, "");
    assert_eq!(read(502, "  \n ", &ErrorHeaders::default()).message, "");
}

#[test]
fn a_long_plain_body_is_cut_to_a_short_excerpt() {
    let body = format!("  Bad gateway: {}  ", "é".repeat(400));
    let error = read(502, &body, &ErrorHeaders::default());
    assert_eq!(error.kind, ApiErrorKind::Api);
    assert!(error.message.starts_with("Bad gateway: éé"));
    assert!(error.message.ends_with('…'));
    assert!(error.message.chars().count() <= 201, "{}", error.message);
}

#[test]
fn retry_after_ms_is_preferred_then_seconds_then_a_date() {
    let both = ErrorHeaders {
        retry_after_ms: Some("1500".into()),
        retry_after: Some("9".into()),
        ..ErrorHeaders::default()
    };
    assert_eq!(read(429, "", &both).retry_after_ms, Some(1500.0));
    let seconds = ErrorHeaders {
        retry_after: Some("2".into()),
        ..ErrorHeaders::default()
    };
    assert_eq!(read(429, "", &seconds).retry_after_ms, Some(2000.0));

    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    let at = parse_http_date_ms(date).expect("a valid date");
    let dated = ErrorHeaders {
        retry_after: Some(date.into()),
        ..ErrorHeaders::default()
    };
    let error = error_from_response(503, "", &dated, at - 4000.0);
    assert_eq!(error.retry_after_ms(), Some(4000.0));
    assert_eq!(read(429, "", &ErrorHeaders::default()).retry_after_ms, None);
}

#[test]
fn x_should_retry_overrides_the_status_rule() {
    let header = |value: &str| ErrorHeaders {
        should_retry: Some(value.into()),
        ..ErrorHeaders::default()
    };
    assert_eq!(read(400, "", &header("true")).should_retry, Some(true));
    assert_eq!(read(400, "", &header(" FALSE ")).should_retry, Some(false));
    assert_eq!(read(400, "", &header("maybe")).should_retry, None);
    assert!(error_from_response(400, "", &header("true"), 0.0).is_retryable());
    assert!(!error_from_response(503, "", &header("false"), 0.0).is_retryable());
}
