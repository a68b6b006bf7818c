//! Parallel Playground: learn and experiment with parallel LLM calls.
//!
//! The crate is a pure core that compiles natively and to wasm, and a thin browser shell:
//!
//! - [`base`]: leaf primitives (time, the jitter RNG, retry headers) that use nothing else here.
//! - [`engine`]: run plans, scheduling (sequential, parallel, limited), policies, events, figures.
//! - [`agent`]: the tool-using agent loop, parallel tool dispatch, handoffs, agents as tools.
//! - [`wire`]: the provider-neutral request, events and errors ([`wire::model`]), the Anthropic and
//!   OpenAI wire formats and the incremental SSE decoder.
//! - [`providers`]: the provider interface, the simulated model, and (in the browser) HTTP providers.
//! - [`workspace`]: the person's set-up, presets, saving and share links.
//! - [`experiment`]: rounds of a run, their distributions (percentiles) and the tail, CSV.
//!
//! Layers point one way (`tests/layers.rs`): `base` ← `wire` ← `providers` ← `engine` ← `agent`
//! ← `workspace` … ← `ui`.
//! - `ui` (wasm only): Leptos components that fold engine events into the page.

pub mod agent;
pub mod base;
pub mod batch;
pub mod codegen;
pub mod engine;
pub mod experiment;
pub mod explain;
pub mod explain_limits;
pub mod layout;
pub mod lesson;
pub mod markdown;
pub mod network;
pub mod patterns;
pub mod providers;
pub mod wire;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod ui;
