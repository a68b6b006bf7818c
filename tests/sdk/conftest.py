"""Starts the mock API binary once per session for the SDK tests.

The binary comes from the MOCK_API_BIN environment variable (default: target/debug/mock-api
under the repository root). It is started with --port 0 and its first stdout line,
``mock-api listening on http://127.0.0.1:PORT``, gives the URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 15


@dataclass
class MockApi:
    """A running mock server: its base URL and its control plane."""

    url: str

    def requests(self) -> list[dict]:
        """Every API request the mock saw since the last reset (GET /__mock/requests)."""
        with urllib.request.urlopen(self.url + "/__mock/requests", timeout=5) as response:
            return json.load(response)

    def reset(self) -> None:
        """Forgets the request log and attempt counters (POST /__mock/reset)."""
        request = urllib.request.Request(self.url + "/__mock/reset", data=b"", method="POST")
        urllib.request.urlopen(request, timeout=5).close()


def _binary() -> Path:
    configured = os.environ.get("MOCK_API_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "debug" / "mock-api"
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.is_file():
        pytest.exit(
            f"mock-api binary not found at {path}: build it with `cargo build -p mock-api` "
            "or set MOCK_API_BIN",
            returncode=1,
        )
    return path


def _read_first_line(process: subprocess.Popen) -> str:
    """The first stdout line, or "" if none came within the start-up timeout."""
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.append(process.stdout.readline()), daemon=True
    )
    reader.start()
    reader.join(STARTUP_TIMEOUT_S)
    return lines[0].strip() if lines else ""


@pytest.fixture(scope="session")
def mock_server(tmp_path_factory: pytest.TempPathFactory):
    log_path = tmp_path_factory.mktemp("mock-api") / "stderr.log"
    with open(log_path, "wb") as stderr:
        process = subprocess.Popen(
            [str(_binary()), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        line = _read_first_line(process)
        prefix = "mock-api listening on "
        if not line.startswith(prefix):
            raise RuntimeError(
                f"mock-api did not start (first line {line!r}); see {log_path}:\n"
                + log_path.read_text(errors="replace")
            )
        yield MockApi(url=line[len(prefix):])
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def mock(mock_server: MockApi) -> MockApi:
    """The session's mock server with an empty request log."""
    mock_server.reset()
    return mock_server
