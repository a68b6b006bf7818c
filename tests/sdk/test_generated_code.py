"""The "Show me the code" programs (src/codegen) run against the mock API.

Each test exports the programs with ``cargo run --example export_code`` and runs them: the
Python one with this venv's interpreter and the official ``anthropic`` SDK, the TypeScript one
on Node with ``@anthropic-ai/sdk`` (through tsx), and the Rust crate built with cargo in the
shared target folder ``target/codegen-check``. ``ANTHROPIC_BASE_URL`` and ``ANTHROPIC_API_KEY``
point them at the mock.

- ``CODEGEN_PROGRAMS_DIR``: a folder exported beforehand for the standard test plan with the
  model ``mock?ttft=300&tps=200``; the tests of that plan use it instead of exporting. The
  other tests export their own plans.
- The TypeScript tests need ``tests/codegen/node_modules`` (``npm ci`` there). Without it they
  are skipped, unless ``CODEGEN_REQUIRE_NODE`` is set, when they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "tests" / "codegen"
TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target") / "codegen-check"
LANGUAGES = ["python", "typescript", "rust"]
STANDARD_MODEL = "mock?ttft=300&tps=200"
TRAVEL_QUESTIONS = [
    "What are the top 3 attractions in Paris?",
    "What is the best way to get around Paris?",
    "What local customs should visitors to Paris know?",
]
RUN_TIMEOUT_S = 120
BUILD_TIMEOUT_S = 900

# "[  1.23s] Asking: …", "Answered: … (0.45 s)", "Failed: …: reason", "Cancelled: …"
EVENT = re.compile(r"^\[\s*(\d+\.\d+)s\] (Asking|Answered|Failed|Cancelled): (.*)$")


@dataclass
class Event:
    at: float
    kind: str
    text: str


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def events(self, kind: str | None = None) -> list[Event]:
        found = []
        for line in self.stdout.splitlines():
            match = EVENT.match(line)
            if match and (kind is None or match.group(2) == kind):
                found.append(Event(float(match.group(1)), match.group(2), match.group(3)))
        return found

    def at(self, kind: str, question: str) -> float:
        """When the first `kind` line about `question` was printed."""
        for event in self.events(kind):
            if event.text.startswith(question):
                return event.at
        raise AssertionError(f"no {kind} line for {question!r}:\n{self.stdout}")

    def explain(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def cargo() -> str:
    return shutil.which("cargo") or "cargo"


def export(
    out: Path,
    model: str,
    plan: dict | None = None,
    echo_prompt: bool = False,
    variants_json: str | None = None,
) -> Path:
    """Writes the programs for the test plan (with `plan`'s fields changed, and the variants
    of `variants_json` beside it) into `out`."""
    command = [cargo(), "run", "--quiet", "--example", "export_code", "--"]
    command += ["--out", str(out), "--model", model]
    if plan is not None:
        command += ["--plan-json", json.dumps(plan)]
    if echo_prompt:
        command += ["--echo-prompt", str(out / "echo-prompt.txt")]
    if variants_json is not None:
        command += ["--variants-json", variants_json]
    result = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
    )
    assert result.returncode == 0, f"export_code failed:\n{result.stderr}"
    return out


def require_node() -> None:
    if (NODE_DIR / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        return
    message = "tests/codegen/node_modules is missing: run `npm ci` in tests/codegen"
    if os.environ.get("CODEGEN_REQUIRE_NODE"):
        pytest.fail(message)
    pytest.skip(message)


def node_bin(name: str) -> str:
    return str(NODE_DIR / "node_modules" / ".bin" / name)


@pytest.fixture(scope="session")
def rust_crate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crate for every Rust program of the session: its Cargo.lock is resolved once, and
    a new program only recompiles main.rs."""
    return tmp_path_factory.mktemp("rust-crate")


def cargo_env() -> dict[str, str]:
    return {**os.environ, "CARGO_TARGET_DIR": str(TARGET_DIR)}


