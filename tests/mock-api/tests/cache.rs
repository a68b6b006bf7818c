//! The prompt cache through a real socket: the Anthropic rule (an entry is there only once the
//! writing response has begun), the usage fields as the API reports them, and OpenAI's
//! `prompt_tokens_details.cached_tokens`.

mod support;

use serde_json::{json, Value};
use support::{send, server, Reply, Target, ANTHROPIC};

const PREFIX: &str = "A long shared document that every call of the fan-out starts with. ";

fn cached_body(model: &str, question: &str, stream: bool) -> String {
    json!({
        "model": model, "max_tokens": 64, "stream": stream,
        "system": [{"type": "text", "text": PREFIX.repeat(20),
                    "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": question}],
    })
    .to_string()
}

/// Sends every body to `/v1/messages` at once; the replies in order.
async fn at_once(s: &mock_api::Server, bodies: Vec<String>) -> Vec<Reply> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let target = Target(s.addr);
            tokio::spawn(
                async move { send(&target, "POST", "/v1/messages", ANTHROPIC, &body).await },
            )
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("the request task ends"));
    }
    replies
}

/// The usage of a streamed answer (`message_start`, then `message_delta`) or a JSON one.
fn usage_of(reply: &Reply) -> Value {
    if let Ok(json) = serde_json::from_str::<Value>(&reply.body) {
        return json["usage"].clone();
    }
    reply
        .events()
        .iter()
        .find(|(name, _)| name == "message_start")
        .map(|(_, data)| data["message"]["usage"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_cold_fan_out_writes_n_times_and_warm_then_fan_out_reads_n_minus_one() {
    let s = server().await;
    let model = "mock?ttft=300&tps=0&tokens=3";
    let prefix_tokens = (PREFIX.len() * 20).div_ceil(4) as u64;

    // Four at once: none finds an entry that is already available.
    let cold = at_once(
        &s,
        (0..4)
            .map(|i| cached_body(model, &format!("cold question {i}"), true))
            .collect(),
    )
    .await;
    for reply in &cold {
        let usage = usage_of(reply);
        assert_eq!(
            usage["cache_creation_input_tokens"], prefix_tokens,
            "{usage}"
        );
        assert_eq!(usage["cache_read_input_tokens"], 0);
        assert!(usage["input_tokens"].as_u64().unwrap_or(0) < 10, "{usage}");
    }

    // Another prefix: one call first, then three that read it.
    let other = |q: &str| cached_body(model, q, false).replace("A long", "B long");
    let warm = send(&s, "POST", "/v1/messages", ANTHROPIC, &other("warm-up")).await;
    assert_eq!(
        usage_of(&warm)["cache_creation_input_tokens"],
        prefix_tokens
    );
    let fan_out = at_once(
        &s,
        (0..3)
            .map(|i| other(&format!("fan-out question {i}")))
            .collect(),
    )
    .await;
    for reply in &fan_out {
        let usage = usage_of(reply);
        assert_eq!(usage["cache_read_input_tokens"], prefix_tokens, "{usage}");
        assert_eq!(usage["cache_creation_input_tokens"], 0);
    }

    // The log has the same counts.
    let log = send(&s, "GET", "/__mock/requests", &[], "").await;
    let log: Value = serde_json::from_str(&log.body).unwrap_or(Value::Null);
    let entries = log.as_array().cloned().unwrap_or_default();
    let writes = entries
        .iter()
        .filter(|e| e["cache_creation_input_tokens"].as_u64() == Some(prefix_tokens))
        .count();
    let reads = entries
        .iter()
        .filter(|e| e["cache_read_input_tokens"].as_u64() == Some(prefix_tokens))
        .count();
    assert_eq!((writes, reads), (5, 3));
}

#[tokio::test]
async fn a_request_without_cache_control_reports_zero_cache_tokens() {
    let s = server().await;
    let body = json!({"model": "mock?ttft=0&tokens=2", "max_tokens": 16,
                      "system": PREFIX, "messages": [{"role": "user", "content": "q"}]});
    let first = send(&s, "POST", "/v1/messages", ANTHROPIC, &body.to_string()).await;
    let again = send(&s, "POST", "/v1/messages", ANTHROPIC, &body.to_string()).await;
    for reply in [first, again] {
        let usage = usage_of(&reply);
        assert_eq!(usage["cache_creation_input_tokens"], 0);
        assert_eq!(usage["cache_read_input_tokens"], 0);
    }
}

#[tokio::test]
async fn openai_reports_cached_tokens_once_the_first_response_began() {
    let s = server().await;
    let body = |q: &str| {
        json!({"model": "mock?ttft=100&tps=0&tokens=2",
               "messages": [{"role": "system", "content": PREFIX.repeat(10)},
                            {"role": "user", "content": q}]})
        .to_string()
    };
    let headers = [
        ("authorization", "Bearer k"),
        ("content-type", "application/json"),
    ];
    let first = send(&s, "POST", "/v1/chat/completions", &headers, &body("one")).await;
    let second = send(&s, "POST", "/v1/chat/completions", &headers, &body("two")).await;
    let usage =
        |r: &Reply| serde_json::from_str::<Value>(&r.body).unwrap_or(Value::Null)["usage"].clone();
    assert_eq!(usage(&first)["prompt_tokens_details"]["cached_tokens"], 0);
    let cached = usage(&second)["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(cached, (PREFIX.len() * 10).div_ceil(4) as u64);
    assert!(usage(&second)["prompt_tokens"].as_u64().unwrap_or(0) > cached);
}
