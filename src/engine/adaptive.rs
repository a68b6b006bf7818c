//! [`AdaptiveLimit`]: a concurrency limit that finds what the provider tolerates, the way TCP
//! finds a path's capacity (AIMD: additive increase, multiplicative decrease).
//!
//! - It starts at [`INITIAL_LIMIT`] calls (a small first window, as TCP's initial window is
//!   a few segments) and grows by one per success (slow start) until the first overload;
//!   from then on by `1 / limit` per success (about one per round of calls) — and only while the
//!   limit is binding (calls are waiting for it), so an idle limit does not drift upwards.
//!   Growing back to the limit that last overloaded the server is [`PROBE_DAMPING`] times
//!   slower: a rare probe rather than a sawtooth around the capacity.
//! - A 429 or 529 multiplies it by [`DECREASE`] (never below one) and, when the server gave a
//!   `retry-after`, holds every new call back until then. Only the first overload of calls sent
//!   under the current limit counts: calls already in flight when the limit fell were sent under
//!   the old one, and their 429s say nothing new.
//!
//! Permits go out first-come, first-served, like [`Semaphore`](super::Semaphore).

use super::semaphore::WaitQueue;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// The factor of a decrease: 0.7, as TCP CUBIC uses, gentle enough that the limit stays within
/// one step of the capacity it found.
pub const DECREASE: f64 = 0.7;

/// Where the limit starts: a first round small enough for most servers, large enough not to
/// spend several rounds growing.
pub const INITIAL_LIMIT: usize = 4;

/// How much slower the limit grows back to where it last overloaded the server.
pub const PROBE_DAMPING: f64 = 8.0;

/// An AIMD concurrency limit (cheap to clone: clones share the state).
#[derive(Clone)]
pub struct AdaptiveLimit {
    inner: Rc<RefCell<AdaptiveState>>,
}

struct AdaptiveState {
    limit: f64,
    ceiling: f64,
    in_flight: usize,
    slow_start: bool,
    /// The limit at the last overload: growing back to it is done slowly (a probe), so the
    /// limit stays at what the server took instead of sawing up and down around it.
    overloaded_at: Option<usize>,
    /// Counts decreases; a permit remembers the epoch it was granted in.
    epoch: u64,
    /// No new permits before this time (a server's `retry-after`).
    paused_until_ms: f64,
    waiting: WaitQueue,
}

impl AdaptiveState {
    fn allowed(&self) -> usize {
        self.limit.floor().max(1.0) as usize
    }

    fn wake_next(&mut self) -> Option<Waker> {
        if self.in_flight < self.allowed() {
            self.waiting.take_front_waker()
        } else {
            None
        }
    }
}

impl AdaptiveLimit {
    /// A limit that starts at `initial` and never exceeds `ceiling`.
    pub fn new(initial: usize, ceiling: usize) -> AdaptiveLimit {
        let ceiling = ceiling.max(1);
        AdaptiveLimit {
            inner: Rc::new(RefCell::new(AdaptiveState {
                limit: initial.clamp(1, ceiling) as f64,
                ceiling: ceiling as f64,
                in_flight: 0,
                slow_start: true,
                overloaded_at: None,
                epoch: 0,
                paused_until_ms: f64::NEG_INFINITY,
                waiting: WaitQueue::default(),
            })),
        }
    }

    /// The calls allowed in flight now.
    pub fn limit(&self) -> usize {
        self.inner.borrow().allowed()
    }

    /// Until when new calls are held back, if that is later than `now_ms`.
    pub fn paused_until(&self, now_ms: f64) -> Option<f64> {
        let until = self.inner.borrow().paused_until_ms;
        (until > now_ms).then_some(until)
    }

