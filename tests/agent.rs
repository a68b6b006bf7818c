//! The agent loop under virtual time: parallel tool calls, result order, tool errors, handoffs,
//! agents as tools, and concurrent conversations.

use futures::stream;
use futures::StreamExt;
use parallel_playground::agent::*;
use parallel_playground::engine::*;
use parallel_playground::providers::scripted::{ScriptedAttempt, ScriptedProvider};
use parallel_playground::providers::simulated::{SimulatedProvider, SimulationSettings};
use parallel_playground::providers::{
    ContentBlock, EventStream, ModelRequest, Provider, ProviderEvent, Role, StopReason,
};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The tool calls of one turn: (tool name, input).
type TurnCalls = Vec<(&'static str, Value)>;

/// A model that plays fixed turns: turn `n` of an agent (counted by its assistant messages so
/// far) takes `turn_ms` and either asks for tools or answers.
struct TurnScript {
    clock: Rc<dyn Clock>,
    turn_ms: f64,
    /// Per system prompt: the tool calls of each turn (an empty list means "answer").
    turns: Vec<(String, Vec<TurnCalls>)>,
    requests: Rc<RefCell<Vec<ModelRequest>>>,
}

impl Provider for TurnScript {
    fn stream(&self, request: &ModelRequest, _attempt: u32) -> EventStream {
        self.requests.borrow_mut().push(request.clone());
        let system = request.system.clone().unwrap_or_default();
        let turn = request
            .messages
            .iter()
            .filter(|m| m.role == Role::Assistant)
            .count();
        let calls = self
            .turns
            .iter()
            .find(|(s, _)| *s == system)
            .and_then(|(_, turns)| turns.get(turn).cloned())
            .unwrap_or_default();
        let mut events = vec![Ok(ProviderEvent::Opened { request_id: None })];
        if calls.is_empty() {
            events.push(Ok(ProviderEvent::TextDelta {
                text: format!("{system} answered."),
            }));
        }
        for (i, (name, input)) in calls.iter().enumerate() {
            events.push(Ok(ProviderEvent::ToolUseStart {
                index: i + 1,
                id: format!("call_{turn}_{i}"),
                name: name.to_string(),
            }));
            events.push(Ok(ProviderEvent::ToolInputDelta {
                index: i + 1,
                partial_json: input.to_string(),
            }));
        }
        events.push(Ok(ProviderEvent::Stop {
            reason: if calls.is_empty() {
                StopReason::EndTurn
            } else {
                StopReason::ToolUse
            },
        }));
        let clock = self.clock.clone();
        let wait = self.turn_ms;
        Box::pin(
            stream::once(async move {
                clock.sleep(wait).await;
                stream::iter(events)
            })
            .flatten(),
        )
    }
}

/// A tool that waits `ms` and returns its name, or fails when asked to.
struct WaitTool {
    name: &'static str,
    ms: f64,
    fails: bool,
}

impl Tool for WaitTool {
    fn spec(&self) -> parallel_playground::providers::ToolSpec {
        parallel_playground::providers::ToolSpec {
            name: self.name.into(),
            description: String::new(),
            input_schema: json!({"type": "object"}),
        }
    }

    fn call(
        &self,
        _input: Value,
        ctx: ToolContext,
    ) -> futures::future::LocalBoxFuture<'static, Result<String, String>> {
        let clock = ctx.env.calls.emitter.clock().clone();
        let (ms, fails, name) = (self.ms, self.fails, self.name);
        Box::pin(async move {
            clock.sleep(ms).await;
            if fails {
                Err(format!("{name} broke"))
            } else {
                Ok(format!("{name} ok"))
            }
        })
    }
}

struct Harness {
    clock: VirtualClock,
    events: Rc<RefCell<Vec<Event>>>,
    env: AgentEnv,
}

fn harness(provider: Rc<dyn Provider>, clock: VirtualClock, parallel_tools: bool) -> Harness {
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
        parallel_tools,
        max_turns: 8,
        group: Group::Agent,
    };
    Harness { clock, events, env }
}

fn agent(name: &str, tools: Vec<Rc<dyn Tool>>) -> Rc<AgentDefinition> {
    Rc::new(AgentDefinition {
        name: name.into(),
        system_prompt: name.into(),
        model: "test".into(),
        max_tokens: 100,
        tools,
    })
}

fn run(h: &Harness, agent: Rc<AgentDefinition>) -> AgentOutcome {
    let env = h.env.clone();
    run_virtual(&h.clock, async move {
        run_agent(
            agent,
            vec![parallel_playground::providers::Message::user("go")],
            env,
            0,
            None,
            CancelToken::new(),
        )
        .await
    })
    .expect("the agent finishes")
}

fn tool_spans(events: &[Event]) -> Vec<(String, f64, f64)> {
    let view = RunView::from_events(events);
    view.lanes
        .iter()
        .filter_map(|l| match &l.info.kind {
            LaneKind::Tool { tool, .. } => Some((tool.clone(), l.started_ms?, l.ended_ms?)),
            _ => None,
        })
        .collect()
}

