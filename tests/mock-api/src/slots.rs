//! What a server's capacity does to requests, per key (the API key and the model name): the
//! budgets of [`crate::ratelimit`], a concurrency budget (`max_concurrent=k`: a 429 beyond k
//! in flight), server slots (`slots=k`: at most k generate at once, the rest wait inside the
//! server before their first byte, as `llama-server --parallel k` does), and the habits of real
//! local servers: `interrupt=1` (one request at a time; a new one cuts the running stream, as
//! llama-cpp-python's default `interrupt_requests` does), `timing_allow_origin=0` (no
//! `Timing-Allow-Origin`, as `llama-server` sends none) and `stream_usage=0` (no usage in the
//! stream whatever `stream_options` says, as llama-cpp-python).
//!
//! [`ServerLimits::admit`] runs before an answer's schedule starts; the [`Admission`] it gives
//! rides on the response body, so a request counts as in flight (and holds its slot) until its
//! body is written or the client leaves.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http_body::{Frame, SizeHint};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use crate::http::ExtraHeaders;
use crate::ratelimit::{BudgetParams, Ledger, Spent};

/// The capacity directives of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerParams {
    pub budget: BudgetParams,
    /// Requests in flight beyond this get a 429.
    pub max_concurrent: Option<usize>,
    /// At most this many generate at once; the others wait before their first byte.
    pub slots: Option<usize>,
    /// A new request cuts the one running (one at a time).
    pub interrupt: bool,
    /// Send `Timing-Allow-Origin: *` (the default).
    pub timing_allow_origin: bool,
    /// Honour `stream_options.include_usage` (the default).
    pub stream_usage: bool,
}

impl Default for ServerParams {
    fn default() -> Self {
        ServerParams {
            budget: BudgetParams::default(),
            max_concurrent: None,
            slots: None,
            interrupt: false,
            timing_allow_origin: true,
            stream_usage: true,
        }
    }
}

impl ServerParams {
    /// The keys this module reads (with [`BudgetParams::KEYS`]).
    pub const KEYS: [&'static str; 7] = [
        "rpm",
        "tpm",
        "max_concurrent",
        "slots",
        "interrupt",
        "timing_allow_origin",
        "stream_usage",
    ];

    /// Sets one directive from its text form.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let bad = || format!("invalid value '{value}' for '{key}'");
        let count = || {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(bad)
        };
        let flag = || match value {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err(bad()),
        };
        match key {
            "rpm" | "tpm" => self.budget.set(key, value)?,
            "max_concurrent" => self.max_concurrent = Some(count()?),
            "slots" => self.slots = Some(count()?),
            "interrupt" => self.interrupt = flag()?,
            "timing_allow_origin" => self.timing_allow_origin = flag()?,
            "stream_usage" => self.stream_usage = flag()?,
            _ => return Err(format!("unknown parameter '{key}'")),
        }
        Ok(())
    }

    fn needs_admission(&self) -> bool {
        self.budget.is_set()
            || self.max_concurrent.is_some()
            || self.slots.is_some()
            || self.interrupt
    }
}

/// Response extension: send this response without `Timing-Allow-Origin`.
#[derive(Debug, Clone, Copy)]
pub struct NoTimingAllowOrigin;

/// The state of one key.
struct Scope {
    budget: Option<(BudgetParams, Ledger)>,
    in_flight: Arc<AtomicUsize>,
    slots: Option<(usize, Arc<Semaphore>)>,
    generation: watch::Sender<u64>,
}

/// Every key's budgets, requests in flight, slots and interrupts.
#[derive(Default)]
pub struct ServerLimits {
    scopes: Mutex<HashMap<String, Scope>>,
}

impl std::fmt::Debug for ServerLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerLimits")
    }
}

/// Why a request was refused before it started.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The 429's headers (`retry-after` and the rate-limit headers).
    pub headers: ExtraHeaders,
    /// The behaviour name for the request log.
    pub behaviour: &'static str,
    pub message: &'static str,
}

/// A request let in: it holds its place in flight and its slot for as long as its body lives.
#[derive(Default)]
pub struct Admission {
    headers: ExtraHeaders,
    _in_flight: Option<InFlight>,
    _slot: Option<OwnedSemaphorePermit>,
    interrupt: Option<watch::Receiver<u64>>,
    /// When the request got its slot, if it had to wait for one.
    slot_at: Option<Instant>,
    hide_timing: bool,
}

/// One request counted in flight until dropped.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The key requests share limits under: the API key and the model name (real providers limit
/// per key and per model).
pub fn scope_key(api_key: &str, model: &str) -> String {
    format!("{api_key}\u{1f}{model}")
}