def build_rust(programs: Path, crate: Path) -> Path:
    """Builds the exported Rust program in `crate`; returns the binary."""
    (crate / "src").mkdir(exist_ok=True)
    shutil.copy(programs / "rust" / "Cargo.toml", crate / "Cargo.toml")
    shutil.copy(programs / "rust" / "src" / "main.rs", crate / "src" / "main.rs")
    result = subprocess.run(
        [cargo(), "build", "--quiet", "--manifest-path", str(crate / "Cargo.toml")],
        env=cargo_env(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, f"cargo build failed:\n{result.stderr}"
    assert "warning" not in result.stderr, result.stderr
    return TARGET_DIR / "debug" / "parallel-research"


def program_env(mock, key: str | None = "test-key") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["ANTHROPIC_BASE_URL"] = mock.url
    if key is not None:
        env["ANTHROPIC_API_KEY"] = key
    return env


def run_program(
    language: str, programs: Path, mock, crate: Path, key: str | None = "test-key"
) -> Run:
    """Runs the exported program in `language` against the mock."""
    if language == "python":
        command = [sys.executable, str(programs / "parallel_research.py")]
    elif language == "typescript":
        require_node()
        # Node finds @anthropic-ai/sdk from the program's folder.
        link = programs / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
        command = [node_bin("tsx"), str(programs / "parallel-research.ts")]
    else:
        command = [str(build_rust(programs, crate))]
    result = subprocess.run(
        command,
        cwd=programs,
        env=program_env(mock, key),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT_S,
    )
    return Run(result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def standard_programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The programs of the standard test plan (travel guide, limit 2, settle-all, 20 s
    timeout, quorum 2) for the mock model `mock?ttft=300&tps=200`."""
    given = os.environ.get("CODEGEN_PROGRAMS_DIR")
    if given:
        return Path(given)
    return export(tmp_path_factory.mktemp("standard"), STANDARD_MODEL)


def plan_programs(tmp_path: Path, model: str, plan: dict, echo_prompt=False) -> Path:
    return export(tmp_path / "programs", model, plan, echo_prompt)


# --- The standard plan ----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_travel_plan_answers_every_question_then_synthesizes(
    language, mock, standard_programs, rust_crate
):
    run = run_program(language, standard_programs, mock, rust_crate)
    assert run.returncode == 0, run.explain()
    for question in TRAVEL_QUESTIONS:
        assert run.at("Asking", question) <= run.at("Answered", question)
        answered = [e for e in run.events("Answered") if e.text.startswith(question)]
        assert re.fullmatch(r".* \(\d+\.\d\d s\)", answered[0].text), answered
    assert "Research done: 3 of 3 questions answered." in run.stdout
    assert "Synthesis done" in run.stdout
    assert "Mock answer about Create a concise travel guide for" in run.stdout
    times = re.search(r"Wall time: ([\d.]+) s\. Sum of call times: ([\d.]+) s\.", run.stdout)
    wall, calls = map(float, times.groups())
    # Four calls of about 0.45 s each, at most two at a time: the sum beats the wall.
    assert calls > wall > 0.9, run.stdout
    # The limit of 2: the third question starts only when a first one has ended.
    first_end = min(e.at for e in run.events("Answered"))
    assert run.at("Asking", TRAVEL_QUESTIONS[2]) >= first_end - 0.02, run.stdout
    requests = mock.requests()
    assert len(requests) == 4 and all(r["status"] == 200 for r in requests)
    assert max_in_flight(requests[:3]) == 2


def max_in_flight(requests: list[dict]) -> int:
    """The most requests the mock was serving at one moment."""
    edges = sorted(
        [(r["received_at_ms"], 1) for r in requests]
        + [(r["ended_at_ms"], -1) for r in requests]
    )
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_key_stops_the_program_with_a_clear_message(
    language, mock, standard_programs, rust_crate
):
    run = run_program(language, standard_programs, mock, rust_crate, key=None)
    assert run.returncode != 0, run.explain()
    assert "ANTHROPIC_API_KEY" in run.stderr, run.explain()
    assert mock.requests() == []


# --- Concurrency, order and the synthesis ----------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_unlimited_calls_all_run_at_the_same_time(language, mock, tmp_path, rust_crate):
    programs = plan_programs(tmp_path, "mock?ttft=1000&tps=0", {"concurrency_limit": None})
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 0, run.explain()
    started = min(e.at for e in run.events("Asking"))
    ended = max(e.at for e in run.events("Answered"))
    # Three calls of one second each: in parallel the research takes about one second.
    assert 0.9 < ended - started < 2.5, run.stdout
    assert max_in_flight(mock.requests()[:3]) == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_synthesis_prompt_is_the_pages_even_for_hostile_text(
    language, mock, tmp_path, rust_crate
):
    questions = [
        'Quotes "double" and \'single\', a back\\slash, \\n and \\u0041 as text',
        'Triple """ and \'\'\' and ${template} `tick` {} {0} %s */ -->',
        "A real newline\nand a tab\there, Zürich, 東京, 🚀, e\u0301",
        "Invisible: \u202eevil\u202c zero\u200bwidth, line\u2028sep, bell \u0007 end",
    ]
    plan = {
        "questions": questions,
        "synthesis_prompt": 'Merge "these" {answers}\\ below:\n- one """\n- two ${x}',
        "system_prompt": "System with \"quotes\" and\nnewlines and \\ backslashes",
    }
    # echo=1: every answer repeats its prompt, so the synthesis prints the prompt it got.
    programs = plan_programs(tmp_path, "mock?echo=1&ttft=20&tps=0", plan, echo_prompt=True)
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 0, run.explain()
    expected = (programs / "echo-prompt.txt").read_text(encoding="utf-8")
    assert expected.strip() in run.stdout, (expected, run.stdout)
    for question in questions:
        assert f"Asking: {question}" in run.stdout


@pytest.mark.parametrize("language", LANGUAGES)
def test_settle_all_synthesizes_the_answers_and_names_the_gap(
    language, mock, tmp_path, rust_crate
):
    plan = {
        "questions": [
            "Where is the Louvre?",
            "Which metro lines run all night? [[mock errors=500,500,500]]",
            # Directives apply in order, and the synthesis prompt quotes every question: this
            # one, last, clears the errors again for the synthesis call.
            "What does a croissant cost? [[mock errors=]]",
        ],
    }
    programs = plan_programs(tmp_path, "mock?echo=1&ttft=20&tps=0", plan)
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 0, run.explain()
    [failed] = run.events("Failed")
    assert failed.text.startswith("Which metro lines run all night?")
    assert "500" in failed.text
    assert "Research done: 2 of 3 questions answered." in run.stdout
    # The echoed synthesis prompt: the page's structure, the gap named.
    assert "Some research failed: 2 of 3 questions have an answer." in run.stdout
    assert "clearly note the gaps left by the missing ones." in run.stdout
    assert "### Missing 2: Which metro lines run all night?" in run.stdout
    assert "(No answer: " in run.stdout
    louvre = run.stdout.index("### Question 1: Where is the Louvre?")
    croissant = run.stdout.index("### Question 3: What does a croissant cost?")
    assert louvre < croissant
    # max_retries = 2: the failing question was tried three times.
    failures = [r for r in mock.requests() if r["status"] == 500]
    assert len(failures) == 3, mock.requests()


@pytest.mark.parametrize("language", LANGUAGES)
def test_below_the_quorum_there_is_no_synthesis(language, mock, tmp_path, rust_crate):
    plan = {
        "questions": [
            "First? [[mock errors=400]]",
            "Second? [[mock errors=400]]",
            "Third?",
        ],
        "quorum": 2,
    }
    programs = plan_programs(tmp_path, "mock?ttft=20&tps=0", plan)
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 1, run.explain()
    failed = run.events("Failed")
    assert len(failed) == 2
    # The API's own message, the same in every language.
    assert all(e.text.endswith("]]: HTTP 400: Request refused (mock)") for e in failed), failed
    assert (
        "No synthesis: only 1 of 3 answers succeeded, and the quorum asks for at least 2."
        in run.stdout
    )
    assert len(mock.requests()) == 3  # no synthesis call; a 400 is not retried


@pytest.mark.parametrize("limit", [None, 2], ids=["unlimited", "limit-2"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_fail_fast_cancels_the_other_calls_and_skips_the_synthesis(
    language, limit, mock, tmp_path, rust_crate
):
    slow, broken, queued = (
        "Slow one? [[mock ttft=3000]]",
        "Broken one? [[mock errors=400]]",
        "Another slow one? [[mock ttft=3000]]",
    )
    plan = {
        "questions": [slow, broken, queued],
        "failure_policy": "fail-fast",
        "concurrency_limit": limit,
    }
    programs = plan_programs(tmp_path, "mock?ttft=20&tps=0", plan)
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 1, run.explain()
    assert run.events("Failed")[0].text.startswith("Broken one?")
    assert "No synthesis: question 2 failed and fail-fast stopped the run." in run.stdout
    assert not run.events("Answered")
    started = {e.text for e in run.events("Asking")}
    if limit is None:
        assert started == {slow, broken, queued}, run.stdout
    elif language == "python":
        # asyncio hands the slot freed by the failure to the waiting call before gather
        # reports the failure: that call may start, and is then cancelled at once.
        assert {slow, broken} <= started, run.stdout
    else:
        # The third call was still waiting for its turn: it never starts.
        assert started == {slow, broken}, run.stdout
    if language != "rust":  # the Rust program drops the calls without a word
        assert {e.text for e in run.events("Cancelled")} == started - {broken}, run.stdout
        # Cancelled before the run ended, not when the program exited.
        assert run.stdout.index("Cancelled:") < run.stdout.index("No synthesis"), run.stdout
    # The program did not wait for the slow calls' 3 s.
    assert max(e.at for e in run.events()) < 2.0, run.stdout
    # No synthesis call (a slow call may even have been dropped before it reached the mock).
    assert len(mock.requests()) <= len(started)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_slow_call_times_out_without_holding_up_the_others(
    language, mock, tmp_path, rust_crate
):
    plan = {
        "questions": [
            "Quick? [[mock ttft=50]]",
            "Too slow? [[mock ttft=5000]]",
            "Quick again? [[mock ttft=50]]",  # last: the synthesis call is quick too
        ],
        "timeout_ms": 1000.0,
        "concurrency_limit": None,
        "quorum": 2,
    }
    programs = plan_programs(tmp_path, "mock?tps=0", plan)
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 0, run.explain()
    [failed] = run.events("Failed")
    assert failed.text == "Too slow? [[mock ttft=5000]]: Timed out after 1 s (the per-call timeout)."
    assert 0.9 < failed.at - run.at("Asking", "Too slow?") < 1.8, run.stdout
    assert run.at("Answered", "Quick?") < 0.9
    assert "Research done: 2 of 3 questions answered." in run.stdout


@pytest.mark.parametrize("language", LANGUAGES)
def test_compare_runs_sequential_then_parallel_and_prints_the_speedup(
    language, mock, tmp_path, rust_crate
):
    plan = {"mode": "compare", "concurrency_limit": None}
    programs = plan_programs(tmp_path, "mock?ttft=300&tps=0", plan)
    run = run_program(language, programs, mock, rust_crate)
    assert run.returncode == 0, run.explain()
    asks = run.events("Asking")
    answers = run.events("Answered")
    assert len(asks) == len(answers) == 6
    # Sequential: each question starts after the previous one was answered.
    for previous, following in zip(answers[:2], asks[1:3]):
        assert following.at >= previous.at - 0.01, run.stdout
    # Parallel: all three start before any is answered.
    assert max(a.at for a in asks[3:]) < min(a.at for a in answers[3:]), run.stdout
    sequential, parallel, speedup = map(
        float,
        re.search(
            r"Sequential (\d+\.\d+) s, parallel (\d+\.\d+) s: (\d+\.\d+)x faster", run.stdout
        ).groups(),
    )
    assert sequential > parallel and speedup > 1.3, run.stdout


# --- The code itself: it compiles, and it is formatted ----------------------------------------

VARIANTS = {
    "parallel-settle-all": {},
    "parallel-fail-fast-limited": {"failure_policy": "fail-fast"},
    "parallel-fail-fast": {"failure_policy": "fail-fast", "concurrency_limit": None},
    "sequential-no-timeout": {"mode": "sequential", "timeout_ms": None, "system_prompt": None},
    "compare-temperature": {"mode": "compare", "temperature": 0.7, "concurrency_limit": None},
    "long-prompts": {
        "synthesis_prompt": "Write a guide. " * 12 + "\nThen a summary:\n  - short",
        "system_prompt": "x" * 120,
        "retry": {"max_retries": 0, "initial_delay_ms": 500.0, "max_delay_ms": 8000.0},
    },
    "budgets": {"limits": {"rpm": 50, "tpm": 20000}},
    "adaptive-budget": {"limits": {"tpm": 20000, "adaptive": True}, "mode": "compare"},
    "adaptive-fail-fast": {
        "limits": {"adaptive": True},
        "failure_policy": "fail-fast",
        "timeout_ms": None,
    },
    "rounds": {"rounds": 3, "mode": "compare"},
    "rounds-fail-fast": {"rounds": 2, "failure_policy": "fail-fast"},
}


@pytest.fixture(scope="session")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("variants")
    return {
        name: export(root / name, "claude-sonnet-4-5", plan) for name, plan in VARIANTS.items()
    }


def test_the_generated_rust_crate_checks(standard_programs, tmp_path):
    crate = tmp_path / "crate"
    shutil.copytree(standard_programs / "rust", crate)
    result = subprocess.run(
        [cargo(), "check", "--quiet", "--manifest-path", str(crate / "Cargo.toml")],
        env=cargo_env(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr


def test_every_rust_variant_checks_without_warnings(variants, tmp_path):
    crate = tmp_path / "variants"
    (crate / "src" / "bin").mkdir(parents=True)
    shutil.copy(next(iter(variants.values())) / "rust" / "Cargo.toml", crate / "Cargo.toml")
    for name, programs in variants.items():
        shutil.copy(programs / "rust" / "src" / "main.rs", crate / "src" / "bin" / f"{name}.rs")
    result = subprocess.run(
        [cargo(), "check", "--quiet", "--bins", "--manifest-path", str(crate / "Cargo.toml")],
        env=cargo_env(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr


def test_the_rust_programs_are_rustfmt_formatted(variants, standard_programs):
    files = [standard_programs / "rust" / "src" / "main.rs"]
    files += [programs / "rust" / "src" / "main.rs" for programs in variants.values()]
    rustfmt = shutil.which("rustfmt") or "rustfmt"
    result = subprocess.run(
        [rustfmt, "--check", "--edition", "2021", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typescript_programs_type_check_and_are_prettier_formatted(
    variants, standard_programs, tmp_path
):
    require_node()
    folder = tmp_path / "ts"
    folder.mkdir()
    (folder / "node_modules").symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
    names = ["standard.ts"]
    shutil.copy(standard_programs / "parallel-research.ts", folder / "standard.ts")
    for name, programs in variants.items():
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


def test_the_python_programs_compile(variants, standard_programs):
    files = [standard_programs / "parallel_research.py"]
    files += [programs / "parallel_research.py" for programs in variants.values()]
    for path in files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
