//! The `mock-api` binary as a harness uses it: the stdout lines that announce the ports, and the
//! static site on its own origin.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn site_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mock-api-site-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("pkg")).expect("temp dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").expect("write");
    std::fs::write(dir.join("pkg/app_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    dir
}

#[tokio::test]
async fn binary_announces_both_ports_and_serves_the_site_on_its_own_origin() {
    let dir = site_dir();
    let child = Command::new(env!("CARGO_BIN_EXE_mock-api"))
        .args(["--port", "0", "--site"])
        .arg(&dir)
        .args(["--site-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let api_line = lines.next().and_then(Result::ok).unwrap_or_default();
    let site_line = lines.next().and_then(Result::ok).unwrap_or_default();

    let api_url = api_line
        .strip_prefix("mock-api listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {api_line:?}"));
    let site_url = site_line
        .rsplit_once(" on http://127.0.0.1:")
        .map(|(_, port)| port)
        .unwrap_or_else(|| panic!("unexpected second line {site_line:?}"));
    assert!(site_line.starts_with("mock-api serving "));
    let api_port: u16 = api_url.parse().expect("api port");
    let site_port: u16 = site_url.parse().expect("site port");
    assert_ne!(api_port, site_port);

    let site = support::Target::at(site_port);
    let index = support::send(&site, "GET", "/", &[], "").await;
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let wasm = support::send(&site, "GET", "/pkg/app_bg.wasm", &[], "").await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.body.as_bytes(), b"\0asm\x01\0\0\0");
    let missing = support::send(&site, "GET", "/nope.js", &[], "").await;
    assert_eq!(missing.status, 404);
    let escape = support::send(&site, "GET", "/../Cargo.toml", &[], "").await;
    assert_ne!(escape.status, 200);

    let api = support::Target::at(api_port);
    let models = support::send(&api, "GET", "/v1/models", &[], "").await;
    assert_eq!(models.status, 200);
    let _ = std::fs::remove_dir_all(dir);
}
