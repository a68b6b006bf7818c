//! The tool-using agent loop (seeds 003 and 004).
//!
//! An [`AgentDefinition`] is read-only during runs, so one definition serves many conversations
//! at once; each conversation owns its message history. Each turn the model may ask for several
//! tools; they run together ([`AgentEnv::parallel_tools`]) or one at a time, and their results go
//! back in one user message, in the order the model asked. Tool errors go back as `is_error`
//! results and the loop goes on. Handoffs run first and alone, and end the run with the other
//! agent's answer.

mod builtin;
mod compare;
mod lab;
mod tool;

pub use builtin::{AgentTool, HandoffTool, MathOperation, MathTool};
pub use compare::AgentCompareFigures;
pub use lab::{
    run_agents, run_agents_compare, AgentCompareReport, AgentPlan, AgentReport, AgentSetup,
    ConversationResult,
};
pub use tool::{Tool, ToolContext};

use crate::engine::{
    run_call, CallContext, CancelToken, EventKind, Group, LaneId, LaneInfo, LaneKind, Outcome,
    Variant,
};
use crate::providers::{ContentBlock, Message, ModelRequest, Role};
use futures::future::{join_all, select, Either, LocalBoxFuture};
use serde_json::Value;
use std::pin::pin;
use std::rc::Rc;

/// An agent: a name, a system prompt, a model, and tools.
pub struct AgentDefinition {
    pub name: String,
    pub system_prompt: String,
    pub model: String,
    pub max_tokens: u32,
    pub tools: Vec<Rc<dyn Tool>>,
}

impl AgentDefinition {
    fn tool(&self, name: &str) -> Option<&Rc<dyn Tool>> {
        self.tools.iter().find(|t| t.spec().name == name)
    }
}

/// What every agent of a run shares: the model calls' context and the loop's settings.
#[derive(Clone)]
pub struct AgentEnv {
    pub calls: CallContext,
    /// Run the tool calls of one turn together (`Promise.all`) rather than one at a time.
    pub parallel_tools: bool,
    /// The most model turns one agent run may take.
    pub max_turns: usize,
    /// The group its lanes belong to (`Agent`, or a side of the agents compare).
    pub group: Group,
}

/// How an agent run ended: its answer or why there is none, and its conversation.
pub struct AgentOutcome {
    pub result: Result<String, String>,
    pub messages: Vec<Message>,
    pub turns: usize,
}

/// Runs `agent` on `messages` until it answers without tools, hands off, fails, or reaches the
/// turn limit. Its lanes nest under `parent`.
pub fn run_agent(
    agent: Rc<AgentDefinition>,
    mut messages: Vec<Message>,
    env: AgentEnv,
    conversation: usize,
    parent: Option<LaneId>,
    cancel: CancelToken,
) -> LocalBoxFuture<'static, AgentOutcome> {
    Box::pin(async move {
        let specs: Vec<_> = agent.tools.iter().map(|t| t.spec()).collect();
        for turn in 0..env.max_turns {
            let lane = env.calls.emitter.open_lane(LaneInfo {
                group: env.group,
                kind: LaneKind::Turn {
                    conversation,
                    agent: agent.name.clone(),
                    turn,
                },
                label: format!("{} · turn {}", agent.name, turn + 1),
                parent,
                variant: Variant::A,
            });
            let request = ModelRequest {
                model: agent.model.clone(),
                system: Some(agent.system_prompt.clone()).filter(|s| !s.trim().is_empty()),
                messages: messages.clone(),
                max_tokens: agent.max_tokens,
                temperature: None,
                tools: specs.clone(),
                cache_system: false,
            };
            let call = run_call(&env.calls, lane, request, &cancel, None).await;
            let Some(reply) = call.message else {
                let reason = call
                    .outcome
                    .reason()
                    .unwrap_or_else(|| "the model call failed".into());
                return AgentOutcome {
                    result: Err(reason),
                    messages,
                    turns: turn + 1,
                };
            };
            messages.push(Message {
                role: Role::Assistant,
                content: reply.content.clone(),
            });
            let uses: Vec<(String, String, Value)> = reply
                .tool_uses()
                .into_iter()
                .map(|(id, name, input)| (id.to_string(), name.to_string(), input.clone()))
                .collect();
            if uses.is_empty() {
                return AgentOutcome {
                    result: Ok(reply.text()),
                    messages,
                    turns: turn + 1,
                };
            }

            let mut results: Vec<Option<Result<String, String>>> = vec![None; uses.len()];
            // Handoffs first, alone: a successful one ends this agent's run.
            for (i, (_, name, input)) in uses.iter().enumerate() {
                if agent.tool(name).is_some_and(|t| t.is_handoff()) {
                    let result =
                        execute_tool(&agent, name, input, &env, conversation, lane, &cancel).await;
                    if let Ok(answer) = result {
                        return AgentOutcome {
                            result: Ok(answer),
                            messages,
                            turns: turn + 1,
                        };
                    }
                    results[i] = Some(result);
                }
            }
            let waiting: Vec<usize> = (0..uses.len()).filter(|i| results[*i].is_none()).collect();
            let run_one = |i: usize| {
                let (_, name, input) = &uses[i];
                execute_tool(&agent, name, input, &env, conversation, lane, &cancel)
            };
            if env.parallel_tools {
                let done = join_all(waiting.iter().map(|i| run_one(*i))).await;
                for (i, result) in waiting.iter().zip(done) {
                    results[*i] = Some(result);
                }
            } else {
                for i in waiting {
                    results[i] = Some(run_one(i).await);
                }
            }
            if let Some(reason) = cancel.reason() {
                return AgentOutcome {
                    result: Err(format!("Cancelled: {}.", reason.sentence())),
                    messages,
                    turns: turn + 1,
                };
            }
            // All results go back together, in the order the model asked for them.
            let content = uses
                .iter()
                .zip(results)
                .map(|((id, _, _), result)| {
                    let (content, is_error) = match result {
                        Some(Ok(text)) => (text, false),
                        Some(Err(error)) => (error, true),
                        None => ("the tool did not run".to_string(), true),
                    };
                    ContentBlock::ToolResult {
                        tool_use_id: id.clone(),
                        content,
                        is_error,
                    }
                })
                .collect();
            messages.push(Message {
                role: Role::User,
                content,
            });
        }
        AgentOutcome {
            result: Err(format!(
                "Stopped after {} turns without a final answer.",
                env.max_turns
            )),
            messages,
            turns: env.max_turns,
        }
    })
}

