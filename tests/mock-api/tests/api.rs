//! End-to-end requests through a real socket: wire formats, timing, errors and retries, CORS,
//! and what the request log records.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{messages_body, send, send_and_leave, server, wait_for_entry, ANTHROPIC};

fn event_names(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(name, _)| name.as_str()).collect()
}

#[tokio::test]
async fn anthropic_stream_has_the_real_event_sequence_and_matches_the_json_answer() {
    let s = server().await;
    let question = "Why do parallel calls finish sooner?";
    let streamed = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?tokens=5&ttft=0", true, question),
    )
    .await;
    assert_eq!(streamed.status, 200);
    assert!(streamed.complete);
    assert!(streamed
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/event-stream"));
    assert!(streamed
        .header("request-id")
        .unwrap_or("")
        .starts_with("req_mock_"));
    let events = streamed.events();
    assert_eq!(
        event_names(&events),
        [
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let start = &events[0].1["message"];
    assert!(start["id"].as_str().unwrap_or("").starts_with("msg_mock_"));
    assert_eq!(start["stop_reason"], Value::Null);
    assert_eq!(start["usage"]["output_tokens"], 1);
    let text: String = events
        .iter()
        .filter_map(|(_, d)| d["delta"]["text"].as_str())
        .collect();
    assert_eq!(events[9].1["usage"]["output_tokens"], 5);
    assert_eq!(events[9].1["delta"]["stop_reason"], "end_turn");

    let whole = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?tokens=5&ttft=0", false, question),
    )
    .await;
    let message = whole.json();
    assert_eq!(message["content"][0]["text"].as_str(), Some(text.as_str()));
    assert!(text.starts_with("Mock answer about Why do"));
    assert_eq!(message["usage"]["output_tokens"], 5);
    assert_eq!(
        message["usage"]["input_tokens"],
        start["usage"]["input_tokens"]
    );
}

#[tokio::test]
async fn fixed_latency_answers_everything_at_ttft() {
    let s = server().await;
    let reply = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttft=400&tps=0&tokens=20", true, "q"),
    )
    .await;
    assert!(
        reply.head_after >= Duration::from_millis(400),
        "{:?}",
        reply.head_after
    );
    // Generous upper bounds: the machine may be busy building something else.
    assert!(reply.total < Duration::from_secs(2), "{:?}", reply.total);
    let entry = &support::log(&s).await[0];
    let ms = |key: &str| entry[key].as_f64().unwrap_or(f64::NAN);
    let first = ms("first_byte_at_ms") - ms("received_at_ms");
    assert!(
        (399.0..900.0).contains(&first),
        "first byte after {first} ms"
    );
    // Everything went out with the head, not spread over time.
    let spread = ms("ended_at_ms") - ms("first_byte_at_ms");
    assert!(spread < 150.0, "body took {spread} ms after the head");
    assert_eq!(entry["completed"], true);
}

#[tokio::test]
async fn tokens_per_second_spaces_the_words() {
    let s = server().await;
    let reply = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttft=0&tps=20&tokens=5", true, "q"),
    )
    .await;
    // Five words at 20/s: the last one 200 ms after the first.
    assert!(
        reply.total >= Duration::from_millis(200),
        "{:?}",
        reply.total
    );
    assert!(reply.total < Duration::from_secs(2), "{:?}", reply.total);
    let entry = &support::log(&s).await[0];
    let ms = |key: &str| entry[key].as_f64().unwrap_or(f64::NAN);
    // The words keep a schedule counted from the request, so a first write that a busy machine
    // delayed shortens the gap behind it: the spread is at least most of the 200 ms, never the
    // whole answer at once.
    let spread = ms("ended_at_ms") - ms("first_byte_at_ms");
    assert!(
        (120.0..800.0).contains(&spread),
        "words spread over {spread} ms"
    );
}

#[tokio::test]
async fn errors_follow_the_attempt_counter_then_succeed() {
    let s = server().await;
    let body = messages_body("mock?errors=429,529&ttft=0", false, "retry me");
    let first = send(&s, "POST", "/v1/messages", ANTHROPIC, &body).await;
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("1"));
    assert_eq!(first.json()["error"]["type"], "rate_limit_error");
    assert_eq!(first.json()["type"], "error");
    let second = send(&s, "POST", "/v1/messages", ANTHROPIC, &body).await;
    assert_eq!(second.status, 529);
    assert_eq!(second.json()["error"]["type"], "overloaded_error");
    let third = send(&s, "POST", "/v1/messages", ANTHROPIC, &body).await;
    assert_eq!(third.status, 200);
    let attempts: Vec<Value> = support::log(&s)
        .await
        .iter()
        .map(|e| e["attempt"].clone())
        .collect();
    assert_eq!(attempts, [json!(0), json!(1), json!(2)]);
}

