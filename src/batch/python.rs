//! The batch job as a Python program on the official `anthropic` SDK: create the batch, poll it
//! with backoff until `processing_status` is `ended` (printing the request counts as they
//! change), read the results by `custom_id`, run the synthesis over the succeeded answers with
//! the gaps named (the page's prompt, [`synthesis_prompt`](crate::engine::synthesis_prompt)),
//! and write one results file that the page imports. Each variant gets its own synthesis over
//! its own answers; with voting, each question's majority (the page's extraction and tally,
//! [`crate::patterns::extract`]) is the result instead.

use super::program_data::{
    request_rows, substitute_note, variants_table, voting_literal, Language,
};
use super::{string_literal, BatchJob, RESULTS_FILE, RESULTS_FORMAT};

/// The name to save the program under.
pub const FILE_NAME: &str = "batch_research.py";

/// The program for `job`.
pub fn program(job: &BatchJob) -> String {
    let questions: Vec<String> = job.questions.iter().map(|q| string_literal(q)).collect();
    TEMPLATE
        .replace("__SUBSTITUTE__", &substitute_note(job, "#"))
        .replace("__VARIANTS__", &variants_table(job, Language::Python))
        .replace(
            "__SYNTHESIS__",
            &string_literal(&job.synthesis_instructions),
        )
        .replace("__QUORUM__", &job.quorum.to_string())
        .replace(
            "__QUESTIONS__",
            &format!("[\n    {},\n]", questions.join(",\n    ")),
        )
        .replace("__REQUESTS__", &request_rows(job, Language::Python))
        .replace("__VOTING__", &voting_literal(job, Language::Python))
        .replace("__TALLY__", TALLY)
        .replace("__RESULTS_FILE__", RESULTS_FILE)
        .replace("__FORMAT__", RESULTS_FORMAT)
}

const TEMPLATE: &str = r#""""Parallel Playground: the research questions as one Message Batch.

Creates the batch (one request per question and variant, or per voting sample, named by
custom_id), polls it with backoff until it has ended, printing the request counts as they
change, reads the results, asks for each variant's synthesis of its answers that succeeded
(the failed ones are named as gaps), or with voting takes each question's majority, and
writes everything to one results file that the page can import.

A batch costs half the price of the same calls made one by one, and most finish within
the hour (at most 24 hours).

Run it (Python 3.9 or later):
    pip install anthropic
    export ANTHROPIC_API_KEY=...      # your API key
    export ANTHROPIC_BASE_URL=...     # optional: a proxy or another endpoint
    python batch_research.py [__RESULTS_FILE__]
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

import anthropic

__SUBSTITUTE__# Each variant's model and numbers; its synthesis runs with them over its own answers.
VARIANTS = __VARIANTS__
MODEL = VARIANTS["A"]["model"]
SYNTHESIS_INSTRUCTIONS = __SYNTHESIS__
QUORUM = __QUORUM__  # fewest answers the synthesis needs
QUESTIONS = __QUESTIONS__
# (custom_id, question index, variant, voting sample or None, Messages API parameters):
# q<i> for variant A, q<i>-<V> for variant V, q<i>-s<k> for voting sample k.
REQUESTS = __REQUESTS__
# Voting: each question's samples give one result each and the majority wins (None: no voting).
VOTING = __VOTING__
RESULTS_FILE = sys.argv[1] if len(sys.argv) > 1 else "__RESULTS_FILE__"
# Seconds between the first polls; the wait grows by half each time, up to a minute.
POLL_START_S = float(os.environ.get("BATCH_POLL_SECONDS", "10"))
POLL_MAX_S = 60.0
SENTENCES = {
    "canceled": "The batch was cancelled before this request ran.",
    "expired": "The batch expired (24 hours) before this request ran.",
    "missing": "The results file has no line for this request.",
}
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.2f}s] {message}", flush=True)


def wait_until_ended(client: anthropic.Anthropic, batch):
    """Polls the batch with a growing wait until it has ended."""
    wait = POLL_START_S
    last = None
    while True:
        c = batch.request_counts
        counts = (c.processing, c.succeeded, c.errored, c.canceled, c.expired)
        if counts != last:
            log(
                f"{batch.processing_status}: {c.processing} processing, {c.succeeded} "
                f"succeeded, {c.errored} errored, {c.canceled} canceled, {c.expired} expired"
            )
            last = counts
        if batch.processing_status == "ended":
            return batch
        time.sleep(wait)
        wait = min(wait * 1.5, POLL_MAX_S)
        batch = client.messages.batches.retrieve(batch.id)


def read_results(client: anthropic.Anthropic, batch_id: str) -> dict[str, dict]:
    """Every result line by custom_id (they come in any order)."""
    found = {}
    for line in client.messages.batches.results(batch_id):
        result = line.result
        entry = {"custom_id": line.custom_id, "status": result.type}
        if result.type == "succeeded":
            message = result.message
            entry["text"] = "".join(b.text for b in message.content if b.type == "text")
            entry["input_tokens"] = message.usage.input_tokens
            entry["output_tokens"] = message.usage.output_tokens
        elif result.type == "errored":
            error = result.error.error
            entry["error"] = f"{error.type}: {error.message}"
        found[line.custom_id] = entry
    return found


