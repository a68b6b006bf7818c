//! The agents lab's part of the workspace.

use super::limits::{AGENT_TURNS, TOOL_LATENCY_MS};
use super::Invalid;
use crate::agent::{AgentPlan, AgentSetup};
use crate::engine::RetryPolicy;
use serde::{Deserialize, Serialize};

/// Which half of the playground is showing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageMode {
    /// Parallel research questions and a synthesis (seeds 000–002).
    #[default]
    Research,
    /// Tool-using agents (seeds 003–004).
    Agents,
}

/// The prompts seed 003 runs as concurrent conversations.
pub const CALCULATOR_PROMPTS: [&str; 2] = [
    "What is (2 + 3) * (4 * 4) + (6 - 1)?",
    "What is (10 - 4) * (3 + 3)?",
];

/// The task seed 004 gives an orchestrator with calculator agents as tools.
pub const ORCHESTRATOR_PROMPT: &str =
    "Calculate (2 + 3) * (4 * 4) + (10 - 4) * (3 + 3) + (8 / 2) * (5 + 1)";

/// Set-up of the agents lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentSettings {
    /// One conversation per prompt.
    pub prompts: Vec<String>,
    pub setup: AgentSetup,
    /// Run the tool calls of a turn together.
    pub parallel_tools: bool,
    /// Run the conversations at the same time.
    pub concurrent_conversations: bool,
    /// Simulated I/O time of each calculator tool call (0 = instant CPU tools).
    pub tool_latency_ms: f64,
    pub max_turns: usize,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            prompts: CALCULATOR_PROMPTS.iter().map(|p| p.to_string()).collect(),
            setup: AgentSetup::Calculator,
            parallel_tools: true,
            concurrent_conversations: true,
            tool_latency_ms: 800.0,
            max_turns: 8,
        }
    }
}

impl AgentSettings {
    /// The default prompts of a set-up.
    pub fn default_prompts(setup: AgentSetup) -> Vec<String> {
        match setup {
            AgentSetup::Calculator => CALCULATOR_PROMPTS.iter().map(|p| p.to_string()).collect(),
            AgentSetup::Orchestrator => vec![ORCHESTRATOR_PROMPT.to_string()],
        }
    }

    /// The agents-lab plan, or what is wrong with the set-up.
    pub fn plan(
        &self,
        model: &str,
        max_tokens: u32,
        timeout_ms: Option<f64>,
        retry: RetryPolicy,
    ) -> Result<AgentPlan, Vec<Invalid>> {
        let mut problems = Vec::new();
        if self.prompts.is_empty() {
            problems.push(Invalid("Add at least one prompt.".into()));
        }
        for (i, prompt) in self.prompts.iter().enumerate() {
            if prompt.trim().is_empty() {
                problems.push(Invalid(format!(
                    "Prompt {} is empty: write a task or remove it.",
                    i + 1
                )));
            }
        }
        if !TOOL_LATENCY_MS.contains(self.tool_latency_ms) {
            problems.push(Invalid(format!(
                "The tool latency must be between 0 and {} ms.",
                super::limits::show(TOOL_LATENCY_MS.max)
            )));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(AgentPlan {
            prompts: self.prompts.iter().map(|p| p.trim().to_string()).collect(),
            setup: self.setup,
            concurrent_conversations: self.concurrent_conversations,
            parallel_tools: self.parallel_tools,
            tool_latency_ms: self.tool_latency_ms,
            model: model.to_string(),
            max_tokens,
            max_turns: self
                .max_turns
                .clamp(AGENT_TURNS.min as usize, AGENT_TURNS.max as usize),
            // A whole model turn may not take longer than the run's per-call timeout.
            timeout_ms,
            retry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_agents_set_up_is_valid_and_empty_prompts_are_refused() {
        let settings = AgentSettings::default();
        assert!(settings
            .plan("simulated", 1024, None, RetryPolicy::default())
            .is_ok());
        let mut bad = settings;
        bad.prompts.push(" ".into());
        let problems = bad
            .plan("simulated", 1024, None, RetryPolicy::default())
            .expect_err("invalid");
        assert_eq!(
            problems[0].0,
            "Prompt 3 is empty: write a task or remove it."
        );
    }
}
