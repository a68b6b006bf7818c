//! The person's set-up — questions, prompts, provider and run settings — and everything that
//! turns it into a run plan, saves it, and shares it.
//!
//! The API key is deliberately *not* part of [`Workspace`]: it cannot leak into a saved
//! workspace, a share link or an export by accident.

mod agents;
pub mod limits;
mod pattern_presets;
mod presets;
pub mod recovery;
pub mod samples;
mod saved_setups;
mod share;
mod storage;
mod variants;

pub use agents::{AgentSettings, PageMode, CALCULATOR_PROMPTS, ORCHESTRATOR_PROMPT};
pub use limits::{
    MAX_AGENT_PROMPTS, MAX_AGENT_PROMPT_CHARS, MAX_AGENT_TURNS, MAX_MAX_TOKENS, MAX_PROMPT_CHARS,
    MAX_QUESTIONS, MAX_QUESTION_CHARS, MAX_RETRIES, MAX_SIMULATION_SPEED, MAX_TIMEOUT_MS,
    MAX_TOOL_LATENCY_MS, MAX_TOPIC_CHARS,
};
pub use presets::{preset, Preset, PRESETS};
pub use saved_setups::{
    describe, SavedSetup, SavedSetups, DAMAGED_SETUPS_KEY, MAX_SAVED_SETUPS, SAVED_SETUPS_KEY,
};
pub use share::{
    decode_share, encode_share, fragment_param, fragment_without, share_fits, ShareError,
    MAX_SHARED_JSON_BYTES, MAX_SHARE_VALUE_BYTES, SHARE_FORMAT, SHARE_PARAM,
};
pub use storage::{
    decode_saved, encode_saved, migrate, sanitize, ContentProblem, LoadError, DAMAGED_KEY,
    STORAGE_KEY,
};
pub use variants::{VariantSet, VariantSetup};

use crate::engine::{fill_topic, CompareTiming, FailurePolicy, RetryPolicy, RunMode, RunPlan};
use crate::patterns::{PatternPlan, PatternSettings};
use crate::providers::simulated::{SimBehaviour, SimulationSettings};
use serde::{Deserialize, Serialize};

/// The version written into saved workspaces and share links.
pub const WORKSPACE_VERSION: u32 = 1;

/// One research question; `{topic}` is filled in when the run starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub text: String,
    /// What the simulated model does with it (ignored by real providers).
    #[serde(default, skip_serializing_if = "is_normal")]
    pub simulate: SimBehaviour,
}

fn is_default_patterns(p: &PatternSettings) -> bool {
    *p == PatternSettings::default()
}

fn is_normal(b: &SimBehaviour) -> bool {
    *b == SimBehaviour::Normal
}

impl Question {
    /// A question that behaves normally.
    pub fn new(text: &str) -> Question {
        Question {
            text: text.to_string(),
            simulate: SimBehaviour::Normal,
        }
    }
}

/// Which provider answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    #[default]
    Simulated,
    Anthropic,
    #[serde(rename = "openai")]
    OpenAi,
}

impl ProviderKind {
    /// The value used in the provider menu (`provider-select`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Simulated => "simulated",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
        }
    }

    /// How a compare runs against this provider unless the person chooses: one after the
    /// other over HTTP, where two runs at once would share the browser's connections (six per
    /// server over HTTP/1.1) and the server's slots and slow each other down; at the same time
    /// for the simulated model, which has neither.
    pub fn default_compare_timing(self) -> CompareTiming {
        match self {
            ProviderKind::Simulated => CompareTiming::SameTime,
            ProviderKind::Anthropic | ProviderKind::OpenAi => CompareTiming::OneAfterTheOther,
        }
    }

    /// Parses [`ProviderKind::as_str`].
    pub fn parse(value: &str) -> Option<ProviderKind> {
        [
            ProviderKind::Simulated,
            ProviderKind::Anthropic,
            ProviderKind::OpenAi,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }
}

/// Model and address of one HTTP provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub model: String,
    pub base_url: String,
}

/// Which provider, and how to reach each one (kept per provider so switching loses nothing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderSettings {
    pub kind: ProviderKind,
    pub anthropic: Endpoint,
    pub openai: Endpoint,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            kind: ProviderKind::Simulated,
            anthropic: Endpoint {
                model: "claude-haiku-4-5".into(),
                base_url: "https://api.anthropic.com".into(),
            },
            openai: Endpoint {
                model: "llama3.2".into(),
                base_url: "http://localhost:11434/v1".into(),
            },
            max_tokens: 1024,
            temperature: None,
        }
    }
}

