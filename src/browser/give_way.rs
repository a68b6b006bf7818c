//! [`GiveWay`]: hands the page's thread back to the browser, a few dozen callers at a time.
//!
//! The calls of a batch start in one task, and their heavier work (the simulated model composing
//! a thousand answers) would follow in that same task: microtasks run before the browser may
//! paint, so it became one task of 40 ms or more. Each `GiveWay` instead waits in one queue, and
//! a message on a `MessageChannel` — a task of its own, which, unlike a nested `setTimeout`, the
//! browser never delays by 4 ms — lets the next [`PER_TASK`] of them go on, then posts again for
//! the rest. The browser can paint between two such tasks. Order is kept: first come, first on.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How many waiting callers one task lets go on (a simulated answer takes ~40 µs to compose).
const PER_TASK: usize = 64;

/// A caller's place in the queue: set to `true` when its turn has come.
type Turn = Rc<RefCell<(bool, Option<Waker>)>>;

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Turn>,
    /// Whether a message is on its way.
    posted: bool,
    /// The channel and its handler, made once.
    channel: Option<(web_sys::MessageChannel, Closure<dyn FnMut()>)>,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

impl Queue {
    /// Posts the message that lets the next callers go on, unless one is on its way. `false`
    /// when the browser has no channel to offer.
    fn post(&mut self) -> bool {
        if self.posted {
            return true;
        }
        if self.channel.is_none() {
            let Ok(channel) = web_sys::MessageChannel::new() else {
                return false;
            };
            let handler = Closure::<dyn FnMut()>::new(next_turns);
            channel
                .port1()
                .set_onmessage(Some(handler.as_ref().unchecked_ref()));
            self.channel = Some((channel, handler));
        }
        let Some((channel, _)) = &self.channel else {
            return false;
        };
        self.posted = channel.port2().post_message(&JsValue::NULL).is_ok();
        self.posted
    }
}

/// A message arrived: the next [`PER_TASK`] callers go on, and a message is posted for the rest.
fn next_turns() {
    let turns: Vec<Turn> = QUEUE.with_borrow_mut(|queue| {
        queue.posted = false;
        let count = queue.waiting.len().min(PER_TASK);
        let turns = queue.waiting.drain(..count).collect();
        if !queue.waiting.is_empty() {
            queue.post();
        }
        turns
    });
    // Woken outside the borrow: a woken caller may give way again.
    for turn in turns {
        let waker = {
            let mut turn = turn.borrow_mut();
            turn.0 = true;
            turn.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Completes once its turn has come in a task of its own (at once if the page has no channel).
#[derive(Default)]
pub struct GiveWay(Option<Turn>);

impl Future for GiveWay {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.0 {
            Some(turn) => {
                let mut turn = turn.borrow_mut();
                if turn.0 {
                    return Poll::Ready(());
                }
                turn.1 = Some(cx.waker().clone());
                Poll::Pending
            }
            None => {
                let turn: Turn = Rc::new(RefCell::new((false, Some(cx.waker().clone()))));
                let queued = QUEUE.with_borrow_mut(|queue| {
                    queue.waiting.push_back(turn.clone());
                    queue.post()
                });
                if !queued {
                    QUEUE.with_borrow_mut(|queue| queue.waiting.retain(|t| !Rc::ptr_eq(t, &turn)));
                    return Poll::Ready(());
                }
                self.0 = Some(turn);
                Poll::Pending
            }
        }
    }
}
