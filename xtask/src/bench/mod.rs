//! `cargo xtask bench [--quick]`: the project's performance table, in one command.
//!
//! Builds what it measures (the release site into `target/bench/dist`, the mock API, the engine
//! example), then measures:
//! - the engine's own overhead, natively (`examples/engine_bench.rs`);
//! - the limit "auto" against unlimited at a server's concurrency budget, under virtual time
//!   (`examples/limits_bench.rs`);
//! - launch skew, overhead against the mock API, frames and long tasks from 50 to 500 lanes, cold
//!   load, and a trace and CPU profile of a 500-lane run, in headless Chromium
//!   (`tests/bench/page_bench.mjs`);
//! - the same research calls sent by the official Python and Node SDKs (`tests/bench/peer_*`);
//! - the weight of the built site, raw and gzipped.
//!
//! It prints one table with a goal column, writes it as Markdown (with the profile of a
//! 500-lane run) to `target/bench/latest.md`, and exits 0 even when goals are missed — it is a
//! report, not a test — but non-zero when a measurement could not be taken.

mod measure;
mod render;
mod serve;
mod site;
mod table;

use crate::process::{run, Cmd};
use crate::test::target_dir;
use crate::tools::{ensure_chromium, note, Tools};
use measure::{run_reporting, Measurements};
use render::{render_markdown, render_text};
use serve::{json_strings, MockServer};
use site::{named_copy, site_weight};
use std::path::Path;
use std::time::{Instant, SystemTime};
use table::{table_rows, Verdict};

/// The model of the mock comparison: every answer arrives whole, 1000 ms after the request.
const MOCK_MODEL: &str = "mock?ttft=1000&tps=0&tokens=20";
/// `max_tokens` of every research call, page and peers alike.
const MOCK_MAX_TOKENS: u32 = 256;
/// The research questions of the mock comparison (six: one browser connection each).
const MOCK_QUESTIONS: [&str; 6] = [
    "What are the top 3 attractions in Lisbon?",
    "What is the best way to get around Lisbon?",
    "What local customs should visitors to Lisbon know?",
    "What is the history of Lisbon in brief?",
    "What should a visitor eat in Lisbon?",
    "When is the best time of year to visit Lisbon?",
];
/// Lane counts of the frame-time sweep.
const SCALE_SIZES: [u32; 5] = [50, 100, 250, 500, 1000];

