//! [`HttpProvider`]: the Anthropic Messages API and OpenAI-compatible servers, from the browser.
//!
//! Only the transport lives here: the request sent with `gloo_net::http` (method, headers, body
//! and an `AbortSignal`), status and headers read through it, the streamed body read chunk by
//! chunk from its `ReadableStream`. Request bodies and stream decoding are in [`crate::wire`].
//! Dropping the stream aborts the request, so a cancel or a timeout really closes the
//! connection; so does an error in the middle of the body (an `error` event, an unreadable
//! chunk): nothing more of that body is wanted, and the server sees the client leave at once.

use super::network_hint::{network_failure_message, not_an_event_stream_message, ApiFormat};
use super::setup::{needs_key, SetupProblem};
use super::{EventStream, ModelRequest, Provider, ProviderError, ProviderEvent};
use crate::wire::anthropic::AnthropicStreamDecoder;
use crate::wire::openai::OpenAiStreamDecoder;
use crate::wire::{error_from_response, ErrorHeaders, RateLimitInfo, StreamDecoder};
use futures::stream;
use gloo_net::http::{Method, RequestBuilder, Response};
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader};

/// The `anthropic-version` this client speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// A model server reached over HTTP.
#[derive(Clone)]
pub struct HttpProvider {
    format: ApiFormat,
    base_url: String,
    api_key: String,
}

impl HttpProvider {
    /// The Anthropic Messages API at `base_url` (e.g. `https://api.anthropic.com`).
    pub fn anthropic(base_url: &str, api_key: &str) -> HttpProvider {
        HttpProvider {
            format: ApiFormat::Anthropic,
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            api_key: api_key.trim().to_string(),
        }
    }

    /// An OpenAI-compatible server at `base_url` (e.g. `http://localhost:11434/v1`).
    pub fn openai(base_url: &str, api_key: &str) -> HttpProvider {
        HttpProvider {
            format: ApiFormat::OpenAi,
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            api_key: api_key.trim().to_string(),
        }
    }

    fn url(&self) -> String {
        match self.format {
            ApiFormat::Anthropic => format!("{}/v1/messages", self.base_url),
            ApiFormat::OpenAi => format!("{}/chat/completions", self.base_url),
        }
    }

    fn body(&self, request: &ModelRequest) -> String {
        match self.format {
            ApiFormat::Anthropic => crate::wire::anthropic::request_body(request, true),
            ApiFormat::OpenAi => crate::wire::openai::request_body(request, true),
        }
        .to_string()
    }

    /// The request headers, built on `web_sys::Headers` because its `set` reports a value the
    /// browser refuses (a key with a line break) as an error, where gloo-net's would throw.
    fn headers(&self, attempt: u32) -> Result<Headers, JsValue> {
        let headers = Headers::new()?;
        headers.set("content-type", "application/json")?;
        match self.format {
            ApiFormat::Anthropic => {
                headers.set("x-api-key", &self.api_key)?;
                headers.set("anthropic-version", ANTHROPIC_VERSION)?;
                headers.set("anthropic-dangerous-direct-browser-access", "true")?;
                // As the official SDKs do: lets servers tell a retry from a new request.
                headers.set("x-stainless-retry-count", &attempt.to_string())?;
            }
            ApiFormat::OpenAi => {
                if !self.api_key.is_empty() {
                    headers.set("authorization", &format!("Bearer {}", self.api_key))?;
                }
            }
        }
        Ok(headers)
    }

    fn decoder(&self) -> Box<dyn StreamDecoder> {
        match self.format {
            ApiFormat::Anthropic => Box::new(AnthropicStreamDecoder::new()),
            ApiFormat::OpenAi => Box::new(OpenAiStreamDecoder::new()),
        }
    }

    fn network_error(&self) -> ProviderError {
        let page_is_https = web_sys::window()
            .and_then(|w| w.location().protocol().ok())
            .is_some_and(|p| p == "https:");
        ProviderError::Network {
            message: network_failure_message(self.format, &self.base_url, page_is_https),
        }
    }
}

/// Aborts the request when dropped (unless it already finished).
struct AbortOnDrop {
    controller: AbortController,
    finished: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.finished {
            self.controller.abort();
        }
    }
}

type Item = Result<ProviderEvent, ProviderError>;

/// The streamed response as it is read.
enum Body {
    NotSent,
    Reading {
        reader: ReadableStreamDefaultReader,
        decoder: Box<dyn StreamDecoder>,
        abort: AbortOnDrop,
    },
    Done,
}

struct Exchange {
    provider: HttpProvider,
    url: String,
    body_json: String,
    attempt: u32,
    body: Body,
    queue: VecDeque<Item>,
}

