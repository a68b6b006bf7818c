//! The batch engine behind both batch APIs (`batches_http.rs`): a store of batches and uploaded
//! files, each request's outcome decided once at creation from the same controls as the other
//! endpoints, and the batch's progress computed from the clock on every read.
//!
//! Timing: a batch takes `batch_ms` (default [`DEFAULT_PROCESS_MS`]; the largest `batch_ms=`
//! control of its requests, or the `x-mock-batch-ms` header on creation). Request `i` of `n`
//! finishes at `batch_ms × (i+1)/n`, so the request counts change while a client polls; scripted
//! `outcome=canceled` / `outcome=expired` requests settle when the batch ends. A cancel ends the
//! batch [`CANCEL_MS`] later, and every request not finished by then is `canceled`.
//!
//! Per-request controls, on top of the usual ones (`errors=500` → `errored` with that status):
//! `outcome=succeeded|errored|canceled|expired` and `batch_ms=N`, in the model name
//! (`mock?outcome=expired`) or a `[[mock …]]` directive. They are taken out before the usual
//! parser sees the request, which refuses keys it does not know.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::log::RequestLog;

/// How long a batch takes when nothing says otherwise: short, so tests stay fast.
pub const DEFAULT_PROCESS_MS: u64 = 1_000;
/// From a cancel to the end of the batch.
pub const CANCEL_MS: u64 = 100;
/// Upper bound of a scripted processing time.
const MAX_PROCESS_MS: u64 = 600_000;

/// Which API created a batch (their objects and results differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Anthropic,
    OpenAi,
}

/// How one request of a batch ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The response body: a Messages `message` or a Chat Completions `chat.completion`.
    Succeeded(Value),
    /// An HTTP status and the API's error body.
    Errored {
        status: u16,
        body: Value,
    },
    Canceled,
    Expired,
}

impl Outcome {
    /// The result type name (`succeeded`, `errored`, `canceled`, `expired`).
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Succeeded(_) => "succeeded",
            Outcome::Errored { .. } => "errored",
            Outcome::Canceled => "canceled",
            Outcome::Expired => "expired",
        }
    }
}

/// One request of a batch and its decided outcome.
#[derive(Debug, Clone)]
pub struct Item {
    pub custom_id: String,
    pub outcome: Outcome,
    /// Input and output tokens of a succeeded answer.
    pub tokens: (u64, u64),
}

/// A batch as created.
#[derive(Debug, Clone)]
pub struct Batch {
    pub id: String,
    pub api: Api,
    pub created: Instant,
    pub created_unix_ms: u64,
    pub process_ms: u64,
    pub cancel_at_ms: Option<u64>,
    pub items: Vec<Item>,
    /// OpenAI only: the uploaded input file and the batch's settings.
    pub input_file_id: Option<String>,
    pub endpoint: String,
    pub completion_window: String,
    pub metadata: Value,
}

/// Where one request stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    Processing,
    Succeeded,
    Errored,
    Canceled,
    Expired,
}

/// The request counts of a batch at a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub processing: usize,
    pub succeeded: usize,
    pub errored: usize,
    pub canceled: usize,
    pub expired: usize,
}

