//! The Anthropic Message Batches API: `POST /v1/messages/batches` (create), `GET …` (list),
//! `GET …/{id}` (retrieve), `GET …/{id}/results` (JSONL), `POST …/{id}/cancel`, `DELETE …/{id}`.
//! Same checks as `/v1/messages` (key, version; a browser `Origin` is refused without CORS
//! headers, as the real batch endpoints give a browser nothing it can read).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header::{HeaderValue, CONTENT_TYPE};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use crate::anthropic::{api_key, error_type};
use crate::batches::{
    process_ms, rfc3339, unix_now_ms, Api, Batch, BatchStore, Item, ItemState, Outcome,
};
use crate::batches_outcome::{decide_request, Format};
use crate::body::ScriptedBody;
use crate::cors::CorsRefused;
use crate::http::{header, json_now};
use crate::log::Exchange;

/// Most requests one batch may hold (as the real API).
pub const MAX_REQUESTS: usize = 100_000;
const DAY_MS: u64 = 86_400_000;

fn error(status: u16, message: &str) -> Value {
    json!({"type": "error", "error": {"type": error_type(status), "message": message}})
}

/// Begins the log entry and runs the common checks; `Err` is the refusal to send.
fn open(
    store: &BatchStore,
    method: &str,
    path: &str,
    headers: &HeaderMap,
) -> Result<Exchange, Response> {
    let key = api_key(headers);
    let origin = header(headers, "origin").map(str::to_string);
    let exchange = store.log.begin(
        method,
        path,
        Instant::now(),
        !key.is_empty(),
        origin.clone(),
    );
    let refuse = |exchange: Exchange, status: u16, message: &str, behaviour: &str| {
        json_now(
            exchange,
            status,
            &error(status, message),
            &vec![],
            behaviour,
        )
    };
    if origin.is_some() {
        let mut response = refuse(
            exchange,
            401,
            "The Message Batches API cannot be called from a browser",
            "cors_refused",
        );
        response.extensions_mut().insert(CorsRefused);
        return Err(response);
    }
    if key.is_empty() {
        return Err(refuse(
            exchange,
            401,
            "x-api-key header is required",
            "unauthorized",
        ));
    }
    if key == "bad-key" {
        return Err(refuse(exchange, 401, "invalid x-api-key", "unauthorized"));
    }
    if header(headers, "anthropic-version").is_none() {
        return Err(refuse(
            exchange,
            400,
            "anthropic-version: header is required",
            "invalid_request",
        ));
    }
    Ok(exchange)
}

fn not_found(exchange: Exchange, id: &str) -> Response {
    json_now(
        exchange,
        404,
        &error(404, &format!("No batch with id '{id}'")),
        &vec![],
        "not_found",
    )
}

/// The `message_batch` object at `now`; `base` is `http://host` for the results URL.
pub fn batch_object(batch: &Batch, now: Instant, base: &str) -> Value {
    let counts = batch.counts(now);
    let ended = batch.ended(now);
    let status = if ended {
        "ended"
    } else if batch.cancel_at_ms.is_some() {
        "canceling"
    } else {
        "in_progress"
    };
    json!({
        "id": batch.id,
        "type": "message_batch",
        "processing_status": status,
        "request_counts": {
            "processing": counts.processing, "succeeded": counts.succeeded,
            "errored": counts.errored, "canceled": counts.canceled, "expired": counts.expired,
        },
        "created_at": rfc3339(batch.created_unix_ms),
        "expires_at": rfc3339(batch.created_unix_ms + DAY_MS),
        "ended_at": ended.then(|| rfc3339(batch.unix_ms_at(batch.end_ms()))),
        "cancel_initiated_at": batch.cancel_at_ms.map(|at| rfc3339(batch.unix_ms_at(at))),
        "archived_at": null,
        "results_url": ended.then(|| format!("{base}/v1/messages/batches/{}/results", batch.id)),
    })
}

