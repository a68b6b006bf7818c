//! The simulated model's tool use, scripted and stateless: from the conversation so far it works
//! out what is known and asks, in one turn, for every calculation that is ready — so `(2+3)*(4*4)`
//! becomes `2+3` and `4*4` together, then `5*16`, then the answer. With agent tools it plays an
//! orchestrator that delegates each part of a sum to a sub-agent, all in the same turn.

use super::arithmetic::{format_number, Expression, Node, NotAnExpression, Op};
use super::writer;
use crate::base::{stable_hash, SplitMix64};
use crate::providers::{ContentBlock, ModelRequest, Role};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A tool call the model makes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedToolCall {
    pub id: String,
    pub name: String,
    pub input: Value,
}

/// What the scripted model says in one turn.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedTurn {
    pub text: String,
    pub tool_calls: Vec<PlannedToolCall>,
}

/// Facts gathered from the conversation.
struct History {
    /// Tool call id → (tool name, result, is_error) for calls that have a result.
    results: HashMap<String, (String, String, bool)>,
    /// Ids of every tool call the model already made.
    requested: Vec<String>,
}

fn history(request: &ModelRequest) -> History {
    let mut names = HashMap::new();
    let mut requested = Vec::new();
    let mut results = HashMap::new();
    for message in &request.messages {
        for block in &message.content {
            match (message.role, block) {
                (Role::Assistant, ContentBlock::ToolUse { id, name, .. }) => {
                    names.insert(id.clone(), name.clone());
                    requested.push(id.clone());
                }
                (
                    Role::User,
                    ContentBlock::ToolResult {
                        tool_use_id,
                        content,
                        is_error,
                    },
                ) => {
                    let name = names.get(tool_use_id).cloned().unwrap_or_default();
                    results.insert(tool_use_id.clone(), (name, content.clone(), *is_error));
                }
                _ => {}
            }
        }
    }
    History { results, requested }
}

/// Whether a tool delegates to another agent (its input is a `task`).
fn is_agent_tool(tool: &crate::providers::ToolSpec) -> bool {
    tool.input_schema["properties"]["task"].is_object()
}

/// Whether a tool hands the conversation over to another agent.
pub fn is_handoff_tool(name: &str) -> bool {
    name.starts_with("transfer_to_")
}

/// The id of a tool call about expression node `node`.
fn call_id(node: usize, tag: &str, salt: u64) -> String {
    format!("toolu_n{node}{tag}_{:08x}", salt & 0xffff_ffff)
}

/// The expression node a call id is about.
fn node_of(id: &str) -> Option<usize> {
    let digits: String = id
        .strip_prefix("toolu_n")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The last number in a text ("The result is 80." → 80).
fn last_number(text: &str) -> Option<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|w| w.trim_matches('.').parse::<f64>().ok())
        .next_back()
}

fn input_for(op: Op, operands: &[f64]) -> Value {
    match op {
        Op::Add | Op::Multiply => json!({ "numbers": operands }),
        Op::Subtract | Op::Divide => json!({ "a": operands[0], "b": operands[1] }),
    }
}

/// The operands of the chain of `op` at `node`: `a + b + c` → [a, b, c].
fn chain(expr: &Expression, node: usize, op: Op, out: &mut Vec<usize>) {
    match &expr.nodes[node] {
        Node::Apply { op: o, left, right } if *o == op => {
            chain(expr, *left, op, out);
            chain(expr, *right, op, out);
        }
        _ => out.push(node),
    }
}

