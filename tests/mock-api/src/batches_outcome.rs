//! Deciding how each request of a batch ends, from the same controls as the ordinary endpoints
//! (plus `outcome=` / `batch_ms=`, see `batches.rs`), and the response bodies the batch results
//! carry: a Messages `message` or a Chat Completions `chat.completion`. Also the router that puts
//! both batch APIs on the server.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::batches::{split_controls, BatchControls, BatchStore, Outcome};
use crate::behaviour::{decide, Decision, Params};
use crate::log::RequestLog;
use crate::reply::{Answer, Content, Conversation, Stop};
use crate::{anthropic, batches_anthropic, batches_openai, openai};

/// The batch endpoints of both APIs, over their own store (merged into the API router).
pub fn router<S: Clone + Send + Sync + 'static>(log: Arc<RequestLog>) -> Router<S> {
    let store = BatchStore::new(log);
    Router::new()
        .route(
            "/v1/messages/batches",
            post(batches_anthropic::create).get(batches_anthropic::list),
        )
        .route(
            "/v1/messages/batches/{id}",
            get(batches_anthropic::retrieve).delete(batches_anthropic::delete),
        )
        .route(
            "/v1/messages/batches/{id}/results",
            get(batches_anthropic::results),
        )
        .route(
            "/v1/messages/batches/{id}/cancel",
            post(batches_anthropic::cancel),
        )
        .route("/v1/files", post(batches_openai::upload))
        .route("/v1/files/{id}", get(batches_openai::file))
        .route("/v1/files/{id}/content", get(batches_openai::content))
        .route(
            "/v1/batches",
            post(batches_openai::create).get(batches_openai::list),
        )
        .route("/v1/batches/{id}", get(batches_openai::retrieve))
        .route("/v1/batches/{id}/cancel", post(batches_openai::cancel))
        .with_state(store)
}

/// Which wire format a batch request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Messages,
    ChatCompletions,
}

/// A decided request: its outcome, usage and batch controls.
#[derive(Debug, Clone)]
pub struct Decided {
    pub outcome: Outcome,
    pub tokens: (u64, u64),
    pub controls: BatchControls,
}

/// Rewrites every text of `params` (model name, message contents) without the batch controls,
/// and returns those.
fn take_controls(params: &mut Value) -> Result<BatchControls, String> {
    let mut controls = BatchControls::default();
    let mut merge = |found: BatchControls| {
        if found.outcome.is_some() {
            controls.outcome = found.outcome;
        }
        if found.batch_ms.is_some() {
            controls.batch_ms = found.batch_ms;
        }
    };
    if let Some(model) = params.get_mut("model") {
        if let Some(name) = model.as_str() {
            let (found, cleaned, _) = split_controls(name, "")?;
            merge(found);
            *model = Value::String(cleaned);
        }
    }
    let Some(messages) = params.get_mut("messages").and_then(Value::as_array_mut) else {
        return Ok(controls);
    };
    for message in messages {
        let Some(content) = message.get_mut("content") else {
            continue;
        };
        let texts: Vec<&mut Value> = match content {
            Value::String(_) => vec![content],
            Value::Array(parts) => parts.iter_mut().filter_map(|p| p.get_mut("text")).collect(),
            _ => Vec::new(),
        };
        for text in texts {
            if let Some(s) = text.as_str() {
                let (found, _, cleaned) = split_controls("", s)?;
                merge(found);
                *text = Value::String(cleaned);
            }
        }
    }
    Ok(controls)
}

/// How request `params` of a batch ends. `number` makes ids unique.
pub fn decide_request(format: Format, params: &Value, number: u64) -> Decided {
    let mut params = params.clone();
    let controls = match take_controls(&mut params) {
        Ok(c) => c,
        Err(message) => return errored(format, 400, &message, BatchControls::default()),
    };
    if params.get("stream").and_then(Value::as_bool) == Some(true) {
        return errored(format, 400, "stream: not supported in a batch", controls);
    }
    let body = params.to_string();
    let conversation: Result<Conversation, String> = match format {
        Format::Messages => anthropic::parse(body.as_bytes()),
        Format::ChatCompletions => openai::parse(body.as_bytes()).map(|r| r.conversation),
    };
    let conversation = match conversation {
        Ok(c) => c,
        Err(message) => return errored(format, 400, &message, controls),
    };
    let params_of_model = Params::from_model(&conversation.model).and_then(|mut p| {
        p.apply_directives(&conversation.user_text)?;
        Ok(p)
    });
    let model_params = match params_of_model {
        Ok(p) => p,
        Err(e) => return errored(format, 400, &e.to_string(), controls),
    };
    let scripted = controls.outcome.clone();
    let decision = decide(&model_params, 0, body.as_bytes());
    let outcome_name = scripted.as_deref().unwrap_or(match decision {
        Decision::Answer(None) => "succeeded",
        _ => "errored",
    });
    match outcome_name {
        "canceled" => Decided {
            outcome: Outcome::Canceled,
            tokens: (0, 0),
            controls,
        },
        "expired" => Decided {
            outcome: Outcome::Expired,
            tokens: (0, 0),
            controls,
        },
        "errored" => {
            let status = match decision {
                Decision::Error(e) => e.status,
                _ => 500,
            };
            errored(format, status, error_message(status), controls)
        }
        _ => {
            let answer = conversation.answer(&model_params, &format!("toolu_mock_b{number:06}"));
            let tokens = (answer.input_tokens, answer.output_tokens());
            let body = match format {
                Format::Messages => message_json(&answer, &conversation.model, number),
                Format::ChatCompletions => completion_json(&answer, &conversation.model, number),
            };
            Decided {
                outcome: Outcome::Succeeded(body),
                tokens,
                controls,
            }
        }
    }
}