fn three_tools_script(
    clock: &VirtualClock,
    requests: Rc<RefCell<Vec<ModelRequest>>>,
) -> Rc<dyn Provider> {
    Rc::new(TurnScript {
        clock: Rc::new(clock.clone()),
        turn_ms: 0.0,
        turns: vec![(
            "worker".into(),
            vec![vec![("a", json!({})), ("b", json!({})), ("c", json!({}))]],
        )],
        requests,
    })
}

fn wait_tools(ms: [f64; 3]) -> Vec<Rc<dyn Tool>> {
    ["a", "b", "c"]
        .into_iter()
        .zip(ms)
        .map(|(name, ms)| {
            Rc::new(WaitTool {
                name,
                ms,
                fails: false,
            }) as Rc<dyn Tool>
        })
        .collect()
}

#[test]
fn three_one_second_tool_calls_take_one_second_in_parallel_and_three_one_at_a_time() {
    for (parallel, expected_end) in [(true, 1000.0), (false, 3000.0)] {
        let clock = VirtualClock::new();
        let requests = Rc::new(RefCell::new(Vec::new()));
        let h = harness(three_tools_script(&clock, requests), clock, parallel);
        let outcome = run(&h, agent("worker", wait_tools([1000.0; 3])));
        assert_eq!(outcome.result, Ok("worker answered.".into()));
        let spans = tool_spans(&h.events.borrow());
        assert_eq!(spans.len(), 3);
        let last_end = spans.iter().map(|s| s.2).fold(0.0, f64::max);
        assert_eq!(last_end, expected_end, "parallel tools: {parallel}");
        if parallel {
            assert!(spans.iter().all(|s| s.1 == 0.0), "{spans:?}");
        }
    }
}

#[test]
fn tool_results_go_back_together_in_the_order_the_model_asked() {
    let clock = VirtualClock::new();
    let requests = Rc::new(RefCell::new(Vec::new()));
    let h = harness(three_tools_script(&clock, requests.clone()), clock, true);
    // b finishes first, a last; the results must still be a, b, c.
    run(&h, agent("worker", wait_tools([3000.0, 1000.0, 2000.0])));
    let second = requests.borrow()[1].clone();
    let last = second.messages.last().expect("a user message");
    assert_eq!(last.role, Role::User);
    let ids: Vec<&str> = last
        .content
        .iter()
        .map(|b| match b {
            ContentBlock::ToolResult { tool_use_id, .. } => tool_use_id.as_str(),
            _ => "not a tool result",
        })
        .collect();
    assert_eq!(ids, ["call_0_0", "call_0_1", "call_0_2"]);
}

#[test]
fn a_failing_tool_becomes_an_error_result_and_the_conversation_finishes() {
    let clock = VirtualClock::new();
    let requests = Rc::new(RefCell::new(Vec::new()));
    let h = harness(three_tools_script(&clock, requests.clone()), clock, true);
    let tools: Vec<Rc<dyn Tool>> = vec![
        Rc::new(WaitTool {
            name: "a",
            ms: 10.0,
            fails: false,
        }),
        Rc::new(WaitTool {
            name: "b",
            ms: 10.0,
            fails: true,
        }),
        Rc::new(WaitTool {
            name: "c",
            ms: 10.0,
            fails: false,
        }),
    ];
    let outcome = run(&h, agent("worker", tools));
    assert_eq!(outcome.result, Ok("worker answered.".into()));
    let second = requests.borrow()[1].clone();
    let errors: Vec<bool> = second.messages[2]
        .content
        .iter()
        .map(|b| matches!(b, ContentBlock::ToolResult { is_error: true, .. }))
        .collect();
    assert_eq!(errors, [false, true, false]);
    let view = RunView::from_events(h.events.borrow().iter());
    let failed = view
        .lanes
        .iter()
        .find(|l| l.info.label.starts_with("b("))
        .expect("b's lane");
    assert_eq!(failed.status, LaneStatus::Failed);
}

#[test]
fn a_handoff_runs_first_alone_and_ends_the_turn_with_the_other_agents_answer() {
    let clock = VirtualClock::new();
    let requests = Rc::new(RefCell::new(Vec::new()));
    let provider: Rc<dyn Provider> = Rc::new(TurnScript {
        clock: Rc::new(clock.clone()),
        turn_ms: 500.0,
        turns: vec![(
            "front desk".into(),
            vec![vec![
                ("a", json!({})),
                ("transfer_to_specialist", json!({"task": "take over"})),
                ("c", json!({})),
            ]],
        )],
        requests,
    });
    let h = harness(provider, clock, true);
    let specialist = agent("specialist", Vec::new());
    let mut tools = wait_tools([1000.0; 3]);
    tools.push(Rc::new(HandoffTool { agent: specialist }));
    let outcome = run(&h, agent("front desk", tools));
    assert_eq!(outcome.result, Ok("specialist answered.".into()));
    let spans = tool_spans(&h.events.borrow());
    let names: Vec<&str> = spans.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        ["transfer_to_specialist"],
        "the other tools never ran"
    );
    // The specialist's own turn nests under the handoff's lane.
    let view = RunView::from_events(h.events.borrow().iter());
    let handoff = view
        .lanes
        .iter()
        .find(|l| l.info.label.starts_with("transfer_to"))
        .expect("lane");
    assert!(view.lanes.iter().any(|l| l.info.parent == Some(handoff.id)));
}

