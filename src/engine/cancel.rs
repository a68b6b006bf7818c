//! [`CancelToken`]: a run-wide or group-wide "stop now" signal that futures can await.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

/// Why something was cancelled.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CancelReason {
    /// The person pressed Cancel (or Esc).
    RunCancelled,
    /// Fail-fast: another call of the group failed.
    FailFast { failed_lane: usize },
    /// A pattern (racing, hedging): another copy of the same request finished first and its
    /// answer is used; this one's partial text is kept.
    Superseded { winner_lane: usize },
}

impl CancelReason {
    /// The reason in words.
    pub fn sentence(&self) -> String {
        match self {
            CancelReason::RunCancelled => "cancelled by you".into(),
            CancelReason::FailFast { .. } => {
                "cancelled because another call failed (fail fast)".into()
            }
            CancelReason::Superseded { .. } => {
                "cancelled because another copy finished first (its answer is used; this partial text is kept)".into()
            }
        }
    }
}

/// A cancellation signal shared by clones; a child token is cancelled with its parent.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Rc<RefCell<CancelState>>,
}

#[derive(Default)]
struct CancelState {
    reason: Option<CancelReason>,
    wakers: Vec<Waker>,
    children: Vec<Weak<RefCell<CancelState>>>,
}

impl CancelToken {
    /// A token nobody has cancelled yet.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// A token cancelled when this one is (but not the other way round).
    pub fn child(&self) -> CancelToken {
        let child = CancelToken::new();
        let reason = self.inner.borrow().reason.clone();
        match reason {
            Some(reason) => child.cancel(reason),
            None => self
                .inner
                .borrow_mut()
                .children
                .push(Rc::downgrade(&child.inner)),
        }
        child
    }

    /// Cancels this token and its children; the first reason given wins.
    pub fn cancel(&self, reason: CancelReason) {
        let (wakers, children) = {
            let mut state = self.inner.borrow_mut();
            if state.reason.is_some() {
                return;
            }
            state.reason = Some(reason.clone());
            (
                std::mem::take(&mut state.wakers),
                std::mem::take(&mut state.children),
            )
        };
        for waker in wakers {
            waker.wake();
        }
        for child in children.iter().filter_map(Weak::upgrade) {
            CancelToken { inner: child }.cancel(reason.clone());
        }
    }

    /// The reason, once cancelled.
    pub fn reason(&self) -> Option<CancelReason> {
        self.inner.borrow().reason.clone()
    }

    /// Whether the token has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.inner.borrow().reason.is_some()
    }

    /// Completes with the reason when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            token: self.clone(),
        }
    }
}

/// The future returned by [`CancelToken::cancelled`].
pub struct Cancelled {
    token: CancelToken,
}

impl Future for Cancelled {
    type Output = CancelReason;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<CancelReason> {
        let mut state = self.token.inner.borrow_mut();
        match &state.reason {
            Some(reason) => Poll::Ready(reason.clone()),
            None => {
                if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    state.wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_a_parent_cancels_its_children_but_not_siblings_upward() {
        let run = CancelToken::new();
        let group = run.child();
        let other = run.child();
        group.cancel(CancelReason::FailFast { failed_lane: 2 });
        assert!(group.is_cancelled());
        assert!(!run.is_cancelled());
        assert!(!other.is_cancelled());
        run.cancel(CancelReason::RunCancelled);
        assert_eq!(other.reason(), Some(CancelReason::RunCancelled));
        // The first reason wins.
        assert_eq!(
            group.reason(),
            Some(CancelReason::FailFast { failed_lane: 2 })
        );
    }

    #[test]
    fn a_child_of_a_cancelled_token_starts_cancelled() {
        let run = CancelToken::new();
        run.cancel(CancelReason::RunCancelled);
        assert!(run.child().is_cancelled());
    }
}
