"""The exported programs with variants run against the mock: one block per variant, each
variant's requests with its own model, system prompt and max tokens (an OpenAI-compatible one
through the `openai` SDK), every answer printed and labelled, each variant's figures, and the
variants together (their calls overlap) or one after the other (they do not).

The mock tells the variants apart by their model strings; it caps an answer at the request's
max_tokens and counts input tokens as the characters of the system prompt and the messages / 4,
rounded up, which proves what each request carried. Helpers from test_generated_code.py.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import shutil
import subprocess
import sys

import pytest

from test_generated_code import (
    NODE_DIR,
    RUN_TIMEOUT_S,
    export,
    node_bin,
    program_env,
    require_node,
)

LANGUAGES = ["python", "typescript"]
QUESTIONS = ["Variant question one?", "Variant question two?"]
# Different first-token delays tell the variants apart in the mock's log.
MODEL_A = "mock?ttft=500&tps=0&tokens=8"
MODEL_B = "mock?ttft=501&tps=0&tokens=40"
MODEL_C = "mock?ttft=502&tps=0&tokens=8"
SYSTEM_B = "Answer in one line, as a careful reviewer would."
SYSTEM_C = "You are a small local model."
VARIANT_B = {
    "provider": "anthropic",
    "model": MODEL_B,
    "system_prompt": SYSTEM_B,
    "max_tokens": 5,
}
VARIANT_C = {
    "provider": "openai",
    "model": MODEL_C,
    "system_prompt": SYSTEM_C,
    "max_tokens": 50,
    "temperature": 0.3,
}
PLAN = {"questions": QUESTIONS, "concurrency_limit": None, "mode": "parallel"}


def input_tokens(*texts: str) -> int:
    """Input tokens as the mock counts them: characters / 4, rounded up, at least 1."""
    return max(1, math.ceil(sum(len(t) for t in texts) / 4))


def export_variants(tmp_path, others: list[dict], timing: str, plan=PLAN):
    variants = json.dumps({"timing": timing, "others": others})
    return export(tmp_path / "programs", MODEL_A, dict(plan), variants_json=variants)


def run_variants(language: str, programs, mock) -> subprocess.CompletedProcess:
    env = program_env(mock)
    env["OPENAI_BASE_URL"] = mock.url + "/v1"
    env["OPENAI_API_KEY"] = "test-key"
    if language == "python":
        command = [sys.executable, str(programs / "parallel_research.py")]
    else:
        require_node()
        if not (NODE_DIR / "node_modules" / "openai").is_dir():
            pytest.skip("tests/codegen/node_modules lacks openai: run `npm ci` there")
        link = programs / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
        command = [node_bin("tsx"), str(programs / "parallel-research.ts")]
    return subprocess.run(
        command,
        cwd=programs,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT_S,
    )


def explain(run: subprocess.CompletedProcess) -> str:
    return f"exit {run.returncode}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"


def system_of_variant_a(programs) -> str:
    """Variant A's system prompt, read from the Python program's VARIANTS block."""
    spec = importlib.util.spec_from_file_location(
        "variants_program", programs / "parallel_research.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert [v.letter for v in module.VARIANTS] == ["A", "B", "C"][: len(module.VARIANTS)]
    return module.VARIANTS[0].system_prompt or ""


def by_model(mock) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for request in mock.requests():
        found.setdefault(request["model"], []).append(request)
    return found


def span(requests: list[dict]) -> tuple[float, float]:
    return (
        min(r["received_at_ms"] for r in requests),
        max(r["ended_at_ms"] for r in requests),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_variant_calls_with_its_own_model_system_prompt_and_max_tokens(
    language, mock, tmp_path
):
    programs = export_variants(tmp_path, [VARIANT_B, VARIANT_C], "same_time")
    run = run_variants(language, programs, mock)
    assert run.returncode == 0, explain(run)
    requests = by_model(mock)
    assert sorted(requests) == sorted([MODEL_A, MODEL_B, MODEL_C]), requests.keys()
    system_a = system_of_variant_a(programs)
    for model, system, path, tokens_out in (
        (MODEL_A, system_a, "/v1/messages", 8),
        (MODEL_B, SYSTEM_B, "/v1/messages", 5),  # max_tokens 5 cuts the 40-token answer
        (MODEL_C, SYSTEM_C, "/v1/chat/completions", 8),
    ):
        calls = requests[model]
        assert len(calls) == len(QUESTIONS) + 1, calls  # the questions and the synthesis
        assert all(r["status"] == 200 and r["path"] == path for r in calls), calls
        assert all(r["output_tokens"] == tokens_out for r in calls), (model, calls)
        # The research calls carry the variant's system prompt; the synthesis none.
        research = sorted(r["input_tokens"] for r in calls)[: len(QUESTIONS)]
        expected = sorted(input_tokens(system, q) for q in QUESTIONS)
        assert research == expected, (model, research, expected)
    out = run.stdout
    for letter, model in (("A", MODEL_A), ("B", MODEL_B), ("C", MODEL_C)):
        for number in range(1, len(QUESTIONS) + 1):
            answer = re.findall(rf"^\[{letter}\] q{number} \| (.+)$", out, re.M)
            assert answer and answer[0].strip(), (letter, number, out)
            assert re.search(rf"\[{letter}\] q{number} answered \(\d+\.\d\d s", out), out
        assert f"[{letter}] parallel synthesis:" in out, out
        tokens = sum(r["output_tokens"] for r in requests[model])
        figures = re.search(
            rf"^\[{letter}\] {re.escape(model)} parallel: wall ([\d.]+) s, sum ([\d.]+) s, "
            rf"tokens in (\d+) / out (\d+), 2 of 2 answered$",
            out,
            re.M,
        )
        assert figures, out
        assert int(figures.group(4)) == tokens, (figures.group(0), tokens)
        assert int(figures.group(3)) == sum(r["input_tokens"] for r in requests[model])


@pytest.mark.parametrize("language", LANGUAGES)
def test_variants_together_overlap_and_one_after_the_other_do_not(language, mock, tmp_path):
    together = export_variants(tmp_path / "together", [VARIANT_B], "same_time")
    run = run_variants(language, together, mock)
    assert run.returncode == 0, explain(run)
    requests = by_model(mock)
    a_start, a_end = span(requests[MODEL_A])
    b_start, b_end = span(requests[MODEL_B])
    # Together: B starts while A is still running (and the other way round).
    assert b_start < a_end and a_start < b_end, (a_start, a_end, b_start, b_end)
    assert abs(a_start - b_start) < 300, (a_start, b_start)

    mock.reset()
    apart = export_variants(tmp_path / "apart", [VARIANT_B], "one_after_the_other")
    run = run_variants(language, apart, mock)
    assert run.returncode == 0, explain(run)
    requests = by_model(mock)
    a_start, a_end = span(requests[MODEL_A])
    b_start, b_end = span(requests[MODEL_B])
    # One after the other: B's first call starts after A's synthesis has ended.
    assert b_start >= a_end, (a_start, a_end, b_start, b_end)


@pytest.mark.parametrize("language", LANGUAGES)
def test_rounds_with_variants_print_each_variants_percentiles(language, mock, tmp_path):
    plan = {**PLAN, "rounds": 3}
    programs = export_variants(tmp_path, [VARIANT_B], "same_time", plan)
    run = run_variants(language, programs, mock)
    assert run.returncode == 0, explain(run)
    out = run.stdout
    assert re.findall(r"Round (\d) of 3", out) == ["1", "2", "3"], out
    assert len(mock.requests()) == 3 * 2 * (len(QUESTIONS) + 1)
    for letter in "AB":
        wall = rf"^\[{letter}\] parallel wall time: ([\d.]+) s"
        walls = [float(w) for w in re.findall(wall, out, re.M)]
        assert len(walls) == 3, out
        line = re.search(rf"^\[{letter}\] parallel wall time over 3 rounds: (.*)$", out, re.M)
        assert line, out
        ordered = sorted(walls)
        assert line.group(1).startswith(f"p50 {ordered[1]:.2f} s"), (line.group(1), walls)
        assert line.group(1).endswith(f"max {ordered[2]:.2f} s"), (line.group(1), walls)


def test_the_rust_program_says_it_runs_variant_a_only(tmp_path):
    programs = export_variants(tmp_path, [VARIANT_B], "same_time")
    rust = (programs / "rust" / "src" / "main.rs").read_text(encoding="utf-8")
    prose = " ".join(re.sub(r"^\s*//[!/]?", "", line) for line in rust.splitlines())
    assert "variants B to D are not part of this program" in " ".join(prose.split())
    assert MODEL_A in rust and MODEL_B not in rust


def test_the_typescript_programs_with_variants_type_check_and_are_prettier_formatted(
    tmp_path,
):
    require_node()
    folder = tmp_path / "ts"
    folder.mkdir()
    (folder / "node_modules").symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
    long_system = {**VARIANT_B, "system_prompt": SYSTEM_B * 3, "temperature": 0.5}
    cases = {
        "mixed": ([long_system, VARIANT_C], "same_time", {**PLAN, "mode": "compare"}),
        "apart": ([VARIANT_B], "one_after_the_other", {**PLAN, "rounds": 2}),
    }
    names = []
    for name, (others, timing, plan) in cases.items():
        programs = export_variants(tmp_path / name, others, timing, plan)
        shutil.copy(programs / "parallel-research.ts", folder / f"{name}.ts")
        names.append(f"{name}.ts")
    tsconfig = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "noUnusedLocals": True,
            "noUnusedParameters": True,
            "target": "es2022",
            "module": "nodenext",
            "moduleResolution": "nodenext",
            "types": ["node"],
            "skipLibCheck": True,
        },
        "include": names,
    }
    (folder / "tsconfig.json").write_text(json.dumps(tsconfig))
    tsc = subprocess.run(
        [node_bin("tsc"), "-p", str(folder)], capture_output=True, text=True, cwd=folder
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    prettier = subprocess.run(
        [node_bin("prettier"), "--check", *names], capture_output=True, text=True, cwd=folder
    )
    assert prettier.returncode == 0, prettier.stdout + prettier.stderr
