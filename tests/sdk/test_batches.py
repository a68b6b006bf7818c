"""The official SDKs' batch methods against the mock's batch APIs (tests/mock-api/src/batches*.rs).

The mock processes a batch in ``x-mock-batch-ms`` milliseconds (or the largest ``batch_ms=``
control of its requests); request outcomes come from the usual controls (``errors=529`` →
errored) and ``outcome=canceled|expired``.
"""

from __future__ import annotations

import io
import json
import time

import anthropic
import openai

FAST = {"x-mock-batch-ms": "300"}
POLL_S = 0.05
POLL_LIMIT = 200


def anthropic_client(mock) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key="test-key", default_headers=FAST)


def openai_client(mock) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="test-key", default_headers=FAST)


def message_request(custom_id: str, model: str, text: str) -> dict:
    return {
        "custom_id": custom_id,
        "params": {
            "model": model,
            "max_tokens": 64,
            "messages": [{"role": "user", "content": text}],
        },
    }


def wait_until(read, done):
    """Calls ``read()`` until ``done(value)``; every value seen."""
    seen = []
    for _ in range(POLL_LIMIT):
        value = read()
        seen.append(value)
        if done(value):
            return seen
        time.sleep(POLL_S)
    raise AssertionError(f"never finished: {seen[-1]!r}")


def test_anthropic_sdk_creates_polls_and_reads_results_by_custom_id(mock):
    client = anthropic_client(mock)
    batch = client.messages.batches.create(
        requests=[
            message_request("q0", "mock?tokens=9", "Why is the sky blue?"),
            message_request("q1", "mock?errors=529", "Why is grass green?"),
            message_request("q2", "mock?outcome=expired", "Why is snow white?"),
        ]
    )
    assert batch.id.startswith("msgbatch_")
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 3
    polls = wait_until(
        lambda: client.messages.batches.retrieve(batch.id),
        lambda b: b.processing_status == "ended",
    )
    processing = [b.request_counts.processing for b in polls]
    assert processing == sorted(processing, reverse=True)
    ended = polls[-1]
    assert (ended.request_counts.succeeded, ended.request_counts.errored) == (1, 1)
    assert ended.request_counts.expired == 1
    assert ended.ended_at is not None and ended.results_url

    results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
    assert set(results) == {"q0", "q1", "q2"}
    assert results["q0"].type == "succeeded"
    assert "sky" in results["q0"].message.content[0].text
    assert results["q0"].message.usage.output_tokens == 9
    assert results["q1"].type == "errored"
    assert results["q1"].error.error.type == "overloaded_error"
    assert results["q2"].type == "expired"


def test_anthropic_sdk_cancels_and_lists(mock):
    client = anthropic.Anthropic(
        base_url=mock.url, api_key="test-key", default_headers={"x-mock-batch-ms": "60000"}
    )
    batch = client.messages.batches.create(
        requests=[message_request("a", "mock", "One"), message_request("b", "mock", "Two")]
    )
    canceling = client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    ended = wait_until(
        lambda: client.messages.batches.retrieve(batch.id),
        lambda b: b.processing_status == "ended",
    )[-1]
    assert ended.request_counts.canceled == 2
    assert [r.result.type for r in client.messages.batches.results(batch.id)] == [
        "canceled",
        "canceled",
    ]
    assert batch.id in [b.id for b in client.messages.batches.list(limit=10)]


def test_openai_sdk_uploads_a_file_runs_the_batch_and_reads_both_files(mock):
    client = openai_client(mock)
    lines = [
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": model,
                "max_tokens": 20,
                "messages": [{"role": "user", "content": "Why run it as a batch?"}],
            },
        }
        for custom_id, model in [("q0", "mock?tokens=4"), ("q1", "mock?errors=500")]
    ]
    jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
    uploaded = client.files.create(file=("requests.jsonl", io.BytesIO(jsonl)), purpose="batch")
    assert uploaded.purpose == "batch" and uploaded.bytes == len(jsonl)

    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "in_progress"
    done = wait_until(
        lambda: client.batches.retrieve(batch.id),
        lambda b: b.status in ("completed", "failed", "expired", "cancelled"),
    )[-1]
    assert done.status == "completed"
    assert (done.request_counts.total, done.request_counts.completed) == (2, 1)

    output = [json.loads(l) for l in client.files.content(done.output_file_id).text.splitlines()]
    assert [o["custom_id"] for o in output] == ["q0"]
    assert output[0]["response"]["body"]["usage"]["completion_tokens"] == 4
    errors = [json.loads(l) for l in client.files.content(done.error_file_id).text.splitlines()]
    assert errors[0]["custom_id"] == "q1"
    assert errors[0]["response"]["status_code"] == 500
    assert batch.id in [b.id for b in client.batches.list(limit=5)]