fn error_message(status: u16) -> &'static str {
    match status {
        429 => "This request would exceed the rate limit (mock).",
        529 => "Overloaded",
        s if s >= 500 => "Internal server error (mock)",
        _ => "Request refused (mock)",
    }
}

fn errored(format: Format, status: u16, message: &str, controls: BatchControls) -> Decided {
    let body = match format {
        Format::Messages => json!({
            "type": "error",
            "error": {"type": anthropic::error_type(status), "message": message},
        }),
        Format::ChatCompletions => openai::error_body(status, message),
    };
    Decided {
        outcome: Outcome::Errored { status, body },
        tokens: (0, 0),
        controls,
    }
}

/// The answer as a Messages API `message`.
pub fn message_json(answer: &Answer, model: &str, number: u64) -> Value {
    let block = match &answer.content {
        Content::Text(_) => json!({"type": "text", "text": answer.text()}),
        Content::ToolUse {
            id,
            name,
            input_json,
            ..
        } => json!({"type": "tool_use", "id": id, "name": name,
                    "input": serde_json::from_str::<Value>(input_json).unwrap_or(json!({}))}),
    };
    let stop = match answer.stop {
        Stop::EndTurn => "end_turn",
        Stop::MaxTokens => "max_tokens",
        Stop::ToolUse => "tool_use",
    };
    json!({
        "id": format!("msg_mock_b{number:06}"), "type": "message", "role": "assistant",
        "model": model, "content": [block], "stop_reason": stop, "stop_sequence": null,
        "usage": {"input_tokens": answer.input_tokens, "output_tokens": answer.output_tokens()},
    })
}

/// The answer as a Chat Completions `chat.completion`.
pub fn completion_json(answer: &Answer, model: &str, number: u64) -> Value {
    let message = match &answer.content {
        Content::Text(_) => json!({"role": "assistant", "content": answer.text(), "refusal": null}),
        Content::ToolUse {
            id,
            name,
            input_json,
            ..
        } => json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [{
                "id": id, "type": "function", "function": {"name": name, "arguments": input_json}}]}),
    };
    let finish = match answer.stop {
        Stop::EndTurn => "stop",
        Stop::MaxTokens => "length",
        Stop::ToolUse => "tool_calls",
    };
    json!({
        "id": format!("chatcmpl-mock-b{number:06}"), "object": "chat.completion",
        "created": crate::batches::unix_now_ms() / 1000, "model": model,
        "system_fingerprint": "fp_mock",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": {"prompt_tokens": answer.input_tokens, "completion_tokens": answer.output_tokens(),
                  "total_tokens": answer.input_tokens + answer.output_tokens()},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(model: &str, text: &str) -> Value {
        json!({"model": model, "max_tokens": 50, "messages": [{"role": "user", "content": text}]})
    }

    #[test]
    fn outcomes_follow_the_controls() {
        let ok = decide_request(Format::Messages, &params("mock?tokens=4", "Why?"), 1);
        assert_eq!(ok.outcome.name(), "succeeded");
        assert_eq!(ok.tokens.1, 4);
        let failed = decide_request(Format::Messages, &params("mock?errors=529", "Why?"), 2);
        assert!(matches!(
            failed.outcome,
            Outcome::Errored { status: 529, .. }
        ));
        let expired = decide_request(
            Format::ChatCompletions,
            &params("mock", "Why? [[mock outcome=expired batch_ms=300]]"),
            3,
        );
        assert_eq!(expired.outcome, Outcome::Expired);
        assert_eq!(expired.controls.batch_ms, Some(300));
        let bad = decide_request(Format::Messages, &json!({"model": "mock"}), 4);
        assert!(matches!(bad.outcome, Outcome::Errored { status: 400, .. }));
    }
}
