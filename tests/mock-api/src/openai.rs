//! `POST /v1/chat/completions`: OpenAI-compatible Chat Completions — open to any origin (like
//! Ollama with `OLLAMA_ORIGINS=*`), its completion JSON, its `chat.completion.chunk` stream with
//! the optional usage chunk and `[DONE]`, and its error bodies.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::anthropic::retry_headers;
use crate::behaviour::{decide, Decision, Params};
use crate::body::sse_data;
use crate::cache;
use crate::http::{self, header, json_now, ExtraHeaders, Prepared};
use crate::log::Exchange;
use crate::reply::{Answer, Content, Conversation, Events, Schedule, Stop};
use crate::slots;
use crate::text;
use crate::tools;
use crate::AppState;

const PATH: &str = "/v1/chat/completions";

/// An error body as OpenAI sends it.
pub fn error_body(status: u16, message: &str) -> Value {
    let (kind, code) = match status {
        401 => ("invalid_request_error", json!("invalid_api_key")),
        404 => ("invalid_request_error", json!("model_not_found")),
        429 => ("requests", json!("rate_limit_exceeded")),
        529 => ("server_error", json!("overloaded")),
        503 => ("server_error", json!("service_unavailable")),
        s if s >= 500 => ("server_error", Value::Null),
        _ => ("invalid_request_error", Value::Null),
    };
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

fn error_message(status: u16) -> &'static str {
    match status {
        429 => "Rate limit reached for requests (mock).",
        529 => "Overloaded",
        s if s >= 500 => "The server had an error while processing your request (mock).",
        _ => "Request refused (mock).",
    }
}

/// The handler.
pub async fn chat_completions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received = Instant::now();
    let bearer = header(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let origin = header(&headers, "origin").map(str::to_string);
    let exchange = state
        .log
        .begin("POST", PATH, received, !bearer.is_empty(), origin);
    let request_id = format!("req_mock_{:06}", exchange.seq());
    let ids: ExtraHeaders = vec![("x-request-id", request_id)];
    let reject = |exchange: Exchange, status: u16, message: &str, behaviour: &str| {
        json_now(
            exchange,
            status,
            &error_body(status, message),
            &ids,
            behaviour,
        )
    };

    if bearer == "bad-key" {
        return reject(exchange, 401, "Incorrect API key provided.", "unauthorized");
    }
    let request = match parse(&body) {
        Ok(r) => r,
        Err(message) => return reject(exchange, 400, &message, "invalid_request"),
    };
    let conversation = &request.conversation;
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
            let body = error_body(error.status, error_message(error.status));
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
            let answer = conversation.answer(&params, &format!("call_mock_{seq:06}"));
            let behaviour = failure.map_or(answer.kind.to_string(), |f| f.name().to_string());
            let sent = failure.map_or(answer.output_tokens(), |f| {
                answer.output_tokens().min(f.after() as u64)
            });
            exchange.record(|e| {
                e.input_tokens = Some(answer.input_tokens);
                e.output_tokens = Some(sent);
            });
            let scope = slots::scope_key(bearer, &conversation.model);
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
                    let body = error_body(429, refused.message);
                    let response = json_now(exchange, 429, &body, &headers, refused.behaviour);
                    return slots::mark(response, &params.server);
                }
            };
            let mut headers = ids;
            headers.extend(admission.headers());
            // llama-cpp-python ignores `stream_options` (`stream_usage=0` does the same).
            let include_usage = request.include_usage && params.server.stream_usage;
            let arrived = admission.schedule_from(received);
            let schedule = Schedule::new(arrived, &params);
            // Automatic caching of the leading system messages: reads are reported as
            // `prompt_tokens_details.cached_tokens` (inside `prompt_tokens`), writes are not.
            let cached = serde_json::from_slice(&body)
                .ok()
                .and_then(|v| cache::openai_prefix(&v))
                .map_or(0, |p| {
                    let key = format!("{bearer}\u{0}{}\u{0}{p}", conversation.model);
                    let tokens =
                        text::estimate_input_tokens(p.chars().count()).min(answer.input_tokens);
                    state
                        .cache
                        .arrive(&key, tokens, arrived, schedule.first)
                        .read
                });
            exchange.record(|e| e.cache_read_input_tokens = (cached > 0).then_some(cached));
            let prepared = prepare(&answer, cached, &conversation.model, seq, include_usage);
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

/// A Chat Completions request, as far as the mock cares.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub conversation: Conversation,
    /// `stream_options.include_usage`.
    pub include_usage: bool,
}

/// Reads and checks a Chat Completions request body.
pub fn parse(body: &[u8]) -> Result<ChatRequest, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("We could not parse the JSON body of your request. ({e})"))?;
    let object = value
        .as_object()
        .ok_or("The request body must be a JSON object.")?;
    let model = match object.get("model") {
        Some(Value::String(m)) if !m.trim().is_empty() => m.clone(),
        _ => return Err("you must provide a model parameter".into()),
    };
    let messages = match object.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => return Err("'messages' must contain at least one message.".into()),
    };
    let stream = object
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let include_usage = object
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let max_tokens = object
        .get("max_completion_tokens")
        .or_else(|| object.get("max_tokens"))
        .and_then(Value::as_u64)
        .map(|n| n as usize);

    let mut prompt_chars = 0;
    let mut user_text = String::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message
            .get("role")
            .and_then(Value::as_str)
            .ok_or(format!("Missing required parameter: 'messages[{i}].role'."))?;
        let text = message.get("content").map(content_text).unwrap_or_default();
        prompt_chars += text.chars().count();
        if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
            for call in calls {
                let arguments = call.pointer("/function/arguments").and_then(Value::as_str);
                prompt_chars += arguments.unwrap_or("").chars().count();
            }
        }
        if role == "user" && !text.is_empty() {
            user_text = text;
        }
    }
    // The tool results the conversation ends with: the trailing `role: tool` messages.
    let trailing: Vec<String> = messages
        .iter()
        .rev()
        .take_while(|m| m.get("role").and_then(Value::as_str) == Some("tool"))
        .map(|m| m.get("content").map(content_text).unwrap_or_default())
        .collect();
    let tool_results = (!trailing.is_empty()).then(|| trailing.into_iter().rev().collect());
    let tools_disabled = object.get("tool_choice").and_then(Value::as_str) == Some("none");

    Ok(ChatRequest {
        conversation: Conversation {
            model,
            stream,
            user_text,
            tool_results,
            tools: tools::openai_tools(body)?,
            tools_disabled,
            prompt_chars,
            max_tokens,
        },
        include_usage,
    })
}

