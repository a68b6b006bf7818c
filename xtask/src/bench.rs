//! `cargo xtask bench [--quick]`: the project's performance table, in one command.
//!
//! Builds what it measures (the release site into `target/bench/dist`, the mock API, the engine
//! example), then measures:
//! - the engine's own overhead, natively (`examples/engine_bench.rs`);
//! - launch skew, overhead against the mock API, frames and long tasks from 50 to 500 lanes, cold
//!   load, and a trace and CPU profile of a 500-lane run, in headless Chromium
//!   (`tests/bench/page_bench.mjs`);
//! - the same research calls sent by the official Python and Node SDKs (`tests/bench/peer_*`);
//! - the weight of the built site, raw and gzipped.
//!
//! It prints one table with a goal column, writes it as Markdown (with the profile of a
//! 500-lane run) to `target/bench/latest.md`, and exits 0 even when goals are missed — it is a
//! report, not a test — but non-zero when a measurement could not be taken.

use crate::process::{run, Cmd};
use crate::test::target_dir;
use crate::tools::{ensure_chromium, note, Tools};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

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
const SCALE_SIZES: [u32; 4] = [50, 100, 250, 500];

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

/// Runs `cmd` with its progress on stderr and returns its stdout, even when it failed (a failed
/// script may still have printed some measurements).
fn run_reporting(cmd: &mut Cmd) -> (String, Result<(), String>) {
    let shown = std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("\x1b[2m$ {shown}\x1b[0m");
    match cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
    {
        Ok(output) => {
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let status = if output.status.success() {
                Ok(())
            } else {
                Err(format!("`{shown}` failed ({})", output.status))
            };
            (stdout, status)
        }
        Err(e) => (
            String::new(),
            Err(format!("could not start `{shown}`: {e}")),
        ),
    }
}

/// Every number the measuring programs reported, by key.
#[derive(Default)]
struct Measurements {
    values: BTreeMap<String, String>,
}

impl Measurements {
    /// Keeps the reported lines of one program (`BENCH key=value`, and the engine example's
    /// `engine_bench n=N key=value…`); echoes its other output and records its failure.
    fn take(
        &mut self,
        name: &str,
        (stdout, status): (String, Result<(), String>),
        failures: &mut Vec<String>,
    ) {
        for line in stdout.lines() {
            if let Some(pair) = line.strip_prefix("BENCH ") {
                if let Some((key, value)) = pair.split_once('=') {
                    self.values.insert(key.trim().into(), value.trim().into());
                }
            } else if let Some(rest) = line.strip_prefix("engine_bench ") {
                let pairs: Vec<(&str, &str)> = rest
                    .split_whitespace()
                    .filter_map(|p| p.split_once('='))
                    .collect();
                if let Some((_, n)) = pairs.iter().find(|(k, _)| *k == "n") {
                    for (key, value) in pairs.iter().filter(|(k, _)| *k != "n") {
                        self.values
                            .insert(format!("engine_n{n}_{key}"), value.to_string());
                    }
                }
            } else {
                eprintln!("{line}");
            }
        }
        if let Err(e) = status {
            failures.push(format!("{name}: {e}"));
        }
    }

    fn num(&self, key: &str) -> Option<f64> {
        self.values
            .get(key)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

/// Raw and gzip -9 bytes of the site's html, js, wasm and css files.
fn site_weight(dist: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut sizes: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("html") => "html",
            Some("js") => "js",
            Some("wasm") => "wasm",
            Some("css") => "css",
            _ => continue,
        };
        let raw = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let gzipped = Cmd::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("gzip: {e}"))?;
        if !gzipped.status.success() {
            return Err(format!("gzip -9 {} failed", path.display()));
        }
        let size = sizes.entry(kind).or_default();
        size.0 += raw;
        size.1 += gzipped.stdout.len() as u64;
    }
    if !sizes.contains_key("wasm") {
        return Err(format!("no .wasm in {}", dist.display()));
    }
    let mut out = BTreeMap::new();
    let (mut raw_total, mut gzip_total) = (0, 0);
    for (kind, (raw, gzip)) in &sizes {
        out.insert(format!("weight_{kind}_raw"), raw.to_string());
        out.insert(format!("weight_{kind}_gzip"), gzip.to_string());
        raw_total += raw;
        gzip_total += gzip;
    }
    out.insert("weight_total_raw".into(), raw_total.to_string());
    out.insert("weight_total_gzip".into(), gzip_total.to_string());
    Ok(out)
}