/// Runs one tool call on a lane of its own, nested under the turn that asked for it.
async fn execute_tool(
    agent: &AgentDefinition,
    name: &str,
    input: &Value,
    env: &AgentEnv,
    conversation: usize,
    turn_lane: LaneId,
    cancel: &CancelToken,
) -> Result<String, String> {
    let emitter = &env.calls.emitter;
    let lane = emitter.open_lane(LaneInfo {
        group: env.group,
        kind: LaneKind::Tool {
            conversation,
            tool: name.to_string(),
            input: input.clone(),
        },
        label: tool_label(name, input),
        parent: Some(turn_lane),
        variant: Variant::A,
    });
    emitter.emit(EventKind::Started {
        lane,
        attempt: 0,
        request: None,
    });
    let result = match agent.tool(name) {
        None => Err(format!("there is no tool called {name}")),
        Some(tool) => {
            let ctx = ToolContext {
                env: env.clone(),
                lane,
                conversation,
                cancel: cancel.clone(),
            };
            let work = tool.call(input.clone(), ctx);
            match select(work, pin!(cancel.cancelled())).await {
                Either::Left((result, _)) => result,
                Either::Right((reason, _)) => {
                    emitter.emit(EventKind::Finished {
                        lane,
                        outcome: Outcome::Cancelled {
                            reason: reason.clone(),
                        },
                    });
                    return Err(format!("Cancelled: {}.", reason.sentence()));
                }
            }
        }
    };
    let (text, outcome) = match &result {
        Ok(text) => (text.clone(), Outcome::Done),
        Err(message) => (
            message.clone(),
            Outcome::ToolFailed {
                message: message.clone(),
            },
        ),
    };
    emitter.emit(EventKind::TextDelta { lane, text });
    emitter.emit(EventKind::Finished { lane, outcome });
    result
}

/// A JSON value as people write it: `2` rather than `2.0`.
fn value_text(value: &Value) -> String {
    match value.as_f64() {
        Some(n) => crate::providers::simulated::format_number(n),
        None => value.to_string(),
    }
}

/// `sum_numbers(2, 3)`, `calculator_agent("Calculate 2 + 3")`: a tool call as people write it.
pub fn tool_label(name: &str, input: &Value) -> String {
    let args: Vec<String> = match input {
        Value::Object(map) => map
            .values()
            .map(|v| match v {
                Value::String(s) => format!("\"{s}\""),
                Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
                other => value_text(other),
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    };
    format!("{name}({})", args.join(", "))
}
