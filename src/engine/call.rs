//! One call from queue to end: wait for a permit, send, stream, retry, time out, or be cancelled.

use super::cancel::{CancelReason, CancelToken};
use super::event::{Emitter, EventKind, LaneId, Outcome};
use super::retry::RetryPolicy;
use super::semaphore::Semaphore;
use crate::base::{SplitMix64, YieldNow};
use crate::providers::{
    AssistantMessage, ModelRequest, Provider, ProviderError, ProviderEvent, ResponseAccumulator,
    Usage,
};
use futures::future::{select, Either};
use futures::StreamExt;
use serde::Serialize;
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

/// What every call of a run shares: where events go, who answers, and the call policies.
#[derive(Clone)]
pub struct CallContext {
    pub emitter: Emitter,
    pub provider: Rc<dyn Provider>,
    pub retry: RetryPolicy,
    /// Longest a call may take from its start, retries included.
    pub timeout_ms: Option<f64>,
    /// Jitter for retry backoff.
    pub rng: Rc<RefCell<SplitMix64>>,
}

/// The end of one call: its outcome, its text (partial when it did not finish), and its times in
/// milliseconds since the run began.
#[derive(Clone, Debug, Serialize)]
pub struct CallResult {
    pub lane: LaneId,
    pub outcome: Outcome,
    pub text: String,
    pub usage: Usage,
    /// When the first attempt started; `None` if the call never left the queue.
    pub started_ms: Option<f64>,
    pub first_token_ms: Option<f64>,
    pub ended_ms: f64,
    pub retries: u32,
    /// The complete response, when the call succeeded.
    #[serde(skip)]
    pub message: Option<AssistantMessage>,
}

impl CallResult {
    /// Whether the call produced a complete answer.
    pub fn succeeded(&self) -> bool {
        self.outcome == Outcome::Done
    }

    /// Time from start to end; `None` if it never started.
    pub fn duration_ms(&self) -> Option<f64> {
        self.started_ms.map(|start| self.ended_ms - start)
    }
}

/// What a call has gathered so far; kept outside the request future so that a timeout or a
/// cancel still finds the partial answer.
#[derive(Default)]
struct CallProgress {
    response: ResponseAccumulator,
    retries: u32,
    first_token_ms: Option<f64>,
}

/// Runs one call on `lane` (already opened) and emits its events up to `Finished`.
///
/// The timeout counts from the moment the call is asked for — here, before it waits for a
/// permit — so that every queue counts alike: the page's own (the concurrency limit) and the
/// browser's (a free connection, six per server over HTTP/1.1), which the page cannot see
/// while it happens. A call whose time runs out in the queue ends timed out without starting.
pub async fn run_call(
    ctx: &CallContext,
    lane: LaneId,
    request: ModelRequest,
    cancel: &CancelToken,
    semaphore: Option<&Semaphore>,
) -> CallResult {
    let asked_ms = ctx.emitter.elapsed_ms();
    run_call_asked_at(ctx, lane, request, cancel, semaphore, asked_ms).await
}

/// The time left before the timeout of a call asked for at `asked_ms` (`None`: no timeout).
pub(super) fn time_left_ms(ctx: &CallContext, asked_ms: f64) -> Option<f64> {
    ctx.timeout_ms
        .map(|ms| (ms - (ctx.emitter.elapsed_ms() - asked_ms)).max(0.0))
}

/// Ends a call whose time ran out while it waited to be admitted (it never started).
pub(super) fn timed_out_in_queue(ctx: &CallContext, lane: LaneId, asked_ms: f64) -> CallResult {
    let outcome = Outcome::TimedOut {
        after_ms: ctx.emitter.elapsed_ms() - asked_ms,
    };
    finish(ctx, lane, outcome, None, CallProgress::default())
}

/// [`run_call`] for a call asked for at `asked_ms`, which may already have waited elsewhere
/// (for a budget): that wait counts against its timeout too.
pub(super) async fn run_call_asked_at(
    ctx: &CallContext,
    lane: LaneId,
    request: ModelRequest,
    cancel: &CancelToken,
    semaphore: Option<&Semaphore>,
    asked_ms: f64,
) -> CallResult {
    let time_left = time_left_ms(ctx, asked_ms);
    let mut deadline = pin!(async {
        match time_left {
            Some(ms) => ctx.emitter.clock().sleep(ms).await,
            None => futures::future::pending::<()>().await,
        }
    });
    let _permit = match semaphore {
        Some(semaphore) => {
            let cancelled = pin!(cancel.cancelled());
            let stop = select(deadline.as_mut(), cancelled);
            match select(pin!(semaphore.acquire()), stop).await {
                Either::Left((permit, _)) => Some(permit),
                Either::Right((Either::Left(((), _)), _)) => {
                    let outcome = Outcome::TimedOut {
                        after_ms: ctx.emitter.elapsed_ms() - asked_ms,
                    };
                    return finish(ctx, lane, outcome, None, CallProgress::default());
                }
                Either::Right((Either::Right((reason, _)), _)) => {
                    return never_started(ctx, lane, reason)
                }
            }
        }
        None => None,
    };
    if let Some(reason) = cancel.reason() {
        return never_started(ctx, lane, reason);
    }

    let started_ms = ctx.emitter.elapsed_ms();
    let progress = RefCell::new(CallProgress::default());
    let request = Arc::new(request);
    let outcome = {
        let attempts = pin!(attempt_until_done(ctx, lane, &request, &progress));
        let cancelled = pin!(cancel.cancelled());
        let stop = pin!(select(deadline.as_mut(), cancelled));
        // Dropping the losing futures at the end of this block aborts the request in flight.
        match select(attempts, stop).await {
            Either::Left((Ok(()), _)) => Outcome::Done,
            Either::Left((Err(error), _)) => Outcome::Failed { error },
            Either::Right((Either::Left(((), _)), _)) => Outcome::TimedOut {
                after_ms: ctx.emitter.elapsed_ms() - asked_ms,
            },
            Either::Right((Either::Right((reason, _)), _)) => Outcome::Cancelled { reason },
        }
    };

    finish(ctx, lane, outcome, Some(started_ms), progress.into_inner())
}

