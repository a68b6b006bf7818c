//! Running the measuring programs and reading the figures they print.

use crate::process::Cmd;
use std::collections::BTreeMap;
use std::process::Stdio;

/// Runs `cmd` with its progress on stderr and returns its stdout, even when it failed (a failed
/// script may still have printed some measurements).
pub(super) fn run_reporting(cmd: &mut Cmd) -> (String, Result<(), String>) {
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
pub(super) struct Measurements {
    pub(super) values: BTreeMap<String, String>,
}

impl Measurements {
    /// Keeps the reported lines of one program (`BENCH key=value`, and the engine example's
    /// `engine_bench n=N key=value…`); echoes its other output and records its failure.
    pub(super) fn take(
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

    pub(super) fn num(&self, key: &str) -> Option<f64> {
        self.values
            .get(key)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }

    pub(super) fn text(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
