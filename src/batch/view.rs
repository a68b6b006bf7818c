//! What the page shows of imported batch results, decided here so it can be tested without a
//! browser: the lanes (status, times on the run's axis) of each variant, the span of the
//! batch, each variant's synthesis prompt when the page runs it, the votes of voting samples,
//! and the words of the hand-over suggestion.

use super::import::{Imported, ImportedAnswer, ResultStatus};
use super::{status_sentence, BatchJob, BATCH_DISCOUNT, SUGGEST_BATCH_ABOVE};
use crate::engine::{synthesis_prompt, ResearchOutcome};
use crate::patterns::{tally, Tally};

/// One imported lane.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchLane {
    /// Its place among its variant's lanes (0-based).
    pub index: usize,
    /// `A`–`D`.
    pub variant: char,
    /// The voting sample it is, if any.
    pub sample: Option<usize>,
    pub custom_id: String,
    pub question: String,
    /// The batch result (`succeeded`, `errored`, `canceled`, `expired`, `missing`).
    pub result: &'static str,
    /// The lane status of the page's contract (`done`, `failed`, `cancelled`, `timeout`).
    pub lane_status: &'static str,
    pub sentence: String,
    pub text: String,
    pub tokens: (u64, u64),
    pub cost_usd: Option<f64>,
}

/// The lane status a batch result is shown with.
pub fn lane_status(status: ResultStatus) -> &'static str {
    match status {
        ResultStatus::Succeeded => "done",
        ResultStatus::Errored | ResultStatus::Missing => "failed",
        ResultStatus::Canceled => "cancelled",
        ResultStatus::Expired => "timeout",
    }
}

/// The lanes of `imported`, variant by variant, each in question (and sample) order.
pub fn lanes(job: &BatchJob, imported: &Imported) -> Vec<BatchLane> {
    let mut seen: Vec<(char, usize)> = Vec::new();
    imported
        .answers
        .iter()
        .map(|answer| {
            let index = match seen.iter_mut().find(|(v, _)| *v == answer.variant) {
                Some((_, n)) => {
                    *n += 1;
                    *n - 1
                }
                None => {
                    seen.push((answer.variant, 1));
                    0
                }
            };
            let mut sentence = status_sentence(answer.status).to_string();
            if let Some(error) = &answer.error {
                sentence = format!("{sentence} {error}");
            }
            BatchLane {
                index,
                variant: answer.variant,
                sample: answer.sample,
                custom_id: answer.custom_id.clone(),
                question: job
                    .questions
                    .get(answer.question)
                    .cloned()
                    .unwrap_or_default(),
                result: answer.status.name(),
                lane_status: lane_status(answer.status),
                sentence,
                text: answer.text.clone(),
                tokens: (answer.input_tokens, answer.output_tokens),
                cost_usd: answer.cost_usd,
            }
        })
        .collect()
}

/// Milliseconds from the batch's creation to its end, when the file says.
pub fn span_ms(imported: &Imported) -> Option<f64> {
    imported
        .span_unix_ms
        .map(|(start, end)| (end - start).max(0.0))
}

/// Why a question has no answer, as the synthesis prompt names it.
pub fn missing_reason(status: ResultStatus, error: Option<&str>) -> String {
    match (status, error) {
        (ResultStatus::Errored, Some(error)) => {
            format!("The request failed inside the batch: {error}")
        }
        _ => status_sentence(status).to_string(),
    }
}

/// Variant `variant`'s synthesis prompt over its answers (as the exported programs build it),
/// and how many questions have an answer.
pub fn synthesis_request(job: &BatchJob, imported: &Imported, variant: char) -> (String, usize) {
    let mut answers: Vec<Option<&ImportedAnswer>> = vec![None; job.questions.len()];
    for answer in imported
        .answers
        .iter()
        .filter(|a| a.variant == variant && a.sample.is_none())
    {
        if let Some(slot) = answers.get_mut(answer.question) {
            slot.get_or_insert(answer);
        }
    }
    let outcomes: Vec<ResearchOutcome<'_>> = job
        .questions
        .iter()
        .zip(&answers)
        .map(|(question, answer)| ResearchOutcome {
            question,
            answer: match answer {
                Some(a) if a.status == ResultStatus::Succeeded => Ok(a.text.as_str()),
                Some(a) => Err(missing_reason(a.status, a.error.as_deref())),
                None => Err(missing_reason(ResultStatus::Missing, None)),
            },
        })
        .collect();
    let answered = outcomes.iter().filter(|o| o.answer.is_ok()).count();
    (
        synthesis_prompt(&job.synthesis_instructions, &outcomes),
        answered,
    )
}

