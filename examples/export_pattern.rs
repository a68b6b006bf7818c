//! Writes the "Show me the code" programs of a pattern (voting, racing, hedging) into a folder.
//!
//! ```sh
//! cargo run --example export_pattern -- --out DIR --model M --plan-json JSON
//! ```
//!
//! `JSON` is a `PatternPlan` in its serde form without `base` fields it leaves at their
//! defaults, e.g. `{"base": {"questions": ["What is 2+2?"]}, "settings": {"pattern": "voting"}}`
//! (`base` fields merge into `RunPlan::default()`). `DIR` gets `pattern.py` and `pattern.ts`.

use parallel_playground::codegen::{generate_pattern, CodeLanguage};
use parallel_playground::engine::RunPlan;
use parallel_playground::patterns::{PatternPlan, PatternSettings};
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    match export(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("export_pattern: {message}");
            ExitCode::FAILURE
        }
    }
}

fn export(args: Vec<String>) -> Result<(), String> {
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let out = PathBuf::from(value_of("--out").ok_or("--out DIR is required")?);
    let given: Value = serde_json::from_str(&value_of("--plan-json").unwrap_or("{}".into()))
        .map_err(|e| format!("--plan-json: {e}"))?;
    let mut base = serde_json::to_value(RunPlan::default()).map_err(|e| e.to_string())?;
    if let (Some(base), Some(Value::Object(fields))) = (base.as_object_mut(), given.get("base")) {
        base.extend(fields.clone());
    }
    let mut base: RunPlan = serde_json::from_value(base).map_err(|e| format!("base: {e}"))?;
    if let Some(model) = value_of("--model") {
        base.model = model;
    }
    let settings: PatternSettings = match given.get("settings") {
        Some(s) => serde_json::from_value(s.clone()).map_err(|e| format!("settings: {e}"))?,
        None => PatternSettings::default(),
    };
    let plan = PatternPlan { base, settings };
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    for (language, file) in [
        (CodeLanguage::Python, "pattern.py"),
        (CodeLanguage::TypeScript, "pattern.ts"),
    ] {
        let code = generate_pattern(&plan, language).ok_or("this pattern has no program")?;
        std::fs::write(out.join(file), code).map_err(|e| e.to_string())?;
    }
    Ok(())
}