/// A call cancelled while it still waited in the queue.
fn never_started(ctx: &CallContext, lane: LaneId, reason: CancelReason) -> CallResult {
    let outcome = Outcome::Cancelled { reason };
    finish(ctx, lane, outcome, None, CallProgress::default())
}

/// Emits the lane's `Finished` event and gathers its result.
fn finish(
    ctx: &CallContext,
    lane: LaneId,
    outcome: Outcome,
    started_ms: Option<f64>,
    progress: CallProgress,
) -> CallResult {
    let text = progress.response.text();
    let usage = progress.response.usage();
    // A response that streamed to its end can still be unreadable (a tool input that is not
    // JSON): then the call failed, with that reason, rather than ending done with no message.
    let (outcome, message) = match outcome {
        Outcome::Done => match progress.response.finish() {
            Ok(message) => (Outcome::Done, Some(message)),
            Err(error) => (Outcome::Failed { error }, None),
        },
        other => (other, None),
    };
    ctx.emitter.emit(EventKind::Finished {
        lane,
        outcome: outcome.clone(),
    });
    CallResult {
        lane,
        outcome,
        text,
        usage,
        started_ms,
        first_token_ms: progress.first_token_ms,
        ended_ms: ctx.emitter.elapsed_ms(),
        retries: progress.retries,
        message,
    }
}

/// Attempts the request until it succeeds, fails for good, or runs out of retries.
async fn attempt_until_done(
    ctx: &CallContext,
    lane: LaneId,
    request: &Arc<ModelRequest>,
    progress: &RefCell<CallProgress>,
) -> Result<(), ProviderError> {
    let mut retry = 0;
    loop {
        ctx.emitter.emit(EventKind::Started {
            lane,
            attempt: retry,
            request: Some(request.clone()),
        });
        // Give way once the start is stamped: every call of a batch started in one tick is
        // stamped before any of them composes or sends its request, so the launch skew stays
        // flat as the batch grows (see `YieldNow`).
        YieldNow::default().await;
        progress.borrow_mut().response = ResponseAccumulator::default();
        match stream_once(ctx, lane, request, retry, progress).await {
            Ok(()) => return Ok(()),
            Err(error) if error.is_retryable() && retry < ctx.retry.max_retries => {
                let delay_ms = {
                    let mut rng = ctx.rng.borrow_mut();
                    ctx.retry.delay_ms(retry, error.retry_after_ms(), &mut rng)
                };
                retry += 1;
                progress.borrow_mut().retries = retry;
                ctx.emitter.emit(EventKind::RetryScheduled {
                    lane,
                    retry,
                    delay_ms,
                    error,
                });
                ctx.emitter.clock().sleep(delay_ms).await;
            }
            Err(error) => return Err(error),
        }
    }
}

/// One attempt: streams the response into `progress`, emitting events as they come.
async fn stream_once(
    ctx: &CallContext,
    lane: LaneId,
    request: &ModelRequest,
    attempt: u32,
    progress: &RefCell<CallProgress>,
) -> Result<(), ProviderError> {
    let mut stream = ctx.provider.stream(request, attempt);
    let mut seen_first_token = false;
    while let Some(item) = stream.next().await {
        let event = item?;
        let is_token = matches!(
            event,
            ProviderEvent::TextDelta { .. } | ProviderEvent::ToolUseStart { .. }
        );
        if is_token && !seen_first_token {
            seen_first_token = true;
            let mut p = progress.borrow_mut();
            p.first_token_ms.get_or_insert(ctx.emitter.elapsed_ms());
            drop(p);
            ctx.emitter.emit(EventKind::FirstToken { lane });
        }
        progress.borrow_mut().response.push(&event);
        match event {
            ProviderEvent::TextDelta { text } => {
                ctx.emitter.emit(EventKind::TextDelta { lane, text });
            }
            ProviderEvent::Usage { usage } => {
                ctx.emitter.emit(EventKind::Usage { lane, usage });
            }
            ProviderEvent::RateLimit { info } => {
                ctx.emitter.emit(EventKind::RateLimit { lane, info });
            }
            ProviderEvent::Stop { .. } => return Ok(()),
            _ => {}
        }
    }
    Err(ProviderError::StreamCut {
        message: "the connection closed before the answer was complete".into(),
    })
}