impl Batch {
    /// Milliseconds since creation at `now`.
    pub fn elapsed_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.created).as_millis() as u64
    }

    /// When the batch ends, in ms since creation.
    pub fn end_ms(&self) -> u64 {
        match self.cancel_at_ms {
            Some(at) => (at + CANCEL_MS).min(self.process_ms.max(at)),
            None => self.process_ms,
        }
    }

    /// Whether it has ended at `now`.
    pub fn ended(&self, now: Instant) -> bool {
        self.elapsed_ms(now) >= self.end_ms()
    }

    /// When item `index` would finish, without a cancel.
    fn item_done_ms(&self, index: usize) -> u64 {
        let n = self.items.len().max(1) as u64;
        match self.items[index].outcome {
            Outcome::Canceled | Outcome::Expired => self.process_ms,
            _ => self.process_ms * (index as u64 + 1) / n,
        }
    }

    /// Where item `index` stands at `now`.
    pub fn item_state(&self, index: usize, now: Instant) -> ItemState {
        let t = self.elapsed_ms(now);
        let done = self.item_done_ms(index);
        let finished_before_cancel = self.cancel_at_ms.is_none_or(|c| done <= c + CANCEL_MS);
        if t >= done && finished_before_cancel {
            return match self.items[index].outcome {
                Outcome::Succeeded(_) => ItemState::Succeeded,
                Outcome::Errored { .. } => ItemState::Errored,
                Outcome::Canceled => ItemState::Canceled,
                Outcome::Expired => ItemState::Expired,
            };
        }
        if self.ended(now) {
            ItemState::Canceled
        } else {
            ItemState::Processing
        }
    }

    /// The request counts at `now`.
    pub fn counts(&self, now: Instant) -> Counts {
        let mut counts = Counts::default();
        for index in 0..self.items.len() {
            match self.item_state(index, now) {
                ItemState::Processing => counts.processing += 1,
                ItemState::Succeeded => counts.succeeded += 1,
                ItemState::Errored => counts.errored += 1,
                ItemState::Canceled => counts.canceled += 1,
                ItemState::Expired => counts.expired += 1,
            }
        }
        counts
    }

    /// Unix time (ms) of a moment given in ms since creation.
    pub fn unix_ms_at(&self, offset_ms: u64) -> u64 {
        self.created_unix_ms + offset_ms
    }
}

/// An uploaded file (OpenAI `POST /v1/files`) or one the batch engine wrote.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: String,
    pub filename: String,
    pub purpose: String,
    pub created_unix_s: u64,
    pub bytes: Vec<u8>,
}

/// Every batch and file of one server.
#[derive(Debug)]
pub struct BatchStore {
    pub log: Arc<RequestLog>,
    state: Mutex<StoreState>,
}

#[derive(Debug, Default)]
struct StoreState {
    next: u64,
    batches: Vec<Batch>,
    files: HashMap<String, StoredFile>,
}