/// The scripted turn for a request that offers tools.
pub fn tool_turn(request: &ModelRequest) -> ScriptedTurn {
    let task = request
        .messages
        .iter()
        .find(|m| m.role == Role::User)
        .map(|m| m.text())
        .unwrap_or_default();
    let salt = stable_hash(&[&task]);
    let seen = history(request);
    let text_turn = |text: String| ScriptedTurn {
        text,
        tool_calls: Vec::new(),
    };

    if let Some((name, content, _)) = seen.results.values().find(|(_, _, is_error)| *is_error) {
        return text_turn(format!(
            "I could not finish: the tool {name} reported an error ({content}). The other \
             results are in, but without this one there is no reliable answer."
        ));
    }
    // A finished handoff ends the conversation with the other agent's words.
    if let Some((_, content, _)) = seen
        .results
        .values()
        .find(|(name, _, _)| is_handoff_tool(name))
    {
        return text_turn(content.clone());
    }
    let expr = match Expression::parse_in(&task) {
        Ok(expr) => expr,
        Err(NotAnExpression::Missing) => {
            let mut rng = SplitMix64::new(salt);
            return text_turn(writer::answer(&task, 60, &mut rng));
        }
        Err(refused) => return text_turn(refused.to_string()),
    };
    let root = expr.root();
    let known = |node: usize| -> Option<f64> {
        seen.results
            .iter()
            .filter(|(id, _)| node_of(id) == Some(node))
            .find_map(|(_, (_, content, _))| last_number(content))
    };
    if let Some(value) = known(root) {
        return text_turn(format!(
            "The result of {} is {}.",
            expr.render(root),
            format_number(value)
        ));
    }

    let tool_names: Vec<&str> = request.tools.iter().map(|t| t.name.as_str()).collect();
    let agent_tools: Vec<&str> = request
        .tools
        .iter()
        .filter(|t| is_agent_tool(t))
        .map(|t| t.name.as_str())
        .collect();
    let mut calls = Vec::new();
    let already = |id: &str| seen.requested.iter().any(|r| r == id);

    let wants_handoff = {
        let lower = task.to_lowercase();
        lower.contains("transfer") || lower.contains("hand off") || lower.contains("handoff")
    };
    if wants_handoff && seen.requested.is_empty() {
        if let Some(handoff) = tool_names.iter().find(|n| is_handoff_tool(n)) {
            calls.push(PlannedToolCall {
                id: format!("toolu_handoff_{:08x}", salt & 0xffff_ffff),
                name: handoff.to_string(),
                input: json!({ "task": task }),
            });
        }
    }

    if !agent_tools.is_empty() {
        // Orchestrator: delegate each part of the top-level chain to a sub-agent, together.
        let top_op = match &expr.nodes[root] {
            Node::Apply { op, .. } => *op,
            Node::Number(_) => Op::Add,
        };
        let mut parts = Vec::new();
        if matches!(top_op, Op::Add | Op::Multiply) {
            chain(&expr, root, top_op, &mut parts);
        } else {
            parts.push(root);
        }
        let compound: Vec<usize> = parts
            .iter()
            .copied()
            .filter(|p| matches!(expr.nodes[*p], Node::Apply { .. }))
            .collect();
        for (delegated, part) in compound.iter().enumerate() {
            let id = call_id(*part, "", salt);
            if !already(&id) {
                calls.push(PlannedToolCall {
                    id,
                    name: agent_tools[delegated % agent_tools.len()].to_string(),
                    input: json!({ "task": format!("Calculate {}", expr.render(*part)) }),
                });
            }
        }
        if calls.is_empty() {
            let values: Option<Vec<f64>> = parts
                .iter()
                .map(|p| expr.value(*p, &|n| known(n)))
                .collect();
            if let Some(values) = values {
                let combine = call_id(root, "c", salt);
                if tool_names.contains(&top_op.tool()) && parts.len() > 1 && !already(&combine) {
                    calls.push(PlannedToolCall {
                        id: combine,
                        name: top_op.tool().to_string(),
                        input: input_for(top_op, &values),
                    });
                } else if let Some(total) = expr.evaluate() {
                    return text_turn(format!(
                        "The result of {} is {}.",
                        expr.render(root),
                        format_number(total)
                    ));
                }
            }
        }
    } else {
        // Calculator: every operation whose operands are known, all in this turn.
        for (node, n) in expr.nodes.iter().enumerate() {
            let Node::Apply { op, left, right } = n else {
                continue;
            };
            let id = call_id(node, "", salt);
            if already(&id) || !tool_names.contains(&op.tool()) {
                continue;
            }
            if let (Some(a), Some(b)) = (
                expr.value(*left, &|n| known(n)),
                expr.value(*right, &|n| known(n)),
            ) {
                calls.push(PlannedToolCall {
                    id,
                    name: op.tool().to_string(),
                    input: input_for(*op, &[a, b]),
                });
            }
        }
        if calls.is_empty() {
            // No calculator tools for this: do it in my head.
            if let Some(total) = expr.evaluate() {
                return text_turn(format!(
                    "The result of {} is {}.",
                    expr.render(root),
                    format_number(total)
                ));
            }
        }
    }

    if calls.is_empty() {
        return text_turn(format!(
            "I could not work out {} with the tools I have.",
            expr.render(root)
        ));
    }
    let described: Vec<String> = calls
        .iter()
        .map(|c| match &c.input["task"] {
            Value::String(t) => t.trim_start_matches("Calculate ").to_string(),
            _ => describe_call(c),
        })
        .collect();
    let text = if calls.len() == 1 {
        format!("I'll work out {} next.", described[0])
    } else {
        format!(
            "These are independent, so I'll ask for all {} at once: {}.",
            calls.len(),
            described.join("; ")
        )
    };
    ScriptedTurn {
        text,
        tool_calls: calls,
    }
}

