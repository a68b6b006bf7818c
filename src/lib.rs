//! Parallel Playground: learn and experiment with parallel LLM calls.
//!
//! The crate is a pure core that compiles natively and to wasm, and a thin browser shell:
//!
//! - [`engine`]: run plans, scheduling (sequential, parallel, limited), policies, events, figures.
//! - [`agent`]: the tool-using agent loop, parallel tool dispatch, handoffs, agents as tools.
//! - [`wire`]: Anthropic and OpenAI wire formats and the incremental SSE decoder.
//! - [`providers`]: the provider interface, the simulated model, and (in the browser) HTTP providers.
//! - [`workspace`]: the person's set-up, presets, saving and share links.
//! - `ui` (wasm only): Leptos components that fold engine events into the page.

pub mod agent;
pub mod base;
pub mod batch;
pub mod codegen;
pub mod engine;
pub mod explain;
pub mod layout;
pub mod lesson;
pub mod markdown;
pub mod network;
pub mod providers;
pub mod wire;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod ui;
