//! The request log behind `GET /__mock/requests`: one [`Entry`] per API request, filled in as the
//! exchange goes on, and the per-request attempt counters. An [`Exchange`] guard travels with the
//! response body; when it is dropped before the body finished, the client went away.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::Serialize;

/// What the log records about one API request. Times are milliseconds since the server started.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub model: Option<String>,
    pub stream: bool,
    pub attempt: u32,
    /// The chosen behaviour (`ok`, `tool_use`, `error_429`, `cut`, `unauthorized`, …).
    pub behaviour: String,
    /// HTTP status, once the response head went out (`None` while waiting, or if it never did).
    pub status: Option<u16>,
    pub received_at_ms: f64,
    /// When the response head was handed to the connection (after `ttft` for answers).
    pub first_byte_at_ms: Option<f64>,
    /// When the body ended, was cut, or the client left.
    pub ended_at_ms: Option<f64>,
    /// The whole response was written.
    pub completed: bool,
    /// The client went away before the response finished.
    pub client_disconnected: bool,
    pub has_api_key: bool,
    /// The `Origin` header, when a browser sent one.
    pub origin: Option<String>,
    /// Usage reported to the client (absent for error answers).
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// Prompt-cache writes and reads of the request, in tokens (absent when nothing was cached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
}

/// The shared log: entries by sequence number and the attempt counters.
#[derive(Debug)]
pub struct RequestLog {
    started: Instant,
    state: Mutex<LogState>,
}

#[derive(Debug, Default)]
struct LogState {
    next_seq: u64,
    entries: BTreeMap<u64, Entry>,
    attempts: HashMap<(String, u64), u32>,
}

impl RequestLog {
    /// An empty log whose clock starts now.
    pub fn new() -> Arc<RequestLog> {
        Arc::new(RequestLog {
            started: Instant::now(),
            state: Mutex::new(LogState::default()),
        })
    }

    /// Milliseconds since the server started, to a tenth.
    pub fn now_ms(&self) -> f64 {
        self.ms_at(Instant::now())
    }

    fn ms_at(&self, at: Instant) -> f64 {
        (at.duration_since(self.started).as_secs_f64() * 10_000.0).round() / 10.0
    }

    fn lock(&self) -> MutexGuard<'_, LogState> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts an entry for a request received at `received`; the returned guard fills it in.
    pub fn begin(
        self: &Arc<Self>,
        method: &str,
        path: &str,
        received: Instant,
        has_api_key: bool,
        origin: Option<String>,
    ) -> Exchange {
        let received_at_ms = self.ms_at(received);
        let mut state = self.lock();
        state.next_seq += 1;
        let seq = state.next_seq;
        state.entries.insert(
            seq,
            Entry {
                seq,
                method: method.to_string(),
                path: path.to_string(),
                model: None,
                stream: false,
                attempt: 0,
                behaviour: "pending".to_string(),
                status: None,
                received_at_ms,
                first_byte_at_ms: None,
                ended_at_ms: None,
                completed: false,
                client_disconnected: false,
                has_api_key,
                origin,
                input_tokens: None,
                cache_creation_input_tokens: None,
                cache_read_input_tokens: None,
                output_tokens: None,
            },
        );
        Exchange {
            log: Arc::clone(self),
            seq,
            finished: false,
        }
    }

    /// The attempt number of a request without `x-stainless-retry-count`: how many times the
    /// same body was sent to the same path before (since the last reset).
    pub fn next_attempt(&self, path: &str, body_hash: u64) -> u32 {
        let mut state = self.lock();
        let count = state
            .attempts
            .entry((path.to_string(), body_hash))
            .or_insert(0);
        let attempt = *count;
        *count += 1;
        attempt
    }

    /// Every entry, oldest first.
    /// How many requests before `seq` named `model` (since the last reset).
    pub fn earlier_with_model(&self, seq: u64, model: &str) -> usize {
        self.lock()
            .entries
            .range(..seq)
            .filter(|(_, e)| e.model.as_deref() == Some(model))
            .count()
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.lock().entries.values().cloned().collect()
    }

    /// Forgets all entries and attempt counters (sequence numbers keep counting up).
    pub fn reset(&self) {
        let mut state = self.lock();
        state.entries.clear();
        state.attempts.clear();
    }

    fn update(&self, seq: u64, change: impl FnOnce(&mut Entry)) {
        if let Some(entry) = self.lock().entries.get_mut(&seq) {
            change(entry);
        }
    }
}

/// The life of one exchange in the log. Dropping it before [`Exchange::complete`] or
/// [`Exchange::server_closed`] records that the client went away.
#[derive(Debug)]
pub struct Exchange {
    log: Arc<RequestLog>,
    seq: u64,
    finished: bool,
}

impl Exchange {
    /// The request's sequence number (also used in ids).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Changes fields of the entry (model, behaviour, status, usage…).
    pub fn record(&self, change: impl FnOnce(&mut Entry)) {
        self.log.update(self.seq, change);
    }

    /// The response head is going out now.
    pub fn head_sent(&self) {
        let now = self.log.now_ms();
        self.record(|e| e.first_byte_at_ms = Some(now));
    }

    /// The last byte of the body was handed to the connection.
    pub fn complete(&mut self) {
        self.finish(|e| e.completed = true);
    }

    /// The server ended the exchange on purpose before the body was whole (`cut`).
    pub fn server_closed(&mut self) {
        self.finish(|_| {});
    }

    fn finish(&mut self, change: impl FnOnce(&mut Entry)) {
        if self.finished {
            return;
        }
        self.finished = true;
        let now = self.log.now_ms();
        self.record(|e| {
            e.ended_at_ms = Some(now);
            change(e);
        });
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        if !self.finished {
            self.finish(|e| e.client_disconnected = true);
            eprintln!("mock-api: request {} ended: client disconnected", self.seq);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_exchange_records_a_disconnect() {
        let log = RequestLog::new();
        let exchange = log.begin("POST", "/v1/messages", Instant::now(), true, None);
        drop(exchange);
        let entry = &log.entries()[0];
        assert!(entry.client_disconnected);
        assert!(!entry.completed);
        assert!(entry.ended_at_ms.is_some());
    }

    #[test]
    fn completed_exchange_is_not_a_disconnect() {
        let log = RequestLog::new();
        let mut exchange = log.begin("POST", "/v1/messages", Instant::now(), false, None);
        exchange.head_sent();
        exchange.complete();
        drop(exchange);
        let entry = &log.entries()[0];
        assert!(entry.completed && !entry.client_disconnected);
        assert!(entry.first_byte_at_ms.is_some());
    }

    #[test]
    fn attempts_count_per_path_and_body_until_reset() {
        let log = RequestLog::new();
        assert_eq!(log.next_attempt("/a", 1), 0);
        assert_eq!(log.next_attempt("/a", 1), 1);
        assert_eq!(log.next_attempt("/a", 2), 0);
        assert_eq!(log.next_attempt("/b", 1), 0);
        log.reset();
        assert_eq!(log.next_attempt("/a", 1), 0);
    }

    #[test]
    fn reset_keeps_sequence_numbers_unique() {
        let log = RequestLog::new();
        let first = log.begin("GET", "/v1/models", Instant::now(), false, None);
        let first_seq = first.seq();
        drop(first);
        log.reset();
        assert!(log.entries().is_empty());
        let second = log.begin("GET", "/v1/models", Instant::now(), false, None);
        assert!(second.seq() > first_seq);
    }
}
