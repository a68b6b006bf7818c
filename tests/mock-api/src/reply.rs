//! The mock model, independent of the wire format: a [`Conversation`] (what both APIs' requests
//! boil down to) gets an [`Answer`] (text or one tool call, cut into pieces) and a [`Schedule`]
//! (when each piece is due). [`assemble`] lays encoded events out on that schedule, with the
//! scripted failure if there is one.

use std::time::{Duration, Instant};

use axum::body::Bytes;

use crate::behaviour::{strip_directives, Failure, Params};
use crate::body::{Step, Timed};
use crate::text;
use crate::tools::ToolSpec;

/// What the mock needs to know about a request, whichever API it came through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    pub model: String,
    pub stream: bool,
    /// Text of the last user message that has text (directives included).
    pub user_text: String,
    /// The tool results the request ends with, if it ends with some.
    pub tool_results: Option<Vec<String>>,
    pub tools: Vec<ToolSpec>,
    /// The client asked for no tool call (`tool_choice` none).
    pub tools_disabled: bool,
    /// Characters of text in the system prompt and messages.
    pub prompt_chars: usize,
    /// The answer length limit the client set, in tokens.
    pub max_tokens: Option<usize>,
}

/// Why the answer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    EndTurn,
    MaxTokens,
    ToolUse,
}

/// What the model says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Text, one piece per word.
    Text(Vec<String>),
    /// One call of a tool; `fragments` are `input_json` cut for streaming.
    ToolUse {
        id: String,
        name: String,
        input_json: String,
        fragments: Vec<String>,
    },
}

/// The whole answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub content: Content,
    pub stop: Stop,
    pub input_tokens: u64,
    /// Behaviour name for the log: `ok`, `echo`, `tool_use` or `tool_result`.
    pub kind: &'static str,
}

impl Answer {
    /// The streamed pieces: words of the text, or fragments of the tool input.
    pub fn pieces(&self) -> &[String] {
        match &self.content {
            Content::Text(words) => words,
            Content::ToolUse { fragments, .. } => fragments,
        }
    }

    /// Output tokens: one per piece.
    pub fn output_tokens(&self) -> u64 {
        self.pieces().len() as u64
    }

    /// The answer text (empty for a tool call).
    pub fn text(&self) -> String {
        match &self.content {
            Content::Text(words) => words.concat(),
            Content::ToolUse { .. } => String::new(),
        }
    }
}

impl Conversation {
    /// The mock model's answer. Tool results are acknowledged; otherwise, when tools are offered,
    /// the first one is called; otherwise the text is echoed (`echo=1`) or generated.
    /// `call_id` makes the tool-call id unique.
    pub fn answer(&self, params: &Params, call_id: &str) -> Answer {
        let input_tokens = text::estimate_input_tokens(self.prompt_chars);
        if let Some(results) = &self.tool_results {
            let text = text::tool_result_answer(results);
            return self.text_answer(text::echo_pieces(&text), input_tokens, "tool_result");
        }
        if let (Some(tool), false) = (self.tools.first(), self.tools_disabled) {
            let input_json = text::tool_input_json(&tool.properties);
            let streamed = if params.faults.broken_tool_input {
                crate::faults::broken_json(&input_json)
            } else {
                input_json.clone()
            };
            return Answer {
                content: Content::ToolUse {
                    id: call_id.to_string(),
                    name: tool.name.clone(),
                    fragments: text::json_fragments(&streamed),
                    input_json,
                },
                stop: Stop::ToolUse,
                input_tokens,
                kind: "tool_use",
            };
        }
        let question = strip_directives(&self.user_text);
        if params.echo {
            self.text_answer(text::echo_pieces(&question), input_tokens, "echo")
        } else {
            let words = text::answer_pieces(&question, params.tokens);
            self.text_answer(words, input_tokens, "ok")
        }
    }

    fn text_answer(&self, mut words: Vec<String>, input_tokens: u64, kind: &'static str) -> Answer {
        let mut stop = Stop::EndTurn;
        if let Some(limit) = self.max_tokens {
            if words.len() > limit {
                words.truncate(limit);
                stop = Stop::MaxTokens;
            }
        }
        Answer {
            content: Content::Text(words),
            stop,
            input_tokens,
            kind,
        }
    }
}

