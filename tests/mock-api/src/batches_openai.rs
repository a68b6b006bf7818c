//! The OpenAI Batch API: `POST /v1/files` (multipart, `purpose=batch`), `GET /v1/files/{id}`,
//! `GET /v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches[/{id}]`,
//! `POST /v1/batches/{id}/cancel`. The output and error files of a batch are written when it is
//! read after its end (`file-out-<batch>` / `file-err-<batch>`), from the same decided outcomes.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use crate::batches::{
    process_ms, unix_now_ms, Api, Batch, BatchControls, BatchStore, Item, ItemState, Outcome,
    StoredFile,
};
use crate::batches_anthropic::{bytes_now, MAX_REQUESTS};
use crate::batches_outcome::{decide_request, Format};
use crate::http::{header, json_now};
use crate::log::Exchange;
use crate::openai::error_body;

const CHAT: &str = "/v1/chat/completions";
const DAY_S: u64 = 86_400;

fn open(
    store: &BatchStore,
    method: &str,
    path: &str,
    headers: &HeaderMap,
) -> Result<Exchange, Response> {
    let bearer = header(headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map_or("", str::trim);
    let origin = header(headers, "origin").map(str::to_string);
    let exchange = store
        .log
        .begin(method, path, Instant::now(), !bearer.is_empty(), origin);
    if bearer == "bad-key" {
        return Err(json_now(
            exchange,
            401,
            &error_body(401, "Incorrect API key provided."),
            &vec![],
            "unauthorized",
        ));
    }
    Ok(exchange)
}

fn refuse(exchange: Exchange, status: u16, message: &str) -> Response {
    let behaviour = if status == 404 {
        "not_found"
    } else {
        "invalid_request"
    };
    json_now(
        exchange,
        status,
        &error_body(status, message),
        &vec![],
        behaviour,
    )
}

fn file_object(file: &StoredFile) -> Value {
    json!({
        "id": file.id, "object": "file", "bytes": file.bytes.len(), "created_at": file.created_unix_s,
        "filename": file.filename, "purpose": file.purpose, "status": "processed",
        "status_details": null, "expires_at": null,
    })
}

/// The parts of a `multipart/form-data` body: (name, filename, bytes). Hand-written: the mock
/// reads one small upload per call and a multipart crate would be its only use.
pub fn multipart_parts(
    content_type: &str,
    body: &[u8],
) -> Option<Vec<(String, Option<String>, Vec<u8>)>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let find = |haystack: &[u8], from: usize| {
        haystack
            .get(from..)?
            .windows(delimiter.len())
            .position(|w| w == delimiter.as_slice())
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let mut at = find(body, 0)? + delimiter.len();
    while let Some(next) = find(body, at) {
        let part = body.get(at..next)?;
        at = next + delimiter.len();
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let split = part.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let field = |key: &str| {
            disposition.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(&format!("{key}="))
                    .map(|v| v.trim_matches('"').to_string())
            })
        };
        parts.push((field("name")?, field("filename"), content.to_vec()));
    }
    Some(parts)
}

