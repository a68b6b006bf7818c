//! A mock LLM API for tests: the Anthropic Messages API (`POST /v1/messages`) and
//! OpenAI-compatible Chat Completions (`POST /v1/chat/completions`), close enough to the real
//! ones that the official SDKs accept it, with latency, length and failures scripted per request
//! through the model name (`mock?ttft=500&tps=40`) or a `[[mock key=value]]` directive in the
//! last user message. `GET /__mock/requests` shows what it saw and did.
//!
//! Start one in-process with [`start`]:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = mock_api::start("127.0.0.1:0").await?;
//! println!("API at {}", server.url);
//! # Ok(()) }
//! ```

pub mod anthropic;
pub mod batches;
pub mod batches_anthropic;
pub mod batches_openai;
pub mod batches_outcome;
pub mod behaviour;
pub mod body;
pub mod cache;
pub mod chaos;
pub mod cli;
pub mod control;
pub mod cors;
pub mod faults;
pub mod http;
pub mod log;
pub mod openai;
pub mod ratelimit;
pub mod reply;
pub mod site;
pub mod slots;
pub mod text;
pub mod tools;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::log::RequestLog;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub log: Arc<RequestLog>,
    /// Budgets, requests in flight and slots per key.
    pub limits: Arc<slots::ServerLimits>,
    /// The prompt cache (`cache_control` prefixes, and OpenAI's automatic one).
    pub cache: Arc<cache::PromptCache>,
}

/// The API router (with CORS) over `state`.
pub fn api_router(state: AppState) -> Router {
    Router::new()
        .route("/v1/messages", post(anthropic::messages))
        .route("/v1/chat/completions", post(openai::chat_completions))
        .route("/v1/models", get(control::models))
        .route("/__mock/requests", get(control::requests))
        .route("/__mock/reset", post(control::reset))
        .merge(batches_outcome::router(Arc::clone(&state.log)))
        .layer(axum::middleware::from_fn(cors::cors))
        .with_state(state)
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    /// `http://ADDR`, without a trailing slash.
    pub url: String,
    pub log: Arc<RequestLog>,
    pub task: JoinHandle<()>,
}

/// Binds `addr` (port 0 picks a free port) and serves the API on it in the background.
pub async fn start(addr: &str) -> std::io::Result<Server> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let log = RequestLog::new();
    let router = api_router(AppState {
        log: Arc::clone(&log),
        limits: Arc::default(),
        cache: Arc::default(),
    });
    let task = tokio::spawn(async move {
        // No Nagle delay: small streamed events go out at once, as a real API's would.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("mock-api: server stopped: {e}");
        }
    });
    Ok(Server {
        addr,
        url: format!("http://{addr}"),
        log,
        task,
    })
}

/// Binds `addr` and serves the static directory `dir` on it in the background.
pub async fn start_site(addr: &str, dir: std::path::PathBuf) -> std::io::Result<Server> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let router = site::router(dir).layer(axum::middleware::from_fn(cors::cors));
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("mock-api: site server stopped: {e}");
        }
    });
    Ok(Server {
        addr,
        url: format!("http://{addr}"),
        log: RequestLog::new(),
        task,
    })
}
