//! Limits a person meets for real, reproduced by the mock: rate-limit budgets with both families
//! of headers, a concurrency budget, server slots, and the habits of real local servers.

mod support;

use std::time::Duration;

use support::{messages_body, send, server, Reply, ANTHROPIC};

/// Runs the requests at once and gives their replies in order.
async fn join_all<T: Send + 'static>(
    futures: Vec<impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task ends"));
    }
    out
}

const OPENAI: &[(&str, &str)] = &[
    ("authorization", "Bearer test-key"),
    ("content-type", "application/json"),
];

fn chat_body(model: &str, text: &str) -> String {
    serde_json::json!({
        "model": model, "stream": true, "stream_options": {"include_usage": true},
        "messages": [{"role": "user", "content": text}],
    })
    .to_string()
}

async fn ask(s: &mock_api::Server, model: &str) -> Reply {
    send(
        s,
        "POST",
        "/v1/messages",
        ANTHROPIC,
        &messages_body(model, true, "How do budgets work?"),
    )
    .await
}

#[tokio::test]
async fn a_request_budget_sends_both_header_families_then_429_with_retry_after() {
    let s = server().await;
    let model = "mock?rpm=2&ttft=0&tps=0&tokens=3";
    let first = ask(&s, model).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("anthropic-ratelimit-requests-limit"),
        Some("2")
    );
    assert_eq!(
        first.header("anthropic-ratelimit-requests-remaining"),
        Some("1")
    );
    assert!(first
        .header("anthropic-ratelimit-requests-reset")
        .is_some_and(|v| v.ends_with('Z')));
    assert_eq!(first.header("x-ratelimit-limit-requests"), Some("2"));
    assert_eq!(first.header("x-ratelimit-remaining-requests"), Some("1"));
    assert_eq!(first.header("x-ratelimit-reset-requests"), Some("30s"));
    let exposed = first.header("access-control-expose-headers").unwrap_or("");
    for name in [
        "x-ratelimit-remaining-tokens",
        "anthropic-ratelimit-requests-remaining",
    ] {
        assert!(exposed.contains(name), "{name} exposed to the page");
    }
    assert_eq!(ask(&s, model).await.status, 200);
    let refused = ask(&s, model).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["error"]["type"], "rate_limit_error");
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert_eq!(refused.header("x-ratelimit-remaining-requests"), Some("0"));
    // Another key has its own budget.
    let other = send(
        &s,
        "POST",
        "/v1/messages",
        &[
            ("x-api-key", "other-key"),
            ("anthropic-version", "2023-06-01"),
        ],
        &messages_body(model, true, "How do budgets work?"),
    )
    .await;
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn a_token_budget_is_spent_by_input_and_output_and_reset_refills_it() {
    let s = server().await;
    let model = "mock?tpm=60&ttft=0&tps=0&tokens=20";
    let first = ask(&s, model).await;
    assert_eq!(first.status, 200);
    let remaining: u64 = first
        .header("x-ratelimit-remaining-tokens")
        .and_then(|v| v.parse().ok())
        .expect("remaining tokens");
    assert!(
        remaining < 40,
        "20 output tokens and the input spent: {remaining}"
    );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(ask(&s, model).await.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let log = support::log(&s).await;
    assert!(log.iter().any(|e| e["behaviour"] == "rate_limited_tokens"));
    send(&s, "POST", "/__mock/reset", &[], "").await;
    assert_eq!(ask(&s, model).await.status, 200);
}

#[tokio::test]
async fn max_concurrent_refuses_requests_beyond_k_in_flight() {
    let s = server().await;
    let url = s.addr;
    let replies = join_all(
        (0..4)
            .map(|_| async move {
                let target = support::Target(url);
                send(
                    &target,
                    "POST",
                    "/v1/messages",
                    ANTHROPIC,
                    &messages_body("mock?max_concurrent=2&ttft=300&tokens=2", true, "Hi"),
                )
                .await
            })
            .collect(),
    )
    .await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 200, 429, 429]);
    let refused = replies.iter().find(|r| r.status == 429).expect("a 429");
    assert_eq!(refused.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn slots_hold_the_rest_before_their_first_byte() {
    let s = server().await;
    let url = s.addr;
    let replies = join_all(
        (0..4)
            .map(|i| async move {
                // Stagger the sends a little so the first two are the ones that get slots.
                tokio::time::sleep(Duration::from_millis(i * 20)).await;
                let target = support::Target(url);
                send(
                    &target,
                    "POST",
                    "/v1/messages",
                    ANTHROPIC,
                    &messages_body("mock?slots=2&ttft=200&tps=0&tokens=2", true, "Hi"),
                )
                .await
            })
            .collect(),
    )
    .await;
    assert!(replies.iter().all(|r| r.status == 200 && r.complete));
    // The second pair's first bytes come only after the first pair has ended.
    let first_pair_end = replies[..2].iter().map(|r| r.total).max().expect("two");
    for late in &replies[2..] {
        assert!(
            late.head_after + Duration::from_millis(40) >= first_pair_end,
            "{:?} before {:?}",
            late.head_after,
            first_pair_end
        );
    }
}

#[tokio::test]
async fn interrupt_cuts_the_running_stream_when_a_new_request_arrives() {
    let s = server().await;
    let url = s.addr;
    let model = "mock?interrupt=1&ttft=0&tps=20&tokens=20";
    let running = tokio::spawn(async move {
        send(
            &support::Target(url),
            "POST",
            "/v1/chat/completions",
            OPENAI,
            &chat_body(model, "First"),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let newer = send(
        &s,
        "POST",
        "/v1/chat/completions",
        OPENAI,
        &chat_body(model, "Second"),
    )
    .await;
    let first = running.await.expect("joins");
    assert_eq!(first.status, 200);
    assert!(!first.complete, "the first stream was cut");
    assert!(!first.body.contains("[DONE]"));
    assert!(newer.complete && newer.body.contains("[DONE]"));
}

#[tokio::test]
async fn local_server_habits_no_timing_header_and_no_usage_in_the_stream() {
    let s = server().await;
    let plain = send(
        &s,
        "POST",
        "/v1/chat/completions",
        OPENAI,
        &chat_body("mock?ttft=0&tps=0&tokens=3", "Hi"),
    )
    .await;
    assert_eq!(plain.header("timing-allow-origin"), Some("*"));
    assert!(plain.body.contains("\"completion_tokens\""));
    let local = send(
        &s,
        "POST",
        "/v1/chat/completions",
        OPENAI,
        &chat_body(
            "mock?ttft=0&tps=0&tokens=3&timing_allow_origin=0&stream_usage=0",
            "Hi",
        ),
    )
    .await;
    assert_eq!(local.status, 200);
    assert!(local.complete);
    assert_eq!(local.header("timing-allow-origin"), None);
    assert!(local.header("access-control-allow-origin").is_some());
    assert!(!local.body.contains("\"usage\""), "{}", local.body);
}