/// `POST /v1/files`.
pub async fn upload(
    State(store): State<Arc<BatchStore>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let exchange = match open(&store, "POST", "/v1/files", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let content_type = header(&headers, "content-type").unwrap_or("");
    let Some(parts) = multipart_parts(content_type, &body) else {
        return refuse(
            exchange,
            400,
            "Expected a multipart/form-data body with 'file' and 'purpose'.",
        );
    };
    let purpose = parts
        .iter()
        .find(|p| p.0 == "purpose")
        .map(|p| String::from_utf8_lossy(&p.2).trim().to_string());
    let Some((_, filename, bytes)) = parts.into_iter().find(|p| p.0 == "file") else {
        return refuse(exchange, 400, "Missing required parameter: 'file'.");
    };
    let Some(purpose) = purpose else {
        return refuse(exchange, 400, "Missing required parameter: 'purpose'.");
    };
    let file = StoredFile {
        id: format!("file-mock{:06}", store.next_number()),
        filename: filename.unwrap_or_else(|| "upload.jsonl".into()),
        purpose,
        created_unix_s: unix_now_ms() / 1000,
        bytes,
    };
    let object = file_object(&file);
    store.insert_file(file);
    json_now(exchange, 200, &object, &vec![], "file_upload")
}

/// A stored file, or a batch's output or error file.
fn find_file(store: &BatchStore, id: &str, now: Instant) -> Option<StoredFile> {
    if let Some(file) = store.file(id) {
        return Some(file);
    }
    let (errors, batch_id) = match (id.strip_prefix("file-out-"), id.strip_prefix("file-err-")) {
        (Some(batch), _) => (false, batch),
        (_, Some(batch)) => (true, batch),
        _ => return None,
    };
    let batch = store
        .batch(batch_id)
        .filter(|b| b.api == Api::OpenAi && b.ended(now))?;
    let mut lines = String::new();
    for index in 0..batch.items.len() {
        let (is_error, line) = output_line(&batch, index, now);
        if is_error == errors {
            lines.push_str(&line.to_string());
            lines.push('\n');
        }
    }
    Some(StoredFile {
        id: id.to_string(),
        filename: format!(
            "batch_{}_{}.jsonl",
            batch.id,
            if errors { "error" } else { "output" }
        ),
        purpose: "batch_output".into(),
        created_unix_s: batch.unix_ms_at(batch.end_ms()) / 1000,
        bytes: lines.into_bytes(),
    })
}

/// One line of the output (`false`) or error (`true`) file.
fn output_line(batch: &Batch, index: usize, now: Instant) -> (bool, Value) {
    let item = &batch.items[index];
    let id = format!("batch_req_mock_{}_{index}", batch.id);
    let request_id = format!("req_mock_b_{}_{index}", batch.id);
    let response = |status: u16, body: &Value| json!({"status_code": status, "request_id": request_id, "body": body});
    let (is_error, response, error) = match (batch.item_state(index, now), &item.outcome) {
        (ItemState::Succeeded, Outcome::Succeeded(body)) => {
            (false, response(200, body), Value::Null)
        }
        (ItemState::Errored, Outcome::Errored { status, body }) => {
            (true, response(*status, body), Value::Null)
        }
        (ItemState::Expired, _) => (
            true,
            Value::Null,
            json!({"code": "batch_expired",
            "message": "This request could not be executed before the completion window expired."}),
        ),
        _ => (
            true,
            Value::Null,
            json!({"code": "batch_cancelled",
            "message": "This request was cancelled before it could be executed."}),
        ),
    };
    (
        is_error,
        json!({"id": id, "custom_id": item.custom_id, "response": response, "error": error}),
    )
}

/// `GET /v1/files/{id}`.
pub async fn file(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "GET", "/v1/files/{id}", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    match find_file(&store, &id, Instant::now()) {
        Some(file) => json_now(exchange, 200, &file_object(&file), &vec![], "file_retrieve"),
        None => refuse(exchange, 404, &format!("No such File object: {id}")),
    }
}

/// `GET /v1/files/{id}/content`.
pub async fn content(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "GET", "/v1/files/{id}/content", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    match find_file(&store, &id, Instant::now()) {
        Some(file) => bytes_now(
            exchange,
            file.bytes,
            "application/octet-stream",
            "file_content",
        ),
        None => refuse(exchange, 404, &format!("No such File object: {id}")),
    }
}

/// Reads the input file's JSONL lines into decided items.
fn read_input(bytes: &[u8], store: &BatchStore) -> Result<(Vec<Item>, Vec<BatchControls>), String> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| "The input file is not UTF-8.".to_string())?;
    let mut items = Vec::new();
    let mut controls = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line_no = i + 1;
        let value: Value = serde_json::from_str(line)
            .map_err(|e| format!("Line {line_no} of the input file is not JSON: {e}"))?;
        let custom_id = value
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or(format!("Line {line_no}: missing 'custom_id'."))?;
        if !seen.insert(custom_id.to_string()) {
            return Err(format!(
                "Line {line_no}: duplicate custom_id '{custom_id}'."
            ));
        }
        if value.get("url").and_then(Value::as_str) != Some(CHAT) {
            return Err(format!("Line {line_no}: 'url' must be {CHAT}."));
        }
        let body = value
            .get("body")
            .ok_or(format!("Line {line_no}: missing 'body'."))?;
        let decided = decide_request(Format::ChatCompletions, body, store.next_number());
        controls.push(decided.controls);
        items.push(Item {
            custom_id: custom_id.to_string(),
            outcome: decided.outcome,
            tokens: decided.tokens,
        });
    }
    if items.is_empty() || items.len() > MAX_REQUESTS {
        return Err(format!(
            "The input file must hold between 1 and {MAX_REQUESTS} requests."
        ));
    }
    Ok((items, controls))
}

