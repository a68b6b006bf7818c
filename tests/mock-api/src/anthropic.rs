//! `POST /v1/messages`: the Anthropic Messages API — its checks (browser access header, key,
//! version, body), its JSON message and its SSE event sequence, and its error bodies.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::behaviour::{decide, Decision, ErrorReply, Params};
use crate::body::sse_event;
use crate::cache::{self, CacheUse};
use crate::cors::CorsRefused;
use crate::http::{self, header, json_now, ExtraHeaders, Prepared};
use crate::log::Exchange;
use crate::reply::{Answer, Content, Conversation, Events, Schedule, Stop};
use crate::slots;
use crate::text;
use crate::tools;
use crate::AppState;

const PATH: &str = "/v1/messages";

/// The `error.type` the real API uses for a status.
pub fn error_type(status: u16) -> &'static str {
    match status {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        504 => "timeout_error",
        s if s >= 500 => "api_error",
        _ => "invalid_request_error",
    }
}

fn error_message(status: u16) -> &'static str {
    match status {
        429 => "This request would exceed the rate limit for your organization (mock).",
        529 => "Overloaded",
        500 => "Internal server error",
        s if s >= 500 => "Upstream error (mock)",
        _ => "Request refused (mock)",
    }
}

fn error_body(status: u16, message: &str, request_id: &str) -> Value {
    json!({
        "type": "error",
        "error": {"type": error_type(status), "message": message},
        "request_id": request_id,
    })
}

/// The handler.
pub async fn messages(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let received = Instant::now();
    let api_key = api_key(&headers);
    let origin = header(&headers, "origin").map(str::to_string);
    let exchange = state
        .log
        .begin("POST", PATH, received, !api_key.is_empty(), origin.clone());
    let request_id = format!("req_mock_{:06}", exchange.seq());
    let ids: ExtraHeaders = vec![("request-id", request_id.clone())];
    let reject = |exchange: Exchange, status: u16, message: &str, behaviour: &str| {
        json_now(
            exchange,
            status,
            &error_body(status, message, &request_id),
            &ids,
            behaviour,
        )
    };

    let browser_allowed =
        header(&headers, "anthropic-dangerous-direct-browser-access") == Some("true");
    if origin.is_some() && !browser_allowed {
        let mut response = reject(
            exchange,
            401,
            "CORS requests must set 'anthropic-dangerous-direct-browser-access' header",
            "cors_refused",
        );
        response.extensions_mut().insert(CorsRefused);
        return response;
    }
    if api_key.is_empty() {
        return reject(
            exchange,
            401,
            "x-api-key header is required",
            "unauthorized",
        );
    }
    if api_key == "bad-key" {
        return reject(exchange, 401, "invalid x-api-key", "unauthorized");
    }
    if header(&headers, "anthropic-version").is_none() {
        return reject(
            exchange,
            400,
            "anthropic-version: header is required",
            "invalid_request",
        );
    }
    let conversation = match parse(&body) {
        Ok(c) => c,
        Err(message) => return reject(exchange, 400, &message, "invalid_request"),
    };
    exchange.record(|e| {
        e.model = Some(conversation.model.clone());
        e.stream = conversation.stream;
    });
    let mut params = match Params::from_model(&conversation.model) {
        Ok(p) => p,
        Err(e) => return reject(exchange, 400, &e.to_string(), "invalid_request"),
    };
    if let Err(e) = params.apply_directives(&conversation.user_text) {
        return reject(exchange, 400, &e.to_string(), "invalid_request");
    }
    params.pick_ttft(
        state
            .log
            .earlier_with_model(exchange.seq(), &conversation.model),
    );
    let attempt = http::attempt(&headers, &state.log, PATH, &body);
    exchange.record(|e| e.attempt = attempt);

    match decide(&params, attempt, &body) {
        Decision::Error(error) => {
            let mut headers = ids.clone();
            headers.extend(retry_headers(&error));
            let body = error_body(error.status, error_message(error.status), &request_id);
            json_now(
                exchange,
                error.status,
                &body,
                &headers,
                &Decision::Error(error).name(),
            )
        }
        Decision::Answer(failure) => {
            let seq = exchange.seq();
            let answer = conversation.answer(&params, &format!("toolu_mock_{seq:06}"));
            let behaviour = failure.map_or(answer.kind.to_string(), |f| f.name().to_string());
            let sent = failure.map_or(answer.output_tokens(), |f| {
                answer.output_tokens().min(f.after() as u64)
            });
            exchange.record(|e| {
                e.input_tokens = Some(answer.input_tokens);
                e.output_tokens = Some(sent);
            });
            let scope = slots::scope_key(api_key, &conversation.model);
            let admission = match state
                .limits
                .admit(
                    &params.server,
                    &scope,
                    answer.input_tokens,
                    answer.output_tokens(),
                )
                .await
            {
                Ok(admission) => admission,
                Err(refused) => {
                    let mut headers = ids.clone();
                    headers.extend(refused.headers);
                    let body = error_body(429, refused.message, &request_id);
                    let response = json_now(exchange, 429, &body, &headers, refused.behaviour);
                    return slots::mark(response, &params.server);
                }
            };
            let mut headers = ids;
            headers.extend(admission.headers());
            let arrived = admission.schedule_from(received);
            let schedule = Schedule::new(arrived, &params);
            let cached = cache::anthropic_prefix_of(&body).map_or_else(CacheUse::default, |p| {
                let key = format!("{api_key}\u{0}{}\u{0}{p}", conversation.model);
                let tokens =
                    text::estimate_input_tokens(p.chars().count()).min(answer.input_tokens);
                state.cache.arrive(&key, tokens, arrived, schedule.first)
            });
            exchange.record(|e| {
                e.input_tokens = Some(answer.input_tokens - cached.write - cached.read);
                e.cache_creation_input_tokens = (cached.write > 0).then_some(cached.write);
                e.cache_read_input_tokens = (cached.read > 0).then_some(cached.read);
            });
            let prepared = prepare(&answer, cached, &conversation.model, seq, &request_id);
            let response = http::deliver(
                exchange,
                schedule,
                conversation.stream,
                prepared,
                failure,
                params.faults,
                headers,
                &behaviour,
            )
            .await;
            admission.attach(response)
        }
    }
}

