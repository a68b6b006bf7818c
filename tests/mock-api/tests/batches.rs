//! The batch APIs through a real socket: a batch is created, progresses while polled, ends, and
//! its results carry each request's scripted outcome, matched by `custom_id`; cancel, list and
//! the OpenAI file round trip.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{send, server, ANTHROPIC};

fn request(custom_id: &str, model: &str, text: &str) -> Value {
    json!({"custom_id": custom_id, "params": {"model": model, "max_tokens": 64,
        "messages": [{"role": "user", "content": text}]}})
}

fn with_ms<'a>(ms: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut headers = ANTHROPIC.to_vec();
    headers.push(("x-mock-batch-ms", ms));
    headers
}

/// Polls `path` until `done(body)`; every body seen, in order. Gives up after 100 polls.
async fn poll(s: &mock_api::Server, path: &str, done: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let body = send(s, "GET", path, ANTHROPIC, "").await.json();
        let finished = done(&body);
        seen.push(body);
        if finished {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    panic!("{path} never finished: {:?}", seen.last());
}

fn result_lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|l| serde_json::from_str(l).expect("JSONL line"))
        .collect()
}

#[tokio::test]
async fn anthropic_batch_progresses_ends_and_reports_each_outcome() {
    let s = server().await;
    let requests = json!({"requests": [
        request("q0", "mock?tokens=9", "Why is the sky blue?"),
        request("q1", "mock?errors=529", "Why is grass green?"),
        request("q2", "mock", "Why? [[mock outcome=expired]]"),
        request("q3", "mock?outcome=canceled", "Why not?"),
    ]});
    let created = send(
        &s,
        "POST",
        "/v1/messages/batches",
        &with_ms("400"),
        &requests.to_string(),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let batch = created.json();
    assert_eq!(batch["type"], "message_batch");
    assert_eq!(batch["processing_status"], "in_progress");
    assert_eq!(batch["request_counts"]["processing"], 4);
    assert_eq!(batch["results_url"], Value::Null);
    let id = batch["id"].as_str().expect("id").to_string();

    let polls = poll(&s, &format!("/v1/messages/batches/{id}"), |b| {
        b["processing_status"] == "ended"
    })
    .await;
    let processing: Vec<u64> = polls
        .iter()
        .map(|b| b["request_counts"]["processing"].as_u64().unwrap_or(99))
        .collect();
    assert!(
        processing.windows(2).all(|w| w[0] >= w[1]),
        "{processing:?}"
    );
    let ended = polls.last().expect("a poll");
    assert_eq!(
        ended["request_counts"],
        json!({"processing": 0, "succeeded": 1, "errored": 1, "canceled": 1, "expired": 1})
    );
    assert!(ended["ended_at"].as_str().is_some());
    let url = ended["results_url"].as_str().expect("results url");
    assert!(url.ends_with(&format!("/v1/messages/batches/{id}/results")));

    let results = send(
        &s,
        "GET",
        &format!("/v1/messages/batches/{id}/results"),
        ANTHROPIC,
        "",
    )
    .await;
    let lines = result_lines(&results.body);
    let by_id = |custom_id: &str| {
        lines
            .iter()
            .find(|l| l["custom_id"] == custom_id)
            .unwrap_or_else(|| panic!("no line for {custom_id}"))["result"]
            .clone()
    };
    assert_eq!(by_id("q0")["type"], "succeeded");
    assert_eq!(by_id("q0")["message"]["usage"]["output_tokens"], 9);
    assert!(by_id("q0")["message"]["content"][0]["text"]
        .as_str()
        .unwrap_or("")
        .contains("sky"));
    assert_eq!(by_id("q1")["type"], "errored");
    assert_eq!(by_id("q1")["error"]["error"]["type"], "overloaded_error");
    assert_eq!(by_id("q2")["type"], "expired");
    assert_eq!(by_id("q3")["type"], "canceled");
}

#[tokio::test]
async fn cancel_ends_the_batch_and_cancels_what_had_not_finished() {
    let s = server().await;
    let requests = json!({"requests": [request("a", "mock", "One"), request("b", "mock", "Two")]});
    let created = send(
        &s,
        "POST",
        "/v1/messages/batches",
        &with_ms("60000"),
        &requests.to_string(),
    )
    .await
    .json();
    let id = created["id"].as_str().expect("id").to_string();
    let canceling = send(
        &s,
        "POST",
        &format!("/v1/messages/batches/{id}/cancel"),
        ANTHROPIC,
        "",
    )
    .await
    .json();
    assert_eq!(canceling["processing_status"], "canceling");
    assert!(canceling["cancel_initiated_at"].as_str().is_some());
    let polls = poll(&s, &format!("/v1/messages/batches/{id}"), |b| {
        b["processing_status"] == "ended"
    })
    .await;
    assert_eq!(
        polls.last().expect("a poll")["request_counts"]["canceled"],
        2
    );
    let listed = send(&s, "GET", "/v1/messages/batches?limit=5", ANTHROPIC, "")
        .await
        .json();
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert_eq!(listed["has_more"], false);
}

#[tokio::test]
async fn bad_batches_are_refused_like_the_real_api() {
    let s = server().await;
    let twice = json!({"requests": [request("a", "mock", "x"), request("a", "mock", "y")]});
    let reply = send(
        &s,
        "POST",
        "/v1/messages/batches",
        ANTHROPIC,
        &twice.to_string(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("unique"));
    let reply = send(
        &s,
        "GET",
        "/v1/messages/batches/msgbatch_nope",
        ANTHROPIC,
        "",
    )
    .await;
    assert_eq!(reply.status, 404);
    let mut browser = ANTHROPIC.to_vec();
    browser.push(("origin", "http://localhost:8080"));
    browser.push(("anthropic-dangerous-direct-browser-access", "true"));
    let one = json!({"requests": [request("a", "mock", "x")]});
    let reply = send(
        &s,
        "POST",
        "/v1/messages/batches",
        &browser,
        &one.to_string(),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn openai_batch_reads_its_file_and_writes_output_and_error_files() {
    let s = server().await;
    let line = |id: &str, model: &str| {
        json!({"custom_id": id, "method": "POST", "url": "/v1/chat/completions",
               "body": {"model": model, "max_tokens": 20,
                        "messages": [{"role": "user", "content": "Why batch?"}]}})
        .to_string()
    };
    let jsonl = format!(
        "{}\n{}\n",
        line("q0", "mock?tokens=2&batch_ms=300"),
        line("q1", "mock?errors=500")
    );
    let boundary = "XyZ";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"requests.jsonl\"\r\n\
         Content-Type: application/jsonl\r\n\r\n{jsonl}\r\n--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let headers = [
        ("authorization", "Bearer k"),
        ("content-type", content_type.as_str()),
    ];
    let file = send(&s, "POST", "/v1/files", &headers, &multipart).await;
    assert_eq!(file.status, 200, "{}", file.body);
    let file = file.json();
    assert_eq!(file["purpose"], "batch");
    assert_eq!(file["bytes"], jsonl.len());
    let json_headers = [
        ("authorization", "Bearer k"),
        ("content-type", "application/json"),
    ];
    let create = json!({"input_file_id": file["id"], "endpoint": "/v1/chat/completions",
                        "completion_window": "24h"});
    let batch = send(
        &s,
        "POST",
        "/v1/batches",
        &json_headers,
        &create.to_string(),
    )
    .await
    .json();
    assert_eq!(batch["status"], "in_progress");
    let id = batch["id"].as_str().expect("id").to_string();
    let polls = poll(&s, &format!("/v1/batches/{id}"), |b| {
        b["status"] == "completed"
    })
    .await;
    let done = polls.last().expect("a poll");
    assert_eq!(
        done["request_counts"],
        json!({"total": 2, "completed": 1, "failed": 1})
    );
    let output = send(
        &s,
        "GET",
        &format!(
            "/v1/files/{}/content",
            done["output_file_id"].as_str().unwrap_or("")
        ),
        &json_headers,
        "",
    )
    .await;
    let output = result_lines(&output.body);
    assert_eq!(output.len(), 1);
    assert_eq!(output[0]["custom_id"], "q0");
    assert_eq!(output[0]["response"]["status_code"], 200);
    assert_eq!(
        output[0]["response"]["body"]["usage"]["completion_tokens"],
        2
    );
    let errors = send(
        &s,
        "GET",
        &format!(
            "/v1/files/{}/content",
            done["error_file_id"].as_str().unwrap_or("")
        ),
        &json_headers,
        "",
    )
    .await;
    let errors = result_lines(&errors.body);
    assert_eq!(errors[0]["custom_id"], "q1");
    assert_eq!(errors[0]["response"]["status_code"], 500);
}
