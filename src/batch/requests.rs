//! The plain request files, for people who submit a batch their own way: the Anthropic Message
//! Batches body (`{"requests": [{custom_id, params}]}`) and the OpenAI Batch input JSONL (one
//! `{custom_id, method, url, body}` per line), which `vllm run-batch -i` reads as well.

use serde_json::{json, Map, Value};

use super::{BatchJob, BatchRequest};

/// The file name of the Anthropic request body.
pub const ANTHROPIC_FILE: &str = "batch_requests.json";
/// The file name of the OpenAI / vLLM input file.
pub const OPENAI_FILE: &str = "batch_requests.jsonl";

/// A request's Messages API parameters.
pub fn anthropic_params(request: &BatchRequest) -> Value {
    let mut params = Map::new();
    params.insert("model".into(), json!(request.model));
    params.insert("max_tokens".into(), json!(request.max_tokens));
    if let Some(system) = &request.system_prompt {
        params.insert("system".into(), json!(system));
    }
    if let Some(t) = request.temperature {
        params.insert("temperature".into(), json!(t));
    }
    params.insert(
        "messages".into(),
        json!([{"role": "user", "content": request.prompt}]),
    );
    Value::Object(params)
}

/// A request's Chat Completions body.
pub fn openai_body(request: &BatchRequest) -> Value {
    let mut messages = Vec::new();
    if let Some(system) = &request.system_prompt {
        messages.push(json!({"role": "system", "content": system}));
    }
    messages.push(json!({"role": "user", "content": request.prompt}));
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("max_tokens".into(), json!(request.max_tokens));
    if let Some(t) = request.temperature {
        body.insert("temperature".into(), json!(t));
    }
    body.insert("messages".into(), Value::Array(messages));
    Value::Object(body)
}

/// The body of `POST /v1/messages/batches`, pretty-printed.
pub fn anthropic_requests_json(job: &BatchJob) -> String {
    let requests: Vec<Value> = job
        .requests
        .iter()
        .map(|r| json!({"custom_id": r.custom_id, "params": anthropic_params(r)}))
        .collect();
    serde_json::to_string_pretty(&json!({ "requests": requests }))
        .unwrap_or_else(|_| "{}".to_string())
}

/// The OpenAI Batch input file: one JSON line per request, ending with a newline.
pub fn openai_requests_jsonl(job: &BatchJob) -> String {
    let mut out = String::new();
    for request in &job.requests {
        let line = json!({
            "custom_id": request.custom_id,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": openai_body(request),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunPlan;

    fn job() -> BatchJob {
        BatchJob::from_plan(&RunPlan {
            questions: vec!["Why \"quotes\"?".into(), "How?\nTwo lines".into()],
            system_prompt: Some("Be brief.".into()),
            model: "claude-haiku-4-5".into(),
            max_tokens: 300,
            temperature: Some(0.5),
            ..RunPlan::default()
        })
    }

    #[test]
    fn anthropic_body_has_one_request_per_question_with_its_settings() {
        let body: Value = serde_json::from_str(&anthropic_requests_json(&job())).expect("JSON");
        let requests = body["requests"].as_array().expect("requests");
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1]["custom_id"], "q1");
        let params = &requests[0]["params"];
        assert_eq!(params["system"], "Be brief.");
        assert_eq!(params["max_tokens"], 300);
        assert_eq!(params["temperature"], 0.5);
        assert_eq!(params["messages"][0]["content"], "Why \"quotes\"?");
    }

    #[test]
    fn openai_file_is_one_chat_completions_request_per_line() {
        let file = openai_requests_jsonl(&job());
        let lines: Vec<Value> = file
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["url"], "/v1/chat/completions");
        assert_eq!(lines[0]["method"], "POST");
        assert_eq!(lines[1]["custom_id"], "q1");
        assert_eq!(lines[0]["body"]["messages"][0]["role"], "system");
        assert_eq!(
            lines[1]["body"]["messages"][1]["content"],
            "How?\nTwo lines"
        );
    }
}
