//! The simulated model: the default provider, needing no key and no network.
//!
//! Deterministic from a seed: the same question under the same seed gets the same answer at the
//! same pace, so a sequential and a parallel run of one set-up can be compared fairly and a run
//! can be reproduced. Time to first token, token rate and length vary per question; knobs add
//! failures, slow outliers and rate limits; per-question behaviours make a question slow or fail
//! on purpose (for the lessons). With tools in the request it plays a scripted tool-using model.

mod arithmetic;
mod cache;
mod canned;
mod profile;
mod sampling;
mod server;
mod tool_script;
mod writer;

pub use arithmetic::{format_number, Expression, NotAnExpression};
pub use cache::{CacheUse, PromptCache, CACHE_TTL_MS};
pub use canned::written_answer;
pub use profile::{profile_of_model, ProfileNumbers, SimProfile};
pub use sampling::JUDGE_OPENING;
pub use server::ServerCapacity;
pub use tool_script::{is_handoff_tool, tool_turn, PlannedToolCall, ScriptedTurn};
pub use writer::{answer, keywords, subject_of, synthesis};

use futures::StreamExt;

use super::{
    words_with_spaces, ApiErrorKind, EventStream, ModelRequest, Provider, ProviderError,
    ProviderEvent, StopReason, Usage,
};
use crate::base::{stable_hash, Clock, SplitMix64};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// Milliseconds (at speed 1) before a request refused by the server's capacity hears so.
const REFUSAL_MS: f64 = 300.0;

/// Knobs of the simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimulationSettings {
    /// Same seed, same answers and timings.
    pub seed: u64,
    /// 1 is a realistic pace; 10 runs ten times faster.
    pub speed: f64,
    /// Chance (0–1) that an attempt fails with a server error (500 or 529).
    pub failure_rate: f64,
    /// Chance (0–1) that a call is a slow outlier (about three times slower).
    pub slow_rate: f64,
    /// Chance (0–1) that an attempt is refused with 429 and `retry-after: 1`.
    pub rate_limit_rate: f64,
    /// Real milliseconds between streamed chunks (larger means fewer, bigger updates).
    pub chunk_ms: f64,
    /// The server's capacity: a concurrency limit (429 beyond it) and slots (queue inside).
    pub server: ServerCapacity,
    /// Chance (0–1) that a sampled answer to a question with one right answer (arithmetic) is
    /// wrong (only when sampling, as the patterns do).
    #[serde(skip_serializing_if = "is_zero")]
    pub wrong_rate: f64,
    /// Pace and answer length (a request whose model names a profile uses that one instead).
    pub profile: SimProfile,
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings {
            seed: 42,
            speed: 1.0,
            failure_rate: 0.0,
            slow_rate: 0.0,
            rate_limit_rate: 0.0,
            chunk_ms: 50.0,
            server: ServerCapacity::default(),
            wrong_rate: 0.0,
            profile: SimProfile::Demo,
        }
    }
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// What the simulator does with one particular question, whatever the knobs say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimBehaviour {
    #[default]
    Normal,
    /// About three times slower than usual.
    Slow,
    /// Every attempt fails with HTTP 500.
    Fail,
    /// The first attempt gets 429 with `retry-after: 1`; the retry succeeds.
    RateLimited,
    /// Starts answering, then stalls forever (a timeout ends it).
    Stall,
    /// Starts answering, then the stream is cut.
    Cut,
}

impl SimBehaviour {
    /// Every behaviour, for the editor's menu.
    pub const ALL: [SimBehaviour; 6] = [
        SimBehaviour::Normal,
        SimBehaviour::Slow,
        SimBehaviour::Fail,
        SimBehaviour::RateLimited,
        SimBehaviour::Stall,
        SimBehaviour::Cut,
    ];

    /// The name used in saved workspaces and the editor.
    pub fn as_str(self) -> &'static str {
        match self {
            SimBehaviour::Normal => "normal",
            SimBehaviour::Slow => "slow",
            SimBehaviour::Fail => "fail",
            SimBehaviour::RateLimited => "rate-limited",
            SimBehaviour::Stall => "stall",
            SimBehaviour::Cut => "cut",
        }
    }

    /// Parses [`SimBehaviour::as_str`].
    pub fn parse(value: &str) -> SimBehaviour {
        SimBehaviour::ALL
            .into_iter()
            .find(|b| b.as_str() == value)
            .unwrap_or_default()
    }
}