impl ProviderSettings {
    /// The model name the current provider uses.
    pub fn model(&self) -> &str {
        match self.kind {
            ProviderKind::Simulated => "simulated",
            ProviderKind::Anthropic => &self.anthropic.model,
            ProviderKind::OpenAi => &self.openai.model,
        }
    }
}

/// How runs behave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSettings {
    /// `None` is unlimited.
    pub concurrency_limit: Option<usize>,
    /// `None` waits forever.
    pub timeout_ms: Option<f64>,
    pub failure_policy: FailurePolicy,
    pub quorum: usize,
    pub max_retries: u32,
    pub compare_timing: CompareTiming,
    /// Request and token budgets, and `auto` (the adaptive concurrency limit).
    pub limits: crate::engine::ClientLimits,
    /// How many times a run repeats, round after round (1–100; saves without it mean 1).
    pub rounds: u32,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            concurrency_limit: None,
            timeout_ms: Some(30_000.0),
            failure_policy: FailurePolicy::SettleAll,
            quorum: 1,
            max_retries: 2,
            compare_timing: CompareTiming::SameTime,
            limits: crate::engine::ClientLimits::default(),
            rounds: 1,
        }
    }
}

/// Everything a person sets up, except the API key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workspace {
    pub version: u32,
    /// The preset this set-up started from (for the menu).
    pub preset: String,
    pub topic: String,
    pub questions: Vec<Question>,
    pub system_prompt: String,
    pub synthesis_prompt: String,
    pub provider: ProviderSettings,
    pub run: RunSettings,
    pub simulation: SimulationSettings,
    /// Research or agents.
    pub mode: PageMode,
    pub agents: AgentSettings,
    /// The pattern chosen and its settings (sectioning is the page's compare); left out of
    /// saves and links while it has its defaults.
    #[serde(skip_serializing_if = "is_default_patterns")]
    pub patterns: PatternSettings,
    /// Variants B–D beside the set-up (none in saves from before variants).
    #[serde(default, skip_serializing_if = "VariantSet::is_empty")]
    pub variants: VariantSet,
}

impl Default for Workspace {
    fn default() -> Self {
        preset("travel")
            .map(|p| p.workspace())
            .unwrap_or_else(|| Workspace {
                version: WORKSPACE_VERSION,
                preset: String::new(),
                topic: String::new(),
                questions: Vec::new(),
                system_prompt: String::new(),
                synthesis_prompt: String::new(),
                provider: ProviderSettings::default(),
                run: RunSettings::default(),
                simulation: SimulationSettings::default(),
                mode: PageMode::Research,
                agents: AgentSettings::default(),
                patterns: PatternSettings::default(),
                variants: VariantSet::default(),
            })
    }
}

/// A problem that stops a run from starting, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

impl Workspace {
    /// The questions with the topic filled in.
    pub fn filled_questions(&self) -> Vec<String> {
        self.questions
            .iter()
            .map(|q| fill_topic(&q.text, &self.topic))
            .collect()
    }

    /// Switches to another provider, with that provider's compare timing (see
    /// [`ProviderKind::default_compare_timing`]); the person may change it afterwards.
    pub fn choose_provider(&mut self, kind: ProviderKind) {
        if self.provider.kind != kind {
            self.provider.kind = kind;
            self.run.compare_timing = kind.default_compare_timing();
        }
    }

