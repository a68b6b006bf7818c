//! Time for the engine: a [`Clock`] trait, and [`VirtualClock`] with [`run_virtual`] so that
//! native tests and benchmarks run schedules exactly and instantly.
//!
//! ```
//! use parallel_playground::engine::{run_virtual, Clock, VirtualClock};
//! let clock = VirtualClock::new();
//! let c = clock.clone();
//! let elapsed = run_virtual(&clock, async move {
//!     c.sleep(5_000.0).await;
//!     c.now_ms()
//! });
//! assert_eq!(elapsed, Some(5_000.0));
//! ```

use futures::executor::LocalPool;
use futures::future::LocalBoxFuture;
use futures::task::LocalSpawnExt;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A source of time: "now" in milliseconds, and sleeping.
pub trait Clock {
    /// Milliseconds since an arbitrary, fixed origin.
    fn now_ms(&self) -> f64;
    /// A future that completes after `ms` milliseconds. Dropping it cancels the timer.
    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()>;
    /// Gives way to the host before heavier work: a browser gets its thread back (a task of its
    /// own, shared by a few dozen callers), so a thousand calls composing their answers at once
    /// are not one long task; elsewhere the batch yields once, together ([`YieldNow`]).
    ///
    /// [`YieldNow`]: super::YieldNow
    fn give_way(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(super::YieldNow::default())
    }
}

/// Time that only moves when every task is waiting: the executor in [`run_virtual`] jumps it to
/// the next timer. Schedules become exact (a 5 s call ends at exactly 5000 ms) and take no time.
#[derive(Clone, Default)]
pub struct VirtualClock {
    state: Rc<RefCell<VirtualState>>,
}

#[derive(Default)]
struct VirtualState {
    now: f64,
    next_id: u64,
    /// Pending timers by (deadline, id), so equal deadlines fire in the order they were set.
    timers: BTreeMap<(Deadline, u64), Option<Waker>>,
}

/// An `f64` deadline with a total order (deadlines are never NaN).
#[derive(Clone, Copy, PartialEq, Debug)]
struct Deadline(f64);
impl Eq for Deadline {}
impl PartialOrd for Deadline {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Deadline {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl VirtualClock {
    /// A clock at time zero.
    pub fn new() -> VirtualClock {
        VirtualClock::default()
    }

    /// Moves time to the earliest pending timer and wakes every timer due then.
    /// Returns false when no timer is pending.
    pub fn advance_to_next_timer(&self) -> bool {
        let mut state = self.state.borrow_mut();
        let Some((&(deadline, _), _)) = state.timers.iter().next() else {
            return false;
        };
        state.now = state.now.max(deadline.0);
        let now = state.now;
        let mut wakers = Vec::new();
        while let Some((&(d, id), _)) = state.timers.iter().next() {
            if d.0 > now {
                break;
            }
            if let Some(Some(waker)) = state.timers.remove(&(d, id)) {
                wakers.push(waker);
            }
        }
        drop(state);
        for waker in wakers {
            waker.wake();
        }
        true
    }
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> f64 {
        self.state.borrow().now
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()> {
        let mut state = self.state.borrow_mut();
        let deadline = Deadline(state.now + ms.max(0.0));
        let id = state.next_id;
        state.next_id += 1;
        drop(state);
        Box::pin(VirtualSleep {
            clock: self.clone(),
            id,
            deadline,
        })
    }
}

struct VirtualSleep {
    clock: VirtualClock,
    id: u64,
    deadline: Deadline,
}

impl Future for VirtualSleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.clock.state.borrow_mut();
        if state.now >= self.deadline.0 {
            state.timers.remove(&(self.deadline, self.id));
            return Poll::Ready(());
        }
        state
            .timers
            .insert((self.deadline, self.id), Some(cx.waker().clone()));
        Poll::Pending
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        let mut state = self.clock.state.borrow_mut();
        state.timers.remove(&(self.deadline, self.id));
    }
}

/// Runs `future` to completion on a single-threaded executor driven by `clock`: whenever every
/// task is waiting, time jumps to the next timer. Returns `None` if the future can never finish
/// (it waits for something that is not a timer).
pub fn run_virtual<T: 'static>(
    clock: &VirtualClock,
    future: impl Future<Output = T> + 'static,
) -> Option<T> {
    let mut pool = LocalPool::new();
    let output = Rc::new(RefCell::new(None));
    let slot = output.clone();
    pool.spawner()
        .spawn_local(async move {
            let value = future.await;
            *slot.borrow_mut() = Some(value);
        })
        .ok()?;
    loop {
        pool.run_until_stalled();
        if let Some(value) = output.borrow_mut().take() {
            return Some(value);
        }
        if !clock.advance_to_next_timer() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::future::join;

    #[test]
    fn concurrent_sleeps_overlap_and_sequential_sleeps_add() {
        let clock = VirtualClock::new();
        let c = clock.clone();
        let (parallel, sequential) = run_virtual(&clock, async move {
            let start = c.now_ms();
            join(c.sleep(5000.0), c.sleep(4000.0)).await;
            let parallel = c.now_ms() - start;
            let start = c.now_ms();
            c.sleep(5000.0).await;
            c.sleep(4000.0).await;
            (parallel, c.now_ms() - start)
        })
        .expect("finishes");
        assert_eq!(parallel, 5000.0);
        assert_eq!(sequential, 9000.0);
    }

    #[test]
    fn a_dropped_sleep_does_not_move_time() {
        let clock = VirtualClock::new();
        let c = clock.clone();
        let now = run_virtual(&clock, async move {
            drop(c.sleep(10_000.0));
            c.sleep(1.0).await;
            c.now_ms()
        });
        assert_eq!(now, Some(1.0));
    }

    #[test]
    fn a_future_that_never_wakes_is_reported() {
        let clock = VirtualClock::new();
        assert_eq!(run_virtual(&clock, futures::future::pending::<()>()), None);
    }
}