/// The simulated orchestrator with three calculator sub-agents; returns (span of the three
/// sub-agent calls, longest single sub-agent call, sum of the sub-agent calls, run wall).
fn orchestrate(parallel_tools: bool) -> (f64, f64, f64, f64) {
    let clock = VirtualClock::new();
    let provider = SimulatedProvider::new(Rc::new(clock.clone()), SimulationSettings::default());
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let env = RunEnv {
        clock: Rc::new(clock.clone()),
        provider: Rc::new(provider),
        sink: Rc::new(move |e| sink.borrow_mut().push(e)),
        jitter_seed: 1,
    };
    let plan = AgentPlan {
        prompts: vec!["Calculate (2+3)*(4*4) + (10-4)*(3+3) + (8/2)*(5+1)".into()],
        setup: AgentSetup::Orchestrator,
        concurrent_conversations: true,
        parallel_tools,
        tool_latency_ms: 800.0,
        model: "simulated".into(),
        max_tokens: 1024,
        max_turns: 10,
        timeout_ms: None,
        retry: RetryPolicy::default(),
    };
    let report = run_virtual(&clock, async move {
        run_agents(&plan, env, CancelToken::new()).await
    })
    .expect("finishes");
    let answer = report.conversations[0].result.clone().expect("an answer");
    assert!(answer.ends_with("is 140."), "{answer}");
    let agents: Vec<(String, f64, f64)> = tool_spans(&events.borrow())
        .into_iter()
        .filter(|s| s.0 == "calculator_agent")
        .collect();
    assert_eq!(agents.len(), 3);
    let start = agents.iter().map(|s| s.1).fold(f64::MAX, f64::min);
    let end = agents.iter().map(|s| s.2).fold(0.0, f64::max);
    let longest = agents.iter().map(|s| s.2 - s.1).fold(0.0, f64::max);
    let sum: f64 = agents.iter().map(|s| s.2 - s.1).sum();
    (
        end - start,
        longest,
        sum,
        report.ended_ms - report.started_ms,
    )
}

#[test]
fn an_orchestrator_with_parallel_agent_tools_takes_the_time_of_the_slowest_agent() {
    let (parallel_span, longest, _, parallel_wall) = orchestrate(true);
    let (sequential_span, _, sum, sequential_wall) = orchestrate(false);
    eprintln!(
        "orchestrator: three calculator agents take {:.1} s in parallel (longest {:.1} s) and \
         {:.1} s one at a time (sum {:.1} s); whole run {:.1} s vs {:.1} s",
        parallel_span / 1000.0,
        longest / 1000.0,
        sequential_span / 1000.0,
        sum / 1000.0,
        parallel_wall / 1000.0,
        sequential_wall / 1000.0
    );
    assert!(
        (5_000.0..8_000.0).contains(&longest),
        "each agent ≈ 6 s: {longest}"
    );
    assert_eq!(parallel_span, longest, "parallel = the slowest agent");
    assert!(
        sequential_span >= sum,
        "sequential = the sum: {sequential_span} vs {sum}"
    );
    assert!(sequential_span >= 15_000.0, "{sequential_span}");
    assert!(sequential_wall - parallel_wall >= sum - longest - 1.0);
}

#[test]
fn two_conversations_of_five_and_four_seconds_take_five_concurrently_and_nine_serially() {
    for (concurrent, expected) in [(true, 5000.0), (false, 9000.0)] {
        let clock = VirtualClock::new();
        let provider = ScriptedProvider::new(Rc::new(clock.clone()))
            .script("first", vec![ScriptedAttempt::answer(5000.0, "done one")])
            .script("second", vec![ScriptedAttempt::answer(4000.0, "done two")]);
        let env = RunEnv {
            clock: Rc::new(clock.clone()),
            provider: Rc::new(provider),
            sink: Rc::new(|_| {}),
            jitter_seed: 1,
        };
        let plan = AgentPlan {
            prompts: vec!["first".into(), "second".into()],
            setup: AgentSetup::Calculator,
            concurrent_conversations: concurrent,
            parallel_tools: true,
            tool_latency_ms: 0.0,
            model: "test".into(),
            max_tokens: 100,
            max_turns: 4,
            timeout_ms: None,
            retry: RetryPolicy::default(),
        };
        let report = run_virtual(&clock, async move {
            run_agents(&plan, env, CancelToken::new()).await
        })
        .expect("finishes");
        assert_eq!(report.ended_ms - report.started_ms, expected);
        let answers: Vec<_> = report
            .conversations
            .iter()
            .map(|c| c.result.clone())
            .collect();
        assert_eq!(
            answers,
            [Ok("done one".to_string()), Ok("done two".to_string())]
        );
    }
}
