//! [`CallAdmission`]: what a call waits for before it may start — a concurrency permit (the
//! fixed limit, or the [`AdaptiveLimit`]) and the run's rate budgets ([`RateBudgets`]) — and
//! the feedback that moves the adaptive limit.
//!
//! A call that has to wait emits [`EventKind::Queued`] with the reason (`permit`, `requests`,
//! `tokens`), so the timeline shows why it is queued. The budgets are shared by every call of
//! the run (both runs of a compare and the syntheses use one provider's budget); the permit only
//! gates the parallel run, as the concurrency limit always has. The adaptive limit learns from
//! the events themselves: a 429 or 529 (retried or final) cuts it, a success grows it, and each
//! change is emitted as [`EventKind::LimitChanged`] — the trace drawn under the timeline.

use super::adaptive::{AdaptiveLimit, AdaptivePermit, INITIAL_LIMIT};
use super::budget::{reserved_tokens, QueueReason, RateBudgets};
use super::call::{
    run_call, run_call_asked_at, time_left_ms, timed_out_in_queue, CallContext, CallResult,
};
use super::cancel::CancelToken;
use super::event::{Emitter, Event, EventKind, EventSink, Group, LaneId, Outcome};
use super::plan::RunPlan;
use super::semaphore::{Permit, Semaphore};
use crate::base::Clock;
use crate::providers::{ApiErrorKind, ModelRequest, ProviderError};
use futures::future::{select, Either};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::pin::pin;
use std::rc::Rc;

/// The waits of one run's calls (see the module docs).
pub struct CallAdmission {
    clock: Rc<dyn Clock>,
    budgets: RefCell<Option<RateBudgets>>,
    fixed: Option<Semaphore>,
    adaptive: Option<AdaptiveLimit>,
    emitter: RefCell<Option<Emitter>>,
    /// The adaptive epoch each gated lane was let in under.
    epochs: RefCell<HashMap<LaneId, u64>>,
    announced: Cell<bool>,
}

/// What an event says about the provider's capacity.
enum Feedback {
    Overloaded {
        lane: LaneId,
        retry_after_ms: Option<f64>,
    },
    Succeeded {
        lane: LaneId,
    },
}

fn is_overload(error: &ProviderError) -> bool {
    match error {
        ProviderError::Http { status, kind, .. } => {
            matches!(status, 429 | 529)
                || matches!(kind, ApiErrorKind::RateLimit | ApiErrorKind::Overloaded)
        }
        ProviderError::Stream { kind, .. } => matches!(kind, ApiErrorKind::Overloaded),
        _ => false,
    }
}

impl Feedback {
    fn of(event: &Event) -> Option<Feedback> {
        match &event.kind {
            EventKind::RetryScheduled { lane, error, .. }
            | EventKind::Finished {
                lane,
                outcome: Outcome::Failed { error },
            } if is_overload(error) => Some(Feedback::Overloaded {
                lane: *lane,
                retry_after_ms: error.retry_after_ms(),
            }),
            EventKind::Finished {
                lane,
                outcome: Outcome::Done,
            } => Some(Feedback::Succeeded { lane: *lane }),
            _ => None,
        }
    }
}

impl CallAdmission {
    /// The admission a plan needs, or `None` when its calls wait for nothing but themselves.
    pub fn for_plan(plan: &RunPlan, clock: Rc<dyn Clock>) -> Option<Rc<CallAdmission>> {
        let limits = &plan.limits;
        if !limits.has_budget() && !limits.adaptive && plan.concurrency_limit.is_none() {
            return None;
        }
        let now = clock.now_ms();
        let ceiling = plan
            .concurrency_limit
            .unwrap_or(plan.questions.len())
            .max(1);
        Some(Rc::new(CallAdmission {
            budgets: RefCell::new(RateBudgets::new(limits, now)),
            fixed: (!limits.adaptive)
                .then_some(plan.concurrency_limit)
                .flatten()
                .map(Semaphore::new),
            adaptive: limits
                .adaptive
                .then(|| AdaptiveLimit::new(INITIAL_LIMIT, ceiling)),
            clock,
            emitter: RefCell::new(None),
            epochs: RefCell::new(HashMap::new()),
            announced: Cell::new(false),
        }))
    }

    /// A sink that passes every event to `inner`, then learns from it.
    pub fn observing(self: &Rc<Self>, inner: EventSink) -> EventSink {
        let admission = Rc::downgrade(self);
        Rc::new(move |event: Event| {
            let feedback = Feedback::of(&event);
            inner(event);
            if let (Some(feedback), Some(admission)) = (feedback, admission.upgrade()) {
                admission.learn(feedback);
            }
        })
    }

    /// The emitter for `Queued` and `LimitChanged` events (the run's own).
    pub fn bind(&self, emitter: &Emitter) {
        *self.emitter.borrow_mut() = Some(emitter.clone());
    }

    fn emit(&self, kind: EventKind) {
        let emitter = self.emitter.borrow().clone();
        if let Some(emitter) = emitter {
            emitter.emit(kind);
        }
    }

    fn learn(&self, feedback: Feedback) {
        let Some(adaptive) = &self.adaptive else {
            return;
        };
        let changed = match feedback {
            Feedback::Overloaded {
                lane,
                retry_after_ms,
            } => {
                let Some(epoch) = self.epochs.borrow().get(&lane).copied() else {
                    return;
                };
                adaptive.on_overload(epoch, self.clock.now_ms(), retry_after_ms)
            }
            Feedback::Succeeded { lane } => {
                if !self.epochs.borrow().contains_key(&lane) {
                    return;
                }
                adaptive.on_success()
            }
        };
        if let Some(limit) = changed {
            self.emit(EventKind::LimitChanged {
                group: Group::Parallel,
                limit,
            });
        }
    }

