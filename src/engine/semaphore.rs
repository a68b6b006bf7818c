//! [`Semaphore`]: a first-in, first-out concurrency limit for single-threaded futures.
//!
//! Calls that wait for a permit are *queued*; they get permits in the order they asked, so with
//! a limit of 2 the third question starts when the first permit frees, the fourth next, and so on.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A counting semaphore with FIFO fairness.
#[derive(Clone)]
pub struct Semaphore {
    inner: Rc<RefCell<SemaphoreState>>,
}

struct SemaphoreState {
    available: usize,
    waiting: WaitQueue,
}

/// Waiters in arrival order, each with a ticket: the first-in, first-out part of
/// [`Semaphore`] and of the adaptive limit.
#[derive(Default)]
pub(super) struct WaitQueue {
    next_ticket: u64,
    queue: VecDeque<(u64, Option<Waker>)>,
}

impl WaitQueue {
    pub(super) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether the holder of `ticket` (`None`: not queued yet) is next: first in line, or
    /// nobody waits.
    pub(super) fn is_next(&self, ticket: Option<u64>) -> bool {
        match ticket {
            None => self.queue.is_empty(),
            Some(ticket) => self.queue.front().map(|(t, _)| *t) == Some(ticket),
        }
    }

    /// The holder of `ticket`, who was next, has been served: it leaves the line.
    pub(super) fn served(&mut self, ticket: &mut Option<u64>) {
        if ticket.take().is_some() {
            self.queue.pop_front();
        }
    }

    /// Queues the caller (giving it a ticket) or refreshes the waker it left.
    pub(super) fn wait(&mut self, ticket: &mut Option<u64>, waker: &Waker) {
        match *ticket {
            None => {
                let next = self.next_ticket;
                self.next_ticket += 1;
                self.queue.push_back((next, Some(waker.clone())));
                *ticket = Some(next);
            }
            Some(ticket) => {
                if let Some(entry) = self.queue.iter_mut().find(|(t, _)| *t == ticket) {
                    entry.1 = Some(waker.clone());
                }
            }
        }
    }

    /// Takes the waker of the first in line, to wake it.
    pub(super) fn take_front_waker(&mut self) -> Option<Waker> {
        self.queue.front_mut().and_then(|(_, w)| w.take())
    }

    /// Removes a waiter that gave up; true when it was first in line.
    pub(super) fn remove(&mut self, ticket: u64) -> bool {
        let was_first = self.queue.front().map(|(t, _)| *t) == Some(ticket);
        self.queue.retain(|(t, _)| *t != ticket);
        was_first
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits (at least one).
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: Rc::new(RefCell::new(SemaphoreState {
                available: permits.max(1),
                waiting: WaitQueue::default(),
            })),
        }
    }

    /// Waits for a permit; the permit is given back when the returned [`Permit`] is dropped.
    pub fn acquire(&self) -> Acquire {
        Acquire {
            semaphore: self.clone(),
            ticket: None,
            done: false,
        }
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.inner.borrow().available
    }

    fn release(&self) {
        let waker = {
            let mut state = self.inner.borrow_mut();
            state.available += 1;
            state.waiting.take_front_waker()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The future returned by [`Semaphore::acquire`].
pub struct Acquire {
    semaphore: Semaphore,
    ticket: Option<u64>,
    done: bool,
}

/// A held permit; dropping it frees the permit for the next in line.
pub struct Permit {
    semaphore: Semaphore,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}

impl Future for Acquire {
    type Output = Permit;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        let this = &mut *self;
        let mut state = this.semaphore.inner.borrow_mut();
        if state.waiting.is_next(this.ticket) && state.available > 0 {
            state.available -= 1;
            state.waiting.served(&mut this.ticket);
            // The next in line may be able to go too (several permits freed at once).
            let next = if state.available > 0 {
                state.waiting.take_front_waker()
            } else {
                None
            };
            drop(state);
            if let Some(waker) = next {
                waker.wake();
            }
            this.done = true;
            return Poll::Ready(Permit {
                semaphore: this.semaphore.clone(),
            });
        }
        state.waiting.wait(&mut this.ticket, cx.waker());
        Poll::Pending
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some(ticket) = self.ticket {
            let waker = {
                let mut state = self.semaphore.inner.borrow_mut();
                let was_first = state.waiting.remove(ticket);
                if was_first && state.available > 0 {
                    state.waiting.take_front_waker()
                } else {
                    None
                }
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{run_virtual, Clock, VirtualClock};
    use futures::future::join_all;

    #[test]
    fn permits_go_out_in_arrival_order_and_limit_concurrency() {
        let clock = VirtualClock::new();
        let c = clock.clone();
        let starts = run_virtual(&clock, async move {
            let semaphore = Semaphore::new(2);
            let starts = Rc::new(RefCell::new(Vec::new()));
            join_all((0..5).map(|i| {
                let (semaphore, starts, c) = (semaphore.clone(), starts.clone(), c.clone());
                async move {
                    let _permit = semaphore.acquire().await;
                    starts.borrow_mut().push((i, c.now_ms()));
                    c.sleep(1000.0).await;
                }
            }))
            .await;
            let starts = starts.borrow().clone();
            starts
        })
        .expect("finishes");
        assert_eq!(
            starts,
            vec![(0, 0.0), (1, 0.0), (2, 1000.0), (3, 1000.0), (4, 2000.0)]
        );
    }

    #[test]
    fn a_dropped_waiter_lets_the_next_one_in() {
        let clock = VirtualClock::new();
        let c = clock.clone();
        let order = run_virtual(&clock, async move {
            let semaphore = Semaphore::new(1);
            let held = semaphore.acquire().await;
            let mut gave_up = Box::pin(semaphore.acquire());
            // Register the waiter, then give up on it.
            assert!(futures::poll!(gave_up.as_mut()).is_pending());
            let next = semaphore.acquire();
            drop(gave_up);
            drop(held);
            let _p = next.await;
            c.now_ms()
        });
        assert_eq!(order, Some(0.0));
    }
}