/// When each piece of an answer is due: the first at `received + ttft`, then one every
/// `1 / tps` seconds (all at once when `tps` is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub first: Instant,
    pub interval: Duration,
}

impl Schedule {
    /// The schedule of a request received at `received`.
    pub fn new(received: Instant, params: &Params) -> Schedule {
        let interval = if params.tps > 0.0 {
            Duration::from_secs_f64(1.0 / params.tps)
        } else {
            Duration::ZERO
        };
        Schedule {
            first: received + Duration::from_millis(params.ttft_ms),
            interval,
        }
    }

    /// When piece `index` (from 0) is due.
    pub fn at(&self, index: usize) -> Instant {
        self.first + self.interval.mul_f64(index as f64)
    }

    /// When an answer of `pieces` pieces is complete (the last piece's time).
    pub fn end(&self, pieces: usize) -> Instant {
        self.at(pieces.saturating_sub(1))
    }
}

/// How long a cut waits after the last bytes that went out before it.
const CUT_GRACE: Duration = Duration::from_millis(50);

/// Wire bytes of one answer, already encoded by an API module.
#[derive(Debug, Clone, Default)]
pub struct Events {
    /// Sent with the first piece (`message_start`, the role chunk…).
    pub opening: Vec<Bytes>,
    /// One per piece.
    pub pieces: Vec<Bytes>,
    /// Sent with the last piece (`message_stop`, `[DONE]`…).
    pub closing: Vec<Bytes>,
    /// What `malformed` sends.
    pub malformed: Bytes,
    /// What `midstream` sends.
    pub midstream_error: Bytes,
}