/// Copies the site into `dist/profile` with a wasm optimised exactly as Trunk does it (level and
/// flags from `index.html`) but keeping its name section (`wasm-opt --debuginfo`), so that CPU
/// profiles show Rust function names. Returns the sub-path, or `None` when the wasm-bindgen
/// output is not the one of this bench's build (someone else built since).
fn named_copy(
    workspace: &Path,
    tools: &Tools,
    dist: &Path,
    (built_from, built_to): (SystemTime, SystemTime),
) -> Result<Option<&'static str>, String> {
    const SUBDIR: &str = "profile";
    let bindgen = target_dir(workspace).join("wasm-bindgen/release/parallel-playground_bg.wasm");
    let meta = std::fs::metadata(&bindgen).map_err(|e| format!("{}: {e}", bindgen.display()))?;
    let modified = meta.modified().map_err(|e| e.to_string())?;
    if modified < built_from || modified > built_to {
        return Err("the wasm-bindgen output changed since this build".into());
    }
    let index = std::fs::read_to_string(workspace.join("index.html")).map_err(|e| e.to_string())?;
    let attribute = |name: &str| {
        let start = index.find(&format!("{name}=\""))? + name.len() + 2;
        let len = index[start..].find('"')?;
        Some(index[start..start + len].to_string())
    };
    let level = attribute("data-wasm-opt").unwrap_or_else(|| "z".into());
    let params = attribute("data-wasm-opt-params").unwrap_or_default();

    // wasm-opt takes a while: reuse the named wasm while its input is unchanged.
    let cache = target_dir(workspace).join("bench/named");
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let named = cache.join("parallel-playground_bg.wasm");
    let stamp = format!("{}:{:?}:{level}:{params}", meta.len(), modified);
    let stamp_file = cache.join("stamp");
    if std::fs::read_to_string(&stamp_file).ok().as_deref() != Some(stamp.as_str())
        || !named.exists()
    {
        run(Cmd::new(tools.npm_bin().join("wasm-opt"))
            .arg(&bindgen)
            .arg(format!("-O{level}"))
            .arg("--debuginfo")
            .args(params.split_whitespace())
            .arg("-o")
            .arg(&named))?;
        std::fs::write(&stamp_file, &stamp).map_err(|e| e.to_string())?;
    }

    let target = dist.join(SUBDIR);
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        if !path.is_file() {
            continue;
        }
        let copy = target.join(name);
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => std::fs::copy(&named, &copy).map(|_| ()),
            // Subresource integrity would refuse the other wasm.
            Some("html") => std::fs::read_to_string(&path)
                .and_then(|html| std::fs::write(&copy, without_integrity(&html))),
            _ => std::fs::copy(&path, &copy).map(|_| ()),
        }
        .map_err(|e| format!("{}: {e}", copy.display()))?;
    }
    Ok(Some(SUBDIR))
}

/// `html` without its `integrity=…` attributes.
fn without_integrity(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" integrity=") {
        out.push_str(&rest[..at]);
        let value = &rest[at + 1..];
        let end = value
            .find(|c: char| c.is_whitespace() || c == '>')
            .unwrap_or(value.len());
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

/// The mock API serving the built site on a second origin; stopped when dropped.
struct MockServer {
    child: Child,
    api_url: String,
    site_url: String,
}

impl MockServer {
    fn start(binary: &Path, site: &Path, log: &Path) -> Result<MockServer, String> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Cmd::new(binary)
            .args(["--port", "0", "--site-port", "0", "--site"])
            .arg(site)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("mock-api: no stdout")?;
        // Read its two "… on http://…" lines on a thread, so a silent server cannot hang us.
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = MockServer {
            child,
            api_url: String::new(),
            site_url: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.api_url.is_empty() || server.site_url.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines_rx.recv_timeout(left).map_err(|_| {
                format!(
                    "mock-api did not say where it listens (log: {})",
                    log.display()
                )
            })?;
            let url = line.rsplit(' ').next().unwrap_or_default().to_string();
            if line.starts_with("mock-api listening on ") {
                server.api_url = url;
            } else if line.starts_with("mock-api serving ") {
                server.site_url = format!("{url}/");
            }
        }
        note(&format!(
            "bench: API at {}, site at {}",
            server.api_url, server.site_url
        ));
        Ok(server)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `["a","b"]` for plain strings.
fn json_strings(items: &[&str]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("[{}]", quoted.join(","))
}

/// Whether a row met its goal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Met,
    Missed,
    /// A figure without a goal.
    Info,
    /// Not measured in this mode.
    Skipped,
    /// Could not be measured.
    Missing,
}

impl Verdict {
    fn of(met: bool) -> Verdict {
        if met {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }

    fn mark(self) -> &'static str {
        match self {
            Verdict::Met => "✓",
            Verdict::Missed => "✗",
            Verdict::Info | Verdict::Skipped => "",
            Verdict::Missing => "?",
        }
    }
}

/// One line of the table.
struct Row {
    area: &'static str,
    what: String,
    value: String,
    goal: String,
    verdict: Verdict,
}

/// Builds rows, turning an absent measurement into a "not measured" row.
struct Rows<'a> {
    found: &'a Measurements,
    rows: Vec<Row>,
}

