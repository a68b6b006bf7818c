//! HTTP plumbing shared by both APIs: reading headers, the attempt number, and turning an answer
//! or an error into a response on schedule.

use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::behaviour::Failure;
use crate::body::{ScriptedBody, Step, Timed};
use crate::faults::HttpFaults;
use crate::log::{Exchange, RequestLog};
use crate::reply::{assemble, Events, Schedule};
use crate::text::fnv1a;

/// Content type of the streaming answers (as the real Anthropic API sends it).
pub const EVENT_STREAM: &str = "text/event-stream; charset=utf-8";
/// Content type of JSON answers.
pub const JSON: &str = "application/json";

/// A header as text, when present and readable.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The attempt number: `x-stainless-retry-count` when the client sends it (the official SDKs
/// do), else how often this body was already sent to this path.
pub fn attempt(headers: &HeaderMap, log: &RequestLog, path: &str, body: &[u8]) -> u32 {
    match header(headers, "x-stainless-retry-count").and_then(|v| v.trim().parse().ok()) {
        Some(n) => n,
        None => log.next_attempt(path, fnv1a(body)),
    }
}

/// Extra response headers (ids, `retry-after`…), as name/value text pairs.
pub type ExtraHeaders = Vec<(&'static str, String)>;

fn build(status: u16, content_type: &str, headers: &ExtraHeaders, body: ScriptedBody) -> Response {
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let map = response.headers_mut();
    map.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static(JSON)),
    );
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(*name), HeaderValue::from_str(value)) {
            map.insert(name, value);
        }
    }
    response
}

/// A JSON response sent now (errors, rejections, small answers).
pub fn json_now(
    exchange: Exchange,
    status: u16,
    body: &serde_json::Value,
    headers: &ExtraHeaders,
    behaviour: &str,
) -> Response {
    exchange.record(|e| {
        e.status = Some(status);
        e.behaviour = behaviour.to_string();
    });
    log_line(&exchange, status, behaviour);
    exchange.head_sent();
    build(
        status,
        JSON,
        headers,
        ScriptedBody::full(body.to_string(), exchange),
    )
}

/// What one answer looks like on the wire, both ways.
pub struct Prepared {
    /// The streaming form.
    pub events: Events,
    /// The non-streaming JSON body.
    pub full_body: Bytes,
    /// The non-streaming answer for `midstream`: a 529 error body.
    pub overloaded_body: Bytes,
}

/// Sends an answer on schedule: the head and the first events at `ttft`, pieces at `tps`, and
/// the scripted failure. Non-streaming answers arrive whole when the last piece is due; their
/// failures are a cut connection, a truncated JSON body, no answer at all, or a 529.
#[allow(clippy::too_many_arguments)]
pub async fn deliver(
    exchange: Exchange,
    schedule: Schedule,
    stream: bool,
    prepared: Prepared,
    failure: Option<Failure>,
    faults: HttpFaults,
    headers: ExtraHeaders,
    behaviour: &str,
) -> Response {
    let total = prepared.events.pieces.len();
    if let Some(wrong) = faults.wrong_body {
        // What a wrong base URL reaches: a server that answers 200, but not with the model.
        sleep_until(schedule.first).await;
        exchange.record(|e| {
            e.status = Some(200);
            e.behaviour = wrong.name().to_string();
        });
        log_line(&exchange, 200, wrong.name());
        exchange.head_sent();
        let body = ScriptedBody::full(wrong.body(), exchange);
        return build(200, wrong.content_type(), &headers, body);
    }
    exchange.record(|e| e.behaviour = behaviour.to_string());
    if stream {
        sleep_until(schedule.first).await;
        exchange.record(|e| e.status = Some(200));
        log_line(&exchange, 200, behaviour);
        exchange.head_sent();
        let mut headers = headers;
        headers.push(("cache-control", "no-cache".to_string()));
        let steps = assemble(
            &schedule,
            prepared.events,
            failure,
            faults.continue_after_error,
        );
        return build(
            200,
            EVENT_STREAM,
            &headers,
            ScriptedBody::timed(steps, exchange),
        );
    }
    let (status, whole) = match failure {
        None => {
            sleep_until(schedule.end(total)).await;
            (200, Some(prepared.full_body))
        }
        Some(failure) => {
            sleep_until(schedule.at(failure.after().min(total))).await;
            match failure {
                Failure::Cut(_) => (200, None),
                Failure::Malformed(_) => {
                    let half = prepared.full_body.len() / 2;
                    (200, Some(prepared.full_body.slice(..half)))
                }
                Failure::Midstream(_) => (529, Some(prepared.overloaded_body)),
                Failure::Stall(_) => {
                    log_line(&exchange, 0, behaviour);
                    // Never answer; when the client leaves, this future and the exchange drop.
                    std::future::pending().await
                }
            }
        }
    };
    exchange.record(|e| e.status = Some(status));
    log_line(&exchange, status, behaviour);
    exchange.head_sent();
    let body = match whole {
        Some(bytes) => ScriptedBody::full(bytes, exchange),
        None => ScriptedBody::timed(
            vec![Timed {
                at: Instant::now(),
                step: Step::Abort,
            }],
            exchange,
        ),
    };
    build(status, JSON, &headers, body)
}

async fn sleep_until(at: Instant) {
    tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
}

fn log_line(exchange: &Exchange, status: u16, behaviour: &str) {
    let mut line = String::new();
    exchange.record(|e| {
        line = format!(
            "mock-api: #{} {} {} model={} stream={} attempt={} -> {} {}",
            e.seq,
            e.method,
            e.path,
            e.model.as_deref().unwrap_or("-"),
            e.stream,
            e.attempt,
            if status == 0 {
                "(no answer)".to_string()
            } else {
                status.to_string()
            },
            behaviour
        );
    });
    eprintln!("{line}");
}
