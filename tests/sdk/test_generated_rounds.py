"""The exported programs repeat the run for its rounds against the mock: one round after the
other, each timed, then p50/p95/p99/max of each run's wall time, nearest-rank as the page
computes them. Helpers from test_generated_code.py."""

from __future__ import annotations

import math
import re

import pytest

from test_generated_code import plan_programs, run_program

ROUND_LANGUAGES = ["python", "typescript"]
QUESTIONS = ["Round question one?", "Round question two?"]


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


@pytest.mark.parametrize("language", ROUND_LANGUAGES)
def test_rounds_repeat_the_compare_and_print_its_percentiles(language, mock, tmp_path):
    plan = {
        "questions": QUESTIONS,
        "system_prompt": None,
        "concurrency_limit": None,
        "mode": "compare",
        "rounds": 4,
    }
    programs = plan_programs(tmp_path, "mock?ttft=150&tps=300&tokens=6", plan)
    run = run_program(language, programs, mock, crate=None)
    assert run.returncode == 0, run.explain()
    out = run.stdout
    # Four rounds, in order, each timed; each round runs both groups (3 calls each).
    assert re.findall(r"Round (\d) of 4", out) == ["1", "2", "3", "4"], out
    took = [float(s) for s in re.findall(r"Round \d took ([\d.]+) s", out)]
    assert len(took) == 4, out
    assert len(mock.requests()) == 4 * 2 * (len(QUESTIONS) + 1)
    # Rounds never overlap: each round's first request comes after the previous round's last.
    times = sorted(r["received_at_ms"] for r in mock.requests())
    per_round = 2 * (len(QUESTIONS) + 1)
    for k in range(1, 4):
        assert times[k * per_round] >= times[k * per_round - 1]
    walls = [float(s) for s in re.findall(r"Wall time: ([\d.]+) s", out)]
    assert len(walls) == 8, out
    for name, values in (("sequential", walls[0::2]), ("parallel", walls[1::2])):
        line = re.search(rf"^{name} wall time over 4 rounds: (.*)$", out, re.M)
        assert line, out
        expected = ", ".join(f"p{p} {nearest_rank(values, p):.2f} s" for p in (50, 95, 99))
        assert line.group(1) == f"{expected}, max {max(values):.2f} s", (line.group(1), values)


def test_the_rust_program_says_it_runs_once(tmp_path):
    programs = plan_programs(tmp_path, "claude-haiku-4-5", {"rounds": 3})
    rust = (programs / "rust" / "src" / "main.rs").read_text(encoding="utf-8")
    # The header comment wraps its lines: read it as one.
    prose = " ".join(re.sub(r"^\s*//[!/]?", "", line) for line in rust.splitlines())
    assert "rounds are not part of this program" in " ".join(prose.split())
    python = (programs / "parallel_research.py").read_text(encoding="utf-8")
    assert "ROUNDS = 3" in python
