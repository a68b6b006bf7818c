//! Writes the "Show me the code" programs for a fixed test plan into a folder.
//!
//! ```sh
//! cargo run --example export_code -- --out DIR [--model M] [--plan-json JSON] [--echo-prompt FILE]
//!     [--variants-json JSON]
//! ```
//!
//! The plan is the travel guide (`preset("travel")`) with a concurrency limit of 2, settle-all, a
//! 20 s timeout and a quorum of 2. `DIR` gets `parallel_research.py`, `parallel-research.ts`, and
//! a Cargo crate `rust/` (`Cargo.toml`, `src/main.rs`).
//!
//! - `--model M` replaces the model (the tests use the mock's, e.g. `mock?ttft=300&tps=200`).
//! - `--plan-json JSON` replaces fields of the plan: a JSON object in `RunPlan`'s serde form,
//!   e.g. `{"failure_policy": "fail-fast", "concurrency_limit": null}`; its `rounds` (not a
//!   field of the plan: the page keeps it in the workspace) repeats the run that many times.
//! - `--echo-prompt FILE` also writes the synthesis prompt the page builds when every research
//!   answer repeats its question (what the mock answers with `echo=1`), so that the tests can
//!   compare the programs' synthesis with the page's byte for byte.
//! - `--variants-json JSON` adds variants B–D: a `VariantSet` in its serde form, e.g.
//!   `{"timing": "one_after_the_other", "others": [{"provider": "anthropic", "model": "m",
//!   "system_prompt": "Be brief.", "max_tokens": 5}]}`; variant A is the test plan on Anthropic
//!   with `--model`, and the `--plan-json` fields apply to every variant.

use parallel_playground::codegen::{
    cargo_manifest, generate_rounds, generate_workspace_variants, CodeLanguage,
};
use parallel_playground::engine::{
    synthesis_prompt, FailurePolicy, ResearchOutcome, RunMode, RunPlan,
};
use parallel_playground::workspace::{preset, ProviderKind, VariantSet, Workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: export_code --out DIR [--model M] [--plan-json JSON] \
                     [--echo-prompt FILE] [--variants-json JSON]";

struct Options {
    out: PathBuf,
    model: Option<String>,
    plan_json: Option<String>,
    echo_prompt: Option<PathBuf>,
    variants_json: Option<String>,
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(|options| export(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("export_code: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        out: PathBuf::new(),
        model: None,
        plan_json: None,
        echo_prompt: None,
        variants_json: None,
    };
    let mut out = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--model" => options.model = Some(value()?),
            "--plan-json" => options.plan_json = Some(value()?),
            "--echo-prompt" => options.echo_prompt = Some(PathBuf::from(value()?)),
            "--variants-json" => options.variants_json = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    options.out = out.ok_or(format!("--out is required\n{USAGE}"))?;
    Ok(options)
}

/// The workspace of the test plan.
fn test_workspace() -> Result<Workspace, String> {
    let travel = preset("travel").ok_or("the travel preset is missing")?;
    let mut workspace = travel.workspace();
    workspace.run.concurrency_limit = Some(2);
    workspace.run.failure_policy = FailurePolicy::SettleAll;
    workspace.run.timeout_ms = Some(20_000.0);
    workspace.run.quorum = 2;
    Ok(workspace)
}

/// The plan the programs are generated for, and its rounds.
fn test_plan(options: &Options) -> Result<(RunPlan, u32), String> {
    let workspace = test_workspace()?;
    let mut plan = workspace
        .plan(RunMode::Parallel)
        .map_err(|problems| format!("the test plan is invalid: {problems:?}"))?;
    if let Some(model) = &options.model {
        plan.model = model.clone();
    }
    let mut rounds = 1;
    if let Some(json) = &options.plan_json {
        (plan, rounds) = with_fields(&plan, json)?;
    }
    Ok((plan, rounds))
}

/// `plan` with the fields of the JSON object `json` replaced, and its `rounds` (default 1).
fn with_fields(plan: &RunPlan, json: &str) -> Result<(RunPlan, u32), String> {
    let changes: Value =
        serde_json::from_str(json).map_err(|e| format!("--plan-json is not JSON: {e}"))?;
    let Value::Object(mut changes) = changes else {
        return Err("--plan-json must be a JSON object".into());
    };
    let rounds = match changes.remove("rounds") {
        None => 1,
        Some(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("--plan-json: rounds must be a whole number")?,
    };
    let mut value = serde_json::to_value(plan).map_err(|e| e.to_string())?;
    if let Value::Object(fields) = &mut value {
        for (name, field) in changes {
            if !fields.contains_key(&name) {
                return Err(format!("--plan-json: RunPlan has no field `{name}`"));
            }
            fields.insert(name, field);
        }
    }
    let plan = serde_json::from_value(value).map_err(|e| format!("--plan-json: {e}"))?;
    Ok((plan, rounds))
}

/// The programs with the variants of `json` beside the test plan (variant A).
fn export_variants(options: &Options, json: &str) -> Result<(), String> {
    let mut workspace = test_workspace()?;
    workspace.variants =
        serde_json::from_str::<VariantSet>(json).map_err(|e| format!("--variants-json: {e}"))?;
    workspace.provider.kind = ProviderKind::Anthropic;
    if let Some(model) = &options.model {
        workspace.provider.anthropic.model = model.clone();
    }
    let plans = workspace
        .variant_plans(RunMode::Parallel)
        .map_err(|problems| format!("the variants are invalid: {problems:?}"))?;
    let mut changed = Vec::with_capacity(plans.len());
    for (variant, plan, kind) in plans {
        let (plan, rounds) = match &options.plan_json {
            Some(json) => with_fields(&plan, json)?,
            None => (plan, 1),
        };
        workspace.run.rounds = rounds;
        changed.push((variant, plan, kind));
    }
    for language in [CodeLanguage::Python, CodeLanguage::TypeScript] {
        let program = generate_workspace_variants(&workspace, &changed, language);
        write(&options.out.join(language.file_name()), &program)?;
    }
    write(&options.out.join("rust/Cargo.toml"), &cargo_manifest())?;
    let rust = generate_workspace_variants(&workspace, &changed, CodeLanguage::Rust);
    write(
        &options
            .out
            .join("rust/src")
            .join(CodeLanguage::Rust.file_name()),
        &rust,
    )
}

fn export(options: &Options) -> Result<(), String> {
    if let Some(json) = &options.variants_json {
        return export_variants(options, json);
    }
    let (plan, rounds) = test_plan(options)?;
    let generate = |plan: &RunPlan, language| generate_rounds(plan, language, rounds);
    let out = &options.out;
    write(
        &out.join(CodeLanguage::Python.file_name()),
        &generate(&plan, CodeLanguage::Python),
    )?;
    write(
        &out.join(CodeLanguage::TypeScript.file_name()),
        &generate(&plan, CodeLanguage::TypeScript),
    )?;
    write(&out.join("rust/Cargo.toml"), &cargo_manifest())?;
    write(
        &out.join("rust/src").join(CodeLanguage::Rust.file_name()),
        &generate(&plan, CodeLanguage::Rust),
    )?;
    if let Some(path) = &options.echo_prompt {
        let outcomes: Vec<ResearchOutcome<'_>> = plan
            .questions
            .iter()
            .map(|question| ResearchOutcome {
                question,
                answer: Ok(question),
            })
            .collect();
        write(path, &synthesis_prompt(&plan.synthesis_prompt, &outcomes))?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