impl Rows<'_> {
    /// A row from a value, with its goal and verdict; `None` is a missing measurement.
    fn add(
        &mut self,
        area: &'static str,
        what: impl Into<String>,
        goal: &str,
        measured: Option<(String, Verdict)>,
    ) {
        let (value, verdict) = measured.unwrap_or(("not measured".into(), Verdict::Missing));
        self.rows.push(Row {
            area,
            what: what.into(),
            value,
            goal: goal.into(),
            verdict,
        });
    }

    fn skipped(&mut self, area: &'static str, what: impl Into<String>, goal: &str) {
        self.rows.push(Row {
            area,
            what: what.into(),
            value: "skipped (--quick)".into(),
            goal: goal.into(),
            verdict: Verdict::Skipped,
        });
    }

    fn num(&self, key: &str) -> Option<f64> {
        self.found.num(key)
    }
}

fn table_rows(found: &Measurements, quick: bool) -> Vec<Row> {
    let mut t = Rows {
        found,
        rows: Vec::new(),
    };

    // 1. Engine overhead, native.
    for n in [10, 100, 1000] {
        let key = |k: &str| format!("engine_n{n}_{k}");
        let measured = (|| {
            let start = t.num(&key("last_start_us"))?;
            let total = t.num(&key("total_us"))?;
            let per_call = t.num(&key("us_per_call"))?;
            Some((
                format!("{start:.1} µs · {total:.1} µs · {per_call:.2} µs/call"),
                Verdict::of(per_call <= 10.0),
            ))
        })();
        t.add(
            "Engine (native)",
            format!("{n} instant calls: to last start · done · per call"),
            "≤ 10 µs/call",
            measured,
        );
    }
    let growth = t
        .num("engine_n10_us_per_call")
        .zip(t.num("engine_n1000_us_per_call"))
        .map(|(small, large)| {
            let factor = large / small;
            (
                format!("per call ×{factor:.2} from 10 to 1000"),
                Verdict::of(factor <= 2.0),
            )
        });
    t.add(
        "Engine (native)",
        "growth with N",
        "linear (≤ ×2 per call)",
        growth,
    );

    // 2. Launch skew.
    for (n, goal) in [(10, 1.0), (100, 5.0)] {
        let measured = t.num(&format!("skew_n{n}_ms")).map(|skew| {
            let runs = t.num(&format!("skew_n{n}_runs")).unwrap_or(0.0);
            (
                format!("{skew:.1} ms (median of {runs:.0})"),
                Verdict::of(skew <= goal),
            )
        });
        t.add(
            "Launch skew",
            format!("{n} simulated, unlimited, speed 10: max − min start"),
            &format!("≤ {goal:.0} ms"),
            measured,
        );
    }

    // 3. Overhead against the mock.
    let overhead = (|| {
        let wall = t.num("mock_wall_ms")?;
        let slowest = t.num("mock_slowest_ms")?;
        let synthesis = t.num("mock_synthesis_ms")?;
        let ratio = t.num("mock_ratio")?;
        Some((
            format!("{wall:.0} ÷ ({slowest:.0} + {synthesis:.0}) = {ratio:.3}"),
            Verdict::of(ratio <= 1.03),
        ))
    })();
    t.add(
        "Overhead (mock)",
        "6 calls at 1000 ms: wall ÷ (slowest + synthesis)",
        "≤ 1.03",
        overhead,
    );
    let client_side = t
        .num("mock_arrival_spread_ms")
        .zip(t.num("mock_gap_ms"))
        .map(|(spread, gap)| (format!("{spread:.1} ms · {gap:.1} ms"), Verdict::Info));
    t.add(
        "Overhead (mock)",
        "requests' arrival spread at the server · last answer → synthesis start",
        "–",
        client_side,
    );

    let anatomy = (|| {
        let parts: Option<Vec<String>> = ["issue", "connect", "head", "tail", "settle"]
            .iter()
            .map(|part| {
                t.num(&format!("mock_call_{part}_ms"))
                    .map(|ms| format!("{ms:.1}"))
            })
            .collect();
        Some((format!("{} ms", parts?.join(" · ")), Verdict::Info))
    })();
    t.add(
        "Overhead (mock)",
        "a call, median: start → fetch() → sent → head → body end → lane end",
        "–",
        anatomy,
    );

    // 4. Side by side with the official SDKs.
    let page = t.num("page_research_ms");
    let python = t.num("peer_python_ms");
    let node = t.num("peer_node_ms");
    for (what, value) in [
        ("page: parallel group start → last research end", page),
        ("Python SDK: asyncio.gather", python),
        ("Node SDK: Promise.all", node),
    ] {
        t.add(
            "Vs SDKs (mock)",
            format!("6 calls at 1000 ms, {what}"),
            "–",
            value.map(|ms| (format!("{ms:.1} ms"), Verdict::Info)),
        );
    }
    let best_peer = match (python, node) {
        (Some(p), Some(n)) => Some(p.min(n)),
        (p, n) => p.or(n),
    };
    let ratio = page.zip(best_peer).map(|(page, peer)| {
        let ratio = page / peer;
        (format!("{ratio:.3}"), Verdict::of(ratio <= 1.01))
    });
    t.add("Vs SDKs (mock)", "page ÷ best SDK", "≤ 1.01", ratio);

    // 5. Scale.
    let longest = t.num("scale_n500_longest_task_ms").map(|ms| {
        let count = t.num("scale_n500_long_tasks").unwrap_or(0.0);
        let total = t.num("scale_n500_long_task_total_ms").unwrap_or(0.0);
        (
            format!("{ms:.0} ms ({count:.0} long tasks, {total:.0} ms in all)"),
            Verdict::of(ms <= 50.0),
        )
    });
    t.add(
        "Scale",
        "500 simulated lanes, speed 10: longest long task",
        "≤ 50 ms",
        longest,
    );
    let fps = t.num("scale_n500_fps").map(|fps| {
        let run = t.num("scale_n500_run_ms").unwrap_or(0.0);
        (
            format!("{fps:.1} fps over a {:.1} s run", run / 1000.0),
            Verdict::of(fps >= 50.0),
        )
    });
    t.add("Scale", "500 lanes: mean frame rate", "≥ 50 fps", fps);
    for n in SCALE_SIZES {
        let what = format!("{n} lanes: frame interval mean / p95 · busy mean / p95");
        if quick && n != 500 {
            t.skipped("Scale", what, "–");
            continue;
        }
        let key = |k: &str| format!("scale_n{n}_{k}");
        let measured = (|| {
            Some((
                format!(
                    "{:.1} / {:.1} ms · {:.1} / {:.1} ms",
                    t.num(&key("frame_mean_ms"))?,
                    t.num(&key("frame_p95_ms"))?,
                    t.num(&key("busy_mean_ms"))?,
                    t.num(&key("busy_p95_ms"))?
                ),
                Verdict::Info,
            ))
        })();
        t.add("Scale", what, "–", measured);
    }

    // 6. Weight and cold load.
    for (kind, label) in [
        ("html", "*.html"),
        ("js", "*.js"),
        ("wasm", "*.wasm"),
        ("css", "*.css"),
    ] {
        let measured = t
            .num(&format!("weight_{kind}_raw"))
            .zip(t.num(&format!("weight_{kind}_gzip")))
            .map(|(raw, gzip)| (format!("{} · {} gzip", kb(raw), kb(gzip)), Verdict::Info));
        t.add("Weight", format!("{label} raw · gzip -9"), "–", measured);
    }
    let total = t
        .num("weight_total_raw")
        .zip(t.num("weight_total_gzip"))
        .map(|(raw, gzip)| {
            (
                format!("{} · {} gzip", kb(raw), kb(gzip)),
                Verdict::of(gzip <= 250.0 * 1024.0),
            )
        });
    t.add("Weight", "total raw · gzip -9", "≤ 250 KB gzip", total);
    let load = t.num("load_ms").map(|ms| {
        let runs = t.num("load_runs").unwrap_or(0.0);
        let wasm = t
            .num("load_wasm_fetched_ms")
            .map_or(String::new(), |w| format!(", wasm fetched at {w:.0} ms"));
        (
            format!("{ms:.0} ms (median of {runs:.0}{wasm})"),
            Verdict::Info,
        )
    });
    t.add(
        "Cold load",
        "localhost, fresh context: navigation → Compare button",
        "–",
        load,
    );
    t.rows
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1024.0)
}

