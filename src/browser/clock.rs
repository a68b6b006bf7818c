//! [`BrowserClock`]: `performance.now()` and `setTimeout`, cancelled on drop.

use crate::base::Clock;
use futures::channel::oneshot;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The browser's clock: high-resolution "now", and timers that are cleared when dropped.
#[derive(Clone, Default)]
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()> {
        Box::pin(Sleep::new(ms))
    }
}

/// A `setTimeout` as a future.
struct Sleep {
    handle: Option<i32>,
    done: oneshot::Receiver<()>,
    // Kept alive until the timer fires or is cleared.
    _callback: Option<Closure<dyn FnMut()>>,
}

impl Sleep {
    fn new(ms: f64) -> Sleep {
        let (tx, rx) = oneshot::channel();
        let mut tx = Some(tx);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        });
        let handle = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms.max(0.0).min(i32::MAX as f64) as i32,
            )
            .ok()
        });
        Sleep {
            handle,
            done: rx,
            _callback: Some(callback),
        }
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.handle.is_none() {
            // No timer could be set (no window): do not hang forever.
            return Poll::Ready(());
        }
        match self.done.poll_unpin(cx) {
            Poll::Ready(_) => {
                self.handle = None;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(handle), Some(window)) = (self.handle, web_sys::window()) {
            window.clear_timeout_with_handle(handle);
        }
    }
}
