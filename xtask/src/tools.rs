//! Installing what the project needs, idempotently: each tool's version is checked and only a
//! missing or wrong tool is installed, into the git-ignored `.tools/` folder.

use crate::process::{capture, run, Cmd};
use std::path::{Path, PathBuf};

/// The Trunk release that builds with this machine's Rust.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The binaryen (wasm-opt) release known to produce modules Chromium accepts.
pub const BINARYEN_VERSION: &str = "132";

/// Where the project keeps its tools.
pub struct Tools {
    pub root: PathBuf,
}

impl Tools {
    pub fn new(workspace: &Path) -> Tools {
        Tools {
            root: workspace.join(".tools"),
        }
    }

    pub fn bin(&self) -> PathBuf {
        self.root.join("bin")
    }

    pub fn npm_bin(&self) -> PathBuf {
        self.root.join("npm/node_modules/.bin")
    }

    pub fn venv_python(&self) -> PathBuf {
        self.root.join("venv/bin/python")
    }

    /// `PATH` with the project's tools first.
    pub fn path_env(&self) -> String {
        let current = std::env::var("PATH").unwrap_or_default();
        format!(
            "{}:{}:{current}",
            self.bin().display(),
            self.npm_bin().display()
        )
    }

    /// Everything the web build needs: the wasm target, Trunk, wasm-bindgen, wasm-opt.
    pub fn ensure_web_build(&self, workspace: &Path) -> Result<(), String> {
        ensure_wasm_target()?;
        self.ensure_trunk()?;
        self.ensure_wasm_bindgen(workspace)?;
        self.ensure_wasm_opt()
    }

    fn ensure_trunk(&self) -> Result<(), String> {
        let trunk = self.bin().join("trunk");
        let version = capture(Cmd::new(&trunk).arg("--version")).unwrap_or_default();
        if version.trim() == format!("trunk {TRUNK_VERSION}") {
            return Ok(());
        }
        note(&format!(
            "installing Trunk {TRUNK_VERSION} into .tools (about 10 minutes, once)"
        ));
        run(Cmd::new("cargo")
            .args(["install", "--locked", "--root"])
            .arg(&self.root)
            .args(["trunk", "--version", TRUNK_VERSION]))
    }

    fn ensure_wasm_bindgen(&self, workspace: &Path) -> Result<(), String> {
        let wanted = wasm_bindgen_version(workspace)?;
        let bindgen = self.bin().join("wasm-bindgen");
        let runner = self.bin().join("wasm-bindgen-test-runner");
        let version = capture(Cmd::new(&bindgen).arg("--version")).unwrap_or_default();
        if version.trim() == format!("wasm-bindgen {wanted}") && runner.exists() {
            return Ok(());
        }
        note(&format!(
            "installing wasm-bindgen-cli {wanted} (matching Cargo.lock) into .tools (a few minutes, once)"
        ));
        // Not --locked: the registry lacks one of its locked dependency versions.
        run(Cmd::new("cargo")
            .args(["install", "--root"])
            .arg(&self.root)
            .args(["wasm-bindgen-cli", "--version", &wanted]))
    }

    fn ensure_wasm_opt(&self) -> Result<(), String> {
        let wasm_opt = self.npm_bin().join("wasm-opt");
        let version = capture(Cmd::new(&wasm_opt).arg("--version")).unwrap_or_default();
        if version.contains(&format!("version {BINARYEN_VERSION}")) {
            return Ok(());
        }
        note(&format!(
            "installing wasm-opt (npm binaryen@{BINARYEN_VERSION}) into .tools"
        ));
        let prefix = self.root.join("npm");
        std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
        run(Cmd::new("npm")
            .args(["install", "--no-save", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}")))
    }

    /// The Python environment with the official SDKs for the SDK and generated-code tests.
    pub fn ensure_python(&self, requirements: &Path) -> Result<(), String> {
        let stamp = self.root.join("venv/.requirements");
        let wanted = std::fs::read_to_string(requirements).map_err(|e| e.to_string())?;
        if self.venv_python().exists()
            && std::fs::read_to_string(&stamp).ok() == Some(wanted.clone())
        {
            return Ok(());
        }
        note("creating the Python environment in .tools/venv");
        run(Cmd::new("python3")
            .args(["-m", "venv"])
            .arg(self.root.join("venv")))?;
        run(Cmd::new(self.venv_python())
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(requirements))?;
        std::fs::write(stamp, wanted).map_err(|e| e.to_string())
    }

    /// `npm ci` in `dir` when its lock file changed since the last install.
    pub fn ensure_node_modules(&self, dir: &Path) -> Result<(), String> {
        let lock = std::fs::read_to_string(dir.join("package-lock.json"))
            .map_err(|e| format!("{}: {e}", dir.join("package-lock.json").display()))?;
        let stamp = dir.join("node_modules/.lock-stamp");
        if std::fs::read_to_string(&stamp).ok() == Some(lock.clone()) {
            return Ok(());
        }
        note(&format!("installing npm packages in {}", dir.display()));
        run(Cmd::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir))?;
        std::fs::write(stamp, lock).map_err(|e| e.to_string())
    }
}

/// Chromium and ChromeDriver from Debian; installed when missing and we are root.
pub fn ensure_chromium() -> Result<(), String> {
    let have = |p: &str| Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(());
    }
    let is_root = capture(Cmd::new("id").arg("-u")).map(|u| u.trim() == "0");
    if is_root != Ok(true) {
        return Err(
            "Chromium is missing: install it with `sudo apt-get install -y chromium \
             chromium-driver` (the tests use /usr/bin/chromium and /usr/bin/chromedriver)"
                .into(),
        );
    }
    note("installing Chromium and ChromeDriver from Debian");
    run(Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Cmd::new("apt-get")
        .args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Debian's Firefox ESR (`/usr/bin/firefox-esr`); installed when missing and we are root.
pub fn ensure_firefox() -> Result<(), String> {
    if Path::new("/usr/bin/firefox-esr").exists() {
        return Ok(());
    }
    let is_root = capture(Cmd::new("id").arg("-u")).map(|u| u.trim() == "0");
    if is_root != Ok(true) {
        return Err(
            "Firefox is missing: install it with `sudo apt-get install -y firefox-esr` \
             (the Firefox tests use /usr/bin/firefox-esr)"
                .into(),
        );
    }
    note("installing Firefox ESR from Debian");
    run(Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Cmd::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "firefox-esr"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = capture(Cmd::new("rustup").args(["target", "list", "--installed"]))?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    note("adding the wasm32-unknown-unknown target");
    run(Cmd::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
pub fn wasm_bindgen_version(workspace: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(workspace.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

pub fn note(message: &str) {
    eprintln!("\x1b[1;34m==>\x1b[0m {message}");
}
