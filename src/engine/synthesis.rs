//! The synthesis prompt: every successful answer in question order, and the gaps named.
//!
//! This is seed 002's fork-join with graceful degradation: when some research calls failed, the
//! synthesis still runs (if the quorum is met) and is told which questions have no answer.

use crate::wire::model::{ANSWER_HEADING, MISSING_HEADING};

/// One research question and what became of it.
pub struct ResearchOutcome<'a> {
    pub question: &'a str,
    /// The answer, or why there is none.
    pub answer: Result<&'a str, String>,
}

/// Builds the user prompt of the synthesis call.
pub fn synthesis_prompt(instructions: &str, outcomes: &[ResearchOutcome<'_>]) -> String {
    let answered = outcomes.iter().filter(|o| o.answer.is_ok()).count();
    let total = outcomes.len();
    let mut prompt = String::new();
    prompt.push_str(instructions.trim());
    prompt.push_str("\n\n");
    if answered == total {
        prompt.push_str(&format!(
            "All {total} research answers are below, in question order.\n"
        ));
    } else {
        prompt.push_str(&format!(
            "Some research failed: {answered} of {total} questions have an answer. Synthesize the \
             available answers and clearly note the gaps left by the missing ones.\n"
        ));
    }
    for (i, outcome) in outcomes.iter().enumerate() {
        match &outcome.answer {
            Ok(answer) => prompt.push_str(&format!(
                "\n{ANSWER_HEADING} {}: {}\n{}\n",
                i + 1,
                outcome.question.trim(),
                answer.trim()
            )),
            Err(reason) => prompt.push_str(&format!(
                "\n{MISSING_HEADING} {}: {}\n(No answer: {})\n",
                i + 1,
                outcome.question.trim(),
                reason.trim()
            )),
        }
    }
    prompt
}

/// Why there is no synthesis when fewer than `quorum` answers succeeded.
pub fn below_quorum_reason(answered: usize, total: usize, quorum: usize) -> String {
    format!(
        "No synthesis: only {answered} of {total} answers succeeded, and the quorum asks for at \
         least {quorum}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_answers_in_order_and_names_the_missing_ones() {
        let prompt = synthesis_prompt(
            "Write a travel guide.",
            &[
                ResearchOutcome {
                    question: "Top sights in Paris?",
                    answer: Ok("The Louvre."),
                },
                ResearchOutcome {
                    question: "Getting around Paris?",
                    answer: Err("HTTP 500".into()),
                },
                ResearchOutcome {
                    question: "Customs in Paris?",
                    answer: Ok("Say bonjour."),
                },
            ],
        );
        assert!(prompt.starts_with("Write a travel guide."));
        assert!(prompt.contains("2 of 3 questions have an answer"));
        assert!(prompt.contains("note the gaps"));
        let louvre = prompt.find("The Louvre.").expect("first answer");
        let bonjour = prompt.find("Say bonjour.").expect("third answer");
        assert!(louvre < bonjour);
        assert!(prompt.contains("### Missing 2: Getting around Paris?"));
    }

    #[test]
    fn says_all_answers_are_there_when_none_failed() {
        let prompt = synthesis_prompt(
            "Merge.",
            &[ResearchOutcome {
                question: "Q?",
                answer: Ok("A."),
            }],
        );
        assert!(prompt.contains("All 1 research answers"));
        assert!(!prompt.contains("Missing"));
    }

    #[test]
    fn the_simulated_model_reads_the_real_prompt_back() {
        let prompt = synthesis_prompt(
            "Write a travel guide.",
            &[
                ResearchOutcome {
                    question: "What are the top attractions in Paris?",
                    answer: Ok("The Louvre and Montmartre."),
                },
                ResearchOutcome {
                    question: "How do I get around Paris?",
                    answer: Err("HTTP 500".into()),
                },
            ],
        );
        let text =
            crate::providers::simulated::synthesis(&prompt, &mut crate::base::SplitMix64::new(1));
        assert!(text.contains("## Top attractions in Paris"), "{text}");
        assert!(text.contains("**Gap:** question 2"), "{text}");
    }
}