/// How one simulated response will go, decided before it starts (pure, so it can be tested).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponsePlan {
    /// Milliseconds from the request to the first text (or to the error).
    pub first_token_ms: f64,
    /// Milliseconds per word once streaming.
    pub word_interval_ms: f64,
    /// The text, as words with their trailing whitespace.
    pub words: Vec<String>,
    pub usage: Usage,
    pub end: PlannedEnd,
    /// `max_tokens` when the answer was cut to fit, `tool_use` with tool calls, else `end_turn`.
    pub stop_reason: StopReason,
    /// Tool calls written after the text.
    pub tool_calls: Vec<PlannedToolCall>,
    /// Milliseconds to write each tool call.
    pub tool_call_ms: f64,
}

/// How a simulated response ends.
#[derive(Clone, Debug, PartialEq)]
pub enum PlannedEnd {
    Complete,
    /// An error instead of an answer, after `first_token_ms`.
    Error(ProviderError),
    /// After this many words, nothing more ever arrives.
    StallAfter(usize),
    /// After this many words, the stream ends without finishing.
    CutAfter(usize),
}

/// The simulated provider (cheap to clone: clones share their settings).
#[derive(Clone)]
pub struct SimulatedProvider {
    clock: Rc<dyn Clock>,
    settings: Rc<SimulationSettings>,
    behaviours: Rc<HashMap<String, SimBehaviour>>,
    server: Rc<server::ServerState>,
    cache: Rc<PromptCache>,
    /// Requests answered per prompt, when every request is a fresh sample.
    draws: Option<sampling::Draws>,
}

impl SimulatedProvider {
    /// A simulated model that keeps time with `clock`.
    pub fn new(clock: Rc<dyn Clock>, settings: SimulationSettings) -> SimulatedProvider {
        SimulatedProvider {
            clock,
            server: Rc::new(server::ServerState::new(&settings.server)),
            settings: Rc::new(settings),
            behaviours: Rc::new(HashMap::new()),
            cache: Rc::default(),
            draws: None,
        }
    }

    /// Makes the question with exactly this text behave as `behaviour`.
    pub fn with_behaviour(mut self, question: &str, behaviour: SimBehaviour) -> SimulatedProvider {
        Rc::make_mut(&mut self.behaviours).insert(question.trim().to_string(), behaviour);
        self
    }

    /// The speed factor, or 1 when it is not a positive number.
    fn speed(&self) -> f64 {
        if self.settings.speed.is_finite() && self.settings.speed > 0.0 {
            self.settings.speed
        } else {
            1.0
        }
    }

    /// Decides how the response to `request` (attempt `attempt`) will go.
    pub fn plan(&self, request: &ModelRequest, attempt: u32) -> ResponsePlan {
        self.plan_draw(request, attempt, None)
    }

    /// [`SimulatedProvider::plan`] for draw `draw` of a sampling provider.
    fn plan_draw(&self, request: &ModelRequest, attempt: u32, draw: Option<u64>) -> ResponsePlan {
        let prompt = request.last_user_text();
        let seed = match draw {
            Some(draw) => format!("{}/draw {draw}", self.settings.seed),
            None => self.settings.seed.to_string(),
        };
        let mut rng = SplitMix64::new(stable_hash(&[&seed, &request.model, &prompt]));
        let mut attempt_rng = SplitMix64::new(stable_hash(&[
            &seed,
            &prompt,
            "attempt",
            &attempt.to_string(),
        ]));
        let speed = self.speed();
        let behaviour = self
            .behaviours
            .get(prompt.trim())
            .copied()
            .unwrap_or_default();
        let slow = behaviour == SimBehaviour::Slow || rng.next_f64() < self.settings.slow_rate;

        let profile = profile_of_model(&request.model).unwrap_or(self.settings.profile);
        let numbers = profile.numbers();
        let uses_tools = !request.tools.is_empty();
        let (text, tool_calls) = if uses_tools {
            let turn = tool_turn(request);
            (turn.text, turn.tool_calls)
        } else if writer::is_synthesis_prompt(&prompt) {
            (writer::synthesis(&prompt, &mut rng), Vec::new())
        } else if let Some(text) =
            draw.and_then(|_| sampling::worked_answer(&prompt, &self.settings, &mut rng))
        {
            (text, Vec::new())
        } else {
            let (low, high) = numbers.words;
            let target = low + rng.index(high.saturating_sub(low));
            (writer::answer(&prompt, target, &mut rng), Vec::new())
        };
        let (words, truncated) = split_words(&text, request.max_tokens);
        let input_tokens = estimate_tokens(
            &(request.system.clone().unwrap_or_default()
                + &request
                    .messages
                    .iter()
                    .map(|m| m.text())
                    .collect::<String>()),
        );
        // A tool-using turn thinks longer before its (short) reply.
        let (ttft_low, ttft_high) = numbers.first_token_ms;
        let mut first_token_ms = if uses_tools {
            rng.range(ttft_low + 650.0, ttft_high + 400.0)
        } else {
            rng.range(ttft_low, ttft_high)
        };
        let (rate_low, rate_high) = numbers.tokens_per_s;
        let mut words_per_s = rng.range(rate_low, rate_high) / 1.3;
        if let Some((low, high)) = numbers.prefill_tokens_per_s {
            first_token_ms += 1000.0 * f64::from(input_tokens) / rng.range(low, high);
        }
        if slow {
            first_token_ms *= 3.0;
            words_per_s /= 2.5;
        }
        let output_tokens =
            (words.len() as f64 * 1.3).round() as u32 + 20 * tool_calls.len() as u32;
        let error_delay_ms = rng.range(200.0, 600.0);

        let failure_roll = attempt_rng.next_f64();
        let limit_roll = attempt_rng.next_f64();
        let end = match behaviour {
            SimBehaviour::Fail => PlannedEnd::Error(server_error(500)),
            SimBehaviour::RateLimited if attempt == 0 => PlannedEnd::Error(rate_limited()),
            SimBehaviour::Stall => PlannedEnd::StallAfter(words.len() / 3),
            SimBehaviour::Cut => PlannedEnd::CutAfter(words.len() / 2),
            _ if limit_roll < self.settings.rate_limit_rate => PlannedEnd::Error(rate_limited()),
            _ if failure_roll < self.settings.failure_rate => PlannedEnd::Error(server_error(
                if failure_roll < self.settings.failure_rate / 2.0 {
                    529
                } else {
                    500
                },
            )),
            _ => PlannedEnd::Complete,
        };
        if matches!(end, PlannedEnd::Error(_)) {
            first_token_ms = error_delay_ms;
        }
        ResponsePlan {
            first_token_ms: first_token_ms / speed,
            word_interval_ms: 1000.0 / words_per_s / speed,
            words,
            usage: Usage::new(input_tokens, output_tokens),
            end,
            stop_reason: if !tool_calls.is_empty() {
                StopReason::ToolUse
            } else if truncated {
                StopReason::MaxTokens
            } else {
                StopReason::EndTurn
            },
            tool_calls,
            tool_call_ms: 150.0 / speed,
        }
    }
}

