//! The built site: its weight, and a copy whose wasm keeps its function names.

use crate::process::{run, Cmd};
use crate::test::target_dir;
use crate::tools::Tools;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::SystemTime;

/// Raw and gzip -9 bytes of the site's html, js, wasm and css files.
pub(super) fn site_weight(dist: &Path) -> Result<BTreeMap<String, String>, String> {
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
pub(super) fn named_copy(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_attributes_are_removed_and_nothing_else() {
        let html = "<link href=./a.css integrity=sha384-abc rel=stylesheet><link as=fetch integrity=sha384-x>";
        assert_eq!(
            without_integrity(html),
            "<link href=./a.css rel=stylesheet><link as=fetch>"
        );
    }
}
