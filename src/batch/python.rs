//! The batch job as a Python program on the official `anthropic` SDK: create the batch, poll it
//! with backoff until `processing_status` is `ended` (printing the request counts as they
//! change), read the results by `custom_id`, run the synthesis over the succeeded answers with
//! the gaps named (the page's prompt, [`synthesis_prompt`](crate::engine::synthesis_prompt)),
//! and write one results file that the page imports.

use super::{string_literal, BatchJob, RESULTS_FILE, RESULTS_FORMAT};

/// The name to save the program under.
pub const FILE_NAME: &str = "batch_research.py";

/// The program for `job`.
pub fn program(job: &BatchJob) -> String {
    let questions: Vec<String> = job.questions.iter().map(|q| string_literal(q)).collect();
    let requests: Vec<String> = job
        .requests
        .iter()
        .map(|r| {
            format!(
                "    ({}, {}, {}),\n",
                string_literal(&r.custom_id),
                r.question,
                string_literal(&r.prompt)
            )
        })
        .collect();
    let system = job
        .requests
        .first()
        .and_then(|r| r.system_prompt.as_deref())
        .map_or("None".to_string(), string_literal);
    let temperature = job
        .temperature
        .map_or("None".to_string(), |t| format!("{t:?}"));
    let substitute = if job.model_substituted {
        "# The page ran its offline simulated model; this model stands in for it.\n"
    } else {
        ""
    };
    TEMPLATE
        .replace("__SUBSTITUTE__", substitute)
        .replace("__MODEL__", &string_literal(&job.model))
        .replace("__MAX_TOKENS__", &job.max_tokens.to_string())
        .replace("__TEMPERATURE__", &temperature)
        .replace("__SYSTEM__", &system)
        .replace(
            "__SYNTHESIS__",
            &string_literal(&job.synthesis_instructions),
        )
        .replace("__QUORUM__", &job.quorum.to_string())
        .replace(
            "__QUESTIONS__",
            &format!("[\n    {},\n]", questions.join(",\n    ")),
        )
        .replace("__REQUESTS__", &format!("[\n{}]", requests.concat()))
        .replace("__RESULTS_FILE__", RESULTS_FILE)
        .replace("__FORMAT__", RESULTS_FORMAT)
}

const TEMPLATE: &str = r#""""Parallel Playground: the research questions as one Message Batch.

Creates the batch (one request per question, named by custom_id), polls it with backoff
until it has ended, printing the request counts as they change, reads the results, asks
for the synthesis of the answers that succeeded (the failed ones are named as gaps) and
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
import os
import sys
import time

import anthropic

__SUBSTITUTE__MODEL = __MODEL__
MAX_TOKENS = __MAX_TOKENS__
TEMPERATURE = __TEMPERATURE__
SYSTEM_PROMPT = __SYSTEM__
SYNTHESIS_INSTRUCTIONS = __SYNTHESIS__
QUORUM = __QUORUM__  # fewest answers the synthesis needs
QUESTIONS = __QUESTIONS__
# (custom_id, question index, prompt): q<i> per question; q<i>-<V> and q<i>-s<k> would be
# variants and voting samples of the same question.
REQUESTS = __REQUESTS__
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


def params(prompt: str) -> dict:
    """The Messages API parameters of one request."""
    request = {
        "model": MODEL,
        "max_tokens": MAX_TOKENS,
        "messages": [{"role": "user", "content": prompt}],
    }
    if SYSTEM_PROMPT:
        request["system"] = SYSTEM_PROMPT
    if TEMPERATURE is not None:
        request["temperature"] = TEMPERATURE
    return request


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


def synthesize(client: anthropic.Anthropic, outcomes: list[dict]) -> dict:
    answered = sum(o["status"] == "succeeded" for o in outcomes)
    if answered < QUORUM:
        why = (
            f"No synthesis: only {answered} of {len(outcomes)} answers succeeded, "
            f"and the quorum asks for at least {QUORUM}."
        )
        log(why)
        return {"status": "skipped", "reason": why}
    log(f"Synthesizing {answered} of {len(outcomes)} answers")
    options = {} if TEMPERATURE is None else {"temperature": TEMPERATURE}
    try:
        message = client.messages.create(
            model=MODEL,
            max_tokens=MAX_TOKENS,
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


def main() -> int:
    client = anthropic.Anthropic()
    batch = client.messages.batches.create(
        requests=[{"custom_id": cid, "params": params(prompt)} for cid, _, prompt in REQUESTS]
    )
    log(f"Created batch {batch.id} with {len(REQUESTS)} requests")
    batch = wait_until_ended(client, batch)
    found = read_results(client, batch.id)
    results = [found.get(cid, {"custom_id": cid, "status": "missing"}) for cid, _, _ in REQUESTS]
    for entry in results:
        log(f"{entry['custom_id']}: {entry['status']}")
    # The synthesis merges one answer per question: the first request of each (q<i>).
    first = {}
    for (cid, question, _), entry in zip(REQUESTS, results):
        first.setdefault(question, entry)
    outcomes = [first.get(i, {"status": "missing"}) for i in range(len(QUESTIONS))]
    synthesis = synthesize(client, outcomes)
    if synthesis["status"] == "done":
        print(f"\n{synthesis['text']}\n", flush=True)
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
        "synthesis": synthesis,
    }
    with open(RESULTS_FILE, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2, ensure_ascii=False)
    log(f"Wrote {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunPlan;

    #[test]
    fn program_carries_the_set_up_as_python_literals() {
        let plan = RunPlan {
            questions: vec!["Why \"this\"?".into(), "How\nso?".into()],
            quorum: 2,
            ..RunPlan::default()
        };
        let text = program(&BatchJob::from_plan(&plan));
        assert!(text.contains(r#"("q1", 1, "How\nso?"),"#));
        assert!(text.contains("QUORUM = 2"));
        assert!(text.contains("SYSTEM_PROMPT = None"));
        assert!(text.contains("stands in for it"));
        for placeholder in ["__MODEL__", "__QUESTIONS__", "__REQUESTS__", "__FORMAT__"] {
            assert!(!text.contains(placeholder), "{placeholder} was left");
        }
    }
}