def reason(entry: dict) -> str:
    if entry["status"] == "errored":
        return "The request failed inside the batch: " + entry.get("error", "")
    return SENTENCES.get(entry["status"], SENTENCES["missing"])


def synthesis_prompt(outcomes: list[dict]) -> str:
    """The synthesis request, built as the page builds it: every answer in question
    order, and the missing ones named so that the model can note the gaps."""
    answered = sum(o["status"] == "succeeded" for o in outcomes)
    total = len(outcomes)
    prompt = SYNTHESIS_INSTRUCTIONS.strip() + "\n\n"
    if answered == total:
        prompt += f"All {total} research answers are below, in question order.\n"
    else:
        prompt += (
            f"Some research failed: {answered} of {total} questions have an answer. "
            "Synthesize the available answers and clearly note the gaps left by the "
            "missing ones.\n"
        )
    for number, (question, outcome) in enumerate(zip(QUESTIONS, outcomes), 1):
        if outcome["status"] == "succeeded":
            prompt += f"\n### Question {number}: {question.strip()}\n"
            prompt += f"{outcome['text'].strip()}\n"
        else:
            prompt += f"\n### Missing {number}: {question.strip()}\n"
            prompt += f"(No answer: {reason(outcome).strip()})\n"
    return prompt


def synthesize(client: anthropic.Anthropic, variant: str, outcomes: list[dict]) -> dict:
    """Variant ``variant``'s synthesis of its answers, with its model and numbers."""
    settings = VARIANTS[variant]
    answered = sum(o["status"] == "succeeded" for o in outcomes)
    if answered < QUORUM:
        why = (
            f"No synthesis: only {answered} of {len(outcomes)} answers succeeded, "
            f"and the quorum asks for at least {QUORUM}."
        )
        log(f"Variant {variant}: {why}")
        return {"status": "skipped", "reason": why}
    log(f"Synthesizing variant {variant}: {answered} of {len(outcomes)} answers")
    temperature = settings["temperature"]
    options = {} if temperature is None else {"temperature": temperature}
    try:
        message = client.messages.create(
            model=settings["model"],
            max_tokens=settings["max_tokens"],
            messages=[{"role": "user", "content": synthesis_prompt(outcomes)}],
            **options,
        )
    except anthropic.APIError as error:
        log(f"Synthesis failed: {error}")
        return {"status": "failed", "reason": str(error)}
    text = "".join(b.text for b in message.content if b.type == "text")
    return {
        "status": "done",
        "text": text,
        "input_tokens": message.usage.input_tokens,
        "output_tokens": message.usage.output_tokens,
    }


__TALLY__


