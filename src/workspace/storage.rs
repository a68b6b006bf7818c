//! Saving the workspace in the browser (`localStorage`) and reading it back safely.
//!
//! What comes back may have been written by an older or newer version of the page, edited by
//! hand, or damaged. [`decode_saved`] migrates old versions, refuses newer ones, and checks and
//! clamps every value ([`sanitize`]) so a bad copy can never crash or hang the page; each refusal
//! is a [`LoadError`] with a sentence for the person. Share links reuse the same checks.

use super::limits::{
    AGENT_TURNS, CHUNK_MS, MAX_AGENT_PROMPTS, MAX_AGENT_PROMPT_CHARS, MAX_MAX_TOKENS,
    MAX_PROMPT_CHARS, MAX_QUESTIONS, MAX_QUESTION_CHARS, MAX_RETRIES, MAX_ROUNDS, MAX_TIMEOUT_MS,
    MAX_TOOL_LATENCY_MS, MAX_TOPIC_CHARS, RATE, SIMULATION_SPEED, TEMPERATURE,
};
use super::{AgentSettings, ProviderSettings, RunSettings, Workspace, WORKSPACE_VERSION};
use crate::providers::simulated::SimulationSettings;
use serde_json::Value;
use thiserror::Error;

/// The `localStorage` key of the saved workspace.
pub const STORAGE_KEY: &str = "parallel-playground.workspace";

/// The `localStorage` key under which a copy that could not be loaded is kept.
pub const DAMAGED_KEY: &str = "parallel-playground.workspace.damaged";

/// What is wrong with the content of a saved or shared workspace.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ContentProblem {
    /// More than [`MAX_QUESTIONS`] questions.
    #[error("it has {count} questions, more than the {MAX_QUESTIONS} allowed")]
    TooManyQuestions {
        /// How many there were.
        count: usize,
    },
    /// A question longer than [`MAX_QUESTION_CHARS`].
    #[error(
        "question {number} is {length} characters long, more than the {MAX_QUESTION_CHARS} allowed"
    )]
    QuestionTooLong {
        /// Counted from 1.
        number: usize,
        /// In characters.
        length: usize,
    },
    /// More than [`MAX_AGENT_PROMPTS`] agent prompts.
    #[error("it has {count} agent prompts, more than the {MAX_AGENT_PROMPTS} allowed")]
    TooManyAgentPrompts {
        /// How many there were.
        count: usize,
    },
    /// An agent prompt longer than [`MAX_AGENT_PROMPT_CHARS`].
    #[error(
        "agent prompt {number} is {length} characters long, more than the \
         {MAX_AGENT_PROMPT_CHARS} allowed"
    )]
    AgentPromptTooLong {
        /// Counted from 1.
        number: usize,
        /// In characters.
        length: usize,
    },
    /// The topic or a prompt is too long.
    #[error("the {field} is {length} characters long, more than the {limit} allowed")]
    TextTooLong {
        /// `"topic"`, `"system prompt"` or `"synthesis prompt"`.
        field: &'static str,
        /// In characters.
        length: usize,
        /// The limit for this field.
        limit: usize,
    },
    /// The version field is not a whole number.
    #[error("its version is not a whole number")]
    BadVersion,
    /// A field has the wrong type or an unknown value.
    #[error("a setting has the wrong type or value: {0}")]
    WrongShape(String),
}

/// Why a saved workspace could not be loaded; the [`Display`](std::fmt::Display) text is a
/// sentence for the person saying what is wrong (what the page then did is said by
/// [`super::recovery`], which knows whether the copy could be kept).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LoadError {
    /// The text is not JSON.
    #[error("The saved workspace could not be read (it is not valid JSON: {0}).")]
    NotJson(String),
    /// The JSON is not an object.
    #[error("The saved workspace could not be read (it is not a JSON object).")]
    NotAnObject,
    /// Written by a newer version of the page than this one.
    #[error(
        "The saved workspace was saved by a newer version of Parallel Playground (format {found}; \
         this page reads format {WORKSPACE_VERSION} and older)."
    )]
    NewerVersion {
        /// The version found.
        found: u64,
    },
    /// Readable, but the content cannot be used.
    #[error("The saved workspace could not be used ({0}).")]
    InvalidContent(ContentProblem),
}

impl From<ContentProblem> for LoadError {
    fn from(problem: ContentProblem) -> Self {
        LoadError::InvalidContent(problem)
    }
}

/// The workspace as JSON for `localStorage`, always with the current version.
///
/// Numbers are clamped first (as [`sanitize`] would), so what is saved reads back the same.
pub fn encode_saved(ws: &Workspace) -> String {
    let mut ws = ws.clone();
    clamp_settings(&mut ws);
    ws.version = WORKSPACE_VERSION;
    // Plain structs with string keys always serialise; the empty object (the default set-up
    // when read back) is only a formal fallback.
    serde_json::to_string(&ws).unwrap_or_else(|_| String::from("{}"))
}