    /// Everything wrong with the set-up, as sentences; empty when it can run.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut problems = Vec::new();
        if self.questions.is_empty() {
            problems.push(Invalid("Add at least one question.".into()));
        }
        for (i, question) in self.questions.iter().enumerate() {
            if question.text.trim().is_empty() {
                problems.push(Invalid(format!(
                    "Question {} is empty: write a question or remove it.",
                    i + 1
                )));
            }
        }
        let uses_topic = self.questions.iter().any(|q| q.text.contains("{topic}"))
            || self.synthesis_prompt.contains("{topic}");
        if uses_topic && self.topic.trim().is_empty() {
            problems.push(Invalid(
                "The questions use {topic}, but the topic is empty.".into(),
            ));
        }
        if self.run.quorum > self.questions.len() && !self.questions.is_empty() {
            problems.push(Invalid(format!(
                "The quorum ({}) is larger than the number of questions ({}).",
                self.run.quorum,
                self.questions.len()
            )));
        }
        if self.run.concurrency_limit == Some(0) {
            problems.push(Invalid(
                "The concurrency limit must be at least 1 (or unlimited).".into(),
            ));
        }
        if self.run.timeout_ms.is_some_and(|t| t.is_nan() || t <= 0.0) {
            problems.push(Invalid("The timeout must be more than 0 ms.".into()));
        }
        if self.provider.max_tokens == 0 {
            problems.push(Invalid("Max tokens must be at least 1.".into()));
        }
        problems
    }

    /// The agents-lab plan, or the problems that prevent it.
    pub fn agent_plan(&self) -> Result<crate::agent::AgentPlan, Vec<Invalid>> {
        self.agents.plan(
            self.provider.model(),
            self.provider.max_tokens,
            self.run.timeout_ms,
            RetryPolicy {
                max_retries: self.run.max_retries,
                ..RetryPolicy::default()
            },
        )
    }

    /// The plan of the chosen pattern (its questions, model and policies from the research
    /// set-up), or the problems that prevent it.
    pub fn pattern_plan(&self) -> Result<PatternPlan, Vec<Invalid>> {
        let plan = PatternPlan {
            base: self.plan(RunMode::Parallel)?,
            settings: self.patterns.clone(),
        };
        crate::patterns::check(&plan).map_err(|e| vec![Invalid(e.to_string())])?;
        Ok(plan)
    }

    /// The run plan for `mode`, or the problems that prevent it.
    pub fn plan(&self, mode: RunMode) -> Result<RunPlan, Vec<Invalid>> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(RunPlan {
            questions: self.filled_questions(),
            system_prompt: Some(self.system_prompt.clone()).filter(|s| !s.trim().is_empty()),
            synthesis_prompt: fill_topic(&self.synthesis_prompt, &self.topic),
            mode,
            compare_timing: self.run.compare_timing,
            concurrency_limit: self.run.concurrency_limit,
            timeout_ms: self.run.timeout_ms,
            retry: RetryPolicy {
                max_retries: self.run.max_retries,
                ..RetryPolicy::default()
            },
            failure_policy: self.run.failure_policy,
            quorum: self.run.quorum.max(1),
            model: self.provider.model().to_string(),
            max_tokens: self.provider.max_tokens,
            temperature: self.provider.temperature,
            limits: self.run.limits.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compare_against_an_http_provider_runs_one_after_the_other_by_default() {
        let mut ws = Workspace::default();
        assert_eq!(ws.run.compare_timing, CompareTiming::SameTime);
        ws.choose_provider(ProviderKind::OpenAi);
        assert_eq!(ws.run.compare_timing, CompareTiming::OneAfterTheOther);
        ws.run.compare_timing = CompareTiming::SameTime;
        ws.choose_provider(ProviderKind::OpenAi);
        assert_eq!(
            ws.run.compare_timing,
            CompareTiming::SameTime,
            "a choice is kept"
        );
        ws.choose_provider(ProviderKind::Simulated);
        assert_eq!(ws.run.compare_timing, CompareTiming::SameTime);
        ws.choose_provider(ProviderKind::Anthropic);
        let plan = ws.plan(RunMode::Compare).expect("a plan");
        assert_eq!(plan.compare_timing, CompareTiming::OneAfterTheOther);
    }

    #[test]
    fn the_default_workspace_is_the_travel_guide_and_can_run() {
        let ws = Workspace::default();
        assert_eq!(ws.questions.len(), 3);
        let plan = ws.plan(RunMode::Compare).expect("valid");
        assert!(plan.questions[0].contains("Paris"), "{:?}", plan.questions);
        assert!(!plan.questions.iter().any(|q| q.contains("{topic}")));
    }

    #[test]
    fn empty_questions_are_refused_with_a_clear_message() {
        let mut ws = Workspace::default();
        ws.questions[1].text = "  ".into();
        let problems = ws.plan(RunMode::Parallel).expect_err("invalid");
        assert_eq!(
            problems,
            vec![Invalid(
                "Question 2 is empty: write a question or remove it.".into()
            )]
        );
    }

    #[test]
    fn a_quorum_above_the_question_count_is_refused() {
        let mut ws = Workspace::default();
        ws.run.quorum = 5;
        let problems = ws.problems();
        assert!(problems[0].0.contains("quorum (5)"), "{problems:?}");
    }
}