/// The text of a message's content: a string or an array of `{type: "text", text}` parts.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn finish_reason(stop: Stop) -> &'static str {
    match stop {
        Stop::EndTurn => "stop",
        Stop::MaxTokens => "length",
        Stop::ToolUse => "tool_calls",
    }
}

/// The answer as a Chat Completions response, in both forms.
fn prepare(answer: &Answer, cached: u64, model: &str, seq: u64, include_usage: bool) -> Prepared {
    let id = format!("chatcmpl-mock-{seq:06}");
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let usage = json!({
        "prompt_tokens": answer.input_tokens,
        "completion_tokens": answer.output_tokens(),
        "total_tokens": answer.input_tokens + answer.output_tokens(),
        "prompt_tokens_details": {"cached_tokens": cached},
    });
    let chunk = |choices: Value| {
        let mut fields = Map::new();
        fields.insert("id".into(), json!(id));
        fields.insert("object".into(), json!("chat.completion.chunk"));
        fields.insert("created".into(), json!(created));
        fields.insert("model".into(), json!(model));
        fields.insert("system_fingerprint".into(), json!("fp_mock"));
        fields.insert("choices".into(), choices);
        if include_usage {
            fields.insert("usage".into(), Value::Null);
        }
        sse_data(&Value::Object(fields))
    };
    let choice = |delta: Value, finish: Value| json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]);

    let (opening_delta, piece_deltas, message) = match &answer.content {
        Content::Text(words) => (
            json!({"role": "assistant", "content": ""}),
            words
                .iter()
                .map(|w| json!({"content": w}))
                .collect::<Vec<_>>(),
            json!({"role": "assistant", "content": answer.text(), "refusal": null}),
        ),
        Content::ToolUse {
            id: call_id,
            name,
            input_json,
            fragments,
        } => (
            json!({"role": "assistant", "content": null, "tool_calls": [{
                "index": 0, "id": call_id, "type": "function",
                "function": {"name": name, "arguments": ""}}]}),
            fragments
                .iter()
                .map(|f| json!({"tool_calls": [{"index": 0, "function": {"arguments": f}}]}))
                .collect(),
            json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [{
                "id": call_id, "type": "function",
                "function": {"name": name, "arguments": input_json}}]}),
        ),
    };
    let finish = finish_reason(answer.stop);

    let mut closing = vec![chunk(choice(json!({}), json!(finish)))];
    if include_usage {
        closing.push(sse_data(&json!({
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": "fp_mock", "choices": [], "usage": usage,
        })));
    }
    closing.push(Bytes::from_static(b"data: [DONE]\n\n"));

    let events = Events {
        opening: vec![chunk(choice(opening_delta, Value::Null))],
        pieces: piece_deltas
            .into_iter()
            .map(|delta| chunk(choice(delta, Value::Null)))
            .collect(),
        closing,
        malformed: Bytes::from_static(
            b"data: {\"id\": \"chatcmpl-mock\", \"choices\": [{\"delta\n\n",
        ),
        midstream_error: sse_data(&error_body(529, "Overloaded")),
    };
    let full = json!({
        "id": id, "object": "chat.completion", "created": created, "model": model,
        "system_fingerprint": "fp_mock",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": usage,
    });
    Prepared {
        events,
        full_body: Bytes::from(full.to_string()),
        overloaded_body: Bytes::from(error_body(529, "Overloaded").to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_and_messages_are_required() {
        assert!(parse(br#"{"messages":[{"role":"user","content":"hi"}]}"#)
            .unwrap_err()
            .contains("model"));
        assert!(parse(br#"{"model":"mock","messages":[]}"#)
            .unwrap_err()
            .contains("messages"));
        assert!(parse(b"[1,").is_err());
    }

    #[test]
    fn trailing_tool_messages_are_the_results() {
        let body = br#"{"model":"mock","stream":true,"stream_options":{"include_usage":true},
            "messages":[{"role":"user","content":[{"type":"text","text":"multiply"}]},
            {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
              "function":{"name":"mul","arguments":"{\"a\":2}"}}]},
            {"role":"tool","tool_call_id":"c1","content":"6"}]}"#;
        let request = parse(body).unwrap();
        assert!(request.include_usage && request.conversation.stream);
        assert_eq!(request.conversation.user_text, "multiply");
        assert_eq!(
            request.conversation.tool_results,
            Some(vec!["6".to_string()])
        );
    }

    #[test]
    fn a_user_message_last_means_no_tool_results() {
        let body = br#"{"model":"mock","messages":[{"role":"tool","content":"6"},
            {"role":"user","content":"again"}]}"#;
        assert_eq!(parse(body).unwrap().conversation.tool_results, None);
    }
}
