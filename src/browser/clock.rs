//! [`BrowserClock`]: `performance.now()`, and sleeps that share one `setTimeout`.
//!
//! A thousand streaming calls sleep between their chunks; one `setTimeout` (and one JS closure)
//! per sleep would cost more than the calls themselves. Sleepers are kept instead in one queue
//! ordered by deadline, and a single timer is armed for the earliest: when it fires it wakes
//! every sleeper that is due and re-arms itself for the next. A dropped sleep leaves the queue
//! at once, so it never fires. (No crate does this for the browser's event loop without pulling
//! in a runtime; the queue is a `BTreeMap` and a few lines.)

use crate::base::Clock;
use futures::future::LocalBoxFuture;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The browser's clock: high-resolution "now", and timers that are cleared when dropped.
#[derive(Clone, Default)]
pub struct BrowserClock;

thread_local! {
    /// `window.performance`, looked up once: each look-up is a few calls into JS, and "now" is
    /// read several times for every call a batch starts.
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|w| w.performance());
}

fn now_ms() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()> {
        Box::pin(Sleep {
            deadline_ms: now_ms() + ms.max(0.0),
            key: None,
        })
    }

    fn give_way(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(super::give_way::GiveWay::default())
    }
}

/// A sleeper's place in the queue: its deadline in microseconds, then a unique number.
type Key = (u64, u64);

/// Every pending sleep of the page, and the one timer armed for the earliest.
struct TimerQueue {
    sleepers: BTreeMap<Key, Waker>,
    next_id: u64,
    /// The armed `setTimeout` and the deadline it was armed for.
    armed: Option<(i32, u64)>,
    /// The timer's callback, made once.
    callback: Option<Closure<dyn FnMut()>>,
}

thread_local! {
    static QUEUE: RefCell<TimerQueue> = const {
        RefCell::new(TimerQueue { sleepers: BTreeMap::new(), next_id: 0, armed: None, callback: None })
    };
}

fn micros(ms: f64) -> u64 {
    (ms.max(0.0) * 1000.0).ceil() as u64
}

impl TimerQueue {
    /// Makes sure a timer fires no later than the earliest deadline.
    fn arm(&mut self) {
        let Some(&(earliest, _)) = self.sleepers.keys().next() else {
            return;
        };
        if self.armed.is_some_and(|(_, at)| at <= earliest) {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some((handle, _)) = self.armed.take() {
            window.clear_timeout_with_handle(handle);
        }
        let callback = self
            .callback
            .get_or_insert_with(|| Closure::<dyn FnMut()>::new(fire));
        let delay = ((earliest as f64 / 1000.0) - now_ms()).max(0.0).ceil();
        if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            delay.min(i32::MAX as f64) as i32,
        ) {
            self.armed = Some((handle, earliest));
        }
    }
}

/// The timer fired: wake every sleeper that is due, then arm for the next.
fn fire() {
    let due: Vec<Waker> = QUEUE.with_borrow_mut(|queue| {
        queue.armed = None;
        let now = (now_ms() * 1000.0).floor() as u64;
        let later = queue.sleepers.split_off(&(now.saturating_add(1), 0));
        let due = std::mem::replace(&mut queue.sleepers, later);
        queue.arm();
        due.into_values().collect()
    });
    // Woken outside the borrow: a waker may poll a future that sleeps again.
    for waker in due {
        waker.wake();
    }
}

/// A sleep until `deadline_ms`, registered in the queue while it is polled and pending.
struct Sleep {
    deadline_ms: f64,
    key: Option<Key>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if now_ms() >= self.deadline_ms || PERFORMANCE.with(Option::is_none) {
            // Due (or no timer could ever be set: do not hang forever).
            self.leave_queue();
            return Poll::Ready(());
        }
        let deadline = micros(self.deadline_ms);
        let key = self.key;
        let key = QUEUE.with_borrow_mut(|queue| {
            let key = key.unwrap_or_else(|| {
                queue.next_id += 1;
                (deadline, queue.next_id)
            });
            queue.sleepers.insert(key, cx.waker().clone());
            queue.arm();
            key
        });
        self.key = Some(key);
        Poll::Pending
    }
}

impl Sleep {
    fn leave_queue(&mut self) {
        if let Some(key) = self.key.take() {
            QUEUE.with_borrow_mut(|queue| queue.sleepers.remove(&key));
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.leave_queue();
    }
}
