//! The agents lab: several conversations on one shared agent set-up, serially or concurrently,
//! with tool calls in a turn one at a time or all together.

use super::builtin::{AgentTool, MathTool};
use super::{run_agent, AgentDefinition, AgentEnv, Tool};
use crate::engine::{
    CallContext, CancelToken, CompareTiming, Emitter, EventKind, Group, LaneInfo, LaneKind,
    Outcome, RetryPolicy, RunEnv, RunKind, SplitMix64, Variant,
};
use crate::providers::Message;
use futures::future::{join, join_all};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;

/// Which agents answer the prompts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentSetup {
    /// One calculator agent with math tools (seed 003).
    #[default]
    Calculator,
    /// An orchestrator whose tools are calculator agents (seed 004's agents as tools).
    Orchestrator,
}

/// The system prompt of the calculator agent.
pub const CALCULATOR_PROMPT: &str = "You are a careful calculator. Use the math tools for every \
     operation; never compute in your head. When several operations do not depend on each other, \
     request all of them in the same turn (several tool calls in one response).";

/// The system prompt of the orchestrator: it asks for independent tool calls in one turn, as
/// seed 004 advises.
pub const ORCHESTRATOR_PROMPT: &str = "You are an orchestrator. Split the problem into \
     independent parts and delegate each part to a calculator agent. Issue the tool calls for \
     all independent parts in the same turn — several tool calls in one response — rather than \
     one per turn. Then combine their results with the math tools and give the final answer.";

/// An agents-lab run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentPlan {
    /// One conversation per prompt.
    pub prompts: Vec<String>,
    pub setup: AgentSetup,
    /// Run the conversations at the same time (`Promise.all`) rather than one after another.
    pub concurrent_conversations: bool,
    /// Run the tool calls of a turn together rather than one at a time.
    pub parallel_tools: bool,
    /// Simulated I/O time of each calculator tool call.
    pub tool_latency_ms: f64,
    pub model: String,
    pub max_tokens: u32,
    pub max_turns: usize,
    pub timeout_ms: Option<f64>,
    pub retry: RetryPolicy,
}

/// How one conversation ended.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversationResult {
    pub result: Result<String, String>,
    pub started_ms: f64,
    pub ended_ms: f64,
    pub turns: usize,
}

/// Everything an agents-lab run produced, conversations in prompt order.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentReport {
    pub conversations: Vec<ConversationResult>,
    pub started_ms: f64,
    pub ended_ms: f64,
    pub cancelled: bool,
}

impl AgentPlan {
    /// The agent every conversation talks to (built once, shared read-only).
    pub fn agent(&self) -> Rc<AgentDefinition> {
        let calculator = Rc::new(AgentDefinition {
            name: "calculator".into(),
            system_prompt: CALCULATOR_PROMPT.into(),
            model: self.model.clone(),
            max_tokens: self.max_tokens,
            tools: MathTool::all(self.tool_latency_ms),
        });
        match self.setup {
            AgentSetup::Calculator => calculator,
            AgentSetup::Orchestrator => {
                let mut tools: Vec<Rc<dyn Tool>> = vec![Rc::new(AgentTool {
                    name: "calculator_agent".into(),
                    description: "Gives a calculation to a calculator agent and returns its \
                                  answer. Independent calculations can be given to several \
                                  calculator agents at once."
                        .into(),
                    agent: calculator,
                })];
                tools.extend(MathTool::all(self.tool_latency_ms));
                Rc::new(AgentDefinition {
                    name: "orchestrator".into(),
                    system_prompt: ORCHESTRATOR_PROMPT.into(),
                    model: self.model.clone(),
                    max_tokens: self.max_tokens,
                    tools,
                })
            }
        }
    }
}

/// Runs every prompt as its own conversation on the plan's agent.
pub async fn run_agents(plan: &AgentPlan, env: RunEnv, cancel: CancelToken) -> AgentReport {
    let emitter = Emitter::new(env.clock.clone(), env.sink.clone());
    emit_start(plan, &emitter);
    let mut report = run_group(plan, &env, &emitter, Group::Agent, &cancel).await;
    let cancelled = cancel.is_cancelled();
    emitter.emit(EventKind::RunFinished { cancelled });
    report.cancelled = cancelled;
    report
}

/// The agents compare: the same prompts with conversations and tool calls one at a time
/// (`agent-serial`), and with both in parallel (`agent-parallel`), on one time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentCompareReport {
    pub serial: AgentReport,
    pub parallel: AgentReport,
    pub cancelled: bool,
}

