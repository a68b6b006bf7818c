//! Layers point one way: every `crate::…` path in `src/` is checked against a table of allowed
//! edges between the crate's top-level modules. A backward import (the wire formats reaching up
//! into the providers, a provider into the engine) fails here, with the file and line.
//!
//! The leaf `base` depends on nothing of ours; `wire` only on `base`; `providers` on `wire` and
//! `base`; the engine on those three; and so on up to the page (`ui`), which may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use. A new module must be placed here.
const ALLOWED: &[(&str, &[&str])] = &[
    ("base", &[]),
    ("markdown", &[]),
    ("layout", &[]),
    ("network", &[]),
    ("wire", &["base"]),
    ("providers", &["base", "wire"]),
    ("engine", &["base", "wire", "providers"]),
    ("agent", &["base", "wire", "providers", "engine"]),
    ("experiment", &["base", "wire", "providers", "engine"]),
    // Hedging over rounds summarises its calls with the experiments' statistics.
    (
        "patterns",
        &["base", "wire", "providers", "engine", "experiment"],
    ),
    (
        "workspace",
        &["base", "wire", "providers", "engine", "agent", "patterns"],
    ),
    (
        "codegen",
        &[
            "base",
            "wire",
            "providers",
            "engine",
            "workspace",
            "experiment",
            "patterns",
        ],
    ),
    (
        "batch",
        &[
            "base",
            "wire",
            "providers",
            "engine",
            "workspace",
            "codegen",
            "patterns",
        ],
    ),
    (
        "explain",
        &["base", "wire", "providers", "engine", "network"],
    ),
    (
        "explain_limits",
        &["base", "wire", "providers", "engine", "explain"],
    ),
    (
        "lesson",
        &[
            "experiment",
            "base",
            "wire",
            "providers",
            "engine",
            "agent",
            "workspace",
            "batch",
            "explain",
            "explain_limits",
            "network",
            "patterns",
        ],
    ),
    (
        "browser",
        &["base", "wire", "providers", "engine", "network"],
    ),
    (
        "ui",
        &[
            "experiment",
            "base",
            "wire",
            "providers",
            "engine",
            "agent",
            "workspace",
            "codegen",
            "batch",
            "explain",
            "explain_limits",
            "lesson",
            "network",
            "layout",
            "markdown",
            "browser",
            "patterns",
        ],
    ),
];

/// Files at the root of `src/` that are not modules of the library's layers.
const ROOT_FILES: &[&str] = &["lib", "main"];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("src/ is readable");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/engine/call.rs` → `engine`).
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src_dir()).expect("a file under src/");
    let first = relative
        .components()
        .next()
        .expect("a path with a first component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// The code of a line without its `//` comment (a `//` inside a string literal ends the line
/// early too; that only hides text, it never invents an import).
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |at| &line[..at])
}

fn identifier_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level modules named by the `crate::…` paths of `code`, including grouped ones
/// (`crate::{engine::Clock, wire::model}`). `code` is a whole file, comments removed, so that a
/// group spread over several lines is read whole.
fn crate_targets(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = code[..offset + at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        let after = &rest[at + "crate::".len()..];
        let position = offset + at;
        if !preceded_by_ident {
            if let Some(group) = after.strip_prefix('{') {
                // Top-level names of the group: after `{` and after each `,` at depth 1.
                let mut depth = 1;
                let mut expect_name = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => expect_name = true,
                        c if expect_name && (c.is_ascii_alphabetic() || c == '_') => {
                            found.push((position, identifier_at(&group[i..]).to_string()));
                            expect_name = false;
                        }
                        _ => {}
                    }
                }
            } else {
                let name = identifier_at(after);
                if !name.is_empty() {
                    found.push((position, name.to_string()));
                }
            }
        }
        offset += at + "crate::".len();
        rest = &code[offset..];
    }
    found
}

fn line_number(code: &str, position: usize) -> usize {
    code[..position].matches('\n').count() + 1
}

#[test]
fn every_module_is_placed_in_the_table() {
    let allowed: BTreeSet<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let unplaced: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(f))
        .filter(|m| !allowed.contains(m.as_str()) && !ROOT_FILES.contains(&m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from the layer table in tests/layers.rs: {unplaced:?}"
    );
}

#[test]
fn the_table_itself_has_no_cycle() {
    let edges: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    // Every module may only use modules listed before it: the table is in layer order.
    for (i, (module, uses)) in ALLOWED.iter().enumerate() {
        for used in *uses {
            let at = ALLOWED
                .iter()
                .position(|(m, _)| m == used)
                .unwrap_or_else(|| panic!("{module} uses {used}, which is not in the table"));
            assert!(at < i, "{module} may use {used}, listed after it");
            assert!(edges.contains_key(used));
        }
    }
}

#[test]
fn imports_point_down_the_layers() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(m, uses)| (*m, uses.iter().copied().collect()))
        .collect();
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.sort();
    let mut backward = Vec::new();
    for file in &files {
        let module = module_of(file);
        let Some(may_use) = allowed.get(module.as_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a readable source file");
        let code: String = text.lines().map(|l| format!("{}\n", code_of(l))).collect();
        for (position, target) in crate_targets(&code) {
            if target != module && !may_use.contains(target.as_str()) {
                backward.push(format!(
                    "{}:{}: `{module}` uses `crate::{target}`",
                    file.strip_prefix(src_dir()).unwrap_or(file).display(),
                    line_number(&code, position)
                ));
            }
        }
        // `super::super::engine` from inside another module would dodge the check:
        // cross-module paths start with `crate::`.
        let depth = file
            .strip_prefix(src_dir())
            .map_or(0, |p| p.components().count())
            - usize::from(file.file_name().is_some_and(|n| n == "mod.rs"));
        let climb = "super::".repeat(depth.max(1));
        for (number, line) in code.lines().enumerate() {
            let climbs_to = line
                .match_indices(&climb)
                .map(|(at, _)| identifier_at(&line[at + climb.len()..]))
                .find(|name| *name != module && allowed.contains_key(name));
            if let Some(name) = climbs_to {
                backward.push(format!(
                    "{}:{}: `super::` reaches `{name}` from `{module}`; write `crate::{name}`",
                    file.strip_prefix(src_dir()).unwrap_or(file).display(),
                    number + 1
                ));
            }
        }
    }
    assert!(
        backward.is_empty(),
        "imports against the layers (table in tests/layers.rs):\n  {}",
        backward.join("\n  ")
    );
}

#[test]
fn the_reader_finds_plain_grouped_and_nested_paths() {
    let code = "use crate::engine::Clock;\nuse crate::{wire::model::{A, B}, base};\n\
                let x = crate::providers::seconds_text(1.0);\nuse foo_crate::x;";
    let targets: Vec<String> = crate_targets(code).into_iter().map(|(_, t)| t).collect();
    assert_eq!(targets, ["engine", "wire", "base", "providers"]);
    assert_eq!(code_of("use x; // crate::ui"), "use x; ");
}