fn server_error(status: u16) -> ProviderError {
    ProviderError::Http {
        status,
        kind: ApiErrorKind::from_status(status),
        message: "simulated server error".into(),
        retry_after_ms: None,
        should_retry: None,
        request_id: None,
    }
}

fn rate_limited() -> ProviderError {
    ProviderError::Http {
        status: 429,
        kind: ApiErrorKind::RateLimit,
        message: "simulated rate limit".into(),
        retry_after_ms: Some(1000.0),
        should_retry: None,
        request_id: None,
    }
}

/// About four characters a token, as a rough rule.
fn estimate_tokens(text: &str) -> u32 {
    (text.chars().count() as f64 / 4.0).ceil().max(1.0) as u32
}

/// Splits text into words that keep their trailing whitespace, capped at roughly `max_tokens`;
/// says whether it had to cut.
fn split_words(text: &str, max_tokens: u32) -> (Vec<String>, bool) {
    let max_words = ((max_tokens as f64) / 1.3).floor().max(1.0) as usize;
    let mut words = words_with_spaces(text);
    let truncated = words.len() > max_words;
    words.truncate(max_words);
    (words, truncated)
}

impl Provider for SimulatedProvider {
    fn stream(&self, request: &ModelRequest, attempt: u32) -> EventStream {
        let started_ms = self.clock.now_ms();
        let simulator = self.clone();
        let request = request.clone();
        let draw = self.next_draw(&request.last_user_text());
        let events = futures::stream::once(async move {
            // The "server" composes its answer in a turn of its own: a thousand calls started
            // together do not compose a thousand answers in the task that started them. (Not in
            // the engine for every provider: a real request waiting for a browser task went out
            // 2–10 ms later in the mock bench.)
            simulator.clock.give_way().await;
            let mut inside = match simulator.server.arrive() {
                Ok(inside) => inside,
                Err(refused) => {
                    // A refusal still takes a round trip to come back.
                    simulator.clock.sleep(REFUSAL_MS / simulator.speed()).await;
                    let stream: EventStream = Box::pin(futures::stream::iter([Err(refused)]));
                    return stream;
                }
            };
            // A request that waited for a slot starts to think only once it has one.
            let started_ms = if simulator.server.take_slot(&mut inside).await {
                simulator.clock.now_ms()
            } else {
                started_ms
            };
            let stream = simulator.unfold(&request, attempt, draw, started_ms);
            // The request stays inside the server (in flight, in its slot) while it streams.
            Box::pin(stream.map(move |item| {
                let _inside = &inside;
                item
            })) as EventStream
        });
        Box::pin(events.flatten())
    }
}

