//! The browser side of the core's traits: time from `performance.now` and `setTimeout`, and
//! small helpers around page APIs. Everything here is wasm-only.

mod clock;
mod give_way;
pub mod page;

pub use clock::BrowserClock;