impl BatchStore {
    /// An empty store that records its requests in `log`.
    pub fn new(log: Arc<RequestLog>) -> Arc<BatchStore> {
        Arc::new(BatchStore {
            log,
            state: Mutex::new(StoreState::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, StoreState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh number for ids.
    pub fn next_number(&self) -> u64 {
        let mut state = self.lock();
        state.next += 1;
        state.next
    }

    /// Keeps a new batch.
    pub fn insert_batch(&self, batch: Batch) {
        self.lock().batches.push(batch);
    }

    /// A copy of batch `id`.
    pub fn batch(&self, id: &str) -> Option<Batch> {
        self.lock().batches.iter().find(|b| b.id == id).cloned()
    }

    /// Every batch of `api`, newest first.
    pub fn batches(&self, api: Api) -> Vec<Batch> {
        let state = self.lock();
        state
            .batches
            .iter()
            .rev()
            .filter(|b| b.api == api)
            .cloned()
            .collect()
    }

    /// Starts cancelling batch `id` (no change once ended or already cancelling).
    pub fn cancel(&self, id: &str, now: Instant) -> Option<Batch> {
        let mut state = self.lock();
        let batch = state.batches.iter_mut().find(|b| b.id == id)?;
        if batch.cancel_at_ms.is_none() && !batch.ended(now) {
            batch.cancel_at_ms = Some(batch.elapsed_ms(now));
        }
        Some(batch.clone())
    }

    /// Removes batch `id`; whether it was there.
    pub fn delete(&self, id: &str) -> bool {
        let mut state = self.lock();
        let before = state.batches.len();
        state.batches.retain(|b| b.id != id);
        state.batches.len() != before
    }

    /// Keeps a file.
    pub fn insert_file(&self, file: StoredFile) {
        self.lock().files.insert(file.id.clone(), file);
    }

    /// A copy of file `id`.
    pub fn file(&self, id: &str) -> Option<StoredFile> {
        self.lock().files.get(id).cloned()
    }
}

/// Unix time now, in milliseconds.
pub fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Unix milliseconds as RFC 3339 UTC (`2025-01-01T00:00:00.000Z`), as the Anthropic API writes
/// times. Hand-written (civil-from-days) to keep a date crate out of the mock for one format.
pub fn rfc3339(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        unix_ms % 1000
    )
}

/// The batch-only controls of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchControls {
    pub outcome: Option<String>,
    pub batch_ms: Option<u64>,
}

const BATCH_KEYS: [&str; 2] = ["outcome", "batch_ms"];

impl BatchControls {
    fn take(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "outcome" => match value {
                "succeeded" | "errored" | "canceled" | "expired" => {
                    self.outcome = Some(value.to_string())
                }
                _ => {
                    return Err(format!(
                        "mock control: invalid value '{value}' for 'outcome'"
                    ))
                }
            },
            _ => {
                let ms = value
                    .parse::<u64>()
                    .map_err(|_| format!("mock control: invalid value '{value}' for 'batch_ms'"))?;
                self.batch_ms = Some(ms.min(MAX_PROCESS_MS));
            }
        }
        Ok(())
    }
}

/// Takes the batch controls out of a model name and a user text: returns them with the model and
/// text left for the ordinary parser. The model's query comes first, directives win.
pub fn split_controls(model: &str, text: &str) -> Result<(BatchControls, String, String), String> {
    let mut controls = BatchControls::default();
    let model = match model.split_once('?') {
        None => model.to_string(),
        Some((name, query)) => {
            let mut kept = Vec::new();
            for pair in query.split('&') {
                match pair.split_once('=') {
                    Some((k, v)) if BATCH_KEYS.contains(&k.trim()) => {
                        controls.take(k.trim(), v.trim())?
                    }
                    _ => kept.push(pair),
                }
            }
            if kept.iter().all(|p| p.trim().is_empty()) {
                name.to_string()
            } else {
                format!("{name}?{}", kept.join("&"))
            }
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Same shape as the ordinary scanner (`[[mock` then a space or `]]`), kept apart because
    // that one is private to behaviour.rs and refuses these keys.
    while let Some(start) = rest.find("[[mock") {
        let after = &rest[start + 6..];
        let is_directive = after.starts_with("]]") || after.starts_with(char::is_whitespace);
        let close = after.find("]]");
        let (Some(close), true) = (close, is_directive) else {
            out.push_str(&rest[..start + 6]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..start]);
        let mut kept = Vec::new();
        for pair in after[..close].split_whitespace() {
            match pair.split_once('=') {
                Some((k, v)) if BATCH_KEYS.contains(&k) => controls.take(k, v)?,
                _ => kept.push(pair),
            }
        }
        out.push_str("[[mock");
        for pair in kept {
            out.push(' ');
            out.push_str(pair);
        }
        out.push_str("]]");
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok((controls, model, out))
}

/// The processing time of a batch: the header, else the largest request control, else the default.
pub fn process_ms(header: Option<u64>, controls: &[BatchControls]) -> u64 {
    header
        .or_else(|| controls.iter().filter_map(|c| c.batch_ms).max())
        .unwrap_or(DEFAULT_PROCESS_MS)
        .min(MAX_PROCESS_MS)
}

/// A moment `ms` after `start`.
pub fn after(start: Instant, ms: u64) -> Instant {
    start + Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_735_689_600_123), "2025-01-01T00:00:00.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn batch_controls_leave_the_rest_alone() {
        let (c, model, text) = split_controls(
            "mock?tokens=5&outcome=expired",
            "Hi [[mock batch_ms=200 ttft=0]]",
        )
        .unwrap();
        assert_eq!(c.outcome.as_deref(), Some("expired"));
        assert_eq!(c.batch_ms, Some(200));
        assert_eq!(model, "mock?tokens=5");
        assert_eq!(text, "Hi [[mock ttft=0]]");
        let (_, model, text) = split_controls("mock?outcome=errored", "[[mockery]] x").unwrap();
        assert_eq!((model.as_str(), text.as_str()), ("mock", "[[mockery]] x"));
        assert!(split_controls("mock?outcome=maybe", "").is_err());
    }
}
