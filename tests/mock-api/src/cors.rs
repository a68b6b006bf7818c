//! CORS the way the real Anthropic API does it: every preflight is allowed, responses carry
//! `access-control-allow-origin: *` and expose the retry headers, except an answer marked
//! [`CorsRefused`] (a browser call to `/v1/messages` without
//! `anthropic-dangerous-direct-browser-access`), which a browser then sees as a network error.
//! Every response carries `timing-allow-origin: *` so Resource Timing shows its phases, unless
//! its request asked for `timing_allow_origin=0` (as `llama-server` sends none).

use axum::extract::Request;
use axum::http::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS,
};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Response extension: send this response without CORS headers.
#[derive(Debug, Clone, Copy)]
pub struct CorsRefused;

/// The headers a page may read from API responses (the rate-limit headers included).
pub const EXPOSED: &str = concat!(
    "request-id, x-request-id, retry-after, retry-after-ms, x-should-retry, ",
    crate::ratelimit::header_names!()
);

/// Middleware: answers preflights and adds the CORS headers to every other response.
pub async fn cors(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        return preflight(&request);
    }
    let mut response = next.run(request).await;
    let refused = response.extensions().get::<CorsRefused>().is_some();
    let hide_timing = response
        .extensions()
        .get::<crate::slots::NoTimingAllowOrigin>()
        .is_some();
    let headers = response.headers_mut();
    if !hide_timing {
        headers.insert("timing-allow-origin", HeaderValue::from_static("*"));
    }
    if !refused {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
    }
    response
}

fn preflight(request: &Request) -> Response {
    let requested = request
        .headers()
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("*"));
    let private_network = request
        .headers()
        .get("access-control-request-private-network")
        .is_some_and(|v| v == "true");
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested);
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    headers.insert("timing-allow-origin", HeaderValue::from_static("*"));
    if private_network {
        headers.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    response
}
