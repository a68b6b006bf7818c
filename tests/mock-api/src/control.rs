//! The control plane for tests (`GET /__mock/requests`, `POST /__mock/reset`) and the small
//! `GET /v1/models` list, readable by both SDKs.

use std::time::Instant;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::http::{header, json_now};
use crate::AppState;

/// The models the list offers: a name and what it is for.
pub const MODELS: &[(&str, &str)] = &[
    (
        "mock",
        "Mock model (defaults: ttft 150 ms, 100 words/s, 30 words)",
    ),
    (
        "mock?ttft=1000&tps=0",
        "Mock model, fixed latency: whole answer at 1 s",
    ),
    (
        "mock?chaos=1",
        "Mock model, chaos: about half the calls fail",
    ),
];

/// `GET /__mock/requests`: every API request seen since the last reset, oldest first.
pub async fn requests(State(state): State<AppState>) -> Response {
    (
        [("content-type", "application/json")],
        serde_json::to_string(&state.log.entries()).unwrap_or_else(|_| "[]".to_string()),
    )
        .into_response()
}

/// `POST /__mock/reset`: forgets the log and the attempt counters.
pub async fn reset(State(state): State<AppState>) -> Response {
    state.log.reset();
    state.limits.reset();
    state.cache.reset();
    eprintln!("mock-api: log reset");
    ([("content-type", "application/json")], r#"{"ok":true}"#).into_response()
}

/// `GET /v1/models`: a list shaped for both APIs (Anthropic's `type`/`display_name`/`has_more`
/// and OpenAI's `object`/`owned_by`).
pub async fn models(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let has_key = header(&headers, "x-api-key").is_some_and(|k| !k.is_empty())
        || header(&headers, "authorization").is_some();
    let origin = header(&headers, "origin").map(str::to_string);
    let exchange = state
        .log
        .begin("GET", "/v1/models", Instant::now(), has_key, origin);
    let data: Vec<Value> = MODELS
        .iter()
        .map(|(id, name)| {
            json!({
                "id": id, "type": "model", "object": "model", "display_name": name,
                "created_at": "2025-01-01T00:00:00Z", "created": 1_735_689_600, "owned_by": "mock-api",
            })
        })
        .collect();
    let body = json!({
        "object": "list",
        "data": data,
        "has_more": false,
        "first_id": MODELS.first().map(|m| m.0),
        "last_id": MODELS.last().map(|m| m.0),
    });
    json_now(exchange, 200, &body, &Vec::new(), "models")
}
