//! `cargo xtask test`: every layer of tests, in order, with a summary.
//!
//! Steps: formatting and lints; native tests of the pure core (and the mock server); browser
//! tests (wasm-bindgen-test in headless Chromium); the official SDKs against the mock server;
//! end-to-end tests (Playwright driving Chromium against the release build); the same page in
//! Firefox (puppeteer-core driving Debian's firefox-esr over WebDriver BiDi).

use crate::process::{run, Cmd};
use crate::tools::{ensure_chromium, ensure_firefox, note, Tools};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The steps, in the order they run.
pub const STEP_NAMES: &[&str] = &[
    "fmt", "clippy", "native", "browser", "sdk", "e2e", "firefox",
];

pub fn run_tests(workspace: &Path, filter: &[String]) -> Result<(), String> {
    for name in filter {
        if !STEP_NAMES.contains(&name.as_str()) {
            return Err(format!(
                "unknown step `{name}`; steps: {}",
                STEP_NAMES.join(", ")
            ));
        }
    }
    let tools = Tools::new(workspace);
    let mut results: Vec<(&str, f64, Result<(), String>)> = Vec::new();
    for &name in STEP_NAMES {
        if !filter.is_empty() && !filter.iter().any(|f| f == name) {
            continue;
        }
        note(&format!("test step: {name}"));
        let started = Instant::now();
        let result = run_step(name, workspace, &tools);
        if let Err(e) = &result {
            eprintln!("\x1b[1;31mstep {name} failed:\x1b[0m {e}");
        }
        results.push((name, started.elapsed().as_secs_f64(), result));
    }
    eprintln!("\nsummary");
    for (name, seconds, result) in &results {
        let mark = if result.is_ok() { "ok  " } else { "FAIL" };
        eprintln!("  {mark} {name:<8} {seconds:>7.1} s");
    }
    // The e2e tests that failed or passed only on a retry, named where a CI log's tail shows them.
    let e2e_summary = workspace.join("tests/e2e/test-results/summary.txt");
    if results.iter().any(|(name, _, _)| *name == "e2e") {
        if let Ok(text) = std::fs::read_to_string(&e2e_summary) {
            for line in text.lines().filter(|l| !l.is_empty()) {
                eprintln!("    e2e {line}");
            }
        }
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, _, r)| r.is_err())
        .map(|(n, _, _)| *n)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed steps: {}", failed.join(", ")))
    }
}

fn run_step(name: &str, workspace: &Path, tools: &Tools) -> Result<(), String> {
    let cargo = || {
        let mut cmd = Cmd::new("cargo");
        cmd.current_dir(workspace).env("PATH", tools.path_env());
        cmd
    };
    match name {
        "fmt" => run(cargo().args(["fmt", "--all", "--", "--check"])),
        "clippy" => {
            tools.ensure_web_build(workspace)?;
            run(cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            run(cargo().args([
                "clippy",
                "-p",
                "parallel-playground",
                "--target",
                "wasm32-unknown-unknown",
                "--lib",
                "--bins",
                "--tests",
                "--",
                "-D",
                "warnings",
            ]))
        }
        // Every test binary runs, so one failure does not hide the others.
        "native" => run(cargo().args(["test", "--workspace", "--no-fail-fast"])),
        "browser" => {
            tools.ensure_web_build(workspace)?;
            ensure_chromium()?;
            run(cargo()
                .args([
                    "test",
                    "-p",
                    "parallel-playground",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "browser",
                    "--test",
                    "browser_store",
                    "--test",
                    "browser_memory",
                ])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver"))
        }
        "sdk" => {
            // The official SDKs against the mock, and the generated programs (Python and
            // TypeScript run against the mock; the Rust one is compiled).
            run(cargo().args(["build", "-p", "mock-api"]))?;
            tools.ensure_python(&workspace.join("tests/sdk/requirements.txt"))?;
            tools.ensure_node_modules(&workspace.join("tests/codegen"))?;
            run(Cmd::new(tools.venv_python())
                .current_dir(workspace)
                .args(["-m", "pytest", "tests/sdk", "-q"])
                .env("PATH", tools.path_env())
                .env("MOCK_API_BIN", target_dir(workspace).join("debug/mock-api"))
                .env("CODEGEN_REQUIRE_NODE", "1"))
        }
        "e2e" => {
            tools.ensure_web_build(workspace)?;
            ensure_chromium()?;
            run(cargo().args(["build", "-p", "mock-api"]))?;
            run(Cmd::new(tools.bin().join("trunk"))
                .current_dir(workspace)
                .env("PATH", tools.path_env())
                .args(["build", "--release"]))?;
            let e2e = workspace.join("tests/e2e");
            let _ = std::fs::remove_file(e2e.join("test-results/summary.txt"));
            tools.ensure_node_modules(&e2e)?;
            run(Cmd::new("npx")
                .current_dir(&e2e)
                .args(["playwright", "test"])
                .env("SITE_DIR", workspace.join("dist"))
                .env("MOCK_API_BIN", target_dir(workspace).join("debug/mock-api")))
        }
        "firefox" => {
            // After e2e, which built dist/ and the mock server (built again here when run alone).
            ensure_firefox()?;
            run(cargo().args(["build", "-p", "mock-api"]))?;
            if !workspace.join("dist/index.html").exists() {
                run(Cmd::new(tools.bin().join("trunk"))
                    .current_dir(workspace)
                    .env("PATH", tools.path_env())
                    .args(["build", "--release"]))?;
            }
            let firefox = workspace.join("tests/firefox");
            tools.ensure_node_modules(&firefox)?;
            run(Cmd::new("node")
                .current_dir(&firefox)
                .args(["--test", "--test-concurrency=1", "run.mjs"])
                .env("SITE_DIR", workspace.join("dist"))
                .env("MOCK_API_BIN", target_dir(workspace).join("debug/mock-api")))
        }
        other => Err(format!("no step {other}")),
    }
}

/// Cargo's target folder (honouring `CARGO_TARGET_DIR`).
pub fn target_dir(workspace: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
}
