//! Built-in tools: calculator tools (instant, or with simulated I/O latency), agents as tools,
//! and handoffs.

use super::tool::{Tool, ToolContext};
use super::{run_agent, AgentDefinition};
use crate::providers::simulated::format_number;
use crate::providers::{Message, ToolSpec};
use futures::future::LocalBoxFuture;
use serde_json::{json, Value};
use std::rc::Rc;

/// An arithmetic operation offered as a tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathOperation {
    Sum,
    Multiply,
    Subtract,
    Divide,
}

/// `sum_numbers`, `multiply_numbers`, `subtract_numbers`, `divide_numbers`: exact arithmetic,
/// optionally taking `latency_ms` as if it were a remote service.
pub struct MathTool {
    pub operation: MathOperation,
    /// Simulated I/O time per call (0 for an instant, CPU-only tool).
    pub latency_ms: f64,
}

impl MathTool {
    /// All four calculator tools with the same latency.
    pub fn all(latency_ms: f64) -> Vec<Rc<dyn Tool>> {
        [
            MathOperation::Sum,
            MathOperation::Multiply,
            MathOperation::Subtract,
            MathOperation::Divide,
        ]
        .into_iter()
        .map(|operation| {
            Rc::new(MathTool {
                operation,
                latency_ms,
            }) as Rc<dyn Tool>
        })
        .collect()
    }

    /// The result for `input`, or why there is none.
    pub fn compute(&self, input: &Value) -> Result<f64, String> {
        let number = |key: &str| {
            input[key]
                .as_f64()
                .ok_or_else(|| format!("`{key}` must be a number"))
        };
        let list = || -> Result<Vec<f64>, String> {
            let items = input["numbers"]
                .as_array()
                .ok_or("`numbers` must be a list of numbers")?;
            items
                .iter()
                .map(|v| v.as_f64().ok_or_else(|| format!("{v} is not a number")))
                .collect()
        };
        match self.operation {
            MathOperation::Sum => Ok(list()?.iter().sum()),
            MathOperation::Multiply => Ok(list()?.iter().product()),
            MathOperation::Subtract => Ok(number("a")? - number("b")?),
            MathOperation::Divide => {
                let b = number("b")?;
                if b == 0.0 {
                    Err("division by zero".into())
                } else {
                    Ok(number("a")? / b)
                }
            }
        }
    }
}

impl Tool for MathTool {
    fn spec(&self) -> ToolSpec {
        let (name, description, schema) = match self.operation {
            MathOperation::Sum => ("sum_numbers", "Adds a list of numbers.", numbers_schema()),
            MathOperation::Multiply => (
                "multiply_numbers",
                "Multiplies a list of numbers.",
                numbers_schema(),
            ),
            MathOperation::Subtract => ("subtract_numbers", "Computes a - b.", pair_schema()),
            MathOperation::Divide => ("divide_numbers", "Computes a / b.", pair_schema()),
        };
        ToolSpec {
            name: name.into(),
            description: description.into(),
            input_schema: schema,
        }
    }

    fn call(
        &self,
        input: Value,
        ctx: ToolContext,
    ) -> LocalBoxFuture<'static, Result<String, String>> {
        let result = self.compute(&input).map(format_number);
        let latency = self.latency_ms;
        let clock = ctx.env.calls.emitter.clock().clone();
        Box::pin(async move {
            if latency > 0.0 {
                clock.sleep(latency).await;
            }
            result
        })
    }
}

fn numbers_schema() -> Value {
    json!({
        "type": "object",
        "properties": { "numbers": { "type": "array", "items": { "type": "number" } } },
        "required": ["numbers"]
    })
}

fn pair_schema() -> Value {
    json!({
        "type": "object",
        "properties": { "a": { "type": "number" }, "b": { "type": "number" } },
        "required": ["a", "b"]
    })
}

fn task_schema() -> Value {
    json!({
        "type": "object",
        "properties": { "task": { "type": "string", "description": "What the agent should do." } },
        "required": ["task"]
    })
}

/// An agent offered as a tool: the call runs a whole conversation of `agent` on the task, and
/// its turns nest under the tool call on the timeline.
pub struct AgentTool {
    pub name: String,
    pub description: String,
    pub agent: Rc<AgentDefinition>,
}

/// A handoff: transfers the conversation to `agent`, whose answer ends the caller's run.
pub struct HandoffTool {
    pub agent: Rc<AgentDefinition>,
}

fn delegate(
    agent: Rc<AgentDefinition>,
    input: Value,
    ctx: ToolContext,
) -> LocalBoxFuture<'static, Result<String, String>> {
    Box::pin(async move {
        let task = input["task"]
            .as_str()
            .ok_or("`task` must be a string")?
            .to_string();
        let outcome = run_agent(
            agent,
            vec![Message::user(task)],
            ctx.env,
            ctx.conversation,
            Some(ctx.lane),
            ctx.cancel,
        )
        .await;
        outcome.result
    })
}

impl Tool for AgentTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.name.clone(),
            description: self.description.clone(),
            input_schema: task_schema(),
        }
    }

    fn call(
        &self,
        input: Value,
        ctx: ToolContext,
    ) -> LocalBoxFuture<'static, Result<String, String>> {
        delegate(self.agent.clone(), input, ctx)
    }
}

impl Tool for HandoffTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: format!("transfer_to_{}", self.agent.name),
            description: format!(
                "Hand the conversation over to {}, who answers instead of you.",
                self.agent.name
            ),
            input_schema: task_schema(),
        }
    }

    fn is_handoff(&self) -> bool {
        true
    }

    fn call(
        &self,
        input: Value,
        ctx: ToolContext,
    ) -> LocalBoxFuture<'static, Result<String, String>> {
        delegate(self.agent.clone(), input, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_tools_compute_exactly_and_explain_bad_input() {
        let tool = |operation| MathTool {
            operation,
            latency_ms: 0.0,
        };
        assert_eq!(
            tool(MathOperation::Sum).compute(&json!({"numbers": [2, 3, 4]})),
            Ok(9.0)
        );
        assert_eq!(
            tool(MathOperation::Divide).compute(&json!({"a": 1, "b": 0})),
            Err("division by zero".into())
        );
        assert!(tool(MathOperation::Multiply)
            .compute(&json!({"numbers": "x"}))
            .is_err());
    }
}
