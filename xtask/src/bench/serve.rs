//! The mock API, serving the API and the built site on two localhost origins.

use crate::process::Cmd;
use crate::tools::note;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The mock API serving the built site on a second origin; stopped when dropped.
pub(super) struct MockServer {
    child: Child,
    pub(super) api_url: String,
    pub(super) site_url: String,
}

impl MockServer {
    pub(super) fn start(binary: &Path, site: &Path, log: &Path) -> Result<MockServer, String> {
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
pub(super) fn json_strings(items: &[&str]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("[{}]", quoted.join(","))
}