#[tokio::test]
async fn the_retry_count_header_names_the_attempt() {
    let s = server().await;
    let mut headers = ANTHROPIC.to_vec();
    headers.push(("x-stainless-retry-count", "1"));
    let body = messages_body("mock?errors=429,500&retry_after_ms=250", false, "q");
    let reply = send(&s, "POST", "/v1/messages", &headers, &body).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json()["error"]["type"], "api_error");
    let openai = send(&s, "POST", "/v1/chat/completions", &[("x-stainless-retry-count", "0")],
        &json!({"model": "mock?errors=429&retry_after_ms=250", "messages": [{"role": "user", "content": "q"}]}).to_string()).await;
    assert_eq!(openai.status, 429);
    assert_eq!(openai.header("retry-after-ms"), Some("250"));
    assert_eq!(openai.json()["error"]["code"], "rate_limit_exceeded");
}

#[tokio::test]
async fn browser_calls_need_the_direct_access_header() {
    let s = server().await;
    let mut headers = ANTHROPIC.to_vec();
    headers.push(("origin", "http://127.0.0.1:9999"));
    let refused = send(
        &s,
        "POST",
        "/v1/messages",
        &headers,
        &messages_body("mock?ttft=0", false, "q"),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"]["type"], "authentication_error");
    assert_eq!(refused.header("access-control-allow-origin"), None);

    headers.push(("anthropic-dangerous-direct-browser-access", "true"));
    let allowed = send(
        &s,
        "POST",
        "/v1/messages",
        &headers,
        &messages_body("mock?ttft=0", false, "q"),
    )
    .await;
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), Some("*"));
    assert!(allowed
        .header("access-control-expose-headers")
        .unwrap_or("")
        .contains("retry-after-ms"));
    assert_eq!(allowed.header("timing-allow-origin"), Some("*"));
    let entries = support::log(&s).await;
    assert_eq!(entries[1]["origin"], "http://127.0.0.1:9999");
    assert_eq!(entries[0]["behaviour"], "cors_refused");
}

#[tokio::test]
async fn preflight_echoes_the_requested_headers() {
    let s = server().await;
    let reply = send(
        &s,
        "OPTIONS",
        "/v1/messages",
        &[
            ("origin", "http://localhost:8080"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "x-api-key,anthropic-version,x-stainless-retry-count",
            ),
        ],
        "",
    )
    .await;
    assert!(reply.status == 204 || reply.status == 200);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("x-api-key,anthropic-version,x-stainless-retry-count")
    );
    assert!(reply
        .header("access-control-allow-methods")
        .unwrap_or("")
        .contains("POST"));
    assert!(reply.header("access-control-max-age").is_some());
    assert!(
        support::log(&s).await.is_empty(),
        "preflights are not API requests"
    );
}

#[tokio::test]
async fn keys_and_bodies_are_checked_like_the_real_api() {
    let s = server().await;
    let body = messages_body("mock", false, "q");
    let no_key = send(
        &s,
        "POST",
        "/v1/messages",
        &[("anthropic-version", "2023-06-01")],
        &body,
    )
    .await;
    assert_eq!(
        (no_key.status, no_key.json()["error"]["type"].clone()),
        (401, json!("authentication_error"))
    );
    let bad_key = send(
        &s,
        "POST",
        "/v1/messages",
        &[
            ("x-api-key", "bad-key"),
            ("anthropic-version", "2023-06-01"),
        ],
        &body,
    )
    .await;
    assert_eq!(bad_key.status, 401);
    let broken = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        "{\"model\": \"mock\", ",
    )
    .await;
    assert_eq!(
        (broken.status, broken.json()["error"]["type"].clone()),
        (400, json!("invalid_request_error"))
    );
    let no_max = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        r#"{"model":"mock","messages":[{"role":"user","content":"q"}]}"#,
    )
    .await;
    assert_eq!(no_max.status, 400);
    assert!(no_max.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("max_tokens"));
    let typo = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttf=1", false, "q"),
    )
    .await;
    assert_eq!(typo.status, 400);
    let openai_bad = send(
        &s,
        "POST",
        "/v1/chat/completions",
        &[("authorization", "Bearer bad-key")],
        r#"{"model":"mock","messages":[{"role":"user","content":"q"}]}"#,
    )
    .await;
    assert_eq!(
        (
            openai_bad.status,
            openai_bad.json()["error"]["code"].clone()
        ),
        (401, json!("invalid_api_key"))
    );
    let entries = support::log(&s).await;
    assert!(entries.iter().all(|e| e["completed"] == true));
    assert_eq!(entries[0]["has_api_key"], false);
    assert_eq!(entries[2]["has_api_key"], true);
}