const HEADERS: [&str; 5] = ["Area", "Measurement", "Value", "Goal", ""];

fn cells(row: &Row) -> [&str; 5] {
    [
        row.area,
        &row.what,
        &row.value,
        &row.goal,
        row.verdict.mark(),
    ]
}

/// The table as aligned plain text.
fn render_text(rows: &[Row]) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths = HEADERS.map(width);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(cells(row)) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: [&str; 5]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c))))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(HEADERS)];
    out.push(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    let mut area = "";
    for row in rows {
        let mut c = cells(row);
        // The area once, at the top of its group.
        if row.area == area {
            c[0] = "";
        }
        area = row.area;
        out.push(line(c));
    }
    out.join("\n") + "\n"
}

/// The table as Markdown.
fn render_markdown(rows: &[Row]) -> String {
    let mut out = String::from("| Area | Measurement | Value | Goal | |\n|---|---|---|---|:-:|\n");
    for row in rows {
        let c = cells(row).map(|c| c.replace('|', "\\|"));
        out.push_str(&format!("| {} |\n", c.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(pairs: &[(&str, &str)]) -> Measurements {
        Measurements {
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn reported_lines_become_measurements() {
        let mut found = Measurements::default();
        let mut failures = Vec::new();
        let stdout = "Engine overhead…\nengine_bench n=10 runs=5 total_us=13.3 us_per_call=1.33\n\
                      BENCH skew_n10_ms=0.4\nBENCH chromium=156.0\n";
        found.take("x", (stdout.into(), Err("boom".into())), &mut failures);
        assert_eq!(found.num("engine_n10_us_per_call"), Some(1.33));
        assert_eq!(found.num("skew_n10_ms"), Some(0.4));
        assert_eq!(found.text("chromium"), Some("156.0"));
        assert_eq!(failures, vec!["x: boom".to_string()]);
    }

    #[test]
    fn a_missing_measurement_is_marked_and_a_missed_goal_is_not_an_error() {
        let found = measured(&[("skew_n10_ms", "3.0"), ("skew_n10_runs", "5")]);
        let rows = table_rows(&found, false);
        let skew = rows
            .iter()
            .find(|r| r.what.starts_with("10 simulated"))
            .expect("skew row");
        assert_eq!(skew.verdict, Verdict::Missed);
        let load = rows
            .iter()
            .find(|r| r.area == "Cold load")
            .expect("load row");
        assert_eq!(load.verdict, Verdict::Missing);
    }

    #[test]
    fn quick_mode_skips_the_sweep_without_calling_it_missing() {
        let rows = table_rows(&Measurements::default(), true);
        let skipped: Vec<&str> = rows
            .iter()
            .filter(|r| r.verdict == Verdict::Skipped)
            .map(|r| r.what.as_str())
            .collect();
        assert_eq!(skipped.len(), 3, "{skipped:?}");
    }

    #[test]
    fn integrity_attributes_are_removed_and_nothing_else() {
        let html = "<link href=./a.css integrity=sha384-abc rel=stylesheet><link as=fetch integrity=sha384-x>";
        assert_eq!(
            without_integrity(html),
            "<link href=./a.css rel=stylesheet><link as=fetch>"
        );
    }

    #[test]
    fn text_columns_line_up_with_wide_characters() {
        let rows = vec![Row {
            area: "A",
            what: "µ÷×".into(),
            value: "1".into(),
            goal: "≤ 1".into(),
            verdict: Verdict::Met,
        }];
        let text = render_text(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0]
                .find("Value")
                .map(|i| lines[0][..i].chars().count()),
            lines[2].find('1').map(|i| lines[2][..i].chars().count())
        );
    }
}