/// `http://host` as the client addressed the server.
pub fn base_url(headers: &HeaderMap) -> String {
    format!("http://{}", header(headers, "host").unwrap_or("127.0.0.1"))
}

fn valid_custom_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Reads `{"requests": [{custom_id, params}]}` into decided items and their batch controls.
fn read_requests(
    body: &[u8],
    store: &BatchStore,
) -> Result<(Vec<Item>, Vec<crate::batches::BatchControls>), String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("Invalid JSON in request body: {e}"))?;
    let requests = value
        .get("requests")
        .and_then(Value::as_array)
        .ok_or("requests: Field required")?;
    if requests.is_empty() || requests.len() > MAX_REQUESTS {
        return Err(format!(
            "requests: between 1 and {MAX_REQUESTS} requests per batch"
        ));
    }
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(requests.len());
    let mut controls = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let custom_id = request
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or(format!("requests.{i}.custom_id: Field required"))?;
        if !valid_custom_id(custom_id) {
            return Err(format!(
                "requests.{i}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$"
            ));
        }
        if !seen.insert(custom_id.to_string()) {
            return Err(format!(
                "requests.{i}.custom_id: '{custom_id}' is used twice; custom_id must be unique"
            ));
        }
        let params = request
            .get("params")
            .ok_or(format!("requests.{i}.params: Field required"))?;
        let decided = decide_request(Format::Messages, params, store.next_number());
        controls.push(decided.controls);
        items.push(Item {
            custom_id: custom_id.to_string(),
            outcome: decided.outcome,
            tokens: decided.tokens,
        });
    }
    Ok((items, controls))
}