/// Lays `events` out on `schedule`; a `failure` replaces everything after its piece count —
/// unless `continue_after_error`, when a `malformed` line or a `midstream` error is followed by
/// the rest of the answer, on schedule, as a server that does not stop would send it.
pub fn assemble(
    schedule: &Schedule,
    events: Events,
    failure: Option<Failure>,
    continue_after_error: bool,
) -> Vec<Timed> {
    let total = events.pieces.len();
    let sent = failure.map_or(total, |f| f.after().min(total));
    let goes_on = continue_after_error
        && matches!(failure, Some(Failure::Malformed(_) | Failure::Midstream(_)));
    let rest: Vec<Bytes> = events.pieces.get(sent..).unwrap_or_default().to_vec();
    let mut steps: Vec<Timed> = events
        .opening
        .into_iter()
        .map(|bytes| Timed {
            at: schedule.first,
            step: Step::Data(bytes),
        })
        .collect();
    steps.extend(
        events
            .pieces
            .into_iter()
            .take(sent)
            .enumerate()
            .map(|(i, bytes)| Timed {
                at: schedule.at(i),
                step: Step::Data(bytes),
            }),
    );
    match failure {
        None => {
            let end = schedule.end(total);
            steps.extend(events.closing.into_iter().map(|bytes| Timed {
                at: end,
                step: Step::Data(bytes),
            }));
        }
        Some(failure) => {
            let step = match failure {
                Failure::Cut(_) => Step::Abort,
                Failure::Stall(_) => Step::Stall,
                Failure::Malformed(_) => Step::Data(events.malformed),
                Failure::Midstream(_) => Step::Data(events.midstream_error),
            };
            // A cut comes at least `CUT_GRACE` after the last bytes: a connection closed
            // sooner can reach the client before those bytes are read, and drop them with it.
            let at = match failure {
                Failure::Cut(_) => {
                    let last_bytes = steps.last().map_or(schedule.first, |t| t.at);
                    schedule.at(sent).max(last_bytes + CUT_GRACE)
                }
                _ => schedule.at(sent),
            };
            steps.push(Timed { at, step });
            if goes_on {
                steps.extend(rest.into_iter().enumerate().map(|(i, bytes)| Timed {
                    at: schedule.at(sent + i),
                    step: Step::Data(bytes),
                }));
                let end = schedule.end(total);
                steps.extend(events.closing.into_iter().map(|bytes| Timed {
                    at: end,
                    step: Step::Data(bytes),
                }));
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn conversation(text: &str) -> Conversation {
        Conversation {
            model: "mock".into(),
            user_text: text.into(),
            prompt_chars: text.chars().count(),
            ..Conversation::default()
        }
    }

    #[test]
    fn generated_answer_has_tokens_words_and_mentions_the_question() {
        let params = Params::from_model("mock?tokens=8").unwrap();
        let answer = conversation("How do rivers form? [[mock tps=0]]").answer(&params, "id");
        assert_eq!(answer.output_tokens(), 8);
        assert!(answer
            .text()
            .starts_with("Mock answer about How do rivers form:"));
        assert!(!answer.text().contains("[[mock"));
        assert_eq!(answer.stop, Stop::EndTurn);
    }

    #[test]
    fn echo_returns_the_question_without_directives() {
        let params = Params {
            echo: true,
            ..Params::default()
        };
        let answer = conversation("[[mock echo=1]] <b>bold</b>\nnext").answer(&params, "id");
        assert_eq!(answer.text(), "<b>bold</b>\nnext");
        assert_eq!(answer.kind, "echo");
    }

    #[test]
    fn max_tokens_truncates_and_says_so() {
        let mut c = conversation("q");
        c.max_tokens = Some(5);
        let answer = c.answer(&Params::default(), "id");
        assert_eq!((answer.output_tokens(), answer.stop), (5, Stop::MaxTokens));
    }

    #[test]
    fn tools_get_called_until_results_come_back() {
        let mut c = conversation("add 2 and 3");
        c.tools = vec![ToolSpec {
            name: "add".into(),
            properties: vec![
                ("a".into(), json!({"type": "number"})),
                ("b".into(), json!({"type": "number"})),
            ],
        }];
        let call = c.answer(&Params::default(), "toolu_1");
        assert_eq!(call.stop, Stop::ToolUse);
        match &call.content {
            Content::ToolUse {
                name, input_json, ..
            } => assert_eq!(
                (name.as_str(), input_json.as_str()),
                ("add", r#"{"a":2,"b":3}"#)
            ),
            other => panic!("expected a tool call, got {other:?}"),
        }
        c.tool_results = Some(vec!["5".into()]);
        let after = c.answer(&Params::default(), "x");
        assert_eq!(after.text(), "The tool returned: 5");
        assert_eq!(after.stop, Stop::EndTurn);
    }

    #[test]
    fn schedule_spaces_pieces_by_tps_and_fixed_latency_is_exact() {
        let t0 = Instant::now();
        let s = Schedule::new(t0, &Params::from_model("mock?ttft=100&tps=10").unwrap());
        assert_eq!(s.at(0) - t0, Duration::from_millis(100));
        assert_eq!(s.at(3) - t0, Duration::from_millis(400));
        let fixed = Schedule::new(t0, &Params::from_model("mock?ttft=1000&tps=0").unwrap());
        assert_eq!(fixed.end(30) - t0, Duration::from_millis(1000));
    }

    fn events(n: usize) -> Events {
        Events {
            opening: vec![Bytes::from("open")],
            pieces: (0..n).map(|i| Bytes::from(format!("p{i}"))).collect(),
            closing: vec![Bytes::from("close")],
            malformed: Bytes::from("bad"),
            midstream_error: Bytes::from("err"),
        }
    }

    fn data(steps: &[Timed]) -> Vec<String> {
        steps
            .iter()
            .map(|t| match &t.step {
                Step::Data(b) => String::from_utf8_lossy(b).into_owned(),
                Step::Abort => "ABORT".into(),
                Step::Stall => "STALL".into(),
            })
            .collect()
    }

    #[test]
    fn assemble_puts_failures_after_their_piece_count() {
        let s = Schedule::new(Instant::now(), &Params::default());
        assert_eq!(
            data(&assemble(&s, events(3), None, false)),
            ["open", "p0", "p1", "p2", "close"]
        );
        assert_eq!(
            data(&assemble(&s, events(3), Some(Failure::Cut(2)), false)),
            ["open", "p0", "p1", "ABORT"]
        );
        assert_eq!(
            data(&assemble(&s, events(3), Some(Failure::Malformed(9)), false)),
            ["open", "p0", "p1", "p2", "bad"]
        );
        assert_eq!(
            data(&assemble(&s, events(3), Some(Failure::Stall(0)), false)),
            ["open", "STALL"]
        );
        assert_eq!(
            data(&assemble(&s, events(3), Some(Failure::Malformed(1)), true)),
            ["open", "p0", "bad", "p1", "p2", "close"]
        );
        assert_eq!(
            data(&assemble(&s, events(3), Some(Failure::Cut(1)), true)),
            ["open", "p0", "ABORT"]
        );
    }
}
