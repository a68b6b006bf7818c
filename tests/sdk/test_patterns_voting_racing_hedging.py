"""The pattern programs (src/codegen/patterns.rs: voting, racing, hedging) run against the mock.

Each test exports the programs with ``cargo run --example export_pattern`` and runs the Python
one with this venv's interpreter and the TypeScript one on Node (``tests/codegen/node_modules``;
skipped without it unless ``CODEGEN_REQUIRE_NODE`` is set).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from test_generated_code import NODE_DIR, REPO_ROOT, RUN_TIMEOUT_S, BUILD_TIMEOUT_S, Run
from test_generated_code import cargo, node_bin, program_env, require_node

LANGUAGES = ["python", "typescript"]


def export(out: Path, model: str, plan: dict) -> Path:
    command = [cargo(), "run", "--quiet", "--example", "export_pattern", "--"]
    command += ["--out", str(out), "--model", model, "--plan-json", json.dumps(plan)]
    result = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
    )
    assert result.returncode == 0, f"export_pattern failed:\n{result.stderr}"
    return out


def run(language: str, programs: Path, mock) -> Run:
    if language == "python":
        command = [sys.executable, str(programs / "pattern.py")]
    else:
        require_node()
        link = programs / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
        command = [node_bin("tsx"), str(programs / "pattern.ts")]
    result = subprocess.run(
        command,
        cwd=programs,
        env=program_env(mock),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT_S,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def requests_of(mock, model: str) -> list[dict]:
    return [r for r in mock.requests() if r.get("model") == model]


@pytest.mark.parametrize("language", LANGUAGES)
def test_voting_asks_n_samples_and_prints_the_majority(language, mock, tmp_path):
    plan = {
        "base": {"questions": ["The result is 42"]},
        "settings": {"pattern": "voting", "samples": 5, "extraction": {"kind": "number"}},
    }
    # The mock echoes the question; each language gets a model name (and log) of its own.
    model = f"mock?ttft={50 + LANGUAGES.index(language)}&tps=0&tokens=8&echo=1"
    programs = export(tmp_path, model, plan)
    result = run(language, programs, mock)
    assert result.returncode == 0, result.explain()
    assert len(result.events("Answered")) == 5, result.explain()
    assert "Majority: 42 (5 of 5 votes, agreement 1.00)" in result.stdout, result.explain()
    assert len(requests_of(mock, model)) == 5


@pytest.mark.parametrize("language", LANGUAGES)
def test_racing_keeps_the_first_answer_and_closes_the_others(language, mock, tmp_path):
    # The first request of this model answers after 100 ms, the others after 3 s.
    model = f"mock?ttfts=100,3000,3000&tps=0&tokens=8&ttft={LANGUAGES.index(language)}"
    plan = {"base": {"questions": ["Race me"]}, "settings": {"pattern": "racing", "samples": 3}}
    programs = export(tmp_path, model, plan)
    result = run(language, programs, mock)
    assert result.returncode == 0, result.explain()
    assert "Winner: contestant" in result.stdout, result.explain()
    assert len(result.events("Answered")) == 1, result.explain()
    assert len(result.events("Cancelled")) == 2, result.explain()
    log = requests_of(mock, model)
    assert len(log) == 3
    assert sum(1 for r in log if r["completed"]) == 1
    assert sum(1 for r in log if r["client_disconnected"]) == 2, log


@pytest.mark.parametrize("language", LANGUAGES)
def test_hedging_sends_one_backup_for_the_slow_call(language, mock, tmp_path):
    # The second request to arrive is slow (4 s); its backup (request 4) answers at once.
    model = f"mock?ttfts=100,4000,100,100&tps=0&tokens=8&ttft={LANGUAGES.index(language)}"
    plan = {
        "base": {"questions": ["a?", "b?", "c?"]},
        "settings": {"pattern": "hedging", "samples": 3, "hedge_after_ms": 500},
    }
    programs = export(tmp_path, model, plan)
    result = run(language, programs, mock)
    assert result.returncode == 0, result.explain()
    assert "Hedged: 1 of 3 calls got a backup" in result.stdout, result.explain()
    backups = [e for e in result.events("Asking") if e.text.startswith("backup ")]
    assert len(backups) == 1, result.explain()
    assert backups[0].at >= 0.45, result.explain()
    assert result.at("Answered", backups[0].text) < 2.0, result.explain()
    log = requests_of(mock, model)
    assert len(log) == 4
    assert sum(1 for r in log if r["client_disconnected"]) == 1, log