/// Reads a saved workspace: parses, migrates older versions, refuses newer ones, and sanitizes.
///
/// ```
/// use parallel_playground::workspace::{decode_saved, encode_saved, LoadError, Workspace};
///
/// let ws = Workspace::default();
/// assert_eq!(decode_saved(&encode_saved(&ws)), Ok(ws));
/// let newer = decode_saved("{\"version\": 99}");
/// assert!(matches!(newer, Err(LoadError::NewerVersion { found: 99 })));
/// ```
pub fn decode_saved(text: &str) -> Result<Workspace, LoadError> {
    let value: Value =
        serde_json::from_str(text).map_err(|error| LoadError::NotJson(error.to_string()))?;
    workspace_from_value(value)
}

/// A workspace from parsed JSON of any supported version (shared with share links).
pub(super) fn workspace_from_value(value: Value) -> Result<Workspace, LoadError> {
    if !value.is_object() {
        return Err(LoadError::NotAnObject);
    }
    let version = match value.get("version") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(number)) => number.as_u64().ok_or(ContentProblem::BadVersion)?,
        Some(_) => return Err(ContentProblem::BadVersion.into()),
    };
    if version > u64::from(WORKSPACE_VERSION) {
        return Err(LoadError::NewerVersion { found: version });
    }
    let from = u32::try_from(version).map_err(|_| ContentProblem::BadVersion)?;
    let current = migrate(value, from)?;
    let ws: Workspace = serde_json::from_value(current)
        .map_err(|error| ContentProblem::WrongShape(error.to_string()))?;
    Ok(sanitize(ws)?)
}

/// Brings saved JSON of version `from` up to [`WORKSPACE_VERSION`], one version at a time.
///
/// Version 0 is a workspace written before the `version` field existed; it becomes version 1
/// as it is (missing fields take their defaults when it is read).
pub fn migrate(mut value: Value, from: u32) -> Result<Value, LoadError> {
    if from > WORKSPACE_VERSION {
        return Err(LoadError::NewerVersion {
            found: u64::from(from),
        });
    }
    for version in from..WORKSPACE_VERSION {
        value = match version {
            0 => set_version(value, 1)?,
            // Each new format adds its step here, e.g. `1 => version_1_to_2(value)?`.
            _ => return Err(ContentProblem::BadVersion.into()),
        };
    }
    Ok(value)
}

fn set_version(mut value: Value, version: u32) -> Result<Value, LoadError> {
    let object = value.as_object_mut().ok_or(LoadError::NotAnObject)?;
    object.insert("version".into(), Value::from(version));
    Ok(value)
}

/// Checks the limits and clamps absurd numbers, so the page can always show and run `ws`.
///
/// Too much text is refused (it cannot be fixed without losing the person's words); numbers
/// out of range become the nearest sensible value, or the default when meaningless (NaN, ≤ 0).
pub fn sanitize(mut ws: Workspace) -> Result<Workspace, ContentProblem> {
    check_text_limits(&ws)?;
    clamp_settings(&mut ws);
    ws.version = WORKSPACE_VERSION;
    Ok(ws)
}

fn check_text_limits(ws: &Workspace) -> Result<(), ContentProblem> {
    if ws.questions.len() > MAX_QUESTIONS {
        return Err(ContentProblem::TooManyQuestions {
            count: ws.questions.len(),
        });
    }
    for (index, question) in ws.questions.iter().enumerate() {
        let length = question.text.chars().count();
        if length > MAX_QUESTION_CHARS {
            return Err(ContentProblem::QuestionTooLong {
                number: index + 1,
                length,
            });
        }
    }
    if ws.agents.prompts.len() > MAX_AGENT_PROMPTS {
        return Err(ContentProblem::TooManyAgentPrompts {
            count: ws.agents.prompts.len(),
        });
    }
    for (index, prompt) in ws.agents.prompts.iter().enumerate() {
        let length = prompt.chars().count();
        if length > MAX_AGENT_PROMPT_CHARS {
            return Err(ContentProblem::AgentPromptTooLong {
                number: index + 1,
                length,
            });
        }
    }
    for (field, text, limit) in [
        ("topic", &ws.topic, MAX_TOPIC_CHARS),
        ("system prompt", &ws.system_prompt, MAX_PROMPT_CHARS),
        ("synthesis prompt", &ws.synthesis_prompt, MAX_PROMPT_CHARS),
    ] {
        let length = text.chars().count();
        if length > limit {
            return Err(ContentProblem::TextTooLong {
                field,
                length,
                limit,
            });
        }
    }
    Ok(())
}

