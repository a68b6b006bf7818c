//! The engine: run plans in, timestamped events out.
//!
//! Pure Rust with no browser in sight: time comes from a [`Clock`] (the browser's
//! `performance.now` and timers, or [`VirtualClock`] in tests), answers from a
//! [`Provider`](crate::providers::Provider). The page only folds the events ([`RunView`],
//! [`RunFigures`], [`log_line`]).
//!
//! ```
//! use parallel_playground::engine::*;
//! use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
//! use std::{cell::RefCell, rc::Rc};
//!
//! let clock = VirtualClock::new();
//! let provider = SimulatedProvider::new(Rc::new(clock.clone()), SimulationSettings::default());
//! let events = Rc::new(RefCell::new(Vec::new()));
//! let sink = events.clone();
//! let env = RunEnv {
//!     clock: Rc::new(clock.clone()),
//!     provider: Rc::new(provider),
//!     sink: Rc::new(move |e| sink.borrow_mut().push(e)),
//!     jitter_seed: 1,
//! };
//! let plan = RunPlan {
//!     questions: vec!["What is Rust?".into(), "What is wasm?".into()],
//!     mode: RunMode::Compare,
//!     ..RunPlan::default()
//! };
//! let report = run_virtual(&clock, async move { run(&plan, env, CancelToken::new()).await })
//!     .expect("the run ends");
//! let figures = RunFigures::compute(&RunView::from_events(events.borrow().iter()), 0.0);
//! assert!(figures.speedup.expect("both ran") > 1.0);
//! assert_eq!(report.groups.len(), 2);
//! ```

mod adaptive;
mod admission;
mod budget;
mod call;
mod cancel;
mod event;
mod export;
mod figures;
mod honest;
mod log;
mod plan;
mod pricing;
mod retry;
mod scheduler;
mod semaphore;
mod synthesis;
mod timeline;
mod variants;
mod waves;

pub use adaptive::{AdaptiveLimit, AdaptivePermit, DECREASE, INITIAL_LIMIT, PROBE_DAMPING};
pub use admission::{run_admitted_call, CallAdmission, Ticket};
pub use budget::{reserved_tokens, ClientLimits, QueueReason, RateBudgets, TokenBucket};
pub use call::{run_call, CallContext, CallResult};
pub use cancel::{CancelReason, CancelToken};
pub use event::{
    Emitter, Event, EventKind, EventSink, Group, LaneId, LaneInfo, LaneKind, Outcome, Variant,
};
pub use export::{LaneExport, RunExport, EXPORT_APP, EXPORT_FORMAT};
pub use figures::{ideal_speedup, makespan, AgentFigures, GroupFigures, RunFigures};
pub use honest::{speedup_withheld, token_estimates, TokenEstimate};
pub use log::{log_line, LogLine, LogTone};
pub use plan::{fill_topic, CompareTiming, FailurePolicy, RunKind, RunMode, RunPlan};
pub use pricing::{
    cache_multipliers, cost_usd, price_of, usage_cost_at, usage_cost_usd, usage_cost_with,
    CacheMultipliers, Price, CACHE_READ_MULTIPLIER, CACHE_WRITE_MULTIPLIER,
};
pub use retry::RetryPolicy;
pub use scheduler::{run, GroupReport, RunEnv, RunReport};
pub use semaphore::{Acquire, Permit, Semaphore};
pub use synthesis::{synthesis_prompt, ResearchOutcome, SynthesisSkip};

// The leaf primitives and the synthesis headings, where callers above the engine have always
// found them; they are defined in `base` and `wire`.
pub use crate::base::{
    parse_http_date_ms, parse_retry_after, run_virtual, stable_hash, Clock, SplitMix64,
    VirtualClock,
};
pub use crate::wire::model::{ANSWER_HEADING, MISSING_HEADING};
pub use timeline::{timeline_rows, LaneStatus, LaneView, Phase, RunView, TimelineRow};
pub use variants::{
    answer_group, run_variants, variant_figures, VariantReport, VariantRun, VariantTiming,
};
pub use waves::{detect_waves, CallTimes, Waves};
