//! [`RunPlan`]: what to run and under which policies.

use super::budget::ClientLimits;
use super::retry::RetryPolicy;
use serde::{Deserialize, Serialize};

/// Which research runs to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// One call at a time, in question order.
    Sequential,
    /// All calls at once (up to the concurrency limit).
    Parallel,
    /// Both runs on one time axis.
    Compare,
}

/// What a run on the page is: research in one of the [`RunMode`]s, or the agents lab's
/// conversations. A research plan cannot hold the agents lab; only a run's start says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    Research(RunMode),
    /// Agent conversations with tools (the agents lab).
    Agents,
    /// A pattern's baseline and strategy (`crate::patterns`).
    Pattern,
}

/// In compare mode: both runs together, or the sequential run first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareTiming {
    /// Both start at once; each still behaves as it would alone.
    #[default]
    SameTime,
    /// The parallel run starts when the sequential run has finished.
    OneAfterTheOther,
}

/// What one failed call does to the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailurePolicy {
    /// Every call runs to its own end (`Promise.allSettled`, `gather(return_exceptions=True)`).
    #[default]
    SettleAll,
    /// The first failure cancels the others and the synthesis (`Promise.all`).
    FailFast,
}

/// Everything the engine needs to run a workflow: research questions, then one synthesis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunPlan {
    /// The questions with the topic already filled in.
    pub questions: Vec<String>,
    /// System prompt of the research calls.
    pub system_prompt: Option<String>,
    /// Instructions of the synthesis call; the answers are appended by the engine.
    pub synthesis_prompt: String,
    pub mode: RunMode,
    pub compare_timing: CompareTiming,
    /// Most calls in flight at once in the parallel run; `None` is unlimited.
    pub concurrency_limit: Option<usize>,
    /// Longest time a call may take from its start, retries included; `None` waits forever.
    pub timeout_ms: Option<f64>,
    pub retry: RetryPolicy,
    pub failure_policy: FailurePolicy,
    /// Fewest successful answers for the synthesis to run.
    pub quorum: usize,
    pub model: String,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    /// Request and token budgets, and the adaptive concurrency limit.
    #[serde(default)]
    pub limits: ClientLimits,
}

impl Default for RunPlan {
    fn default() -> Self {
        RunPlan {
            questions: Vec::new(),
            system_prompt: None,
            synthesis_prompt: "Combine the research below into one clear, well-organised answer."
                .into(),
            mode: RunMode::Parallel,
            compare_timing: CompareTiming::SameTime,
            concurrency_limit: None,
            timeout_ms: None,
            retry: RetryPolicy::default(),
            failure_policy: FailurePolicy::SettleAll,
            quorum: 1,
            model: "simulated".into(),
            max_tokens: 1024,
            temperature: None,
            limits: ClientLimits::default(),
        }
    }
}

/// Fills every `{topic}` in `template` with `topic`.
pub fn fill_topic(template: &str, topic: &str) -> String {
    template.replace("{topic}", topic.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_topic_placeholder() {
        assert_eq!(
            fill_topic("Top sights in {topic}? And food in {topic}?", " Paris "),
            "Top sights in Paris? And food in Paris?"
        );
    }
}
