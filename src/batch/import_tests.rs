//! Tests of the results import: the three formats, matching by `custom_id`, bad files in words,
//! and hostile input that must never panic.

use super::*;
use crate::engine::RunPlan;

fn job(n: usize) -> BatchJob {
    BatchJob::from_plan(&RunPlan {
        questions: (0..n).map(|i| format!("Question {i}?")).collect(),
        model: "claude-sonnet-4-5".into(),
        ..RunPlan::default()
    })
}

const ANTHROPIC: &str = r#"{"custom_id":"q2","result":{"type":"expired"}}
{"custom_id":"q0","result":{"type":"succeeded","message":{"model":"claude-sonnet-4-5","content":[{"type":"text","text":"Zero."}],"usage":{"input_tokens":1000000,"output_tokens":0}}}}
{"custom_id":"q1","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}}}
"#;

#[test]
fn anthropic_results_come_back_in_question_order_at_half_price() {
    let imported = import_results(ANTHROPIC, &job(3)).expect("imports");
    assert_eq!(imported.format, ResultsFormat::AnthropicJsonl);
    let statuses: Vec<_> = imported.answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        [
            ResultStatus::Succeeded,
            ResultStatus::Errored,
            ResultStatus::Expired
        ]
    );
    assert_eq!(imported.answers[0].text, "Zero.");
    // A million input tokens of Sonnet cost $3; the batch price is half.
    assert_eq!(imported.answers[0].cost_usd, Some(1.5));
    assert_eq!(
        imported.answers[1].error.as_deref(),
        Some("overloaded_error: Overloaded")
    );
    assert_eq!(imported.lines_used, [1, 2, 3]);
    assert!(imported.problems.is_empty());
}

#[test]
fn openai_and_vllm_output_lines_are_read() {
    let text = r#"{"id":"r1","custom_id":"q1","response":{"status_code":200,"body":{"model":"gpt-4o","choices":[{"message":{"content":"One."}}],"usage":{"prompt_tokens":10,"completion_tokens":2}}},"error":null}
{"id":"r0","custom_id":"q0","response":{"status_code":500,"body":{"error":{"message":"boom","type":"server_error"}}},"error":null}
{"id":"r2","custom_id":"q2","response":null,"error":{"code":"batch_expired","message":"late"}}
"#;
    let imported = import_results(text, &job(3)).expect("imports");
    assert_eq!(imported.format, ResultsFormat::OpenAiJsonl);
    assert_eq!(imported.answers[1].text, "One.");
    assert_eq!(imported.answers[1].output_tokens, 2);
    assert_eq!(imported.answers[0].status, ResultStatus::Errored);
    assert!(imported.answers[0]
        .error
        .as_deref()
        .unwrap_or("")
        .contains("HTTP 500"));
    assert_eq!(imported.answers[2].status, ResultStatus::Expired);
}

#[test]
fn the_program_file_brings_its_synthesis_and_span() {
    let text = r#"{"format":"parallel-playground-batch-results","version":1,"batch_id":"msgbatch_1",
      "model":"claude-sonnet-4-5","created_at_ms":1000,"ended_at_ms":4000,
      "results":[{"custom_id":"q0","status":"succeeded","text":"A.","input_tokens":5,"output_tokens":7},
                 {"custom_id":"q1","status":"canceled"}],
      "synthesis":{"status":"done","text":"Merged."}}"#;
    let imported = import_results(text, &job(2)).expect("imports");
    assert_eq!(imported.format, ResultsFormat::ProgramFile);
    assert_eq!(imported.span_unix_ms, Some((1000.0, 4000.0)));
    assert_eq!(
        imported.synthesis.as_ref().map(|s| s.text.as_str()),
        Some("Merged.")
    );
    assert_eq!(imported.answers[1].status, ResultStatus::Canceled);
    assert_eq!(imported.batch_id.as_deref(), Some("msgbatch_1"));
}

#[test]
fn bad_files_say_what_is_wrong_and_which_lines_were_used() {
    assert_eq!(import_results("  \n", &job(2)), Err(ImportError::Empty));
    assert!(matches!(
        import_results("hello\nworld\n", &job(2)),
        Err(ImportError::NotResults(_))
    ));
    let other = r#"{"custom_id":"task-9","result":{"type":"expired"}}"#;
    let Err(ImportError::NoMatch { expected, found }) = import_results(other, &job(2)) else {
        panic!("a file of another set-up must be refused");
    };
    assert_eq!((expected.as_str(), found.as_str()), ("q0, q1", "task-9"));

    let mixed = format!(
        "{ANTHROPIC}not json\n{{\"custom_id\":\"q0\",\"result\":{{\"type\":\"canceled\"}}}}\n{{\"custom_id\":\"q1\",\"res"
    );
    let imported = import_results(&mixed, &job(3)).expect("the good lines are used");
    let problems = imported.problems.join("\n");
    assert!(problems.contains("Line 4 is not JSON"), "{problems}");
    assert!(problems.contains("mix two batches"), "{problems}");
    assert!(problems.contains("Line 6 is cut off"), "{problems}");
    assert_eq!(describe_lines(&imported.lines_used), "lines 1–3");
    assert_eq!(imported.answers[0].status, ResultStatus::Succeeded);
}

#[test]
fn a_request_without_a_line_is_missing() {
    let one = r#"{"custom_id":"q1","result":{"type":"canceled"}}"#;
    let imported = import_results(one, &job(2)).expect("imports");
    assert_eq!(imported.answers[0].status, ResultStatus::Missing);
    assert_eq!(imported.answers[0].line, None);
}

#[cfg(not(target_arch = "wasm32"))]
mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_is_refused_or_read_without_panicking(text in "\\PC{0,400}") {
            let _ = import_results(&text, &job(3));
        }

        #[test]
        fn results_lines_with_noise_never_panic(
            ids in proptest::collection::vec("q[0-9]{1,2}|x|q1-B|q0-s1", 0..8),
            kinds in proptest::collection::vec("succeeded|errored|canceled|expired|bogus", 0..8),
            noise in "[\\[\\]{}\",:0-9a-z ]{0,40}",
            cut in 0usize..600,
        ) {
            let mut text = String::new();
            for (id, kind) in ids.iter().zip(&kinds) {
                text.push_str(&format!(
                    "{{\"custom_id\":\"{id}\",\"result\":{{\"type\":\"{kind}\",\"message\":{{\"content\":[{{\"text\":{noise:?}}}]}}}}}}\n"
                ));
            }
            text.push_str(&noise);
            let end = (0..=cut.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            if let Ok(imported) = import_results(&text[..end], &job(12)) {
                prop_assert_eq!(imported.answers.len(), 12);
                prop_assert!(imported.problems.len() <= MAX_PROBLEMS + 1);
            }
        }

        #[test]
        fn deep_nesting_is_refused_not_recursed(depth in 100usize..5000) {
            let text = format!("{{\"custom_id\":\"q0\",\"result\":{}{}", "[".repeat(depth), "]".repeat(depth));
            let _ = import_results(&text, &job(1));
        }
    }
}