impl SimulatedProvider {
    /// The response to `request` as a timed stream.
    fn unfold(
        &self,
        request: &ModelRequest,
        attempt: u32,
        draw: Option<u64>,
        started_ms: f64,
    ) -> EventStream {
        let mut plan = self.plan_draw(request, attempt, draw);
        if !matches!(plan.end, PlannedEnd::Error(_)) {
            // The prompt cache sees the request when it starts; its entry is there for others
            // once this response begins (the first token).
            let begins_ms = started_ms + plan.first_token_ms;
            plan.usage = self
                .cache
                .apply(request, plan.usage, started_ms, begins_ms)
                .0;
        }
        let request_id = format!(
            "sim_{:016x}",
            stable_hash(&[&request.last_user_text(), &attempt.to_string()])
        );
        let words_per_chunk = (self.settings.chunk_ms.max(1.0) / plan.word_interval_ms)
            .ceil()
            .max(1.0) as usize;
        let state = StreamState {
            clock: self.clock.clone(),
            started_ms,
            plan,
            words_per_chunk,
            sent_words: 0,
            sent_tools: 0,
            ready: VecDeque::from([Ok(ProviderEvent::Opened {
                request_id: Some(request_id),
            })]),
            finished: false,
        };
        Box::pin(futures::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.ready.pop_front() {
                    return Some((item, state));
                }
                if state.finished {
                    return None;
                }
                state.advance().await;
            }
        }))
    }
}

/// The simulated response as it unfolds in time.
struct StreamState {
    clock: Rc<dyn Clock>,
    started_ms: f64,
    plan: ResponsePlan,
    words_per_chunk: usize,
    sent_words: usize,
    sent_tools: usize,
    ready: VecDeque<Result<ProviderEvent, ProviderError>>,
    finished: bool,
}

impl StreamState {
    /// Waits for the next chunk's time and queues what happens then.
    async fn advance(&mut self) {
        let plan = &self.plan;
        let total = plan.words.len();
        let stop_at = match &plan.end {
            PlannedEnd::StallAfter(n) | PlannedEnd::CutAfter(n) => (*n).min(total),
            _ => total,
        };
        if let PlannedEnd::Error(error) = &plan.end {
            let error = error.clone();
            self.sleep_until(self.plan.first_token_ms).await;
            self.ready.push_back(Err(error));
            self.finished = true;
            return;
        }
        if self.sent_words >= stop_at {
            match self.plan.end {
                PlannedEnd::StallAfter(_) => futures::future::pending::<()>().await,
                PlannedEnd::CutAfter(_) => {}
                _ if self.sent_tools < self.plan.tool_calls.len() => {
                    let k = self.sent_tools;
                    let last_word_ms = self.plan.first_token_ms
                        + total.saturating_sub(1) as f64 * self.plan.word_interval_ms;
                    self.sleep_until(last_word_ms + (k + 1) as f64 * self.plan.tool_call_ms)
                        .await;
                    let call = &self.plan.tool_calls[k];
                    // Block 0 is the text; tool calls follow it.
                    let index = k + 1;
                    self.ready.push_back(Ok(ProviderEvent::ToolUseStart {
                        index,
                        id: call.id.clone(),
                        name: call.name.clone(),
                    }));
                    self.ready.push_back(Ok(ProviderEvent::ToolInputDelta {
                        index,
                        partial_json: call.input.to_string(),
                    }));
                    self.sent_tools += 1;
                    return;
                }
                _ => {
                    self.ready.push_back(Ok(ProviderEvent::Usage {
                        usage: self.plan.usage,
                    }));
                    self.ready.push_back(Ok(ProviderEvent::Stop {
                        reason: self.plan.stop_reason.clone(),
                    }));
                }
            }
            self.finished = true;
            return;
        }
        let next = (self.sent_words + self.words_per_chunk).min(stop_at);
        // The first word arrives at the first-token time; each further word one interval later.
        let due = self.plan.first_token_ms + (next - 1) as f64 * self.plan.word_interval_ms;
        self.sleep_until(due).await;
        if self.sent_words == 0 {
            self.ready.push_back(Ok(ProviderEvent::Usage {
                usage: Usage {
                    output_tokens: 1,
                    ..self.plan.usage
                },
            }));
        }
        let text: String = self.plan.words[self.sent_words..next].concat();
        self.sent_words = next;
        self.ready.push_back(Ok(ProviderEvent::TextDelta { text }));
    }

    async fn sleep_until(&self, offset_ms: f64) {
        let wait = self.started_ms + offset_ms - self.clock.now_ms();
        if wait > 0.0 {
            self.clock.sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests;
