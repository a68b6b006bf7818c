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
        imported
            .syntheses
            .first()
            .map(|(v, s)| (*v, s.text.as_str())),
        Some(('A', "Merged."))
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

fn variants_job(samples: Option<usize>) -> BatchJob {
    use crate::batch::setup::{JobVariant, VotingSetup};
    let plan = RunPlan {
        questions: vec!["One?".into(), "Two?".into()],
        model: "claude-haiku-4-5".into(),
        ..RunPlan::default()
    };
    let a = JobVariant::from_plan('A', &plan, false);
    let b = JobVariant {
        letter: 'B',
        model: "claude-sonnet-4-5".into(),
        ..a.clone()
    };
    let voting = samples.map(|samples| VotingSetup {
        samples,
        extraction: crate::patterns::Extraction::Number,
    });
    BatchJob::new(&plan, vec![a, b], voting)
}

fn succeeded(id: &str, text: &str) -> String {
    format!(
        "{{\"custom_id\":\"{id}\",\"result\":{{\"type\":\"succeeded\",\"message\":{{\"content\":[{{\"type\":\"text\",\"text\":\"{text}\"}}],\"usage\":{{\"input_tokens\":0,\"output_tokens\":1000000}}}}}}}}\n"
    )
}

#[test]
fn variant_ids_land_on_their_variants_lanes_with_their_models_price() {
    let job = variants_job(None);
    let text = [
        succeeded("q1-B", "B two."),
        succeeded("q0", "A one."),
        r#"{"custom_id":"q0-B","result":{"type":"expired"}}"#.to_string() + "\n",
        succeeded("q1", "A two."),
    ]
    .concat();
    let imported = import_results(&text, &job).expect("imports");
    let by_lane: Vec<(char, usize, &str)> = imported
        .answers
        .iter()
        .map(|a| (a.variant, a.question, a.text.as_str()))
        .collect();
    assert_eq!(
        by_lane,
        [
            ('A', 0, "A one."),
            ('A', 1, "A two."),
            ('B', 0, ""),
            ('B', 1, "B two.")
        ]
    );
    assert_eq!(imported.answers[2].status, ResultStatus::Expired);
    // A million output tokens: Haiku $5, Sonnet $15, both at half price.
    assert_eq!(imported.answers[0].cost_usd, Some(2.5));
    assert_eq!(imported.answers[3].cost_usd, Some(7.5));
    let (prompt_b, answered_b) = crate::batch::view::synthesis_request(&job, &imported, 'B');
    assert_eq!(answered_b, 1);
    assert!(prompt_b.contains("### Missing 1: One?") && prompt_b.contains("B two."));
    assert!(!prompt_b.contains("A two."), "only B's own answers");
    let lanes = crate::batch::view::lanes(&job, &imported);
    assert_eq!(
        lanes
            .iter()
            .map(|l| (l.variant, l.index))
            .collect::<Vec<_>>(),
        [('A', 0), ('A', 1), ('B', 0), ('B', 1)]
    );
}

#[test]
fn voting_samples_give_each_questions_tally_and_agreement() {
    let job = variants_job(Some(3));
    let text = [
        succeeded("q0-s0", "It is 7."),
        succeeded("q0-s1", "7"),
        succeeded("q0-s2", "8"),
        succeeded("q1-s0", "no number"),
        succeeded("q0-B-s1", "42"),
    ]
    .concat();
    let imported = import_results(&text, &job).expect("imports");
    assert_eq!(imported.answers.len(), 12);
    assert_eq!(imported.answers[4].sample, Some(1));
    let votes = crate::batch::view::votes(&job, &imported);
    let summary: Vec<(char, usize, Option<&str>, usize, usize)> = votes
        .iter()
        .map(|v| {
            (
                v.variant,
                v.question,
                v.tally.winner(),
                v.tally.voted,
                v.tally.abstained,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ('A', 0, Some("7"), 3, 0),
            ('A', 1, None, 0, 3),
            ('B', 0, Some("42"), 1, 2),
            ('B', 1, None, 0, 3)
        ]
    );
    assert!((votes[0].tally.agreement() - 2.0 / 3.0).abs() < 1e-9);
}

#[test]
fn ids_outside_the_set_up_are_named_and_old_plain_ids_still_match() {
    let job = variants_job(None);
    let text = [
        succeeded("q0", "A one."),
        succeeded("q0-C", "No variant C here."),
        succeeded("q0-s1", "No voting here."),
        succeeded("q9-B", "No question 10."),
        succeeded("q0-Z", "Not an id."),
    ]
    .concat();
    let imported = import_results(&text, &job).expect("q0 matches");
    assert_eq!(imported.lines_used, [1]);
    let problems = imported.problems.join("\n");
    for (line, id) in [(2, "q0-C"), (3, "q0-s1"), (4, "q9-B"), (5, "q0-Z")] {
        assert!(
            problems.contains(&format!(
                "Line {line} ({id}) matches no request of this set-up"
            )),
            "{problems}"
        );
    }
    // A voting set-up refuses a file of plain answers, naming the ids it expected.
    let Err(ImportError::NoMatch { expected, .. }) =
        import_results(&succeeded("q0", "x"), &variants_job(Some(2)))
    else {
        panic!("plain ids do not match samples");
    };
    assert_eq!(expected, "q0-s0, q0-s1, q1-s0");
}

#[test]
fn the_program_file_brings_each_variants_synthesis() {
    let text = r#"{"format":"parallel-playground-batch-results","version":1,
      "results":[{"custom_id":"q0","status":"succeeded","text":"A."},
                 {"custom_id":"q0-B","status":"succeeded","text":"B."}],
      "synthesis":{"status":"done","text":"A merged."},
      "syntheses":{"B":{"status":"skipped","reason":"quorum"},"A":{"status":"done","text":"A merged."},
                   "D":{"status":"done","text":"not in the set-up"}}}"#;
    let imported = import_results(text, &variants_job(None)).expect("imports");
    let syntheses: Vec<(char, &str)> = imported
        .syntheses
        .iter()
        .map(|(v, s)| (*v, s.status.as_str()))
        .collect();
    assert_eq!(syntheses, [('A', "done"), ('B', "skipped")]);
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