/// Runs every measurement and prints the table; `--quick` repeats less and skips the frame-time
/// sweep and the profile.
pub fn run_bench(workspace: &Path, args: &[String]) -> Result<(), String> {
    let mut quick = false;
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: bench [--quick]"
                ))
            }
        }
    }
    let started = Instant::now();
    let tools = Tools::new(workspace);
    let out_dir = target_dir(workspace).join("bench");
    let dist = out_dir.join("dist");
    let bench_dir = workspace.join("tests/bench");

    note("bench: building what it measures");
    tools.ensure_web_build(workspace)?;
    ensure_chromium()?;
    tools.ensure_python(&workspace.join("tests/sdk/requirements.txt"))?;
    tools.ensure_node_modules(&bench_dir)?;
    run(Cmd::new("cargo")
        .current_dir(workspace)
        .args(["build", "-p", "mock-api"]))?;
    // Its own dist folder: a bench never races a `trunk build` of someone else into `dist/`.
    let trunk_started = SystemTime::now();
    run(Cmd::new(tools.bin().join("trunk"))
        .current_dir(workspace)
        .env("PATH", tools.path_env())
        .args(["build", "--release", "--dist"])
        .arg(&dist))?;
    let trunk_window = (trunk_started, SystemTime::now());
    let built = started.elapsed();

    let mut found = Measurements::default();
    let mut failures: Vec<String> = Vec::new();

    note("bench: engine overhead (native)");
    let mut engine = Cmd::new("cargo");
    engine.current_dir(workspace).args([
        "run",
        "--release",
        "--quiet",
        "--example",
        "engine_bench",
    ]);
    if quick {
        engine.args(["--", "--quick"]);
    }
    found.take("engine", run_reporting(&mut engine), &mut failures);

    note("bench: the adaptive limit against unlimited (native, virtual time)");
    let mut limits = Cmd::new("cargo");
    limits.current_dir(workspace).args([
        "run",
        "--release",
        "--quiet",
        "--example",
        "limits_bench",
    ]);
    found.take("limits", run_reporting(&mut limits), &mut failures);

    note("bench: weight of the site");
    match site_weight(&dist) {
        Ok(weights) => found.values.extend(weights),
        Err(e) => failures.push(format!("weight: {e}")),
    }

    // The profile reads better with function names: the same build, names kept, in dist/profile.
    let named_site = if quick {
        None
    } else {
        note("bench: a copy of the site whose wasm keeps its function names (for the profile)");
        named_copy(workspace, &tools, &dist, trunk_window).unwrap_or_else(|e| {
            note(&format!("bench: profiling without function names ({e})"));
            None
        })
    };

    note("bench: starting the mock API and the site");
    let mock = MockServer::start(
        &target_dir(workspace).join("debug/mock-api"),
        &dist,
        &out_dir.join("mock-api.log"),
    )?;
    let questions = json_strings(&MOCK_QUESTIONS);
    let max_tokens = MOCK_MAX_TOKENS.to_string();
    let profile_md = out_dir.join("page-profile.md");
    let _ = std::fs::remove_file(&profile_md);

    note("bench: the page in headless Chromium");
    let mut page = Cmd::new("node");
    page.current_dir(workspace)
        .arg(bench_dir.join("page_bench.mjs"))
        .args(["--site", &mock.site_url, "--api", &mock.api_url])
        .args(["--mock-model", MOCK_MODEL, "--mock-max-tokens", &max_tokens])
        .args(["--mock-questions", &questions])
        .arg("--profile-out")
        .arg(&profile_md)
        .env("CHROMIUM_PATH", "/usr/bin/chromium");
    if quick {
        page.arg("--quick");
    }
    if let Some(dir) = &named_site {
        page.args(["--profile-site", &format!("{}{dir}/", mock.site_url)]);
    }
    found.take("page", run_reporting(&mut page), &mut failures);

    let rounds = if quick { "1" } else { "5" };
    let peer_args = [
        "--base-url",
        mock.api_url.as_str(),
        "--model",
        MOCK_MODEL,
        "--max-tokens",
        &max_tokens,
        "--questions",
        &questions,
        "--rounds",
        rounds,
    ];
    note("bench: the same research calls with the official Python SDK");
    found.take(
        "python peer",
        run_reporting(
            Cmd::new(tools.venv_python())
                .current_dir(workspace)
                .arg(bench_dir.join("peer_python.py"))
                .args(peer_args),
        ),
        &mut failures,
    );
    note("bench: the same research calls with the official Node SDK");
    found.take(
        "node peer",
        run_reporting(
            Cmd::new("node")
                .current_dir(workspace)
                .arg(bench_dir.join("peer_node.mjs"))
                .args(peer_args),
        ),
        &mut failures,
    );
    drop(mock);

    let rows = table_rows(&found, quick);
    let missing: Vec<String> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Missing)
        .map(|r| format!("{} — {}", r.area, r.what))
        .collect();
    let title = format!(
        "Parallel Playground — performance ({}; {} CPUs; Chromium {}; {})",
        crate::process::capture(Cmd::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
            .map(|d| d.trim().to_string())
            .unwrap_or_default(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        found.text("chromium").unwrap_or("?"),
        if quick { "--quick" } else { "full run" },
    );
    let profile = std::fs::read_to_string(&profile_md).unwrap_or_default();

    println!("\n{title}\n\n{}\n{}", render_text(&rows), NOTES);
    if !profile.is_empty() {
        println!("\n{profile}");
    }
    let markdown = format!(
        "## {title}\n\n{}\n{}\n{profile}",
        render_markdown(&rows),
        NOTES
    );
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let latest = out_dir.join("latest.md");
    std::fs::write(&latest, markdown).map_err(|e| format!("{}: {e}", latest.display()))?;
    note(&format!(
        "bench: table written to {} ({:.0} s in all, {:.0} s of it building)",
        latest.display(),
        started.elapsed().as_secs_f64(),
        built.as_secs_f64()
    ));

    failures.extend(missing.into_iter().map(|m| format!("not measured: {m}")));
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "some measurements could not be taken:\n  {}",
            failures.join("\n  ")
        ))
    }
}

/// How the numbers were taken, under the table.
const NOTES: &str = "\
Engine: `cargo run --release --example engine_bench` (release profile, as the wasm), every answer \
instant, real clock, medians. Browser: headless Debian Chromium, page and API on two localhost \
origins served by mock-api. Page vs SDKs: the same six questions, streamed, same max_tokens, one \
unmeasured warm-up round each, median of the measured rounds; the page's research wall runs from \
its parallel group's start to its last research call's end, the SDKs' around asyncio.gather / \
Promise.all. Frame interval = gaps between requestAnimationFrame timestamps during the run; \
busy = from a frame's start until a MessageChannel task posted in that frame runs (rendering \
work plus any script queued before it).";
