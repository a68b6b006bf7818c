//! A turn whose tool call has input that is not JSON fails with that reason — the lane is
//! red and the agent's result names the tool — whether the provider decodes a wire body (as the
//! HTTP providers do) or hands over the broken fragments itself.

use futures::stream;
use parallel_playground::agent::{run_agent, AgentDefinition, AgentEnv, AgentOutcome, Tool};
use parallel_playground::engine::{
    run_virtual, CallContext, CancelToken, Emitter, Event, LaneKind, LaneStatus, RetryPolicy,
    RunView, SplitMix64, VirtualClock,
};
use parallel_playground::providers::{
    EventStream, Message, ModelRequest, Provider, ProviderEvent, StopReason,
};
use parallel_playground::wire::anthropic::AnthropicStreamDecoder;
use parallel_playground::wire::decode_body;
use std::cell::RefCell;
use std::rc::Rc;

/// A model that answers with the events of one fixed Messages API body.
struct WireBody(String);

impl Provider for WireBody {
    fn stream(&self, _request: &ModelRequest, _attempt: u32) -> EventStream {
        let events = decode_body(&mut AnthropicStreamDecoder::new(), [self.0.as_bytes()]);
        Box::pin(stream::iter(events))
    }
}

/// A model that hands over a tool call with broken input and a clean stop, no decoder between.
struct BrokenEvents;

impl Provider for BrokenEvents {
    fn stream(&self, _request: &ModelRequest, _attempt: u32) -> EventStream {
        Box::pin(stream::iter([
            Ok(ProviderEvent::ToolUseStart {
                index: 0,
                id: "t1".into(),
                name: "add".into(),
            }),
            Ok(ProviderEvent::ToolInputDelta {
                index: 0,
                partial_json: "{\"a\": 2,".into(),
            }),
            Ok(ProviderEvent::Stop {
                reason: StopReason::ToolUse,
            }),
        ]))
    }
}

fn sse(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn tool_call_body(partial_json: &str) -> String {
    let delta = serde_json::json!({
        "type": "content_block_delta", "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": partial_json},
    });
    [
        sse("message_start", r#"{"type":"message_start","message":{"usage":{"input_tokens":5}}}"#),
        sse(
            "content_block_start",
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"add","input":{}}}"#,
        ),
        sse("content_block_delta", &delta.to_string()),
        sse("content_block_stop", r#"{"type":"content_block_stop","index":0}"#),
        sse("message_delta", r#"{"type":"message_delta","delta":{"stop_reason":"tool_use"}}"#),
        sse("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat()
}

fn run_one_turn(provider: Rc<dyn Provider>) -> (AgentOutcome, Vec<Event>) {
    let clock = VirtualClock::default();
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let emitter = Emitter::new(
        Rc::new(clock.clone()),
        Rc::new(move |e| sink.borrow_mut().push(e)),
    );
    let env = AgentEnv {
        calls: CallContext {
            emitter,
            provider,
            retry: RetryPolicy::default(),
            timeout_ms: None,
            rng: Rc::new(RefCell::new(SplitMix64::new(1))),
        },
        parallel_tools: true,
        max_turns: 4,
        group: parallel_playground::engine::Group::Agent,
    };
    let agent = Rc::new(AgentDefinition {
        name: "worker".into(),
        system_prompt: "worker".into(),
        model: "test".into(),
        max_tokens: 100,
        tools: Vec::<Rc<dyn Tool>>::new(),
    });
    let outcome = run_virtual(&clock, async move {
        run_agent(
            agent,
            vec![Message::user("go")],
            env,
            0,
            None,
            CancelToken::new(),
        )
        .await
    })
    .expect("the agent finishes");
    let events = events.borrow().clone();
    (outcome, events)
}

fn assert_turn_failed_naming_the_tool(outcome: &AgentOutcome, events: &[Event]) {
    let reason = outcome.result.clone().expect_err("the turn must fail");
    assert!(reason.contains("tool call add"), "{reason}");
    let view = RunView::from_events(events);
    let turns: Vec<_> = view
        .lanes
        .iter()
        .filter(|l| matches!(l.info.kind, LaneKind::Turn { .. }))
        .collect();
    assert_eq!(
        turns.len(),
        1,
        "no second turn after an unreadable tool call"
    );
    assert_eq!(turns[0].status, LaneStatus::Failed);
}

#[test]
fn a_tool_input_that_is_not_json_fails_the_turn_from_a_wire_body() {
    let (outcome, events) = run_one_turn(Rc::new(WireBody(tool_call_body("{\"a\": 2,"))));
    assert_turn_failed_naming_the_tool(&outcome, &events);
}

#[test]
fn a_tool_input_that_is_not_json_fails_the_turn_without_a_decoder() {
    let (outcome, events) = run_one_turn(Rc::new(BrokenEvents));
    assert_turn_failed_naming_the_tool(&outcome, &events);
}

#[test]
fn a_readable_tool_input_still_runs_the_turn() {
    let (outcome, _) = run_one_turn(Rc::new(WireBody(tool_call_body("{\"a\": 2}"))));
    // The tool does not exist here: the loop goes on with an is_error result, so the turn
    // itself was green and the run ends for another reason.
    assert!(
        !outcome
            .result
            .as_ref()
            .err()
            .is_some_and(|r| r.contains("not valid JSON")),
        "{:?}",
        outcome.result
    );
}