#[tokio::test]
async fn openai_stream_ends_with_finish_usage_and_done() {
    let s = server().await;
    let body = json!({
        "model": "mock?ttft=0&tokens=4", "stream": true, "stream_options": {"include_usage": true},
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "What is HTTP/1.1?"}],
    });
    let reply = send(
        &s,
        "POST",
        "/v1/chat/completions",
        &[("origin", "http://localhost:1")],
        &body.to_string(),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let events = reply.events();
    let data: Vec<&Value> = events.iter().map(|(_, d)| d).collect();
    assert_eq!(
        data[0]["choices"][0]["delta"],
        json!({"role": "assistant", "content": ""})
    );
    assert_eq!(data.last().copied(), Some(&json!("[DONE]")));
    let text: String = data
        .iter()
        .filter_map(|d| d["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "Mock answer about What.");
    let finish = data[data.len() - 3];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    let usage = data[data.len() - 2];
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["completion_tokens"], 4);
    assert_eq!(
        usage["usage"]["total_tokens"],
        usage["usage"]["prompt_tokens"].as_u64().unwrap_or(0) + 4
    );
}

#[tokio::test]
async fn anthropic_tool_use_streams_input_json_then_reads_results() {
    let s = server().await;
    let tools = json!([{"name": "add", "description": "adds", "input_schema": {"type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}}]);
    let ask = json!({"model": "mock?ttft=0", "max_tokens": 100, "stream": true, "tools": tools,
        "messages": [{"role": "user", "content": "What is 2 + 3?"}]});
    let reply = send(&s, "POST", "/v1/messages", ANTHROPIC, &ask.to_string()).await;
    let events = reply.events();
    assert_eq!(events[1].1["content_block"]["type"], "tool_use");
    assert_eq!(events[1].1["content_block"]["input"], json!({}));
    let fragments: Vec<&str> = events
        .iter()
        .filter_map(|(_, d)| d["delta"]["partial_json"].as_str())
        .collect();
    assert!((2..=3).contains(&fragments.len()));
    let input: Value = serde_json::from_str(&fragments.concat()).unwrap_or(Value::Null);
    assert_eq!(input, json!({"a": 2, "b": 3}));
    let stop = events
        .iter()
        .find(|(n, _)| n == "message_delta")
        .map(|(_, d)| d["delta"]["stop_reason"].clone());
    assert_eq!(stop, Some(json!("tool_use")));

    let id = events[1].1["content_block"]["id"].clone();
    let answer = json!({"model": "mock?ttft=0", "max_tokens": 100, "tools": tools, "messages": [
        {"role": "user", "content": "What is 2 + 3?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": id, "name": "add", "input": input}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": id, "content": "5"}]}]});
    let reply = send(&s, "POST", "/v1/messages", ANTHROPIC, &answer.to_string()).await;
    assert_eq!(reply.json()["content"][0]["text"], "The tool returned: 5");
    assert_eq!(reply.json()["stop_reason"], "end_turn");
}

#[tokio::test]
async fn echo_serves_the_question_back_byte_for_byte() {
    let s = server().await;
    let payload = "<img src=x onerror=alert(1)>\n\n[link](javascript:alert(2))";
    let body = messages_body("mock?ttft=0", true, &format!("[[mock echo=1]] {payload}"));
    let reply = send(&s, "POST", "/v1/messages", ANTHROPIC, &body).await;
    let text: String = reply
        .events()
        .iter()
        .filter_map(|(_, d)| d["delta"]["text"].as_str().map(str::to_string))
        .collect();
    assert_eq!(text, payload);
}

#[tokio::test]
async fn cut_closes_the_stream_without_the_final_events() {
    let s = server().await;
    let reply = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttft=0&cut=2", true, "q"),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(!reply.complete, "a cut stream must not end cleanly");
    let names: Vec<String> = reply.events().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names.iter().filter(|n| *n == "content_block_delta").count(),
        2
    );
    assert!(!names.iter().any(|n| n == "message_stop"));
    let entry = wait_for_entry(&s, |e| e["ended_at_ms"].is_number())
        .await
        .expect("entry ends");
    assert_eq!(
        (
            entry["completed"].clone(),
            entry["client_disconnected"].clone()
        ),
        (json!(false), json!(false))
    );
    assert_eq!(entry["behaviour"], "cut");
}

#[tokio::test]
async fn malformed_and_midstream_send_what_they_promise() {
    let s = server().await;
    let reply = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttft=0&malformed=1", true, "q"),
    )
    .await;
    let events = reply.events();
    assert!(
        events.last().map(|(_, d)| d.is_string()).unwrap_or(false),
        "last data is not JSON"
    );
    let reply = send(
        &s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttft=0&midstream=overloaded", true, "q"),
    )
    .await;
    let events = reply.events();
    let (name, data) = events.last().cloned().unwrap_or_default();
    assert_eq!(name, "error");
    assert_eq!(
        data,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    assert_eq!(
        events
            .iter()
            .filter(|(n, _)| n == "content_block_delta")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_client_leaving_a_stalled_stream_is_logged() {
    let s = server().await;
    let seen = send_and_leave(
        &s,
        "/v1/messages",
        ANTHROPIC,
        &messages_body("mock?ttft=0&stall=1", true, "q"),
        usize::MAX,
        Duration::from_millis(300),
    )
    .await;
    assert!(seen.contains("content_block_delta"));
    let entry = wait_for_entry(&s, |e| e["client_disconnected"] == true)
        .await
        .expect("disconnect recorded");
    assert_eq!(entry["completed"], false);
    assert_eq!(entry["behaviour"], "stall");
}

#[tokio::test]
async fn a_client_leaving_before_the_first_token_is_logged() {
    let s = server().await;
    let seen = send_and_leave(
        &s,
        "/v1/chat/completions",
        &[],
        &json!({"model": "mock?ttft=5000", "messages": [{"role": "user", "content": "slow"}]})
            .to_string(),
        1,
        Duration::from_millis(200),
    )
    .await;
    assert!(seen.is_empty());
    let entry = wait_for_entry(&s, |e| e["client_disconnected"] == true)
        .await
        .expect("disconnect recorded");
    assert_eq!(entry["first_byte_at_ms"], Value::Null);
    assert_eq!(entry["status"], Value::Null);
}

#[tokio::test]
async fn chaos_is_deterministic_per_body_and_attempt() {
    let s = server().await;
    let mut headers = ANTHROPIC.to_vec();
    headers.push(("x-stainless-retry-count", "0"));
    let mut first = Vec::new();
    for round in 0..2 {
        for i in 0..12 {
            // Stalls would hang, so leave after a moment; the behaviour is in the log anyway.
            send_and_leave(
                &s,
                "/v1/messages",
                &headers,
                &messages_body("mock?ttft=0&tps=0&chaos=5", true, &format!("q{i}")),
                usize::MAX,
                Duration::from_millis(150),
            )
            .await;
        }
        let names: Vec<Value> = support::log(&s)
            .await
            .iter()
            .map(|e| e["behaviour"].clone())
            .collect();
        if round == 0 {
            first = names;
            let _ = send(&s, "POST", "/__mock/reset", &[], "").await;
        } else {
            assert_eq!(names, first);
        }
    }
    assert!(
        first.iter().any(|n| n != "ok"),
        "twelve calls without a single failure: {first:?}"
    );
    assert!(first.iter().any(|n| n == "ok"));
}

#[tokio::test]
async fn models_list_serves_both_shapes() {
    let s = server().await;
    let reply = send(&s, "GET", "/v1/models", &[], "").await;
    let list = reply.json();
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"][0]["id"], "mock");
    assert_eq!(list["data"][0]["type"], "model");
    assert_eq!(list["has_more"], false);
}