/// Runs the agents compare: both sides together, or the serial side first (`timing`). The
/// plan's own toggles are ignored: each side sets them.
pub async fn run_agents_compare(
    plan: &AgentPlan,
    timing: CompareTiming,
    env: RunEnv,
    cancel: CancelToken,
) -> AgentCompareReport {
    let emitter = Emitter::new(env.clock.clone(), env.sink.clone());
    emit_start(plan, &emitter);
    let side = |parallel: bool| AgentPlan {
        concurrent_conversations: parallel,
        parallel_tools: parallel,
        ..plan.clone()
    };
    let (serial_plan, parallel_plan) = (side(false), side(true));
    let serial = run_group(&serial_plan, &env, &emitter, Group::AgentSerial, &cancel);
    let parallel = run_group(
        &parallel_plan,
        &env,
        &emitter,
        Group::AgentParallel,
        &cancel,
    );
    let (serial, parallel) = match timing {
        CompareTiming::SameTime => join(serial, parallel).await,
        CompareTiming::OneAfterTheOther => {
            let serial = serial.await;
            (serial, parallel.await)
        }
    };
    let cancelled = cancel.is_cancelled();
    emitter.emit(EventKind::RunFinished { cancelled });
    AgentCompareReport {
        serial,
        parallel,
        cancelled,
    }
}

fn emit_start(plan: &AgentPlan, emitter: &Emitter) {
    emitter.emit(EventKind::RunStarted {
        mode: RunKind::Agents,
        questions: plan.prompts.len(),
        model: plan.model.clone(),
        concurrency_limit: None,
    });
}

/// The conversations of one group, on `emitter`'s axis.
async fn run_group(
    plan: &AgentPlan,
    env: &RunEnv,
    emitter: &Emitter,
    group: Group,
    cancel: &CancelToken,
) -> AgentReport {
    let agent_env = AgentEnv {
        calls: CallContext {
            emitter: emitter.clone(),
            provider: env.provider.clone(),
            retry: plan.retry.clone(),
            timeout_ms: plan.timeout_ms,
            rng: Rc::new(RefCell::new(SplitMix64::new(env.jitter_seed))),
        },
        parallel_tools: plan.parallel_tools,
        max_turns: plan.max_turns.max(1),
        group,
    };
    let started_ms = emitter.elapsed_ms();
    emitter.emit(EventKind::GroupStarted { group });
    let agent = plan.agent();
    let conversation = |index: usize| {
        let (agent, env, cancel) = (agent.clone(), agent_env.clone(), cancel.clone());
        let prompt = plan.prompts[index].clone();
        async move {
            let emitter = env.calls.emitter.clone();
            let lane = emitter.open_lane(LaneInfo {
                group,
                kind: LaneKind::Conversation {
                    conversation: index,
                },
                label: prompt.clone(),
                parent: None,
                variant: Variant::A,
            });
            let started_ms = emitter.elapsed_ms();
            emitter.emit(EventKind::Started {
                lane,
                attempt: 0,
                request: None,
            });
            let outcome = run_agent(
                agent,
                vec![Message::user(prompt)],
                env,
                index,
                Some(lane),
                cancel.clone(),
            )
            .await;
            let (text, end) = match (&outcome.result, cancel.reason()) {
                (_, Some(reason)) => (String::new(), Outcome::Cancelled { reason }),
                (Ok(answer), None) => (answer.clone(), Outcome::Done),
                (Err(message), None) => (
                    message.clone(),
                    Outcome::ToolFailed {
                        message: message.clone(),
                    },
                ),
            };
            if !text.is_empty() {
                emitter.emit(EventKind::TextDelta { lane, text });
            }
            emitter.emit(EventKind::Finished { lane, outcome: end });
            ConversationResult {
                result: outcome.result,
                started_ms,
                ended_ms: emitter.elapsed_ms(),
                turns: outcome.turns,
            }
        }
    };
    let conversations = if plan.concurrent_conversations {
        join_all((0..plan.prompts.len()).map(conversation)).await
    } else {
        let mut results = Vec::with_capacity(plan.prompts.len());
        for index in 0..plan.prompts.len() {
            results.push(conversation(index).await);
        }
        results
    };
    emitter.emit(EventKind::GroupFinished { group });
    AgentReport {
        conversations,
        started_ms,
        ended_ms: emitter.elapsed_ms(),
        cancelled: cancel.is_cancelled(),
    }
}
