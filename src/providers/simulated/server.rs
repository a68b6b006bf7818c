//! The simulated server's capacity, so limits show offline: `max_concurrent` (a request that
//! finds that many in flight is refused with 429 and `retry-after: 1`, like a provider's
//! concurrency limit) and `slots` (at most that many generate at once; the rest wait inside the
//! server before their first token, like `llama-server --parallel N`).

use crate::engine::{Permit, Semaphore};
use crate::providers::{ApiErrorKind, ProviderError};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::rc::Rc;

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
    slots: Option<Semaphore>,
    max_concurrent: Option<usize>,
}

/// A request inside the server: counted in flight, and holding its slot once it has one.
pub(super) struct InServer {
    in_flight: Rc<Cell<usize>>,
    slot: Option<Permit>,
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
            slots: capacity.slots.map(Semaphore::new),
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
            slot: None,
        })
    }

    /// Waits for a free slot (at once when the server has no slot limit); returns whether the
    /// request had to wait.
    pub(super) async fn take_slot(&self, request: &mut InServer) -> bool {
        let Some(slots) = &self.slots else {
            return false;
        };
        let waits = slots.available() == 0;
        request.slot = Some(slots.acquire().await);
        waits
    }
}
