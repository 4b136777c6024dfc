"""`--self-check`: every built-in task's reference solution passes its tests and every stub
fails them (real pytest, node --test, cargo, g++, javac runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallcode.bench.selfcheck import run_self_check
from smallcode.bench.tasks import BUILTIN_SUITES, load_suite, toolchain_problem
from tests.conftest import run_cli


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("suite", BUILTIN_SUITES)
def test_every_builtin_task_checks_out(suite: str) -> None:
    tasks = [t for t in load_suite(suite) if not toolchain_problem(t)]
    assert tasks
    results = run_self_check(tasks)
    bad = [r.line() for r in results if not r.ok]
    assert not bad, "\n".join(bad)


def test_suite_sizes() -> None:
    assert len(load_suite("smoke")) == 5
    mini = load_suite("polyglot-mini")
    assert len(mini) == 20
    assert {t.lang for t in mini} == {"python", "javascript", "rust", "cpp", "java"}
    tool_use = load_suite("tool-use")
    assert len([t for t in tool_use if t.bfcl is None]) == 10
    assert len([t for t in tool_use if t.bfcl is not None]) == 6


def test_the_reference_is_never_in_the_workspace(tmp_path: Path) -> None:
    from smallcode.bench.workspace import make_workspace

    for suite in BUILTIN_SUITES:
        for task in load_suite(suite):
            if task.bfcl is not None:
                continue
            ws = make_workspace(task, tmp_path / suite / task.slug)
            assert not (ws / ".meta").exists()
            assert (ws / ".git").is_dir()
            for rel in task.tests + [s for s in task.solution if (task.dir / s).exists()]:
                assert (ws / rel).is_file(), (task.id, rel)


def test_self_check_cli(tmp_path: Path) -> None:
    r = run_cli(
        ["bench", "--suite", "smoke", "--self-check", "--task", "hello-world"], cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert "ok  python/hello-world" in r.stdout and "1/1 tasks ok" in r.stdout