impl ServerLimits {
    /// Forgets every budget and counter (with `POST /__mock/reset`).
    pub fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Scope>> {
        self.scopes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets a request of `input` + `output` tokens in under `params`, waiting for a slot when
    /// the server has them all busy; or refuses it with a 429.
    pub async fn admit(
        &self,
        params: &ServerParams,
        scope: &str,
        input: u64,
        output: u64,
    ) -> Result<Admission, Refused> {
        let mut admission = Admission {
            hide_timing: !params.timing_allow_origin,
            ..Admission::default()
        };
        if !params.needs_admission() {
            return Ok(admission);
        }
        let now = Instant::now();
        let slots = {
            let mut scopes = self.lock();
            let entry = scopes.entry(scope.to_string()).or_insert_with(|| Scope {
                budget: None,
                in_flight: Arc::new(AtomicUsize::new(0)),
                slots: None,
                generation: watch::channel(0).0,
            });
            if let Some(k) = params.max_concurrent {
                if entry.in_flight.load(Ordering::SeqCst) >= k {
                    return Err(Refused {
                        headers: vec![
                            ("retry-after", "1".to_string()),
                            ("x-should-retry", "true".to_string()),
                        ],
                        behaviour: "over_capacity",
                        message: "Too many requests at once for this key (mock max_concurrent).",
                    });
                }
            }
            if params.budget.is_set() {
                // A change of budget in the directives starts a fresh ledger.
                if entry
                    .budget
                    .as_ref()
                    .is_none_or(|(p, _)| *p != params.budget)
                {
                    entry.budget = Some((params.budget, Ledger::new(params.budget, now)));
                }
                if let Some((_, ledger)) = &mut entry.budget {
                    match ledger.charge(now, input, output) {
                        Ok(headers) => admission.headers = headers,
                        Err(refusal) => {
                            return Err(Refused {
                                headers: refusal.headers,
                                behaviour: match refusal.spent {
                                    Spent::Requests => "rate_limited_requests",
                                    Spent::Tokens => "rate_limited_tokens",
                                },
                                message: "This request would exceed the rate limit (mock budget).",
                            })
                        }
                    }
                }
            }
            entry.in_flight.fetch_add(1, Ordering::SeqCst);
            admission._in_flight = Some(InFlight(entry.in_flight.clone()));
            if params.interrupt {
                // The running request sees the new generation and ends its stream.
                entry.generation.send_modify(|g| *g += 1);
                admission.interrupt = Some(entry.generation.subscribe());
            }
            params.slots.map(|k| {
                if entry.slots.as_ref().is_none_or(|(n, _)| *n != k) {
                    entry.slots = Some((k, Arc::new(Semaphore::new(k))));
                }
                entry.slots.as_ref().map(|(_, s)| s.clone())
            })
        };
        if let Some(Some(semaphore)) = slots {
            let waits = semaphore.available_permits() == 0;
            admission._slot = semaphore.acquire_owned().await.ok();
            if waits {
                admission.slot_at = Some(Instant::now());
            }
        }
        Ok(admission)
    }
}

impl Admission {
    /// When the answer's schedule starts: when the slot freed up, or when the request came.
    pub fn schedule_from(&self, received: Instant) -> Instant {
        self.slot_at.unwrap_or(received)
    }

    /// The rate-limit headers of the answer.
    pub fn headers(&self) -> ExtraHeaders {
        self.headers.clone()
    }

    /// Ties the admission to `response`'s body (and drops `Timing-Allow-Origin` when asked).
    pub fn attach(mut self, response: Response) -> Response {
        let interrupt = self.interrupt.take().map(|mut rx| {
            Box::pin(async move {
                let _ = rx.changed().await;
            }) as Pin<Box<dyn Future<Output = ()> + Send>>
        });
        let hide_timing = self.hide_timing;
        let mut response = response.map(|inner| {
            Body::new(GuardedBody {
                inner,
                interrupt,
                _admission: self,
            })
        });
        if hide_timing {
            response.extensions_mut().insert(NoTimingAllowOrigin);
        }
        response
    }
}

/// Marks a response sent without admission (a refusal) for `params`.
pub fn mark(mut response: Response, params: &ServerParams) -> Response {
    if !params.timing_allow_origin {
        response.extensions_mut().insert(NoTimingAllowOrigin);
    }
    response
}

/// A body that holds its request's [`Admission`] and ends abruptly when a newer request
/// interrupts it.
struct GuardedBody {
    inner: Body,
    interrupt: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    _admission: Admission,
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Some(interrupt) = &mut this.interrupt {
            if interrupt.as_mut().poll(cx).is_ready() {
                this.interrupt = None;
                return Poll::Ready(Some(Err(axum::Error::new(
                    "interrupted: a newer request arrived (mock interrupt=1)",
                ))));
            }
        }
        Pin::new(&mut this.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> ServerParams {
        let mut p = ServerParams::default();
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').expect("key=value");
            p.set(k, v).expect("valid");
        }
        p
    }

    #[tokio::test]
    async fn max_concurrent_refuses_beyond_k_in_flight_and_frees_on_drop() {
        let limits = ServerLimits::default();
        let p = params("max_concurrent=2");
        let a = limits.admit(&p, "k", 1, 1).await.expect("first");
        let _b = limits.admit(&p, "k", 1, 1).await.expect("second");
        let refused = limits
            .admit(&p, "k", 1, 1)
            .await
            .err()
            .expect("third refused");
        assert_eq!(refused.behaviour, "over_capacity");
        assert!(limits.admit(&p, "other", 1, 1).await.is_ok());
        drop(a);
        assert!(limits.admit(&p, "k", 1, 1).await.is_ok());
    }

    #[tokio::test]
    async fn slots_make_the_next_request_wait_for_a_free_one() {
        let limits = Arc::new(ServerLimits::default());
        let p = params("slots=1");
        let first = limits.admit(&p, "k", 1, 1).await.expect("first");
        assert_eq!(first.slot_at, None);
        let waiting = {
            let limits = limits.clone();
            tokio::spawn(async move { limits.admit(&p, "k", 1, 1).await.map(|a| a.slot_at) })
        };
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        assert!(!waiting.is_finished());
        drop(first);
        let slot_at = waiting.await.expect("joins").expect("admitted");
        assert!(slot_at.is_some());
    }

    #[test]
    fn directives_are_checked() {
        let mut p = ServerParams::default();
        assert!(p.set("slots", "0").is_err());
        assert!(p.set("rpm", "x").is_err());
        assert!(p.set("interrupt", "maybe").is_err());
        assert!(p.set("stream_usage", "0").is_ok());
        assert!(!p.stream_usage);
    }
}
