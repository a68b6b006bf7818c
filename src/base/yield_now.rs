//! [`YieldNow`]: gives way once, and a whole batch of calls gives way together.
//!
//! The engine awaits it right after it stamps a call's start, so that every call of a batch
//! started in one tick is stamped before any of them composes or sends its request (and it is
//! [`Clock::give_way`] where the host has no thread to hand back: native runs, virtual time). A
//! plain "wake myself and return pending" would do that, but `FuturesUnordered` (inside
//! `join_all` above 30 futures) reads two self-woken futures as a request to hand the thread
//! back: a batch of 1,000 calls then took 500 trips through the executor (and the page's
//! microtask queue) before its last call was started, and the launch skew grew with N.
//!
//! So only the first call to yield wakes itself (the *leader*); every call that yields while a
//! leader is waiting leaves its waker with it, and the leader wakes them all when it is polled
//! again (after every other task that was ready) — or when it is dropped, so that nobody is left
//! waiting. The executor sees one self-woken future per batch.
//!
//! [`Clock::give_way`]: super::Clock::give_way

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The yields of the current batch.
#[derive(Default)]
struct Batch {
    /// Whether a leader waits to be polled again.
    leader: bool,
    /// The wakers of the others that yielded since.
    followers: Vec<Waker>,
}

thread_local! {
    static BATCH: RefCell<Batch> = RefCell::new(Batch::default());
}

#[derive(Default, Clone, Copy, PartialEq, Debug)]
enum Role {
    #[default]
    Fresh,
    Leader,
    Follower,
    Done,
}

/// Gives way once: completes when polled again after its first poll.
#[derive(Default)]
pub struct YieldNow(Role);

impl YieldNow {
    /// Ends the batch this leader leads: its followers may run.
    fn release(&mut self) {
        if self.0 == Role::Leader {
            let followers = BATCH.with_borrow_mut(|batch| {
                batch.leader = false;
                std::mem::take(&mut batch.followers)
            });
            // Woken outside the borrow: a waker may poll a future that yields again.
            for waker in followers {
                waker.wake();
            }
        }
        self.0 = Role::Done;
    }
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.0 {
            Role::Fresh => {
                let leads = BATCH.with_borrow_mut(|batch| {
                    if batch.leader {
                        batch.followers.push(cx.waker().clone());
                        false
                    } else {
                        batch.leader = true;
                        true
                    }
                });
                if leads {
                    self.0 = Role::Leader;
                    cx.waker().wake_by_ref();
                } else {
                    self.0 = Role::Follower;
                }
                Poll::Pending
            }
            // A follower polled before its leader woke it (another branch of its task woke it)
            // has still given way once; the leader's later wake is then a harmless extra poll.
            Role::Leader | Role::Follower | Role::Done => {
                self.release();
                Poll::Ready(())
            }
        }
    }
}

impl Drop for YieldNow {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::future::join_all;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    /// Polls `future` to its end on this thread, counting the polls of the outermost future.
    fn run_counting<F: Future>(future: F) -> (F::Output, usize) {
        let polls = Rc::new(Cell::new(0));
        let counted = {
            let polls = polls.clone();
            let mut future = Box::pin(future);
            futures::future::poll_fn(move |cx| {
                polls.set(polls.get() + 1);
                future.as_mut().poll(cx)
            })
        };
        let out = futures::executor::block_on(counted);
        (out, polls.get())
    }

    #[test]
    fn a_large_batch_is_started_in_one_pass_before_any_call_goes_on() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let calls = (0..1000).map(|i| {
            let log = log.clone();
            async move {
                log.borrow_mut().push(("start", i));
                YieldNow::default().await;
                log.borrow_mut().push(("work", i));
                i
            }
        });
        let (out, polls) = run_counting(join_all(calls));
        assert_eq!(out, (0..1000).collect::<Vec<_>>());
        let log = log.borrow();
        let first_work = log.iter().position(|(what, _)| *what == "work");
        assert_eq!(
            first_work,
            Some(1000),
            "every call starts before any goes on"
        );
        // One pass starts them all, one more lets them all go on (a self-woken future per
        // batch); the old yield took a pass for every two calls.
        assert!(polls <= 4, "{polls} passes through the executor");
        assert!(BATCH.with_borrow(|b| !b.leader && b.followers.is_empty()));
    }

    #[test]
    fn a_dropped_leader_lets_its_followers_go_on() {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut leader = Box::pin(YieldNow::default());
        let mut follower = Box::pin(YieldNow::default());
        assert!(leader.as_mut().poll(&mut cx).is_pending());
        assert!(follower.as_mut().poll(&mut cx).is_pending());
        assert_eq!(follower.0, Role::Follower);
        drop(leader);
        assert!(BATCH.with_borrow(|b| !b.leader && b.followers.is_empty()));
        assert!(follower.as_mut().poll(&mut cx).is_ready());
        // The next yield leads a batch of its own.
        let mut next = Box::pin(YieldNow::default());
        assert!(next.as_mut().poll(&mut cx).is_pending());
        assert_eq!(next.0, Role::Leader);
        assert!(next.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn a_single_call_gives_way_once() {
        let (_, polls) = run_counting(async {
            YieldNow::default().await;
        });
        assert_eq!(polls, 2);
    }
}