/// The key a request carries: `x-api-key`, or else an `Authorization: Bearer` token (the
/// Anthropic Python SDK 2.x sends its `api_key` that way). Empty when there is none.
pub fn api_key(headers: &HeaderMap) -> &str {
    match header(headers, "x-api-key").map(str::trim) {
        Some(key) if !key.is_empty() => key,
        _ => header(headers, "authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map_or("", str::trim),
    }
}

/// `retry-after` (and `retry-after-ms`) for a 429.
pub fn retry_headers(error: &ErrorReply) -> ExtraHeaders {
    let mut headers = Vec::new();
    if let Some(s) = error.retry_after_s {
        headers.push(("retry-after", s.to_string()));
    }
    if let Some(ms) = error.retry_after_ms {
        headers.push(("retry-after-ms", ms.to_string()));
    }
    headers
}

/// Reads and checks a Messages request body.
pub fn parse(body: &[u8]) -> Result<Conversation, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("Invalid JSON in request body: {e}"))?;
    let object = value
        .as_object()
        .ok_or("Request body must be a JSON object")?;
    let model = match object.get("model") {
        Some(Value::String(m)) if !m.trim().is_empty() => m.clone(),
        Some(_) => return Err("model: Input should be a valid string".into()),
        None => return Err("model: Field required".into()),
    };
    let max_tokens = match object.get("max_tokens") {
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1)
            .ok_or("max_tokens: Input should be a positive integer")?,
        None => return Err("max_tokens: Field required".into()),
    };
    let messages = match object.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => return Err("messages: at least one message is required".into()),
        Some(_) => return Err("messages: Input should be a valid list".into()),
        None => return Err("messages: Field required".into()),
    };
    let stream = match object.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("stream: Input should be a valid boolean".into()),
    };
    let mut prompt_chars = object
        .get("system")
        .map_or(0, |s| content_text(s).chars().count());
    let mut user_text = String::new();
    let mut last_user_results = None;
    for (i, message) in messages.iter().enumerate() {
        let role = message
            .get("role")
            .and_then(Value::as_str)
            .ok_or(format!("messages.{i}.role: Field required"))?;
        let content = message
            .get("content")
            .ok_or(format!("messages.{i}.content: Field required"))?;
        prompt_chars += content_text(content).chars().count();
        if role == "user" {
            let text = user_text_of(content);
            if !text.is_empty() {
                user_text = text;
            }
            last_user_results = tool_results(content);
        }
    }
    let tools_disabled = object
        .get("tool_choice")
        .and_then(|c| c.get("type"))
        .and_then(Value::as_str)
        == Some("none");
    Ok(Conversation {
        model,
        stream,
        user_text,
        tool_results: last_user_results,
        tools: tools::anthropic_tools(body)?,
        tools_disabled,
        prompt_chars,
        max_tokens: Some(max_tokens as usize),
    })
}

/// All the text in a content value (string or blocks), tool inputs and results included.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .map(|block| match block.get("type").and_then(Value::as_str) {
                Some("text") => block
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                Some("tool_use") => block.get("input").map(Value::to_string).unwrap_or_default(),
                Some("tool_result") => block.get("content").map(content_text).unwrap_or_default(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The text blocks of a user message.
fn user_text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The contents of the `tool_result` blocks of a user message, if it has any.
fn tool_results(content: &Value) -> Option<Vec<String>> {
    let results: Vec<String> = content
        .as_array()?
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
        .map(|b| b.get("content").map(content_text).unwrap_or_default())
        .collect();
    (!results.is_empty()).then_some(results)
}

fn stop_reason(stop: Stop) -> &'static str {
    match stop {
        Stop::EndTurn => "end_turn",
        Stop::MaxTokens => "max_tokens",
        Stop::ToolUse => "tool_use",
    }
}

