//! What every program has whatever the plan: the key check and install line, the page's
//! synthesis prompt, the languages' file names, and the Rust program's Cargo manifest.

use super::*;
use crate::engine::{ANSWER_HEADING, MISSING_HEADING};

#[test]
fn every_program_checks_the_key_and_says_how_to_run_it() {
    for (language, code) in all_languages(&limited_plan()) {
        assert!(code.contains("ANTHROPIC_API_KEY"), "{language:?}");
        assert!(code.contains("ANTHROPIC_BASE_URL"), "{language:?}");
        assert!(
            code.contains("Set ANTHROPIC_API_KEY to your Anthropic API key first."),
            "{language:?}"
        );
        let install = match language {
            CodeLanguage::Python => "pip install anthropic",
            CodeLanguage::TypeScript => "npm install @anthropic-ai/sdk tsx",
            CodeLanguage::Rust => "cargo add reqwest@0.13 --no-default-features",
        };
        assert!(code.contains(install), "{language:?}");
        assert!(
            code.contains("Parallel research, then one synthesis"),
            "{language:?}"
        );
    }
}

#[test]
fn the_synthesis_prompt_has_the_pages_structure_in_every_language() {
    for (language, code) in all_languages(&limited_plan()) {
        assert!(code.contains(&format!("{ANSWER_HEADING} ")), "{language:?}");
        assert!(
            code.contains(&format!("{MISSING_HEADING} ")),
            "{language:?}"
        );
        assert!(code.contains("research answers are below, in question order."));
        assert!(code.contains("clearly note the gaps"), "{language:?}");
        assert!(code.contains("(No answer: "), "{language:?}");
        assert!(code.contains("and the quorum asks"), "{language:?}");
    }
}

#[test]
fn languages_have_file_names_labels_and_ids_that_round_trip() {
    let names: Vec<_> = CodeLanguage::ALL.iter().map(|l| l.file_name()).collect();
    assert_eq!(
        names,
        ["parallel_research.py", "parallel-research.ts", "main.rs"]
    );
    for language in CodeLanguage::ALL {
        assert_eq!(CodeLanguage::parse(language.id()), Some(language));
        assert!(!language.label().is_empty());
    }
    assert_eq!(CodeLanguage::parse("cobol"), None);
}

#[test]
fn the_cargo_manifest_pins_every_dependency_with_few_features() {
    let manifest = cargo_manifest();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("dependencies");
    let lines: Vec<_> = dependencies.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4);
    for line in lines {
        assert!(line.contains("\"="), "not pinned: {line}");
    }
    assert!(manifest.contains("default-features = false, features = [\"json\", \"rustls\"]"));
}