def test_openai_sdk_cancel_marks_every_unfinished_request(mock):
    client = openai.OpenAI(
        base_url=mock.url + "/v1", api_key="k", default_headers={"x-mock-batch-ms": "60000"}
    )
    line = {
        "custom_id": "q0",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "mock", "messages": [{"role": "user", "content": "Hi"}]},
    }
    uploaded = client.files.create(
        file=("r.jsonl", io.BytesIO((json.dumps(line) + "\n").encode())), purpose="batch"
    )
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert client.batches.cancel(batch.id).status == "cancelling"
    done = wait_until(lambda: client.batches.retrieve(batch.id), lambda b: b.status == "cancelled")[-1]
    errors = client.files.content(done.error_file_id).text.splitlines()
    assert json.loads(errors[0])["error"]["code"] == "batch_cancelled"


# --- The exported batch programs (src/batch, `cargo run --example export_batch`) end to end ---

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "tests" / "codegen"
# The synthesis answers with its own prompt (echo=1), so the results file shows what it was asked.
BATCH_MODEL = "mock?batch_ms=600&echo=1"
QUESTIONS = [
    "What are the top 3 attractions in Paris?",
    "What is the best way to get around Paris? [[mock outcome=expired]]",
    "What local customs should visitors to Paris know? [[mock outcome=errored]]",
    "Where should visitors eat in Paris?",
]


