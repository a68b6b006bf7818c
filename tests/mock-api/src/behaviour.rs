//! The controls that script one request: parsed from the model name (`mock?ttft=500&tps=40`)
//! and from `[[mock key=value …]]` directives in the last user message (these win), then turned
//! into a [`Decision`] for the request's attempt number.

use std::fmt;
use std::ops::Range;

use crate::chaos;
use crate::faults::HttpFaults;

/// After how many pieces `midstream=overloaded` sends its `error` event.
pub const MIDSTREAM_AFTER: usize = 3;

/// Upper bounds that keep a typo from tying the server up for hours.
const MAX_TTFT_MS: u64 = 600_000;
const MAX_TOKENS: usize = 100_000;
const MIN_TPS: f64 = 0.01;

/// Every knob of the mock model, with the defaults of a quick, healthy model.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Milliseconds from receiving the request to the first token (and the response headers).
    pub ttft_ms: u64,
    /// Pieces (words) per second after the first one; `0` sends everything at once.
    pub tps: f64,
    /// Answer length in words.
    pub tokens: usize,
    /// HTTP status for attempt 0, 1, 2…; attempts past the list succeed.
    pub errors: Vec<u16>,
    /// `retry-after` seconds on 429 answers.
    pub retry_after_s: u64,
    /// `retry-after-ms` on 429 answers, sent only when given.
    pub retry_after_ms: Option<u64>,
    /// Close the connection abruptly after this many pieces.
    pub cut: Option<usize>,
    /// Send a data line that is not JSON after this many pieces.
    pub malformed: Option<usize>,
    /// Send nothing more after this many pieces, until the client leaves.
    pub stall: Option<usize>,
    /// Send an `overloaded_error` SSE event after [`MIDSTREAM_AFTER`] pieces.
    pub midstream_overloaded: bool,
    /// Answer with the user's own text instead of generated words.
    pub echo: bool,
    /// Pick a behaviour per request from this seed (see [`chaos`]).
    pub chaos: Option<String>,
    /// Budgets, concurrency, slots and local-server habits (see [`crate::slots`]).
    pub server: crate::slots::ServerParams,
    /// Wrong content types, bodies that go on after their error, broken tool input.
    pub faults: HttpFaults,
    /// `ttfts=a,b,c`: the n-th request of the model name (since the last reset) waits the
    /// n-th of these (cycling) instead of `ttft` — copies of one request that differ in speed
    /// (racing, hedging).
    pub ttfts: Vec<u64>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ttfts: Vec::new(),
            ttft_ms: 150,
            tps: 100.0,
            tokens: 30,
            errors: Vec::new(),
            retry_after_s: 1,
            retry_after_ms: None,
            cut: None,
            malformed: None,
            stall: None,
            midstream_overloaded: false,
            echo: false,
            chaos: None,
            server: crate::slots::ServerParams::default(),
            faults: HttpFaults::default(),
        }
    }
}

/// A control that could not be understood; answered as a 400 `invalid_request_error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError(pub String);

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mock control: {}", self.0)
    }
}

impl Params {
    /// The parameters in a model name: `mock` gives the defaults, `mock?tokens=5&tps=0` sets two.
    ///
    /// ```
    /// let p = mock_api::behaviour::Params::from_model("mock?ttft=1000&tps=0").unwrap();
    /// assert_eq!((p.ttft_ms, p.tps), (1000, 0.0));
    /// ```
    pub fn from_model(model: &str) -> Result<Params, ParamError> {
        let mut params = Params::default();
        if let Some((_, query)) = model.split_once('?') {
            for pair in query.split('&').filter(|p| !p.trim().is_empty()) {
                params.set_pair(pair)?;
            }
        }
        Ok(params)
    }

    /// With `ttfts`, takes the time to first token of the `earlier`-th request of its model.
    pub fn pick_ttft(&mut self, earlier: usize) {
        if !self.ttfts.is_empty() {
            self.ttft_ms = self.ttfts[earlier % self.ttfts.len()];
        }
    }

    /// Applies every `[[mock key=value …]]` directive found in `text`, in order.
    pub fn apply_directives(&mut self, text: &str) -> Result<(), ParamError> {
        for (_, body) in directives(text) {
            for pair in body.split_whitespace() {
                self.set_pair(pair)?;
            }
        }
        Ok(())
    }

