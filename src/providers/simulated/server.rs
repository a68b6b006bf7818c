//! The simulated server's capacity, so limits show offline: `max_concurrent` (a request that
//! finds that many in flight is refused with 429 and `retry-after: 1`, like a provider's
//! concurrency limit) and `slots` (at most that many generate at once; the rest wait inside the
//! server before their first token, like `llama-server --parallel N`).

use crate::providers::{ApiErrorKind, ProviderError};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// How much the simulated server takes at once; `None` is no limit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerCapacity {
    /// Requests in flight beyond this get a 429.
    pub max_concurrent: Option<usize>,
    /// At most this many generate at once; the others wait before their first token.
    pub slots: Option<usize>,
}

/// What the server tracks: requests in flight and its slots (shared by clones of a provider).
pub(super) struct ServerState {
    in_flight: Rc<Cell<usize>>,
    slots: Option<Rc<Slots>>,
    max_concurrent: Option<usize>,
}

/// The server's slots, handed out first-come, first-served. (The engine's semaphore is a layer
/// above the providers, and a simulated server needs only this much of one.)
struct Slots {
    free: Cell<usize>,
    next_ticket: Cell<u64>,
    waiting: RefCell<VecDeque<(u64, Option<Waker>)>>,
}

/// A held slot; dropping it frees the slot for the next in line.
struct Slot(Rc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        let slots = &self.0;
        slots.free.set(slots.free.get() + 1);
        if let Some((_, Some(waker))) = slots
            .waiting
            .borrow_mut()
            .front_mut()
            .map(|(t, w)| (*t, w.take()))
        {
            waker.wake();
        }
    }
}

/// Leaves the line when the waiting request goes away (the client gave up).
struct InLine<'a>(&'a Slots, u64);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        let mut waiting = self.0.waiting.borrow_mut();
        waiting.retain(|(t, _)| *t != self.1);
        if self.0.free.get() > 0 {
            if let Some(waker) = waiting.front_mut().and_then(|(_, w)| w.take()) {
                waker.wake();
            }
        }
    }
}

impl Slots {
    async fn take(self: &Rc<Self>) -> Slot {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket + 1);
        self.waiting.borrow_mut().push_back((ticket, None));
        let _in_line = InLine(self, ticket);
        std::future::poll_fn(|cx| {
            let mut waiting = self.waiting.borrow_mut();
            let first = waiting.front().map(|(t, _)| *t) == Some(ticket);
            if first && self.free.get() > 0 {
                self.free.set(self.free.get() - 1);
                waiting.pop_front();
                // Several slots may have freed at once: let the next one look too.
                if self.free.get() > 0 {
                    if let Some(waker) = waiting.front_mut().and_then(|(_, w)| w.take()) {
                        waker.wake();
                    }
                }
                return Poll::Ready(());
            }
            if let Some(entry) = waiting.iter_mut().find(|(t, _)| *t == ticket) {
                entry.1 = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
        Slot(self.clone())
    }
}

/// A request inside the server: counted in flight, and holding its slot once it has one.
pub(super) struct InServer {
    in_flight: Rc<Cell<usize>>,
    _slot: Option<Slot>,
}

impl Drop for InServer {
    fn drop(&mut self) {
        self.in_flight.set(self.in_flight.get().saturating_sub(1));
    }
}

impl ServerState {
    pub(super) fn new(capacity: &ServerCapacity) -> ServerState {
        ServerState {
            in_flight: Rc::new(Cell::new(0)),
            slots: capacity.slots.map(|k| {
                Rc::new(Slots {
                    free: Cell::new(k.max(1)),
                    next_ticket: Cell::new(0),
                    waiting: RefCell::new(VecDeque::new()),
                })
            }),
            max_concurrent: capacity.max_concurrent,
        }
    }

    /// Takes a request in, or refuses it when `max_concurrent` are already in flight.
    pub(super) fn arrive(&self) -> Result<InServer, ProviderError> {
        if self
            .max_concurrent
            .is_some_and(|k| self.in_flight.get() >= k.max(1))
        {
            return Err(ProviderError::Http {
                status: 429,
                kind: ApiErrorKind::RateLimit,
                message: "simulated server: too many requests at once".into(),
                retry_after_ms: Some(1000.0),
                should_retry: None,
                request_id: None,
            });
        }
        self.in_flight.set(self.in_flight.get() + 1);
        Ok(InServer {
            in_flight: self.in_flight.clone(),
            _slot: None,
        })
    }

    /// Waits for a free slot (at once when the server has no slot limit); returns whether the
    /// request had to wait.
    pub(super) async fn take_slot(&self, request: &mut InServer) -> bool {
        let Some(slots) = &self.slots else {
            return false;
        };
        let waits = slots.free.get() == 0 || !slots.waiting.borrow().is_empty();
        request._slot = Some(slots.take().await);
        waits
    }
}
