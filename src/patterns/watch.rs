//! What hedging needs to see of one call while it runs: when it started, and whether its first
//! token has arrived — without reading the page's events.

use crate::providers::{EventStream, ModelRequest, Provider, ProviderEvent};
use futures::StreamExt;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A one-shot flag that futures can wait for.
#[derive(Clone, Default)]
pub struct Flag {
    inner: Rc<FlagState>,
}

#[derive(Default)]
struct FlagState {
    set: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

impl Flag {
    pub fn set(&self) {
        if !self.inner.set.replace(true) {
            for waker in self.inner.wakers.take() {
                waker.wake();
            }
        }
    }

    pub fn is_set(&self) -> bool {
        self.inner.set.get()
    }

    /// Completes once the flag is set.
    pub fn wait(&self) -> FlagWait {
        FlagWait { flag: self.clone() }
    }
}

/// The future of [`Flag::wait`].
pub struct FlagWait {
    flag: Flag,
}

impl Future for FlagWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.flag.is_set() {
            return Poll::Ready(());
        }
        let mut wakers = self.flag.inner.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// A provider that reports, for the calls made through it, when the request went out and when
/// the first token (text or a tool call) came back.
pub struct Watched {
    pub inner: Rc<dyn Provider>,
    pub started: Flag,
    pub first_token: Flag,
}

impl Watched {
    pub fn new(inner: Rc<dyn Provider>) -> Watched {
        Watched {
            inner,
            started: Flag::default(),
            first_token: Flag::default(),
        }
    }
}

impl Provider for Watched {
    fn stream(&self, request: &ModelRequest, attempt: u32) -> EventStream {
        self.started.set();
        let first_token = self.first_token.clone();
        Box::pin(self.inner.stream(request, attempt).inspect(move |item| {
            if matches!(
                item,
                Ok(ProviderEvent::TextDelta { .. } | ProviderEvent::ToolUseStart { .. })
            ) {
                first_token.set();
            }
        }))
    }
}