    fn set_pair(&mut self, pair: &str) -> Result<(), ParamError> {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| ParamError(format!("expected key=value, got '{pair}'")))?;
        self.set(key.trim(), value.trim())
    }

    /// Sets one parameter from its text form.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        match key {
            "ttft" => self.ttft_ms = number(key, value)?.min(MAX_TTFT_MS),
            "tps" => {
                self.tps = value
                    .parse::<f64>()
                    .ok()
                    // 0 means "all at once"; below 0.01 words/s the schedule would overflow.
                    .filter(|v| v.is_finite() && (*v == 0.0 || *v >= MIN_TPS))
                    .ok_or_else(|| bad(key, value))?
            }
            "tokens" => self.tokens = (number(key, value)? as usize).min(MAX_TOKENS),
            "errors" => {
                self.errors = value
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| {
                        s.trim()
                            .parse::<u16>()
                            .ok()
                            .filter(|code| (400..=599).contains(code))
                            .ok_or_else(|| bad(key, value))
                    })
                    .collect::<Result<_, _>>()?
            }
            "ttfts" => {
                self.ttfts = value
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| number(key, s.trim()).map(|ms| ms.min(MAX_TTFT_MS)))
                    .collect::<Result<_, _>>()?
            }
            "retry_after" => self.retry_after_s = number(key, value)?,
            "retry_after_ms" => self.retry_after_ms = Some(number(key, value)?),
            "cut" => self.cut = Some(number(key, value)? as usize),
            "malformed" => self.malformed = Some(number(key, value)? as usize),
            "stall" => self.stall = Some(number(key, value)? as usize),
            "midstream" => match value {
                "overloaded" => self.midstream_overloaded = true,
                "none" | "0" | "false" => self.midstream_overloaded = false,
                _ => return Err(bad(key, value)),
            },
            "echo" => self.echo = flag(key, value)?,
            "chaos" if !value.is_empty() => self.chaos = Some(value.to_string()),
            k if crate::slots::ServerParams::KEYS.contains(&k) => {
                self.server.set(key, value).map_err(ParamError)?
            }
            // Batch-only controls (batches.rs reads them); a direct call ignores them.
            "outcome" | "batch_ms" => {}
            _ => {
                return self.faults.set(key, value).unwrap_or_else(|| {
                    Err(ParamError(format!(
                        "unknown parameter '{key}' (known: ttft, ttfts, tps, tokens, errors, \
                         retry_after, retry_after_ms, cut, malformed, stall, midstream, echo, \
                         chaos, rpm, tpm, max_concurrent, slots, interrupt, \
                         timing_allow_origin, stream_usage, {})",
                        crate::faults::KEYS.join(", ")
                    )))
                })
            }
        }
        Ok(())
    }

    /// The scripted failure of a successful response, if any (`cut` first, then `malformed`,
    /// `stall`, `midstream`).
    pub fn failure(&self) -> Option<Failure> {
        if let Some(n) = self.cut {
            Some(Failure::Cut(n))
        } else if let Some(n) = self.malformed {
            Some(Failure::Malformed(n))
        } else if let Some(n) = self.stall {
            Some(Failure::Stall(n))
        } else if self.midstream_overloaded {
            Some(Failure::Midstream(MIDSTREAM_AFTER))
        } else {
            None
        }
    }
}

fn number(key: &str, value: &str) -> Result<u64, ParamError> {
    value.parse::<u64>().map_err(|_| bad(key, value))
}

fn flag(key: &str, value: &str) -> Result<bool, ParamError> {
    match value {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(bad(key, value)),
    }
}

fn bad(key: &str, value: &str) -> ParamError {
    ParamError(format!("invalid value '{value}' for '{key}'"))
}

/// The `[[mock …]]` directives in `text`: the byte range of each and the text between
/// `[[mock` and `]]`.
fn directives(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    const OPEN: &str = "[[mock";
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let start = from + text.get(from..)?.find(OPEN)?;
        let after = start + OPEN.len();
        from = after;
        let rest = text.get(after..)?;
        // `[[mockery]]` is not a directive: the name must end at a space or the closing brackets.
        if !(rest.starts_with("]]") || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        let close = rest.find("]]")?;
        from = after + close + 2;
        return Some((start..from, &rest[..close]));
    })
}

/// `text` without its `[[mock …]]` directives, trimmed.
///
/// ```
/// assert_eq!(mock_api::behaviour::strip_directives("Hi [[mock tokens=3]] there"), "Hi  there");
/// ```
pub fn strip_directives(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, _) in directives(text) {
        out.push_str(&text[last..range.start]);
        last = range.end;
    }
    out.push_str(&text[last..]);
    out.trim().to_string()
}

/// How a successful-looking response goes wrong, after so many pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Close the connection without the closing events.
    Cut(usize),
    /// Send a data line that is not JSON, then end the body.
    Malformed(usize),
    /// Send nothing more; keep the connection open until the client leaves.
    Stall(usize),
    /// Send the SSE `error` event (`overloaded_error`), then end the body.
    Midstream(usize),
}

impl Failure {
    /// The name recorded in the request log.
    pub fn name(&self) -> &'static str {
        match self {
            Failure::Cut(_) => "cut",
            Failure::Malformed(_) => "malformed",
            Failure::Stall(_) => "stall",
            Failure::Midstream(_) => "midstream_overloaded",
        }
    }

    /// How many pieces go out before the failure.
    pub fn after(&self) -> usize {
        match *self {
            Failure::Cut(n) | Failure::Malformed(n) | Failure::Stall(n) | Failure::Midstream(n) => {
                n
            }
        }
    }
}

/// An error status instead of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorReply {
    pub status: u16,
    /// `retry-after` seconds (429 only).
    pub retry_after_s: Option<u64>,
    /// `retry-after-ms` (429 only, when asked for).
    pub retry_after_ms: Option<u64>,
}