    /// Waits until `lane` may send `request`: for a permit when `gated`, then for the budgets.
    pub async fn admit(
        self: &Rc<Self>,
        lane: LaneId,
        request: &ModelRequest,
        gated: bool,
    ) -> Ticket {
        let mut ticket = Ticket {
            admission: self.clone(),
            _permit: None,
            reserved: None,
        };
        if gated {
            ticket._permit = self.permit(lane).await;
        }
        let reserved = reserved_tokens(request);
        let reservation = self
            .budgets
            .borrow_mut()
            .as_mut()
            .map(|b| b.reserve(self.clock.now_ms(), reserved));
        if let Some((wait_ms, reason)) = reservation {
            ticket.reserved = Some(reserved);
            if let Some(reason) = reason.filter(|_| wait_ms > 0.0) {
                self.emit(EventKind::Queued { lane, reason });
                self.clock.sleep(wait_ms).await;
            }
        }
        ticket
    }

    async fn permit(&self, lane: LaneId) -> Option<GatePermit> {
        if let Some(adaptive) = &self.adaptive {
            if !self.announced.replace(true) {
                self.emit(EventKind::LimitChanged {
                    group: Group::Parallel,
                    limit: adaptive.limit(),
                });
            }
            let mut queued = false;
            let mut queue = |this: &Self| {
                if !std::mem::replace(&mut queued, true) {
                    this.emit(EventKind::Queued {
                        lane,
                        reason: QueueReason::Permit,
                    });
                }
            };
            loop {
                if let Some(until) = adaptive.paused_until(self.clock.now_ms()) {
                    queue(self);
                    self.clock.sleep(until - self.clock.now_ms()).await;
                    continue;
                }
                if adaptive.is_full() {
                    queue(self);
                }
                let permit = adaptive.acquire().await;
                // The server may have asked for a pause while this call waited in line.
                if adaptive.paused_until(self.clock.now_ms()).is_some() {
                    drop(permit);
                    continue;
                }
                self.epochs.borrow_mut().insert(lane, permit.epoch);
                return Some(GatePermit::Adaptive(permit));
            }
        }
        let semaphore = self.fixed.as_ref()?;
        if semaphore.available() == 0 {
            self.emit(EventKind::Queued {
                lane,
                reason: QueueReason::Permit,
            });
        }
        Some(GatePermit::Fixed(semaphore.acquire().await))
    }
}

/// A held concurrency permit of either kind.
enum GatePermit {
    Fixed(#[allow(dead_code)] Permit),
    Adaptive(#[allow(dead_code)] AdaptivePermit),
}

/// A call let in: holds its permit until dropped, and gives back unused budget.
#[must_use = "the permit is released when the ticket drops"]
pub struct Ticket {
    admission: Rc<CallAdmission>,
    _permit: Option<GatePermit>,
    /// Tokens reserved from the budget, until the call settles them.
    reserved: Option<u32>,
}

impl Ticket {
    /// Settles the budget with what the call really spent: nothing if it never started, its
    /// reported usage if it has one (the rest of the reservation goes back).
    pub fn settle(mut self, result: &CallResult) {
        let Some(reserved) = self.reserved else {
            return;
        };
        if result.started_ms.is_none() {
            return; // Drop gives it all back.
        }
        self.reserved = None;
        let spent = result.usage.input_tokens + result.usage.output_tokens;
        if spent > 0 && spent < reserved {
            let now = self.admission.clock.now_ms();
            if let Some(budgets) = self.admission.budgets.borrow_mut().as_mut() {
                budgets.refund_tokens(now, reserved - spent);
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(reserved) = self.reserved.take() {
            let now = self.admission.clock.now_ms();
            if let Some(budgets) = self.admission.budgets.borrow_mut().as_mut() {
                budgets.cancel(now, reserved);
            }
        }
    }
}

/// [`run_call`] after the call's admission: waits (as queued) for what `admission` asks, unless
/// cancelled first, then runs the call and settles its budget. Without an admission it is
/// `run_call` itself.
pub async fn run_admitted_call(
    ctx: &CallContext,
    admission: Option<&Rc<CallAdmission>>,
    gated: bool,
    lane: LaneId,
    request: ModelRequest,
    cancel: &CancelToken,
    semaphore: Option<&Semaphore>,
) -> CallResult {
    let Some(admission) = admission else {
        return run_call(ctx, lane, request, cancel, semaphore).await;
    };
    // The timeout counts from here, the wait for the budgets and the limit included.
    let asked_ms = ctx.emitter.elapsed_ms();
    let deadline = async {
        match time_left_ms(ctx, asked_ms) {
            Some(ms) => ctx.emitter.clock().sleep(ms).await,
            None => futures::future::pending::<()>().await,
        }
    };
    let cancelled = pin!(cancel.cancelled());
    let deadline = pin!(deadline);
    let stop = select(cancelled, deadline);
    let ticket = match select(pin!(admission.admit(lane, &request, gated)), stop).await {
        Either::Left((ticket, _)) => Some(ticket),
        // `run_call` sees the cancel and ends the lane as never started.
        Either::Right((Either::Left(_), _)) => None,
        Either::Right((Either::Right(_), _)) => {
            return timed_out_in_queue(ctx, lane, asked_ms);
        }
    };
    let result = run_call_asked_at(ctx, lane, request, cancel, semaphore, asked_ms).await;
    if let Some(ticket) = ticket {
        ticket.settle(&result);
    }
    result
}