impl Provider for HttpProvider {
    fn stream(&self, request: &ModelRequest, attempt: u32) -> EventStream {
        let exchange = Exchange {
            provider: self.clone(),
            url: self.url(),
            body_json: self.body(request),
            attempt,
            body: Body::NotSent,
            queue: VecDeque::new(),
        };
        Box::pin(stream::unfold(exchange, |mut ex| async move {
            loop {
                if let Some(item) = ex.queue.pop_front() {
                    if item.is_err() {
                        // Nothing follows an error.
                        ex.queue.clear();
                        ex.body = Body::Done;
                    }
                    return Some((item, ex));
                }
                match ex.body {
                    Body::Done => return None,
                    Body::NotSent => ex.send().await,
                    Body::Reading { .. } => ex.read_chunk().await,
                }
            }
        }))
    }
}

impl Exchange {
    fn fail(&mut self, error: ProviderError) {
        self.body = Body::Done;
        self.queue.push_back(Err(error));
    }

    /// Sends the request; on success the body is ready to read, else the error is queued.
    async fn send(&mut self) {
        if self.provider.api_key.is_empty() && needs_key(self.provider.format) {
            return self.fail(
                SetupProblem::MissingKey {
                    format: self.provider.format,
                }
                .into(),
            );
        }
        let Ok(controller) = AbortController::new() else {
            return self.fail(self.provider.network_error());
        };
        let abort = AbortOnDrop {
            controller,
            finished: false,
        };
        let Ok(headers) = self.provider.headers(self.attempt) else {
            return self.fail(SetupProblem::KeyNotSendable.into());
        };
        let request = RequestBuilder::new(&self.url)
            .method(Method::POST)
            .headers(gloo_net::http::Headers::from_raw(headers))
            .abort_signal(Some(&abort.controller.signal()))
            .body(self.body_json.as_str());
        let Ok(request) = request else {
            return self.fail(ProviderError::Config {
                message: format!(
                    "The base URL “{}” is not an address the browser can send to.",
                    self.provider.base_url
                ),
            });
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(_) => return self.fail(self.provider.network_error()),
        };
        let request_id =
            header(&response, "request-id").or_else(|| header(&response, "x-request-id"));
        // Readable only where the server exposes them (`Access-Control-Expose-Headers`).
        let rate_limit =
            RateLimitInfo::from_headers(|name| header(&response, name), js_sys::Date::now());
        if let Some(info) = rate_limit {
            self.queue.push_back(Ok(ProviderEvent::RateLimit { info }));
        }
        if !response.ok() {
            let status = response.status();
            let headers = ErrorHeaders {
                retry_after_ms: header(&response, "retry-after-ms"),
                retry_after: header(&response, "retry-after"),
                should_retry: header(&response, "x-should-retry"),
                request_id: request_id.clone(),
            };
            let text = response.text().await.unwrap_or_default();
            return self.fail(error_from_response(
                status,
                &text,
                &headers,
                js_sys::Date::now(),
            ));
        }
        let content_type = header(&response, "content-type");
        if let Some(message) = not_an_event_stream_message(
            self.provider.format,
            &self.provider.base_url,
            content_type.as_deref(),
        ) {
            // `abort` drops unfinished here: the body is not read, the connection closes.
            return self.fail(ProviderError::Decode { message });
        }
        let Some(reader) = response.body().and_then(|body| {
            body.get_reader()
                .dyn_into::<ReadableStreamDefaultReader>()
                .ok()
        }) else {
            return self.fail(ProviderError::Decode {
                message: "the response has no body".into(),
            });
        };
        self.queue
            .push_back(Ok(ProviderEvent::Opened { request_id }));
        self.body = Body::Reading {
            reader,
            decoder: self.provider.decoder(),
            abort,
        };
    }

    /// Reads one chunk of the body and decodes it.
    async fn read_chunk(&mut self) {
        let Body::Reading {
            reader, decoder, ..
        } = &mut self.body
        else {
            return;
        };
        let result = JsFuture::from(reader.read()).await;
        let chunk = match result {
            Ok(chunk) => chunk,
            Err(_) => {
                let mut events = decoder.finish();
                self.queue.extend(events.drain(..).filter(Result::is_ok));
                return self.fail(ProviderError::StreamCut {
                    message: "the connection was closed while the answer was streaming".into(),
                });
            }
        };
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            let events = decoder.finish();
            self.queue.extend(events);
            self.finish_keeping_queue();
            return;
        }
        let bytes = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|array| array.to_vec())
            .unwrap_or_default();
        let events = decoder.feed(&bytes);
        let failed = events.iter().any(Result::is_err);
        let stopped = events
            .iter()
            .any(|e| matches!(e, Ok(ProviderEvent::Stop { .. })));
        self.queue.extend(events);
        if failed {
            // Nothing after an error is read: drop the reader unfinished, which aborts the
            // request and closes the connection now rather than when the server ends the body.
            self.body = Body::Done;
        } else if stopped {
            self.finish_keeping_queue();
        }
    }

    /// The body is over: keep the queued events, release the connection normally.
    fn finish_keeping_queue(&mut self) {
        if let Body::Reading { abort, reader, .. } = &mut self.body {
            abort.finished = true;
            reader.release_lock();
        }
        self.body = Body::Done;
    }
}

fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name)
}