/// What one request gets: an error status, or an answer that may fail on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Error(ErrorReply),
    Answer(Option<Failure>),
}

impl Decision {
    /// The behaviour name for the request log (`ok`, `error_429`, `cut`, …).
    pub fn name(&self) -> String {
        match self {
            Decision::Error(e) => format!("error_{}", e.status),
            Decision::Answer(None) => "ok".to_string(),
            Decision::Answer(Some(f)) => f.name().to_string(),
        }
    }
}

/// The decision for attempt `attempt` of a request whose body is `body`: the `errors` list
/// first, then `chaos`, then the scripted failure (if any).
pub fn decide(params: &Params, attempt: u32, body: &[u8]) -> Decision {
    if let Some(&status) = params.errors.get(attempt as usize) {
        return Decision::Error(error_reply(params, status));
    }
    if let Some(seed) = &params.chaos {
        return chaos::pick(seed, body, attempt, params.tokens, params);
    }
    Decision::Answer(params.failure())
}

/// The error answer for `status`, with the retry headers a 429 carries.
pub fn error_reply(params: &Params, status: u16) -> ErrorReply {
    let is_rate_limit = status == 429;
    ErrorReply {
        status,
        retry_after_s: is_rate_limit.then_some(params.retry_after_s),
        retry_after_ms: if is_rate_limit {
            params.retry_after_ms
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_mock_model_has_the_defaults() {
        assert_eq!(Params::from_model("mock"), Ok(Params::default()));
        assert_eq!(
            Params::from_model("claude-sonnet-4-5"),
            Ok(Params::default())
        );
    }

    #[test]
    fn model_query_sets_timing_and_length() {
        let p = Params::from_model("mock?ttft=500&tps=40&tokens=12").unwrap();
        assert_eq!((p.ttft_ms, p.tps, p.tokens), (500, 40.0, 12));
    }

    #[test]
    fn ttfts_give_each_request_of_a_model_its_own_first_token_time() {
        let mut p = Params::from_model("mock?ttfts=100,900&ttft=5").unwrap();
        p.pick_ttft(0);
        assert_eq!(p.ttft_ms, 100);
        p.pick_ttft(3);
        assert_eq!(p.ttft_ms, 900);
        assert!(Params::from_model("mock?ttfts=1,x").is_err());
    }

    #[test]
    fn errors_list_gives_status_per_attempt_then_success() {
        let p = Params::from_model("mock?errors=429,529,500&retry_after=2&retry_after_ms=1500")
            .unwrap();
        let at = |attempt| decide(&p, attempt, b"{}");
        assert_eq!(
            at(0),
            Decision::Error(ErrorReply {
                status: 429,
                retry_after_s: Some(2),
                retry_after_ms: Some(1500)
            })
        );
        assert_eq!(at(1).name(), "error_529");
        assert_eq!(
            at(2),
            Decision::Error(ErrorReply {
                status: 500,
                retry_after_s: None,
                retry_after_ms: None
            })
        );
        assert_eq!(at(3), Decision::Answer(None));
    }

    #[test]
    fn directive_overrides_model_and_is_stripped() {
        let mut p = Params::from_model("mock?tokens=10&ttft=5").unwrap();
        let text = "Tell me about cats [[mock tokens=3 echo=1]] please";
        p.apply_directives(text).unwrap();
        assert_eq!((p.tokens, p.ttft_ms, p.echo), (3, 5, true));
        assert_eq!(strip_directives(text), "Tell me about cats  please");
    }

    #[test]
    fn several_directives_apply_in_order() {
        let mut p = Params::default();
        p.apply_directives("[[mock tokens=3]] a [[mock tokens=4 cut=2]]")
            .unwrap();
        assert_eq!((p.tokens, p.cut), (4, Some(2)));
        assert_eq!(strip_directives("[[mock tokens=3]] a [[mock]]"), "a");
    }

    #[test]
    fn lookalikes_are_not_directives() {
        let mut p = Params::default();
        p.apply_directives("[[mockery tokens=1]] and [[mock unclosed")
            .unwrap();
        assert_eq!(p, Params::default());
        assert_eq!(
            strip_directives("[[mockery tokens=1]]"),
            "[[mockery tokens=1]]"
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(Params::from_model("mock?ttf=1").is_err());
        assert!(Params::from_model("mock?tps=-1").is_err());
        assert!(Params::from_model("mock?tps=1e-30").is_err());
        assert!(Params::from_model("mock?tps=NaN").is_err());
        assert!(Params::from_model("mock?errors=200").is_err());
        assert!(Params::from_model("mock?midstream=sometimes").is_err());
        assert!(Params::default()
            .apply_directives("[[mock tokens]]")
            .is_err());
    }

    #[test]
    fn failures_are_named_and_ordered() {
        let p = Params::from_model("mock?stall=4&cut=2").unwrap();
        assert_eq!(decide(&p, 0, b""), Decision::Answer(Some(Failure::Cut(2))));
        let p = Params::from_model("mock?midstream=overloaded").unwrap();
        assert_eq!(decide(&p, 0, b"").name(), "midstream_overloaded");
    }
}