/// The answer as a Messages response, in both forms.
fn prepare(answer: &Answer, cached: CacheUse, model: &str, seq: u64, request_id: &str) -> Prepared {
    let id = format!("msg_mock_{seq:06}");
    let stop = stop_reason(answer.stop);
    let usage_out = answer.output_tokens();
    // As the API: `input_tokens` leaves out what was written to or read from the cache.
    let usage = |output_tokens: u64| {
        json!({
            "input_tokens": answer.input_tokens - cached.write - cached.read,
            "cache_creation_input_tokens": cached.write,
            "cache_read_input_tokens": cached.read,
            "output_tokens": output_tokens,
        })
    };

    let (start_block, pieces, full_block) = match &answer.content {
        Content::Text(words) => (
            json!({"type": "text", "text": ""}),
            words
                .iter()
                .map(|w| json!({"type": "text_delta", "text": w}))
                .collect::<Vec<_>>(),
            json!({"type": "text", "text": answer.text()}),
        ),
        Content::ToolUse {
            id,
            name,
            input_json,
            fragments,
        } => (
            json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
            fragments
                .iter()
                .map(|f| json!({"type": "input_json_delta", "partial_json": f}))
                .collect(),
            json!({"type": "tool_use", "id": id, "name": name,
                   "input": serde_json::from_str::<Value>(input_json).unwrap_or(json!({}))}),
        ),
    };

    let events = Events {
        opening: vec![
            sse_event(
                "message_start",
                &json!({"type": "message_start", "message": {
                    "id": id, "type": "message", "role": "assistant", "model": model,
                    "content": [], "stop_reason": null, "stop_sequence": null,
                    "usage": usage(1)}}),
            ),
            sse_event(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block": start_block}),
            ),
            sse_event("ping", &json!({"type": "ping"})),
        ],
        pieces: pieces
            .into_iter()
            .map(|delta| {
                sse_event(
                    "content_block_delta",
                    &json!({"type": "content_block_delta", "index": 0, "delta": delta}),
                )
            })
            .collect(),
        closing: vec![
            sse_event(
                "content_block_stop",
                &json!({"type": "content_block_stop", "index": 0}),
            ),
            sse_event(
                "message_delta",
                &json!({"type": "message_delta",
                        "delta": {"stop_reason": stop, "stop_sequence": null},
                        "usage": {"output_tokens": usage_out}}),
            ),
            sse_event("message_stop", &json!({"type": "message_stop"})),
        ],
        malformed: Bytes::from(
            "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_de\n\n",
        ),
        midstream_error: sse_event(
            "error",
            &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
    };
    let full = json!({
        "id": id, "type": "message", "role": "assistant", "model": model,
        "content": [full_block], "stop_reason": stop, "stop_sequence": null,
        "usage": usage(usage_out),
    });
    Prepared {
        events,
        full_body: Bytes::from(full.to_string()),
        overloaded_body: Bytes::from(error_body(529, "Overloaded", request_id).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_comes_from_x_api_key_or_a_bearer_token() {
        let mut headers = HeaderMap::new();
        assert_eq!(api_key(&headers), "");
        headers.insert("authorization", "Bearer sk-1".parse().unwrap());
        assert_eq!(api_key(&headers), "sk-1");
        headers.insert("x-api-key", "sk-2".parse().unwrap());
        assert_eq!(api_key(&headers), "sk-2");
    }

    #[test]
    fn missing_fields_are_named_like_the_real_api() {
        assert_eq!(
            parse(br#"{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}"#).unwrap_err(),
            "model: Field required"
        );
        assert_eq!(
            parse(br#"{"model":"mock","messages":[{"role":"user","content":"hi"}]}"#).unwrap_err(),
            "max_tokens: Field required"
        );
        assert!(parse(br#"{"model":"mock","max_tokens":5,"messages":[]}"#)
            .unwrap_err()
            .contains("at least one message"));
        assert!(parse(b"{not json").unwrap_err().starts_with("Invalid JSON"));
    }

    #[test]
    fn last_user_text_and_tool_results_are_found() {
        let body = br#"{"model":"mock","max_tokens":100,"system":"be brief","messages":[
            {"role":"user","content":[{"type":"text","text":"add [[mock ttft=0]]"}]},
            {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"add","input":{"a":2}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"5"},
                                      {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"6"}]}]}]}"#;
        let c = parse(body).unwrap();
        assert_eq!(c.user_text, "add [[mock ttft=0]]");
        assert_eq!(c.tool_results, Some(vec!["5".to_string(), "6".to_string()]));
        assert_eq!(c.max_tokens, Some(100));
        assert!(c.prompt_chars > "be brief".len());
    }
}