def main() -> int:
    client = anthropic.Anthropic()
    batch = client.messages.batches.create(
        requests=[{"custom_id": cid, "params": params} for cid, _, _, _, params in REQUESTS]
    )
    log(f"Created batch {batch.id} with {len(REQUESTS)} requests")
    batch = wait_until_ended(client, batch)
    found = read_results(client, batch.id)
    results = [found.get(r[0], {"custom_id": r[0], "status": "missing"}) for r in REQUESTS]
    for entry in results:
        log(f"{entry['custom_id']}: {entry['status']}")
    syntheses, votes = {}, []
    if VOTING is None:
        # Each variant's synthesis merges its own answers, one per question, in order.
        for variant in VARIANTS:
            outcomes = [e for r, e in zip(REQUESTS, results) if r[2] == variant]
            syntheses[variant] = synthesize(client, variant, outcomes)
            if syntheses[variant]["status"] == "done":
                print(f"\n{syntheses[variant]['text']}\n", flush=True)
    else:
        votes = vote(results)
    report = {
        "format": "__FORMAT__",
        "version": 1,
        "api": "anthropic",
        "batch_id": batch.id,
        "model": MODEL,
        "created_at": batch.created_at.isoformat(),
        "ended_at": batch.ended_at.isoformat() if batch.ended_at else None,
        "created_at_ms": round(batch.created_at.timestamp() * 1000),
        "ended_at_ms": round(batch.ended_at.timestamp() * 1000) if batch.ended_at else None,
        "results": results,
    }
    if VOTING is None:
        report["synthesis"] = syntheses["A"]
        report["syntheses"] = syntheses
    else:
        report["votes"] = votes
    with open(RESULTS_FILE, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2, ensure_ascii=False)
    log(f"Wrote {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
"#;

/// Voting's reading of an answer and the majority, as the page does it
/// ([`crate::patterns::extract`]): the same extraction, normalization and tie rule.
const TALLY: &str = r#"MARKS = ".,;:!*_`\""
DIGITS = "0123456789"


def normalize(result: str) -> str:
    """A result as it is compared: trimmed of spaces and punctuation, lower case."""
    start, end = 0, len(result)
    while start < end and (result[start].isspace() or result[start] in MARKS):
        start += 1
    while end > start and (result[end - 1].isspace() or result[end - 1] in MARKS):
        end -= 1
    return " ".join(result[start:end].split()).lower()[:200]


def last_number(text: str) -> str | None:
    end = len(text)
    while end > 0 and text[end - 1] not in DIGITS:
        end -= 1
    if end == 0:
        return None
    start = end
    while start > 0:
        c = text[start - 1]
        if c in DIGITS or (c in ".," and start >= 2 and text[start - 2] in DIGITS):
            start -= 1
        else:
            break
    if start > 0 and text[start - 1] == "-":
        start -= 1
    number = text[start:end].replace(",", "")
    try:
        value = float(number)
    except ValueError:
        return number
    if not math.isfinite(value):
        return number
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(round(value * 1e6) / 1e6)


def extract(text: str) -> str | None:
    """The final result of an answer: the last number, the last line, or what follows
    the marker."""
    how, marker = VOTING["extraction"], VOTING["marker"].strip()
    if how == "number":
        raw = last_number(text)
    elif how == "last-line":
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        raw = lines[-1] if lines else None
    else:
        at = text.rfind(marker) if marker else -1
        raw = text[at + len(marker):].split("\n")[0].strip() if at >= 0 else None
    result = normalize(raw) if raw else ""
    return result or None


def tally(texts: list) -> dict:
    """The votes of one question: counts (most first, ties in the order first seen),
    the winner and its share of the votes."""
    counts, voted, abstained = {}, 0, 0
    for text in texts:
        result = extract(text) if text is not None else None
        if result is None:
            abstained += 1
            continue
        voted += 1
        counts[result] = counts.get(result, 0) + 1
    ranked = sorted(counts.items(), key=lambda c: -c[1])
    return {
        "winner": ranked[0][0] if ranked else None,
        "agreement": ranked[0][1] / voted if ranked else 0.0,
        "counts": [[result, n] for result, n in ranked],
        "voted": voted,
        "abstained": abstained,
    }


def vote(results: list[dict]) -> list[dict]:
    """The majority of each question's samples, variant by variant."""
    votes = []
    for variant in VARIANTS:
        for question, text in enumerate(QUESTIONS):
            texts = [
                e.get("text") if e["status"] == "succeeded" else None
                for r, e in zip(REQUESTS, results)
                if r[2] == variant and r[1] == question
            ]
            votes.append({"variant": variant, "question": question, **tally(texts)})
            last = votes[-1]
            log(
                f"Variant {variant}, question {question + 1}: {last['winner']} "
                f"({last['agreement']:.0%} of {last['voted']} votes)"
            )
    return votes
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::setup::{JobVariant, VotingSetup};
    use crate::engine::RunPlan;
    use crate::patterns::extract::Extraction;

    #[test]
    fn program_carries_the_set_up_as_python_literals() {
        let plan = RunPlan {
            questions: vec!["Why \"this\"?".into(), "How\nso?".into()],
            quorum: 2,
            ..RunPlan::default()
        };
        let text = program(&BatchJob::from_plan(&plan));
        assert!(text.contains(r#"("q1", 1, "A", None, {"#));
        assert!(text.contains(r#""content":"How\nso?""#));
        assert!(text.contains("QUORUM = 2"));
        assert!(text.contains("VOTING = None"));
        assert!(text.contains("stands in for it"));
        for placeholder in ["__VARIANTS__", "__QUESTIONS__", "__REQUESTS__", "__TALLY__"] {
            assert!(!text.contains(placeholder), "{placeholder} was left");
        }
    }

    #[test]
    fn variants_and_voting_samples_are_rows_with_their_own_settings() {
        let plan = RunPlan {
            questions: vec!["Sum?".into()],
            model: "claude-haiku-4-5".into(),
            ..RunPlan::default()
        };
        let a = JobVariant::from_plan('A', &plan, false);
        let b = JobVariant {
            letter: 'B',
            model: "claude-sonnet-4-5".into(),
            max_tokens: 64,
            ..a.clone()
        };
        let voting = VotingSetup {
            samples: 2,
            extraction: Extraction::After {
                marker: "Answer:".into(),
            },
        };
        let text = program(&BatchJob::new(&plan, vec![a, b], Some(voting)));
        let row = text
            .lines()
            .find(|l| l.contains(r#"("q0-B-s1", 0, "B", 1, {"#))
            .expect("the row of variant B's second sample");
        assert!(
            row.contains(r#""model":"claude-sonnet-4-5""#) && row.contains(r#""max_tokens":64"#)
        );
        assert!(row.contains(r#""temperature":1.0"#), "sampled: {row}");
        assert!(text.contains(
            r#""B": {"model": "claude-sonnet-4-5", "max_tokens": 64, "temperature": None},"#
        ));
        assert!(text.contains(r#"VOTING = {"extraction": "after", "marker": "Answer:"}"#));
    }
}