/// The vote of one question's samples in one variant.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchVote {
    pub variant: char,
    /// The question (0-based).
    pub question: usize,
    pub tally: Tally,
}

/// The votes of a voting job, variant by variant and question by question, with the page's
/// extraction and tally; empty without voting.
pub fn votes(job: &BatchJob, imported: &Imported) -> Vec<BatchVote> {
    let Some(voting) = &job.voting else {
        return Vec::new();
    };
    let mut votes = Vec::new();
    for variant in &job.variants {
        for question in 0..job.questions.len() {
            let samples = imported.answers.iter().filter(|a| {
                a.variant == variant.letter && a.question == question && a.sample.is_some()
            });
            let answers =
                samples.map(|a| (a.status == ResultStatus::Succeeded).then_some(a.text.as_str()));
            votes.push(BatchVote {
                variant: variant.letter,
                question,
                tally: tally(answers, &voting.extraction),
            });
        }
    }
    votes
}

/// The hand-over suggestion for `calls` calls per round, with both estimated costs; `None`
/// at or below [`SUGGEST_BATCH_ABOVE`] calls.
pub fn suggestion(calls: usize, cost: Option<(f64, f64)>) -> Option<String> {
    if calls <= SUGGEST_BATCH_ABOVE {
        return None;
    }
    let price = match cost {
        Some((direct, batch)) => format!(
            " Estimated cost: {} as parallel calls now, {} as a batch ({}% of the price).",
            dollars(direct),
            dollars(batch),
            (BATCH_DISCOUNT * 100.0).round()
        ),
        None => " A batch costs half the price of the same calls.".to_string(),
    };
    Some(format!(
        "{calls} calls per round is batch-sized: a browser tab is the place for ten or a hundred. \
         Export it as a batch job — most batches finish within the hour.{price}"
    ))
}

/// Dollars with a precision that suits small sums.
pub fn dollars(value: f64) -> String {
    if value >= 1.0 {
        format!("${value:.2}")
    } else {
        format!("${value:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::import::import_results;
    use crate::engine::RunPlan;

    fn job() -> BatchJob {
        BatchJob::from_plan(&RunPlan {
            questions: vec!["One?".into(), "Two?".into()],
            ..RunPlan::default()
        })
    }

    #[test]
    fn lanes_carry_statuses_and_the_synthesis_names_the_gaps() {
        let text = "{\"custom_id\":\"q1\",\"result\":{\"type\":\"expired\"}}\n\
                    {\"custom_id\":\"q0\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[{\"text\":\"Yes.\"}]}}}\n";
        let imported = import_results(text, &job()).expect("imports");
        let lanes = lanes(&job(), &imported);
        assert_eq!(
            lanes.iter().map(|l| l.lane_status).collect::<Vec<_>>(),
            ["done", "timeout"]
        );
        assert_eq!(lanes[1].result, "expired");
        let (prompt, answered) = synthesis_request(&job(), &imported, 'A');
        assert_eq!(answered, 1);
        assert!(prompt.contains("### Question 1: One?\nYes."));
        assert!(prompt.contains("### Missing 2: Two?\n(No answer: The batch expired"));
    }

    #[test]
    fn suggestion_appears_above_the_threshold_with_both_costs() {
        assert_eq!(suggestion(SUGGEST_BATCH_ABOVE, Some((1.0, 0.5))), None);
        let words = suggestion(400, Some((2.0, 1.0))).expect("suggested");
        assert!(words.contains("$2.00 as parallel calls now"));
        assert!(words.contains("$1.00 as a batch"));
    }

    #[test]
    fn variants_and_samples_count_in_the_calls_per_round() {
        use crate::batch::setup::{JobVariant, VotingSetup};
        let plan = RunPlan {
            questions: vec!["Why?".into(); 60],
            model: "claude-haiku-4-5".into(),
            ..RunPlan::default()
        };
        let a = JobVariant::from_plan('A', &plan, false);
        let b = JobVariant {
            letter: 'B',
            ..a.clone()
        };
        let plain = BatchJob::new(&plan, vec![a.clone(), b.clone()], None);
        assert_eq!(suggestion(plain.requests.len(), None), None, "120 calls");
        let voting = Some(VotingSetup {
            samples: 3,
            extraction: crate::patterns::Extraction::Number,
        });
        let sampled = BatchJob::new(&plan, vec![a, b], voting);
        let words = suggestion(sampled.requests.len(), sampled.estimated_cost(300))
            .expect("360 calls are batch-sized");
        assert!(words.contains("360 calls per round"), "{words}");
    }
}
