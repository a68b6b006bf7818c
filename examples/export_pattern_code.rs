//! Writes the "Show me the code" programs of map-reduce and the cached prefix into a folder.
//!
//! ```sh
//! cargo run --example export_pattern_code -- --out DIR [--model M] [--chunk-size N] [--fan-in K]
//! ```
//!
//! The set-up is the shipped sample (the harbour report as the document and as the shared
//! prefix, four questions about it). `DIR` gets `map_reduce.py`, `map-reduce.ts`,
//! `cached_prefix.py` and `cached-prefix.ts`.

use parallel_playground::codegen::patterns_map_cache::{
    cached_prefix, file_name, map_reduce, PatternCode,
};
use parallel_playground::codegen::CodeLanguage;
use parallel_playground::workspace::samples::SAMPLE_DOCUMENT;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: export_pattern_code --out DIR [--model M] [--chunk-size N] [--fan-in K]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut out = None;
    let mut code = PatternCode {
        model: "claude-haiku-4-5".into(),
        system: None,
        max_tokens: 400,
        concurrency_limit: Some(4),
        task: "What does the report recommend, and why?".into(),
        document: SAMPLE_DOCUMENT.into(),
        chunk_size: 700,
        reduce_fan_in: 2,
        shared_prefix: SAMPLE_DOCUMENT.into(),
        questions: vec![
            "What does the eastern quay need, and what does it cost?".into(),
            "Who opposes the ferry terminal, and why?".into(),
            "What did the environmental survey find?".into(),
            "What does the report recommend?".into(),
        ],
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(USAGE)?;
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value)),
            "--model" => code.model = value,
            "--chunk-size" => code.chunk_size = value.parse().map_err(|_| USAGE)?,
            "--fan-in" => code.reduce_fan_in = value.parse().map_err(|_| USAGE)?,
            _ => return Err(USAGE.into()),
        }
    }
    let out = out.ok_or(USAGE)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for language in [CodeLanguage::Python, CodeLanguage::TypeScript] {
        for (pattern, program) in [
            ("map-reduce", map_reduce(&code, language)),
            ("cached-prefix", cached_prefix(&code, language)),
        ] {
            let path = out.join(file_name(pattern, language));
            std::fs::write(&path, program).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}
