//! `cargo xtask`: the project's own commands.
//!
//! - `cargo xtask serve` — install what is missing, build, serve on http://127.0.0.1:8080
//! - `cargo xtask test [STEP…]` — every test (or the named steps), non-zero exit on failure
//! - `cargo xtask build [--public-url URL]` — the static site in `dist/` for deployment
//! - `cargo xtask bench` — the benchmark tables (engine; browser)
//! - `cargo xtask mock [--port N]` — the mock API server, for trying the HTTP providers by hand

mod bench;
mod process;
mod test;
mod tools;

use process::{run, Cmd};
use std::path::{Path, PathBuf};
use tools::{note, Tools};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workspace = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&workspace, &args[1..]),
        Some("build") => build(&workspace, &args[1..]),
        Some("test") => test::run_tests(&workspace, &args[1..]),
        Some("bench") => bench::run_bench(&workspace, &args[1..]),
        Some("mock") => mock(&workspace, &args[1..]),
        Some("tools") => Tools::new(&workspace).ensure_web_build(&workspace),
        _ => {
            eprintln!(
                "usage: cargo xtask <serve [--dev] | test [STEP…] | build [--public-url URL] | \
                 mock [--port N] | tools>\n\nSteps of `test`: {}",
                test::STEP_NAMES.join(", ")
            );
            Err("unknown command".into())
        }
    };
    if let Err(message) = result {
        eprintln!("\x1b[1;31merror:\x1b[0m {message}");
        std::process::exit(1);
    }
}

/// The workspace root: the parent of this crate's folder.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// Builds and serves the playground on http://127.0.0.1:8080 (release build unless `--dev`).
fn serve(workspace: &Path, args: &[String]) -> Result<(), String> {
    let tools = Tools::new(workspace);
    tools.ensure_web_build(workspace)?;
    let mut cmd = Cmd::new(tools.bin().join("trunk"));
    cmd.current_dir(workspace)
        .env("PATH", tools.path_env())
        .args([
            "serve",
            "--address",
            "127.0.0.1",
            "--port",
            "8080",
            "--no-autoreload",
        ]);
    if !args.iter().any(|a| a == "--dev") {
        cmd.arg("--release");
    }
    note("building; the playground will be at http://127.0.0.1:8080/ (Ctrl+C stops it)");
    run(&mut cmd)
}

/// Builds the static site into `dist/` (relative URLs: it works under any sub-path).
fn build(workspace: &Path, args: &[String]) -> Result<(), String> {
    let tools = Tools::new(workspace);
    tools.ensure_web_build(workspace)?;
    let mut cmd = Cmd::new(tools.bin().join("trunk"));
    cmd.current_dir(workspace)
        .env("PATH", tools.path_env())
        .args(["build", "--release"]);
    if let Some(i) = args.iter().position(|a| a == "--public-url") {
        let url = args.get(i + 1).ok_or("--public-url needs a value")?;
        cmd.args(["--public-url", url]);
    }
    run(&mut cmd)?;
    note(&format!(
        "site built in {} (open index.html through any static server)",
        workspace.join("dist").display()
    ));
    Ok(())
}

/// Runs the mock API server in the foreground.
fn mock(workspace: &Path, args: &[String]) -> Result<(), String> {
    let port = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .map_or("4010", String::as_str);
    run(Cmd::new("cargo")
        .current_dir(workspace)
        .args(["run", "--quiet", "-p", "mock-api", "--", "--port", port]))
}