/// The `batch` object at `now`.
pub fn batch_object(batch: &Batch, now: Instant) -> Value {
    let counts = batch.counts(now);
    let ended = batch.ended(now);
    let secs = |offset_ms: u64| batch.unix_ms_at(offset_ms) / 1000;
    let end = ended.then(|| secs(batch.end_ms()));
    let status = match (ended, batch.cancel_at_ms.is_some()) {
        (false, true) => "cancelling",
        (false, false) => "in_progress",
        (true, true) => "cancelled",
        (true, false) if counts.expired > 0 => "expired",
        (true, false) => "completed",
    };
    let has_errors = counts.errored + counts.expired + counts.canceled > 0;
    json!({
        "id": batch.id, "object": "batch", "endpoint": batch.endpoint, "errors": null,
        "input_file_id": batch.input_file_id, "completion_window": batch.completion_window,
        "status": status,
        "output_file_id": (ended && counts.succeeded > 0).then(|| format!("file-out-{}", batch.id)),
        "error_file_id": (ended && has_errors).then(|| format!("file-err-{}", batch.id)),
        "created_at": secs(0), "in_progress_at": secs(0), "expires_at": secs(0) + DAY_S,
        "finalizing_at": end, "completed_at": if status == "completed" { end } else { None },
        "failed_at": null, "expired_at": if status == "expired" { end } else { None },
        "cancelling_at": batch.cancel_at_ms.map(secs),
        "cancelled_at": if status == "cancelled" { end } else { None },
        "request_counts": {
            "total": batch.items.len(), "completed": counts.succeeded,
            "failed": counts.errored + counts.expired + counts.canceled,
        },
        "metadata": batch.metadata,
    })
}

/// `POST /v1/batches`.
pub async fn create(
    State(store): State<Arc<BatchStore>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let exchange = match open(&store, "POST", "/v1/batches", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refuse(
            exchange,
            400,
            "We could not parse the JSON body of your request.",
        );
    };
    let field = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let Some(input_file_id) = field("input_file_id") else {
        return refuse(
            exchange,
            400,
            "Missing required parameter: 'input_file_id'.",
        );
    };
    let endpoint = field("endpoint").unwrap_or_default();
    if endpoint != CHAT {
        return refuse(
            exchange,
            400,
            &format!("The mock runs batches for {CHAT} only."),
        );
    }
    let Some(input) = store.file(&input_file_id) else {
        return refuse(
            exchange,
            404,
            &format!("No such File object: {input_file_id}"),
        );
    };
    let (items, controls) = match read_input(&input.bytes, &store) {
        Ok(read) => read,
        Err(message) => return refuse(exchange, 400, &message),
    };
    let header_ms = header(&headers, "x-mock-batch-ms").and_then(|v| v.trim().parse().ok());
    let now = Instant::now();
    let batch = Batch {
        id: format!("batch_mock{:06}", store.next_number()),
        api: Api::OpenAi,
        created: now,
        created_unix_ms: unix_now_ms(),
        process_ms: process_ms(header_ms, &controls),
        cancel_at_ms: None,
        items,
        input_file_id: Some(input_file_id),
        endpoint,
        completion_window: field("completion_window").unwrap_or_else(|| "24h".into()),
        metadata: request.get("metadata").cloned().unwrap_or(Value::Null),
    };
    let object = batch_object(&batch, now);
    store.insert_batch(batch);
    json_now(exchange, 200, &object, &vec![], "batch_create")
}

/// `GET /v1/batches/{id}`.
pub async fn retrieve(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "GET", "/v1/batches/{id}", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    match store.batch(&id).filter(|b| b.api == Api::OpenAi) {
        Some(batch) => json_now(
            exchange,
            200,
            &batch_object(&batch, Instant::now()),
            &vec![],
            "batch_retrieve",
        ),
        None => refuse(exchange, 404, &format!("No such Batch object: {id}")),
    }
}

/// `POST /v1/batches/{id}/cancel`.
pub async fn cancel(
    State(store): State<Arc<BatchStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let exchange = match open(&store, "POST", "/v1/batches/{id}/cancel", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let now = Instant::now();
    match store.cancel(&id, now).filter(|b| b.api == Api::OpenAi) {
        Some(batch) => json_now(
            exchange,
            200,
            &batch_object(&batch, now),
            &vec![],
            "batch_cancel",
        ),
        None => refuse(exchange, 404, &format!("No such Batch object: {id}")),
    }
}

/// `GET /v1/batches?limit=N`: newest first.
pub async fn list(State(store): State<Arc<BatchStore>>, uri: Uri, headers: HeaderMap) -> Response {
    let exchange = match open(&store, "GET", "/v1/batches", &headers) {
        Ok(e) => e,
        Err(refusal) => return refusal,
    };
    let limit = uri
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix("limit="))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let mut batches = store.batches(Api::OpenAi);
    let has_more = batches.len() > limit;
    batches.truncate(limit);
    let now = Instant::now();
    let data: Vec<Value> = batches.iter().map(|b| batch_object(b, now)).collect();
    let body = json!({
        "object": "list", "data": data, "has_more": has_more,
        "first_id": batches.first().map(|b| b.id.clone()),
        "last_id": batches.last().map(|b| b.id.clone()),
    });
    json_now(exchange, 200, &body, &vec![], "batch_list")
}
