//! The browser side of the core's traits: time from `performance.now` and `setTimeout`, and
//! small helpers around `web-sys`. Everything here is wasm-only.

mod clock;

pub use clock::BrowserClock;

/// The page's `window`, when there is one.
pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}
