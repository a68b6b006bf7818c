//! A tiny HTTP/1.1 client over a raw socket, so tests see exactly what went over the wire:
//! when the head arrived, whether a chunked body was properly terminated, and what happens when
//! the client walks away.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A started server.
pub async fn server() -> mock_api::Server {
    mock_api::start("127.0.0.1:0")
        .await
        .expect("mock server starts")
}

/// Something to send requests to.
pub trait Address {
    fn addr(&self) -> SocketAddr;
}

impl Address for mock_api::Server {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// A server on a loopback port (a started binary).
pub struct Target(pub SocketAddr);

impl Target {
    pub fn at(port: u16) -> Target {
        Target(SocketAddr::from(([127, 0, 0, 1], port)))
    }
}

impl Address for Target {
    fn addr(&self) -> SocketAddr {
        self.0
    }
}

/// Headers of an Anthropic call made by a server-side client.
pub const ANTHROPIC: &[(&str, &str)] = &[
    ("x-api-key", "test-key"),
    ("anthropic-version", "2023-06-01"),
    ("content-type", "application/json"),
];

/// One response as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body ended properly (chunked terminator or full content length).
    pub complete: bool,
    /// From sending the request to the first response bytes.
    pub head_after: Duration,
    /// From sending the request to the end of the response.
    pub total: Duration,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }

    /// The SSE events as (event name or "", parsed data or Null when not JSON).
    pub fn events(&self) -> Vec<(String, Value)> {
        self.body
            .split("\n\n")
            .filter(|block| !block.trim().is_empty())
            .map(|block| {
                let mut name = String::new();
                let mut data = Value::Null;
                for line in block.lines() {
                    if let Some(n) = line.strip_prefix("event: ") {
                        name = n.to_string();
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data = serde_json::from_str(d).unwrap_or(Value::String(d.to_string()));
                    }
                }
                (name, data)
            })
            .collect()
    }
}

fn request_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Vec<u8> {
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

/// Sends one request and reads the response until the server closes the connection.
pub async fn send(
    server: &impl Address,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(server.addr()).await.expect("connect");
    let started = Instant::now();
    stream
        .write_all(&request_bytes(server.addr(), method, path, headers, body))
        .await
        .expect("write request");
    let mut raw = Vec::new();
    let mut head_after = None;
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                head_after.get_or_insert_with(|| started.elapsed());
                raw.extend_from_slice(&buf[..n]);
            }
        }
    }
    let total = started.elapsed();
    parse(&raw, head_after.unwrap_or(total), total)
}

/// Sends one request, reads until `enough` bytes of response arrived (or `wait` passed), then
/// drops the connection. Returns what was read.
pub async fn send_and_leave(
    server: &impl Address,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    enough: usize,
    wait: Duration,
) -> String {
    let mut stream = TcpStream::connect(server.addr()).await.expect("connect");
    stream
        .write_all(&request_bytes(server.addr(), "POST", path, headers, body))
        .await
        .expect("write request");
    let mut raw = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    let mut buf = [0u8; 8192];
    while raw.len() < enough {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => raw.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&raw).into_owned()
}

fn parse(raw: &[u8], head_after: Duration, total: Duration) -> Reply {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let (body, complete) = if chunked {
        dechunk(rest)
    } else {
        let expected = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        (
            rest.to_string(),
            expected.is_none_or(|len| len == rest.len()),
        )
    };
    Reply {
        status,
        headers,
        body,
        complete,
        head_after,
        total,
    }
}

/// Decodes a chunked body; `complete` says whether the terminating chunk arrived.
fn dechunk(mut rest: &str) -> (String, bool) {
    let mut body = String::new();
    loop {
        let Some((size_line, after)) = rest.split_once("\r\n") else {
            return (body, false);
        };
        let Ok(size) = usize::from_str_radix(size_line.trim(), 16) else {
            return (body, false);
        };
        if size == 0 {
            return (body, true);
        }
        let Some(chunk) = after.get(..size) else {
            body.push_str(after);
            return (body, false);
        };
        body.push_str(chunk);
        rest = after.get(size + 2..).unwrap_or("");
    }
}

/// The request log as the control plane serves it.
pub async fn log(server: &mock_api::Server) -> Vec<Value> {
    let reply = send(server, "GET", "/__mock/requests", &[], "").await;
    reply.json().as_array().cloned().unwrap_or_default()
}

/// Polls the log until `check` holds for the entry with `seq` (or two seconds pass).
pub async fn wait_for_entry(
    server: &mock_api::Server,
    check: impl Fn(&Value) -> bool,
) -> Option<Value> {
    for _ in 0..100 {
        if let Some(entry) = log(server).await.into_iter().find(|e| check(e)) {
            return Some(entry);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// A Messages request body.
pub fn messages_body(model: &str, stream: bool, text: &str) -> String {
    serde_json::json!({
        "model": model, "max_tokens": 1024, "stream": stream,
        "messages": [{"role": "user", "content": text}],
    })
    .to_string()
}