/// `POST /v1/messages/batches`.
pub async fn create(
    State(store): State<Arc<BatchStore>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let exchange = match open(&store, "POST", "/v1/messages/batches", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let (items, controls) = match read_requests(&body, &store) {
        Ok(read) => read,
        Err(message) => {
            return json_now(
                exchange,
                400,
                &error(400, &message),
                &vec![],
                "invalid_request",
            )
        }
    };
    let header_ms = header(&headers, "x-mock-batch-ms").and_then(|v| v.trim().parse().ok());
    let now = Instant::now();
    let batch = Batch {
        id: format!("msgbatch_mock_{:06}", store.next_number()),
        api: Api::Anthropic,
        created: now,
        created_unix_ms: unix_now_ms(),
        process_ms: process_ms(header_ms, &controls),
        cancel_at_ms: None,
        items,
        input_file_id: None,
        endpoint: "/v1/messages".into(),
        completion_window: "24h".into(),
        metadata: Value::Null,
    };
    let object = batch_object(&batch, now, &base_url(&headers));
    store.insert_batch(batch);
    json_now(exchange, 200, &object, &vec![], "batch_create")
}

/// `GET /v1/messages/batches/{id}`.
pub async fn retrieve(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "GET", "/v1/messages/batches/{id}", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    match store.batch(&id).filter(|b| b.api == Api::Anthropic) {
        Some(batch) => {
            let object = batch_object(&batch, Instant::now(), &base_url(&headers));
            json_now(exchange, 200, &object, &vec![], "batch_retrieve")
        }
        None => not_found(exchange, &id),
    }
}

/// `POST /v1/messages/batches/{id}/cancel`.
pub async fn cancel(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "POST", "/v1/messages/batches/{id}/cancel", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let now = Instant::now();
    match store.cancel(&id, now).filter(|b| b.api == Api::Anthropic) {
        Some(batch) => {
            let object = batch_object(&batch, now, &base_url(&headers));
            json_now(exchange, 200, &object, &vec![], "batch_cancel")
        }
        None => not_found(exchange, &id),
    }
}

/// `DELETE /v1/messages/batches/{id}` (only once it ended).
pub async fn delete(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "DELETE", "/v1/messages/batches/{id}", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    match store.batch(&id).filter(|b| b.api == Api::Anthropic) {
        Some(batch) if !batch.ended(Instant::now()) => json_now(
            exchange,
            400,
            &error(400, "A batch can be deleted only once it has ended"),
            &vec![],
            "invalid_request",
        ),
        Some(_) => {
            store.delete(&id);
            let body = json!({"id": id, "type": "message_batch_deleted"});
            json_now(exchange, 200, &body, &vec![], "batch_delete")
        }
        None => not_found(exchange, &id),
    }
}

/// `GET /v1/messages/batches?limit=N&after_id=…`: newest first.
pub async fn list(State(store): State<Arc<BatchStore>>, uri: Uri, headers: HeaderMap) -> Response {
    let exchange = match open(&store, "GET", "/v1/messages/batches", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let query = uri.query().unwrap_or("");
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let limit = param("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 1000);
    let mut batches = store.batches(Api::Anthropic);
    if let Some(after) = param("after_id") {
        if let Some(at) = batches.iter().position(|b| b.id == after) {
            batches.drain(..=at);
        }
    }
    let has_more = batches.len() > limit;
    batches.truncate(limit);
    let now = Instant::now();
    let base = base_url(&headers);
    let data: Vec<Value> = batches
        .iter()
        .map(|b| batch_object(b, now, &base))
        .collect();
    let body = json!({
        "data": data, "has_more": has_more,
        "first_id": batches.first().map(|b| b.id.clone()),
        "last_id": batches.last().map(|b| b.id.clone()),
    });
    json_now(exchange, 200, &body, &vec![], "batch_list")
}

/// One results line of item `index` (ended batches only).
fn result_line(batch: &Batch, index: usize, now: Instant) -> Value {
    let item = &batch.items[index];
    let result = match (batch.item_state(index, now), &item.outcome) {
        (ItemState::Succeeded, Outcome::Succeeded(message)) => {
            json!({"type": "succeeded", "message": message})
        }
        (ItemState::Errored, Outcome::Errored { body, .. }) => {
            let mut error = body.clone();
            if let Some(map) = error.as_object_mut() {
                map.insert(
                    "request_id".into(),
                    json!(format!("req_mock_b{}_{index}", batch.id)),
                );
            }
            json!({"type": "errored", "error": error})
        }
        (ItemState::Expired, _) => json!({"type": "expired"}),
        _ => json!({"type": "canceled"}),
    };
    json!({"custom_id": item.custom_id, "result": result})
}

/// `GET /v1/messages/batches/{id}/results`: JSONL, one line per request. Lines come in reverse
/// order of the requests: the real API promises no order, so clients must match by `custom_id`.
pub async fn results(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "GET", "/v1/messages/batches/{id}/results", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let Some(batch) = store.batch(&id).filter(|b| b.api == Api::Anthropic) else {
        return not_found(exchange, &id);
    };
    let now = Instant::now();
    if !batch.ended(now) {
        return json_now(
            exchange,
            400,
            &error(
                400,
                "The batch is still processing; results are ready once it ended",
            ),
            &vec![],
            "invalid_request",
        );
    }
    let mut lines = String::new();
    for index in (0..batch.items.len()).rev() {
        lines.push_str(&result_line(&batch, index, now).to_string());
        lines.push('\n');
    }
    jsonl_now(exchange, lines, "batch_results")
}

/// A body of `content_type` sent now (JSONL results, file contents).
pub fn bytes_now(
    exchange: Exchange,
    bytes: impl Into<Bytes>,
    content_type: &'static str,
    behaviour: &str,
) -> Response {
    exchange.record(|e| {
        e.status = Some(200);
        e.behaviour = behaviour.to_string();
    });
    exchange.head_sent();
    let mut response = Response::new(Body::new(ScriptedBody::full(bytes, exchange)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSONL body sent now.
pub fn jsonl_now(exchange: Exchange, lines: String, behaviour: &str) -> Response {
    bytes_now(exchange, lines, "application/x-jsonl", behaviour)
}
