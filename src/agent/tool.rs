//! The [`Tool`] trait and the context a tool call runs in.

use super::AgentEnv;
use crate::engine::{CancelToken, LaneId};
use crate::providers::ToolSpec;
use futures::future::LocalBoxFuture;
use serde_json::Value;

/// Where a tool call runs: the agent environment, the lane of the call, its conversation.
#[derive(Clone)]
pub struct ToolContext {
    pub env: AgentEnv,
    /// The tool call's own lane (sub-agents nest under it).
    pub lane: LaneId,
    pub conversation: usize,
    pub cancel: CancelToken,
}

/// Something an agent can call. Tools are shared by every conversation and must not keep
/// per-conversation state.
pub trait Tool {
    /// Name, description and input schema, as sent to the model.
    fn spec(&self) -> ToolSpec;

    /// Whether calling this tool hands the conversation over to another agent: handoffs run
    /// at once, alone, and end the calling agent's run with the other agent's answer.
    fn is_handoff(&self) -> bool {
        false
    }

    /// Runs the tool; `Err` becomes a `tool_result` with `is_error: true`.
    fn call(
        &self,
        input: Value,
        ctx: ToolContext,
    ) -> LocalBoxFuture<'static, Result<String, String>>;
}
