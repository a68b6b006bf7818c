//! Leaf primitives that depend on nothing else in the crate: time ([`Clock`], [`VirtualClock`]),
//! the jitter and simulation random source ([`SplitMix64`]), reading the delay a server asks for
//! ([`parse_retry_after`]), durations as text ([`seconds_text`]), and a batch's one shared
//! turn to give way ([`YieldNow`]).
//!
//! Every other module may use these; they use none of them (see `tests/layers.rs`).

mod clock;
mod headers;
mod rng;
mod text;
mod yield_now;

pub use clock::{run_virtual, Clock, VirtualClock};
pub use headers::{parse_http_date_ms, parse_retry_after};
pub use rng::{stable_hash, SplitMix64};
pub use text::seconds_text;
pub use yield_now::YieldNow;