def export_batch(out: Path, model: str = BATCH_MODEL, questions=QUESTIONS, quorum=2) -> Path:
    cargo = shutil.which("cargo") or "cargo"
    command = [cargo, "run", "--quiet", "--example", "export_batch", "--", "--out", str(out)]
    command += ["--model", model, "--questions", json.dumps(questions), "--quorum", str(quorum)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"export_batch failed:\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_batch(tmp_path_factory.mktemp("batch-export"))


def run_batch_program(language: str, folder: Path, mock) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=mock.url, ANTHROPIC_API_KEY="test-key", BATCH_POLL_SECONDS="0.1")
    if language == "python":
        command = [sys.executable, str(folder / "batch_research.py")]
    else:
        if not (NODE_DIR / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
            message = "tests/codegen/node_modules is missing: run `npm ci` in tests/codegen"
            if os.environ.get("CODEGEN_REQUIRE_NODE"):
                pytest.fail(message)
            pytest.skip(message)
        link = folder / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
        command = [str(NODE_DIR / "node_modules" / ".bin" / "tsx"), str(folder / "batch-research.ts")]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_exported_program_creates_polls_reads_and_synthesizes(language, exported, mock, tmp_path):
    folder = tmp_path / language
    shutil.copytree(exported, folder)
    run = run_batch_program(language, folder, mock)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"

    # created → polled (counts printed as they change) → ended
    lines = run.stdout.splitlines()
    created = next(i for i, l in enumerate(lines) if "Created batch msgbatch_" in l)
    progress = [l for l in lines if "processing," in l]
    assert progress[0].split("] ", 1)[1].startswith("in_progress: 4 processing")
    assert progress[-1].split("] ", 1)[1].startswith("ended: 0 processing, 2 succeeded, 1 errored")
    assert len(progress) >= 3, "the counts changed while polling"
    assert created < lines.index(progress[0])

    paths = [e["path"] for e in mock.requests()]
    assert paths[0] == "/v1/messages/batches"
    assert "/v1/messages/batches/{id}/results" in paths
    assert paths[-1] == "/v1/messages", "the synthesis comes last"

    report = json.loads((folder / "batch_results.json").read_text(encoding="utf-8"))
    assert report["format"] == "parallel-playground-batch-results"
    assert [r["custom_id"] for r in report["results"]] == ["q0", "q1", "q2", "q3"]
    assert [r["status"] for r in report["results"]] == [
        "succeeded", "expired", "errored", "succeeded",
    ]
    assert report["results"][2]["error"] == "api_error: Internal server error (mock)"
    assert report["ended_at_ms"] >= report["created_at_ms"]
    synthesis = report["synthesis"]
    assert synthesis["status"] == "done"
    # The page's synthesis prompt: answers in order, the gaps named with their sentence.
    text = synthesis["text"]
    assert "2 of 4 questions have an answer" in text
    assert "### Question 1: What are the top 3 attractions in Paris?" in text
    assert "### Missing 2:" in text and "The batch expired (24 hours)" in text
    assert "### Missing 3:" in text and "failed inside the batch: api_error" in text
    assert text.index("### Question 1") < text.index("### Missing 2") < text.index("### Question 4")


def test_exported_program_skips_the_synthesis_below_the_quorum(mock, tmp_path):
    folder = export_batch(
        tmp_path / "q", questions=["Why? [[mock outcome=canceled]]", "How?"], quorum=2
    )
    run = run_batch_program("python", folder, mock)
    assert run.returncode == 0, run.stderr
    report = json.loads((folder / "batch_results.json").read_text(encoding="utf-8"))
    assert report["synthesis"]["status"] == "skipped"
    assert "only 1 of 2 answers succeeded" in report["synthesis"]["reason"]
    assert [e["path"] for e in mock.requests()][-1] != "/v1/messages"


def test_exported_request_files_are_accepted_by_both_batch_apis(exported, mock):
    requests = json.loads((exported / "batch_requests.json").read_text(encoding="utf-8"))
    batch = anthropic_client(mock).messages.batches.create(requests=requests["requests"])
    assert batch.request_counts.processing == len(QUESTIONS)
    client = openai_client(mock)
    uploaded = client.files.create(
        file=("batch_requests.jsonl", (exported / "batch_requests.jsonl").read_bytes()),
        purpose="batch",
    )
    created = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert created.request_counts.total == len(QUESTIONS)


# --- Variants and voting samples in the exported programs ---

VARIANT_B = {"model": "mock?batch_ms=600&tokens=5", "system_prompt": "Be brief.", "max_tokens": 99}


def export_with(out: Path, *extra: str, questions=QUESTIONS, quorum=2) -> Path:
    cargo = shutil.which("cargo") or "cargo"
    command = [cargo, "run", "--quiet", "--example", "export_batch", "--", "--out", str(out)]
    command += ["--model", BATCH_MODEL, "--questions", json.dumps(questions), "--quorum", str(quorum)]
    command += list(extra)
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"export_batch failed:\n{result.stderr}"
    return out


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_exported_program_with_variants_synthesizes_each_variant_over_its_own_answers(
    language, mock, tmp_path
):
    folder = export_with(tmp_path / language, "--variants", json.dumps([VARIANT_B]))
    requests = json.loads((folder / "batch_requests.json").read_text(encoding="utf-8"))["requests"]
    b_params = next(r["params"] for r in requests if r["custom_id"] == "q0-B")
    assert (b_params["model"], b_params["system"], b_params["max_tokens"]) == (
        VARIANT_B["model"], "Be brief.", 99,
    )
    run = run_batch_program(language, folder, mock)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert "in_progress: 8 processing" in run.stdout

    report = json.loads((folder / "batch_results.json").read_text(encoding="utf-8"))
    ids = [r["custom_id"] for r in report["results"]]
    assert ids == ["q0", "q1", "q2", "q3", "q0-B", "q1-B", "q2-B", "q3-B"]
    statuses = {r["custom_id"]: r["status"] for r in report["results"]}
    assert (statuses["q1-B"], statuses["q2-B"], statuses["q3-B"]) == ("expired", "errored", "succeeded")
    b_answer = next(r for r in report["results"] if r["custom_id"] == "q0-B")
    assert b_answer["output_tokens"] == 5, "variant B's own model answered"

    syntheses = report["syntheses"]
    assert set(syntheses) == {"A", "B"}
    assert report["synthesis"] == syntheses["A"]
    # A's model echoes its prompt; B's answers in five words with its own model.
    assert "2 of 4 questions have an answer" in syntheses["A"]["text"]
    assert syntheses["B"]["status"] == "done" and syntheses["B"]["output_tokens"] == 5
    paths = [e["path"] for e in mock.requests()]
    assert paths[-2:] == ["/v1/messages", "/v1/messages"], "one synthesis per variant, last"


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_exported_program_with_voting_samples_takes_each_questions_majority(language, mock, tmp_path):
    questions = [
        "Compute forty plus two; the answer is 42",
        "How many days has a week? 7 [[mock outcome=expired]]",
    ]
    folder = export_with(tmp_path / language, "--samples", "3", questions=questions)
    run = run_batch_program(language, folder, mock)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    report = json.loads((folder / "batch_results.json").read_text(encoding="utf-8"))
    ids = [r["custom_id"] for r in report["results"]]
    assert ids == ["q0-s0", "q0-s1", "q0-s2", "q1-s0", "q1-s1", "q1-s2"]
    assert "synthesis" not in report, "voting's result is the majority"
    votes = {v["question"]: v for v in report["votes"]}
    assert (votes[0]["winner"], votes[0]["agreement"], votes[0]["voted"]) == ("42", 1.0, 3)
    assert (votes[1]["winner"], votes[1]["abstained"]) == (None, 3)
    assert [e["path"] for e in mock.requests()][-1] != "/v1/messages", "no synthesis call"
