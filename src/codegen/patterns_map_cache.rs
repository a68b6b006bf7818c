//! "Show me the code" for map-reduce and the cached prefix, in Python (`AsyncAnthropic` +
//! `asyncio`) and TypeScript (`@anthropic-ai/sdk`). Each program runs the pattern's baseline and
//! its strategy, as the page does, and prints what decides it: the levels of the reduce tree, or
//! the cache writes and reads of every call.

use super::literal::{python_string, typescript_string};
use super::CodeLanguage;

/// What the programs need of the page's set-up (plain values, so this module stands alone).
#[derive(Clone, Debug, PartialEq)]
pub struct PatternCode {
    pub model: String,
    pub system: Option<String>,
    pub max_tokens: u32,
    /// At most this many calls at once (`None`: no limit).
    pub concurrency_limit: Option<usize>,
    /// Map-reduce: the task, the document, the chunk size (characters) and the fan-in.
    pub task: String,
    pub document: String,
    pub chunk_size: usize,
    pub reduce_fan_in: usize,
    /// Cached prefix: the shared prefix and the questions.
    pub shared_prefix: String,
    pub questions: Vec<String>,
}

/// The file name of a pattern program.
pub fn file_name(pattern: &str, language: CodeLanguage) -> String {
    match language {
        CodeLanguage::Python => format!("{}.py", pattern.replace('-', "_")),
        _ => format!("{pattern}.ts"),
    }
}

fn limit_text(limit: Option<usize>, none: &str) -> String {
    limit.map_or(none.to_string(), |l| l.to_string())
}

/// The map-reduce program (Python or TypeScript; Rust is not offered for the patterns).
pub fn map_reduce(code: &PatternCode, language: CodeLanguage) -> String {
    match language {
        CodeLanguage::Python => MAP_REDUCE_PY
            .replace("@MODEL@", &python_string(&code.model))
            .replace(
                "@SYSTEM@",
                &code.system.as_deref().map_or("None".into(), python_string),
            )
            .replace("@MAX_TOKENS@", &code.max_tokens.to_string())
            .replace("@LIMIT@", &limit_text(code.concurrency_limit, "None"))
            .replace("@TASK@", &python_string(&code.task))
            .replace("@CHUNK_SIZE@", &code.chunk_size.to_string())
            .replace("@FAN_IN@", &code.reduce_fan_in.to_string())
            .replace("@DOCUMENT@", &python_string(&code.document)),
        _ => MAP_REDUCE_TS
            .replace("@MODEL@", &typescript_string(&code.model))
            .replace(
                "@SYSTEM@",
                &code
                    .system
                    .as_deref()
                    .map_or("undefined".into(), typescript_string),
            )
            .replace("@MAX_TOKENS@", &code.max_tokens.to_string())
            .replace("@LIMIT@", &limit_text(code.concurrency_limit, "Infinity"))
            .replace("@TASK@", &typescript_string(&code.task))
            .replace("@CHUNK_SIZE@", &code.chunk_size.to_string())
            .replace("@FAN_IN@", &code.reduce_fan_in.to_string())
            .replace("@DOCUMENT@", &typescript_string(&code.document)),
    }
}

/// The cached-prefix program (Python or TypeScript).
pub fn cached_prefix(code: &PatternCode, language: CodeLanguage) -> String {
    let system = code.system.as_deref().unwrap_or("");
    match language {
        CodeLanguage::Python => CACHED_PY
            .replace("@MODEL@", &python_string(&code.model))
            .replace("@SYSTEM@", &python_string(system))
            .replace("@MAX_TOKENS@", &code.max_tokens.to_string())
            .replace("@LIMIT@", &limit_text(code.concurrency_limit, "None"))
            .replace(
                "@QUESTIONS@",
                &code
                    .questions
                    .iter()
                    .map(|q| format!("    {},\n", python_string(q)))
                    .collect::<String>(),
            )
            .replace("@PREFIX@", &python_string(&code.shared_prefix)),
        _ => CACHED_TS
            .replace("@MODEL@", &typescript_string(&code.model))
            .replace("@SYSTEM@", &typescript_string(system))
            .replace("@MAX_TOKENS@", &code.max_tokens.to_string())
            .replace("@LIMIT@", &limit_text(code.concurrency_limit, "Infinity"))
            .replace(
                "@QUESTIONS@",
                &code
                    .questions
                    .iter()
                    .map(|q| format!("  {},\n", typescript_string(q)))
                    .collect::<String>(),
            )
            .replace("@PREFIX@", &typescript_string(&code.shared_prefix)),
    }
}

const MAP_REDUCE_PY: &str = include_str!("patterns/map_reduce.py");
const MAP_REDUCE_TS: &str = include_str!("patterns/map_reduce.ts");
const CACHED_PY: &str = include_str!("patterns/cached_prefix.py");
const CACHED_TS: &str = include_str!("patterns/cached_prefix.ts");

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> PatternCode {
        PatternCode {
            model: "claude-haiku-4-5".into(),
            system: None,
            max_tokens: 300,
            concurrency_limit: Some(4),
            task: "Summarize \"it\".".into(),
            document: "One.\n\nTwo.".into(),
            chunk_size: 800,
            reduce_fan_in: 3,
            shared_prefix: "Long text".into(),
            questions: vec!["Q1?".into(), "Q2?".into()],
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        for language in [CodeLanguage::Python, CodeLanguage::TypeScript] {
            for program in [
                map_reduce(&code(), language),
                cached_prefix(&code(), language),
            ] {
                for placeholder in [
                    "@MODEL@",
                    "@SYSTEM@",
                    "@LIMIT@",
                    "@TASK@",
                    "@PREFIX@",
                    "@QUESTIONS@",
                    "@DOCUMENT@",
                ] {
                    assert!(
                        !program.contains(placeholder),
                        "{placeholder} left in {language:?}"
                    );
                }
                assert!(program.contains("claude-haiku-4-5"));
            }
        }
        let python = cached_prefix(&code(), CodeLanguage::Python);
        assert!(python.contains("\"cache_control\": {\"type\": \"ephemeral\"}"));
        assert!(map_reduce(&code(), CodeLanguage::TypeScript).contains("FAN_IN = 3"));
        assert_eq!(
            file_name("map-reduce", CodeLanguage::Python),
            "map_reduce.py"
        );
    }
}