    /// Whether a call would have to wait for a permit now.
    pub fn is_full(&self) -> bool {
        let state = self.inner.borrow();
        !state.waiting.is_empty() || state.in_flight >= state.allowed()
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> AdaptiveAcquire {
        AdaptiveAcquire {
            limit: self.clone(),
            ticket: None,
            done: false,
        }
    }

    /// A call succeeded; returns the new limit if it changed.
    pub fn on_success(&self) -> Option<usize> {
        let mut state = self.inner.borrow_mut();
        let before = state.allowed();
        // Binding: others wait, or every permit is taken (this call's is still held).
        let binding = !state.waiting.is_empty() || state.in_flight >= before;
        if !binding {
            return None;
        }
        let step = if state.slow_start {
            1.0
        } else if state
            .overloaded_at
            .is_some_and(|at| state.limit + 1.0 >= at as f64)
        {
            1.0 / (state.limit * PROBE_DAMPING)
        } else {
            1.0 / state.limit
        };
        state.limit = (state.limit + step).min(state.ceiling);
        let after = state.allowed();
        let waker = state.wake_next();
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
        (after != before).then_some(after)
    }

    /// A call sent in `epoch` was refused as overloaded (429, 529); `retry_after_ms` holds new
    /// calls back. Returns the new limit if it changed.
    pub fn on_overload(
        &self,
        epoch: u64,
        now_ms: f64,
        retry_after_ms: Option<f64>,
    ) -> Option<usize> {
        let mut state = self.inner.borrow_mut();
        if let Some(ms) = retry_after_ms.filter(|ms| ms.is_finite() && *ms > 0.0) {
            state.paused_until_ms = state.paused_until_ms.max(now_ms + ms.min(60_000.0));
        }
        if epoch != state.epoch {
            return None;
        }
        let before = state.allowed();
        state.overloaded_at = Some(before);
        state.limit = (state.limit * DECREASE).max(1.0);
        state.slow_start = false;
        state.epoch += 1;
        let after = state.allowed();
        (after != before).then_some(after)
    }

    /// The current epoch (advanced by every counted decrease).
    pub fn epoch(&self) -> u64 {
        self.inner.borrow().epoch
    }

    fn release(&self) {
        let waker = {
            let mut state = self.inner.borrow_mut();
            state.in_flight = state.in_flight.saturating_sub(1);
            state.wake_next()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A held place under the adaptive limit; dropping it frees the place.
pub struct AdaptivePermit {
    limit: AdaptiveLimit,
    /// The epoch the permit was granted in.
    pub epoch: u64,
}

impl Drop for AdaptivePermit {
    fn drop(&mut self) {
        self.limit.release();
    }
}

/// The future returned by [`AdaptiveLimit::acquire`].
pub struct AdaptiveAcquire {
    limit: AdaptiveLimit,
    ticket: Option<u64>,
    done: bool,
}

impl Future for AdaptiveAcquire {
    type Output = AdaptivePermit;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<AdaptivePermit> {
        let this = &mut *self;
        let mut state = this.limit.inner.borrow_mut();
        if state.waiting.is_next(this.ticket) && state.in_flight < state.allowed() {
            state.in_flight += 1;
            state.waiting.served(&mut this.ticket);
            let epoch = state.epoch;
            let next = state.wake_next();
            drop(state);
            if let Some(w) = next {
                w.wake();
            }
            this.done = true;
            return Poll::Ready(AdaptivePermit {
                limit: this.limit.clone(),
                epoch,
            });
        }
        state.waiting.wait(&mut this.ticket, cx.waker());
        Poll::Pending
    }
}

impl Drop for AdaptiveAcquire {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some(ticket) = self.ticket {
            let waker = {
                let mut state = self.limit.inner.borrow_mut();
                state.waiting.remove(ticket);
                state.wake_next()
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_grows_by_one_per_success_while_binding() {
        let limit = AdaptiveLimit::new(1, 10);
        let first = futures::executor::block_on(limit.acquire());
        assert!(limit.is_full());
        assert_eq!(limit.on_success(), Some(2));
        drop(first);
        // Nothing waits and a permit is free: the limit is not binding, so it stays.
        assert_eq!(limit.on_success(), None);
        assert_eq!(limit.limit(), 2);
    }

    #[test]
    fn an_overload_cuts_once_per_epoch_and_pauses_new_calls() {
        use futures::FutureExt;
        let limit = AdaptiveLimit::new(1, 10);
        let mut permits = Vec::new();
        for _ in 0..4 {
            permits.push(limit.acquire().now_or_never().expect("a free permit"));
            limit.on_success();
        }
        assert_eq!(limit.limit(), 5);
        assert_eq!(limit.on_overload(0, 100.0, Some(1000.0)), Some(3));
        // A second 429 of a call sent under the old limit does not cut again.
        assert_eq!(limit.on_overload(0, 150.0, None), None);
        assert_eq!(limit.paused_until(500.0), Some(1100.0));
        assert_eq!(limit.paused_until(1200.0), None);
        assert_eq!(limit.epoch(), 1);
        drop(permits);
    }
}
