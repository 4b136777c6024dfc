"""Shared fixtures: an isolated environment, temp git projects, the fake server, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.openai_server import FakeOpenAIServer, Policy

CLI = [sys.executable, "-m", "smallcode"]
_console_script = Path(sys.executable).parent / "smallcode"
if _console_script.exists():
    CLI = [str(_console_script)]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config, data or SMALLCODE_* variables from the machine leak into a test."""
    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith("SMALLCODE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SMALLCODE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("SMALLCODE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("SMALLCODE_MODELS_DIR", str(home / "models"))
    # Never probe real local servers from tests.
    monkeypatch.setenv("SMALLCODE_PROBE_URLS", "none")
    monkeypatch.setenv("SMALLCODE_RETRY_BACKOFF", "0.01")
    # Never download a packaged model from a test.
    monkeypatch.setenv("SMALLCODE_AUTO_FETCH", "false")


def make_git_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    subprocess.run(["git", "config", "user.email", "t@example.com"], cwd=path, check=True)
    subprocess.run(["git", "config", "user.name", "Test"], cwd=path, check=True)
    for rel, content in (files or {}).items():
        p = path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    if files:
        subprocess.run(["git", "add", "-A"], cwd=path, check=True)
        subprocess.run(["git", "commit", "-qm", "init"], cwd=path, check=True)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty temp git repository."""
    return make_git_repo(tmp_path / "proj")


@pytest.fixture
def fake_server() -> Iterator[Callable[..., FakeOpenAIServer]]:
    servers: list[FakeOpenAIServer] = []

    def start(policy: Policy, **kw: Any) -> FakeOpenAIServer:
        srv = FakeOpenAIServer(policy, **kw).start()
        servers.append(srv)
        return srv

    yield start
    for s in servers:
        s.stop()


def run_cli(
    args: list[str],
    cwd: Path,
    *,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items()}
    full_env.update(env or {})
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli
