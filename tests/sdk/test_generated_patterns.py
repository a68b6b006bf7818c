"""The map-reduce and cached-prefix programs (src/codegen/patterns_map_cache.rs) against the mock.

They are exported with ``cargo run --example export_pattern_code`` and run with this venv's
Python (official ``anthropic`` SDK) and, when ``tests/codegen/node_modules`` is there, on Node
with ``@anthropic-ai/sdk`` through tsx.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "tests" / "codegen"
MODEL = "mock?ttft=200&tps=200&tokens=12"
EVENT = re.compile(r"^\[\s*(\d+\.\d+)s\] (Asking|Answered): level (\d+), (.*)$")


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pattern-programs")
    command = [shutil.which("cargo") or "cargo", "run", "--quiet", "--example"]
    command += ["export_pattern_code", "--", "--out", str(out), "--model", MODEL]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return out


def run(programs: Path, mock, name: str, language: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=mock.url, ANTHROPIC_API_KEY="test-key")
    if language == "python":
        command = [sys.executable, str(programs / f"{name.replace('-', '_')}.py")]
    else:
        if not (NODE_DIR / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
            pytest.skip("tests/codegen/node_modules is missing: run `npm ci` in tests/codegen")
        link = programs / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
        command = [str(NODE_DIR / "node_modules" / ".bin" / "tsx"), str(programs / f"{name}.ts")]
    result = subprocess.run(
        command, cwd=programs, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_map_reduce_starts_each_level_after_the_level_below(programs, mock, language):
    out = run(programs, mock, "map-reduce", language)
    # Level by level (fan-in 2 over the sample's chunks): every merge asks after the level
    # below has answered the calls it merges; with fan-in 2 the last answer of level k comes
    # before the first question of level k + 2 at the latest, and the top merge asks last.
    events = [EVENT.match(line) for line in out.splitlines()]
    events = [(float(m.group(1)), m.group(2), int(m.group(3))) for m in events if m]
    levels = sorted({level for _, _, level in events})
    assert len(levels) >= 3, out
    for level in levels[1:]:
        first_ask = min(t for t, kind, lv in events if kind == "Asking" and lv == level)
        first_answer_below = min(t for t, kind, lv in events if kind == "Answered" and lv == level - 1)
        assert first_ask >= first_answer_below, out
    top = levels[-1]
    top_ask = min(t for t, kind, lv in events if kind == "Asking" and lv == top)
    assert all(t <= top_ask for t, kind, lv in events if kind == "Answered" and lv < top), out
    assert "Baseline (one call)" in out and "## Map-reduce" in out


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_cached_prefix_cold_writes_every_time_and_warm_writes_once(programs, mock, language):
    out = run(programs, mock, "cached-prefix", language)
    assert "cold fan-out: 4 calls, cache writes 4, cache reads 0" in out, out
    assert "warm then fan-out: 4 calls, cache writes 1, cache reads 3" in out, out
    units = [int(u) for u in re.findall(r"input cost (\d+) token-price units", out)]
    assert len(units) == 2 and units[1] < units[0], out
    log = mock.requests()
    marked = [e for e in log if e.get("cache_creation_input_tokens") or e.get("cache_read_input_tokens")]
    assert len(marked) == 8, log
