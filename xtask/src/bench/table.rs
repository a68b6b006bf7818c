//! The table's rows: each figure beside its goal, with a verdict.

use super::measure::Measurements;
use super::SCALE_SIZES;

/// Whether a row met its goal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Verdict {
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

    pub(super) fn mark(self) -> &'static str {
        match self {
            Verdict::Met => "✓",
            Verdict::Missed => "✗",
            Verdict::Info | Verdict::Skipped => "",
            Verdict::Missing => "?",
        }
    }
}

/// One line of the table.
pub(super) struct Row {
    pub(super) area: &'static str,
    pub(super) what: String,
    pub(super) value: String,
    pub(super) goal: String,
    pub(super) verdict: Verdict,
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

pub(super) fn table_rows(found: &Measurements, quick: bool) -> Vec<Row> {
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

    // Limits: "auto" against unlimited, 30 calls to a server taking k at a time (virtual time).
    for k in [2, 3, 5] {
        let mode = |m: &str, f: &str| t.num(&format!("limits_k{k}_{m}_{f}"));
        let measured = (|| {
            let (auto_ms, auto_429) = (mode("auto", "wall_ms")?, mode("auto", "refusals")?);
            let (unl_ms, unl_429) = (
                mode("unlimited", "wall_ms")?,
                mode("unlimited", "refusals")?,
            );
            let limit = mode("auto", "final").map_or("?".into(), |l| format!("{l:.0}"));
            Some((
                format!(
                    "auto {:.1} s, {auto_429:.0}×429, limit {limit} · unlimited {:.1} s, {unl_429:.0}×429",
                    auto_ms / 1000.0,
                    unl_ms / 1000.0
                ),
                Verdict::of(auto_ms < unl_ms && auto_429 < unl_429),
            ))
        })();
        t.add(
            "Limits (virtual time)",
            format!("30 calls against max_concurrent={k}"),
            "auto faster with fewer 429s",
            measured,
        );
    }

    // 2. Launch skew.
    for (n, goal) in [(10, 1.0), (100, 1.0), (1000, 5.0)] {
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
    for n in [500, 1000] {
        let key = |k: &str| format!("scale_n{n}_{k}");
        let longest = t.num(&key("longest_task_ms")).map(|ms| {
            let count = t.num(&key("long_tasks")).unwrap_or(0.0);
            let total = t.num(&key("long_task_total_ms")).unwrap_or(0.0);
            (
                format!("{ms:.0} ms ({count:.0} long tasks, {total:.0} ms in all)"),
                Verdict::of(ms <= 50.0),
            )
        });
        t.add(
            "Scale",
            format!("{n} simulated lanes, speed 10: longest long task"),
            "≤ 50 ms",
            longest,
        );
        let fps = t.num(&key("fps")).map(|fps| {
            let run = t.num(&key("run_ms")).unwrap_or(0.0);
            (
                format!("{fps:.1} fps over a {:.1} s run", run / 1000.0),
                Verdict::of(fps >= 50.0),
            )
        });
        t.add(
            "Scale",
            format!("{n} lanes: mean frame rate"),
            "≥ 50 fps",
            fps,
        );
    }
    for n in SCALE_SIZES {
        let what = format!("{n} lanes: frame interval mean / p95 · busy mean / p95");
        if quick && n < 500 {
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

    // Memory over many runs.
    let runs = t.num("memory_runs").unwrap_or(0.0);
    for (kind, label) in [("wasm", "wasm memory"), ("js", "JS heap")] {
        let measured = t
            .num(&format!("memory_{kind}_run10_mb"))
            .zip(t.num(&format!("memory_{kind}_growth_mb")))
            .map(|(at10, growth)| {
                (
                    format!("{at10:.2} MB after run 10, {growth:+.2} MB by run {runs:.0}"),
                    Verdict::of(growth <= 1.0),
                )
            });
        t.add(
            "Memory",
            format!("{label}, runs of 60 simulated parallel calls"),
            "within 1 MB of run 10",
            measured,
        );
    }

    // Rounds: one run of 100 rounds × 10 simulated calls (issue 13).
    let rounds = t
        .num("rounds_longest_task_ms")
        .zip(t.num("rounds_wasm_growth_mb"))
        .map(|(longest, growth)| {
            let at10 = t.num("rounds_wasm_round10_mb").unwrap_or(f64::NAN);
            let count = t.num("rounds_count").unwrap_or(f64::NAN);
            (
                format!(
                    "{count:.0} rounds: longest task {longest:.0} ms · wasm {at10:.2} MB after \
                     round 10, {growth:+.2} MB at the end"
                ),
                Verdict::of(longest <= 50.0 && growth <= 1.0),
            )
        });
    t.add(
        "Rounds",
        "100 rounds × 10 simulated calls at speed 20",
        "no task over 50 ms · within 1 MB of round 10",
        rounds,
    );

    // The distribution panel's recomputation once the rounds hold about 1,000 calls (issue 13).
    let panel = t.num("rounds_panel_ms_max").map(|max| {
        let last = t.num("rounds_panel_ms_last").unwrap_or(f64::NAN);
        let samples = t.num("rounds_panel_samples").unwrap_or(f64::NAN);
        (
            format!("{last:.2} ms at {samples:.0} research calls (slowest update {max:.2} ms)"),
            Verdict::of(max <= 5.0),
        )
    });
    t.add(
        "Rounds",
        "distribution panel: recomputed after each round (wasm)",
        "≤ 5 ms per round at 1,000 samples",
        panel,
    );

    // First view under a phone's network and CPU.
    let first_view = t.num("first_view_interactive_ms").map(|ms| {
        let fcp = t.num("first_view_fcp_ms").unwrap_or(f64::NAN);
        let kb = t.num("first_view_transferred_kb").unwrap_or(f64::NAN);
        (
            format!("interactive {ms:.0} ms, first paint {fcp:.0} ms, {kb:.0} KB"),
            Verdict::of(ms <= 2000.0),
        )
    });
    t.add(
        "First view",
        "150 ms RTT, 1.6 Mbps, 4× CPU, gzip: Compare enabled",
        "≤ 2.0 s",
        first_view,
    );

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
    fn auto_against_unlimited_meets_its_goal_only_when_faster_with_fewer_429s() {
        let found = measured(&[
            ("limits_k2_auto_wall_ms", "46408"),
            ("limits_k2_auto_refusals", "10"),
            ("limits_k2_auto_final", "2"),
            ("limits_k2_unlimited_wall_ms", "54478"),
            ("limits_k2_unlimited_refusals", "574"),
            ("limits_k3_auto_wall_ms", "40000"),
            ("limits_k3_auto_refusals", "3"),
            ("limits_k3_unlimited_wall_ms", "36278"),
            ("limits_k3_unlimited_refusals", "369"),
        ]);
        let rows = table_rows(&found, false);
        let row = |k: usize| {
            rows.iter()
                .find(|r| r.what == format!("30 calls against max_concurrent={k}"))
                .expect("a limits row")
        };
        assert_eq!(row(2).verdict, Verdict::Met);
        assert_eq!(
            row(2).value,
            "auto 46.4 s, 10×429, limit 2 · unlimited 54.5 s, 574×429"
        );
        assert_eq!(row(3).verdict, Verdict::Missed);
        assert_eq!(row(5).verdict, Verdict::Missing);
    }
}
