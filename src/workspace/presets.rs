//! Ready-made set-ups: the travel guide of the seeds, and other workflows worth parallelising.

use super::{
    AgentSettings, PageMode, ProviderSettings, Question, RunSettings, Workspace, WORKSPACE_VERSION,
};
use crate::providers::simulated::{SimBehaviour, SimulationSettings};

/// A named starting point.
pub struct Preset {
    pub id: &'static str,
    pub title: &'static str,
    pub topic: &'static str,
    pub questions: &'static [(&'static str, SimBehaviour)],
    pub system_prompt: &'static str,
    pub synthesis_prompt: &'static str,
}

use SimBehaviour::{Fail, Normal, Slow};

/// Every preset, the default first.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "travel",
        title: "Travel guide (the seeds' example)",
        topic: "Paris",
        questions: &[
            ("What are the top 3 attractions in {topic}?", Normal),
            ("What is the best way to get around {topic}?", Normal),
            (
                "What local customs should visitors to {topic} know?",
                Normal,
            ),
        ],
        system_prompt: "You are a helpful travel researcher. Answer in one short paragraph.",
        synthesis_prompt: "Create a concise travel guide for {topic} from the research below. \
                           Organise it by topic and keep every practical detail.",
    },
    Preset {
        id: "market",
        title: "Market analysis",
        topic: "electric cargo bikes",
        questions: &[
            ("Who buys {topic}, and why?", Normal),
            ("Which companies lead the market for {topic}?", Normal),
            ("How are prices of {topic} changing?", Normal),
            ("Which regulations affect {topic}?", Normal),
        ],
        system_prompt: "You are a market analyst. Be specific and brief.",
        synthesis_prompt: "Write a one-page market analysis of {topic} from the findings below. \
                           Highlight where the findings agree and where they conflict.",
    },
    Preset {
        id: "tech-eval",
        title: "Technical evaluation",
        topic: "SQLite as the database of a mobile app",
        questions: &[
            ("How does {topic} perform under heavy writes?", Normal),
            (
                "How reliable is {topic} when the device loses power?",
                Normal,
            ),
            (
                "What tooling and migrations support exists for {topic}?",
                Normal,
            ),
            (
                "What are the licensing and security considerations of {topic}?",
                Normal,
            ),
        ],
        system_prompt: "You are a senior engineer writing an evaluation. Be concrete.",
        synthesis_prompt: "Write a recommendation about {topic} from the evaluations below: \
                           a verdict, the main risks, and what to check first.",
    },
    Preset {
        id: "code-review",
        title: "Code review from four angles",
        topic: "a login handler that checks a password against a database",
        questions: &[
            ("Review {topic} for security problems.", Normal),
            ("Review {topic} for performance problems.", Normal),
            ("Review {topic} for readability and naming.", Normal),
            ("Which tests are missing for {topic}?", Normal),
        ],
        system_prompt: "You are a careful code reviewer. List concrete findings.",
        synthesis_prompt: "Merge the reviews below into one prioritised list of changes for \
                           {topic}; most important first.",
    },
    Preset {
        id: "failure-drill",
        title: "Failure drill: one slow, one failing",
        topic: "Tokyo",
        questions: &[
            ("What are the must-see districts of {topic}?", Normal),
            ("How does the train system in {topic} work?", Slow),
            (
                "What does a typical day of food in {topic} look like?",
                Fail,
            ),
            ("Which etiquette rules matter most in {topic}?", Normal),
        ],
        system_prompt: "You are a helpful travel researcher. Answer in one short paragraph.",
        synthesis_prompt: "Create a concise travel guide for {topic} from the research below.",
    },
    Preset {
        id: "many",
        title: "Ten questions (for concurrency limits)",
        topic: "the history of computing",
        questions: &[
            ("Who was Ada Lovelace, in the context of {topic}?", Normal),
            ("What was the ENIAC's role in {topic}?", Normal),
            ("Why did the transistor matter in {topic}?", Normal),
            ("What did Unix change in {topic}?", Normal),
            ("How did the personal computer change {topic}?", Normal),
            ("What role did ARPANET play in {topic}?", Normal),
            ("Why did the web browser matter in {topic}?", Normal),
            ("How did open source shape {topic}?", Normal),
            ("How did smartphones change {topic}?", Normal),
            ("Where does machine learning fit in {topic}?", Normal),
        ],
        system_prompt: "You are a historian of technology. Answer in two or three sentences.",
        synthesis_prompt: "Write a short timeline of {topic} from the answers below.",
    },
    Preset {
        id: "voting",
        title: "Pattern: voting on a sum (a model wrong 30% of the time)",
        topic: "",
        questions: &[(
            "What is (17 + 25) * 3 - 4? End with 'Answer: <number>'.",
            Normal,
        )],
        system_prompt: "Work it out step by step, then give the final number.",
        synthesis_prompt: "Combine the answers below.",
    },
    Preset {
        id: "racing",
        title: "Pattern: racing three copies of one request",
        topic: "Lisbon",
        questions: &[("What is the best way to get around {topic}?", Normal)],
        system_prompt: "You are a helpful travel researcher. Answer in one short paragraph.",
        synthesis_prompt: "Combine the answers below.",
    },
    Preset {
        id: "hedging",
        title: "Pattern: hedging twenty calls with slow outliers",
        topic: "the history of computing",
        questions: &[
            ("Who was Ada Lovelace, in the context of {topic}?", Normal),
            ("What was the ENIAC's role in {topic}?", Normal),
            ("Why did the transistor matter in {topic}?", Normal),
            ("What did Unix change in {topic}?", Normal),
        ],
        system_prompt: "You are a historian of technology. Answer in two or three sentences.",
        synthesis_prompt: "Combine the answers below.",
    },
];

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

impl Preset {
    /// A fresh workspace from this preset, with default settings.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            version: WORKSPACE_VERSION,
            preset: self.id.to_string(),
            topic: self.topic.to_string(),
            questions: self
                .questions
                .iter()
                .map(|(text, simulate)| Question {
                    text: text.to_string(),
                    simulate: *simulate,
                })
                .collect(),
            system_prompt: self.system_prompt.to_string(),
            synthesis_prompt: self.synthesis_prompt.to_string(),
            provider: ProviderSettings::default(),
            run: RunSettings::default(),
            simulation: SimulationSettings::default(),
            mode: PageMode::Research,
            agents: AgentSettings::default(),
            patterns: super::pattern_presets::patterns_of(self.id),
            variants: super::VariantSet::default(),
        }
        .with_pattern_knobs(self.id)
    }

    /// Applies the preset's content to `ws`, keeping its provider and run settings.
    pub fn apply_to(&self, ws: &Workspace) -> Workspace {
        Workspace {
            provider: ws.provider.clone(),
            run: ws.run.clone(),
            simulation: ws.simulation.clone(),
            agents: ws.agents.clone(),
            ..self.workspace()
        }
        .with_pattern_knobs(self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunMode;

    #[test]
    fn every_preset_is_valid_and_has_a_unique_id() {
        for (i, p) in PRESETS.iter().enumerate() {
            assert!(p.workspace().plan(RunMode::Compare).is_ok(), "{}", p.id);
            assert!(PRESETS[i + 1..].iter().all(|q| q.id != p.id), "{}", p.id);
        }
        assert!(PRESETS
            .iter()
            .any(|p| p.questions.iter().any(|(_, b)| *b == Fail)));
    }
}