/// Brings every number into its sensible range (see [`sanitize`]).
fn clamp_settings(ws: &mut Workspace) {
    ws.variants.fit();
    let run_defaults = RunSettings::default();
    let run = &mut ws.run;
    run.concurrency_limit = match run.concurrency_limit {
        Some(0) => Some(1),
        // A limit above the most questions there can be is no limit.
        Some(limit) if limit > MAX_QUESTIONS => None,
        other => other,
    };
    run.timeout_ms = match run.timeout_ms {
        Some(t) if t.is_nan() || t <= 0.0 => run_defaults.timeout_ms,
        Some(t) => Some(t.min(MAX_TIMEOUT_MS)),
        None => None,
    };
    // A quorum above the question count is left for `Workspace::problems` to explain.
    run.quorum = run.quorum.clamp(1, MAX_QUESTIONS);
    run.max_retries = run.max_retries.min(MAX_RETRIES);
    run.rounds = run.rounds.clamp(1, MAX_ROUNDS);
    // A budget of zero would never let a call out: it means no budget.
    let budget = |n: Option<u32>| n.filter(|n| *n > 0);
    run.limits.requests_per_minute = budget(run.limits.requests_per_minute);
    run.limits.tokens_per_minute = budget(run.limits.tokens_per_minute);

    let provider = &mut ws.provider;
    if provider.max_tokens == 0 {
        provider.max_tokens = ProviderSettings::default().max_tokens;
    }
    provider.max_tokens = provider.max_tokens.min(MAX_MAX_TOKENS);
    provider.temperature = provider
        .temperature
        .filter(|t| t.is_finite())
        .map(|t| t.clamp(TEMPERATURE.min as f32, TEMPERATURE.max as f32));

    let sim_defaults = SimulationSettings::default();
    let sim = &mut ws.simulation;
    sim.speed = if sim.speed.is_nan() || sim.speed <= 0.0 {
        sim_defaults.speed
    } else {
        sim.speed.clamp(SIMULATION_SPEED.min, SIMULATION_SPEED.max)
    };
    sim.chunk_ms = if sim.chunk_ms.is_nan() || sim.chunk_ms <= 0.0 {
        sim_defaults.chunk_ms
    } else {
        sim.chunk_ms.clamp(CHUNK_MS.min, CHUNK_MS.max)
    };
    for rate in [
        &mut sim.failure_rate,
        &mut sim.slow_rate,
        &mut sim.rate_limit_rate,
    ] {
        *rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(RATE.min, RATE.max)
        };
    }

    let agent_defaults = AgentSettings::default();
    let agents = &mut ws.agents;
    agents.tool_latency_ms = if agents.tool_latency_ms.is_nan() || agents.tool_latency_ms < 0.0 {
        agent_defaults.tool_latency_ms
    } else {
        agents.tool_latency_ms.min(MAX_TOOL_LATENCY_MS)
    };
    agents.max_turns = agents
        .max_turns
        .clamp(AGENT_TURNS.min as usize, AGENT_TURNS.max as usize);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_without_a_version_is_migrated_to_the_current_one() {
        let migrated = migrate(serde_json::json!({"topic": "Rome"}), 0).expect("migrates");
        assert_eq!(migrated["version"], WORKSPACE_VERSION);
        assert_eq!(migrated["topic"], "Rome");
    }

    #[test]
    fn migrating_from_a_newer_version_is_refused() {
        assert_eq!(
            migrate(serde_json::json!({}), WORKSPACE_VERSION + 1),
            Err(LoadError::NewerVersion {
                found: u64::from(WORKSPACE_VERSION) + 1
            })
        );
    }

    #[test]
    fn clamping_is_stable() {
        let mut ws = Workspace::default();
        ws.run.timeout_ms = Some(f64::INFINITY);
        ws.simulation.speed = f64::NAN;
        ws.simulation.failure_rate = -3.0;
        let once = sanitize(ws).expect("fits the limits");
        let twice = sanitize(once.clone()).expect("fits the limits");
        assert_eq!(once, twice);
        assert_eq!(once.run.timeout_ms, Some(MAX_TIMEOUT_MS));
        assert_eq!(once.simulation.speed, 1.0);
        assert_eq!(once.simulation.failure_rate, 0.0);
    }

    #[test]
    fn every_error_sentence_names_the_saved_workspace() {
        for error in [
            LoadError::NotJson("x".into()),
            LoadError::NotAnObject,
            LoadError::NewerVersion { found: 2 },
            LoadError::InvalidContent(ContentProblem::BadVersion),
        ] {
            let sentence = error.to_string();
            assert!(sentence.starts_with("The saved workspace"), "{sentence}");
            assert!(sentence.ends_with(")."), "{sentence}");
        }
    }
}
