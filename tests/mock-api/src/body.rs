//! A response body that follows a script: chunks due at given instants, optionally ending in an
//! abrupt close (`cut`) or in silence (`stall`). It carries the request's [`Exchange`], so the log
//! learns whether the body was written whole, cut by us, or abandoned by the client.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

use crate::log::Exchange;

/// One step of a scripted body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send these bytes.
    Data(Bytes),
    /// Close the connection without finishing the body.
    Abort,
    /// Send nothing more and wait for the client to leave.
    Stall,
}

/// A step and the instant it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    pub at: Instant,
    pub step: Step,
}

/// The body itself; see the module docs.
pub struct ScriptedBody {
    steps: VecDeque<Timed>,
    exact_len: Option<u64>,
    sleep: Option<Pin<Box<Sleep>>>,
    exchange: Exchange,
}

impl ScriptedBody {
    /// A body sent in one piece, with a known length.
    pub fn full(bytes: impl Into<Bytes>, exchange: Exchange) -> ScriptedBody {
        let bytes = bytes.into();
        ScriptedBody {
            exact_len: Some(bytes.len() as u64),
            steps: VecDeque::from([Timed {
                at: Instant::now(),
                step: Step::Data(bytes),
            }]),
            sleep: None,
            exchange,
        }
    }

    /// A body that follows `steps` (sent with chunked encoding, like the real streaming APIs).
    pub fn timed(steps: Vec<Timed>, exchange: Exchange) -> ScriptedBody {
        ScriptedBody {
            steps: steps.into(),
            exact_len: None,
            sleep: None,
            exchange,
        }
    }

    /// Waits until `at`; `Pending` until then.
    fn wait_until(&mut self, at: Instant, cx: &mut Context<'_>) -> Poll<()> {
        if at <= Instant::now() {
            return Poll::Ready(());
        }
        let deadline = tokio::time::Instant::from_std(at);
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        sleep.as_mut().reset(deadline);
        sleep.as_mut().poll(cx)
    }
}

impl http_body::Body for ScriptedBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        let Some(at) = this.steps.front().map(|t| t.at) else {
            this.exchange.complete();
            return Poll::Ready(None);
        };
        if this.wait_until(at, cx).is_pending() {
            return Poll::Pending;
        }
        match this.steps.pop_front().map(|t| t.step) {
            Some(Step::Data(bytes)) => {
                if this.steps.is_empty() {
                    // With a known length the connection may never ask for the end: the last
                    // chunk handed over is the whole response.
                    this.exchange.complete();
                }
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Some(Step::Abort) => {
                this.steps.clear();
                this.exchange.server_closed();
                Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "mock-api: connection cut on purpose",
                ))))
            }
            Some(Step::Stall) => {
                // Keep the step so every later poll stalls too; nothing wakes us, and the
                // connection drops the body when the client leaves.
                this.steps.push_front(Timed {
                    at,
                    step: Step::Stall,
                });
                Poll::Pending
            }
            None => {
                this.exchange.complete();
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        match self.exact_len {
            Some(len) => SizeHint::with_exact(len),
            None => SizeHint::default(),
        }
    }
}

/// One Server-Sent Event with a name: `event: NAME\ndata: JSON\n\n`.
pub fn sse_event(name: &str, data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// One unnamed Server-Sent Event: `data: JSON\n\n`.
pub fn sse_data(data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("data: {data}\n\n"))
}