fn describe_call(call: &PlannedToolCall) -> String {
    let symbol = match call.name.as_str() {
        "sum_numbers" => " + ",
        "multiply_numbers" => " * ",
        "subtract_numbers" => " - ",
        "divide_numbers" => " / ",
        _ => return call.name.clone(),
    };
    let numbers: Vec<String> = match (&call.input["numbers"], &call.input["a"]) {
        (Value::Array(list), _) => list
            .iter()
            .filter_map(Value::as_f64)
            .map(format_number)
            .collect(),
        (_, Value::Number(_)) => [&call.input["a"], &call.input["b"]]
            .iter()
            .filter_map(|v| v.as_f64())
            .map(format_number)
            .collect(),
        _ => Vec::new(),
    };
    numbers.join(symbol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{Message, ToolSpec};

    fn tool(name: &str, schema: Value) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: String::new(),
            input_schema: schema,
        }
    }

    fn math_tools() -> Vec<ToolSpec> {
        let numbers = json!({"type": "object", "properties": {"numbers": {"type": "array"}}});
        let pair = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}});
        vec![
            tool("sum_numbers", numbers.clone()),
            tool("multiply_numbers", numbers),
            tool("subtract_numbers", pair.clone()),
            tool("divide_numbers", pair),
        ]
    }

    fn request(messages: Vec<Message>, tools: Vec<ToolSpec>) -> ModelRequest {
        ModelRequest {
            model: "simulated".into(),
            system: None,
            messages,
            max_tokens: 1024,
            temperature: None,
            tools,
            cache_system: false,
        }
    }

    /// Plays the conversation to its end, answering tool calls exactly.
    fn play(task: &str, tools: Vec<ToolSpec>) -> (Vec<usize>, String) {
        let mut messages = vec![Message::user(task)];
        let mut calls_per_turn = Vec::new();
        for _ in 0..10 {
            let turn = tool_turn(&request(messages.clone(), tools.clone()));
            if turn.tool_calls.is_empty() {
                return (calls_per_turn, turn.text);
            }
            calls_per_turn.push(turn.tool_calls.len());
            let mut content = vec![ContentBlock::Text { text: turn.text }];
            let mut results = Vec::new();
            for call in &turn.tool_calls {
                content.push(ContentBlock::ToolUse {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    input: call.input.clone(),
                });
                let numbers: Vec<f64> = match &call.input["numbers"] {
                    Value::Array(l) => l.iter().filter_map(Value::as_f64).collect(),
                    _ => vec![
                        call.input["a"].as_f64().unwrap_or(0.0),
                        call.input["b"].as_f64().unwrap_or(0.0),
                    ],
                };
                let value = match call.name.as_str() {
                    "sum_numbers" => numbers.iter().sum(),
                    "multiply_numbers" => numbers.iter().product(),
                    "subtract_numbers" => numbers[0] - numbers[1],
                    _ => numbers[0] / numbers[1],
                };
                results.push(ContentBlock::ToolResult {
                    tool_use_id: call.id.clone(),
                    content: format_number(value),
                    is_error: false,
                });
            }
            messages.push(Message {
                role: Role::Assistant,
                content,
            });
            messages.push(Message {
                role: Role::User,
                content: results,
            });
        }
        panic!("the conversation did not end");
    }

    #[test]
    fn asks_for_each_level_of_independent_calculations_in_one_turn() {
        let (turns, answer) = play("What is (2+3)*(4*4)?", math_tools());
        assert_eq!(turns, vec![2, 1]);
        assert_eq!(answer, "The result of (2 + 3) * (4 * 4) is 80.");
    }

    #[test]
    fn an_error_result_ends_the_conversation_with_an_explanation() {
        let first = tool_turn(&request(vec![Message::user("1+2")], math_tools()));
        let call = &first.tool_calls[0];
        let messages = vec![
            Message::user("1+2"),
            Message {
                role: Role::Assistant,
                content: vec![ContentBlock::ToolUse {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    input: call.input.clone(),
                }],
            },
            Message {
                role: Role::User,
                content: vec![ContentBlock::ToolResult {
                    tool_use_id: call.id.clone(),
                    content: "overflow".into(),
                    is_error: true,
                }],
            },
        ];
        let turn = tool_turn(&request(messages, math_tools()));
        assert!(turn.tool_calls.is_empty());
        assert!(
            turn.text.contains("reported an error (overflow)"),
            "{}",
            turn.text
        );
    }

    #[test]
    fn an_orchestrator_delegates_every_part_of_a_sum_in_one_turn() {
        let agent = tool(
            "calculator_agent",
            json!({"type": "object", "properties": {"task": {"type": "string"}}}),
        );
        let mut tools = vec![agent];
        tools.extend(math_tools());
        let first = tool_turn(&request(
            vec![Message::user("(2+3)*(4*4) + (10-4)*(3+3) + (8/2)*(5+1)")],
            tools,
        ));
        let names: Vec<&str> = first.tool_calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["calculator_agent"; 3]);
        assert_eq!(
            first.tool_calls[0].input["task"],
            "Calculate (2 + 3) * (4 * 4)"
        );
    }
}
