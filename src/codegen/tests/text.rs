//! The page's text in the programs: hostile text only as escaped literals, long prompts split
//! over lines, and every line within its formatter's width.

use super::*;
use crate::codegen::literal::{python_string, rust_string, typescript_string};

#[test]
fn hostile_text_only_ever_appears_as_escaped_literals() {
    let hostile = [
        r#"x"); import os; os.system("echo pwned"); ("#,
        "line\n}\nfn evil() {\n",
        "``` ${process.exit(1)} \"\"\" */ // #",
        "back\\slash at the end \\",
        "bidi \u{202e}kcatta\u{202c} and nul \0",
    ];
    let plan = RunPlan {
        questions: hostile.iter().map(|q| q.to_string()).collect(),
        system_prompt: Some(hostile[0].into()),
        synthesis_prompt: hostile[1].into(),
        model: hostile[2].into(),
        ..limited_plan()
    };
    for (language, code) in all_languages(&plan) {
        for text in hostile {
            assert!(!code.contains(text), "{language:?} holds {text:?} raw");
            let literal = match language {
                CodeLanguage::Python => python_string(text),
                CodeLanguage::TypeScript => typescript_string(text),
                CodeLanguage::Rust => rust_string(text),
            };
            assert!(code.contains(&literal), "{language:?} lacks {literal}");
        }
        assert!(
            !code.contains('\u{202e}') && !code.contains('\0'),
            "{language:?}"
        );
    }
}

#[test]
fn long_prompts_are_split_over_lines_that_join_back() {
    let long = "Write a guide. ".repeat(20);
    let plan = RunPlan {
        synthesis_prompt: long.clone(),
        temperature: Some(0.25),
        ..limited_plan()
    };
    let python = generate(&plan, CodeLanguage::Python);
    assert!(python.contains("SYNTHESIS_INSTRUCTIONS = (\n    \"Write a guide. "));
    let typescript = generate(&plan, CodeLanguage::TypeScript);
    assert!(typescript.contains("const SYNTHESIS_INSTRUCTIONS =\n  \"Write a guide. "));
    let rust = generate(&plan, CodeLanguage::Rust);
    assert!(rust.contains("const SYNTHESIS_INSTRUCTIONS: &str =\n    \"Write a guide. "));
    for (language, code) in all_languages(&plan) {
        let width = match language {
            CodeLanguage::Python => 88,
            CodeLanguage::TypeScript => 80,
            CodeLanguage::Rust => 100,
        };
        let constants = code.split("QUESTIONS").next().unwrap_or_default();
        for line in constants.lines() {
            assert!(line.chars().count() <= width, "{language:?}: {line}");
        }
    }
}

#[test]
fn every_line_fits_the_formatters_width() {
    let modes = [RunMode::Parallel, RunMode::Sequential, RunMode::Compare];
    for mode in modes {
        for plan in [
            limited_plan(),
            unlimited(limited_plan()),
            fail_fast(limited_plan()),
            unlimited(fail_fast(limited_plan())),
        ] {
            let plan = RunPlan {
                mode,
                temperature: Some(0.5),
                ..plan
            };
            for (language, code) in all_languages(&plan) {
                let width = match language {
                    CodeLanguage::Python => 88,
                    CodeLanguage::TypeScript => 80,
                    CodeLanguage::Rust => 100,
                };
                let long: Vec<_> = code
                    .lines()
                    .filter(|line| line.chars().count() > width)
                    .collect();
                assert!(long.is_empty(), "{language:?}: {long:#?}");
            }
        }
    }
}
