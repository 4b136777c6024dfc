"""A task's workspace: a temp git repository with the exercise minus its reference solution,
the tests restored from the task before each verification, and the verification itself."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from smallcode.bench.tasks import BenchTask, node_modules_for

if TYPE_CHECKING:
    from smallcode.verify.report import TestReport

GIT = ["git", "-c", "user.name=smallcode-bench", "-c", "user.email=bench@localhost"]
_XTEST = re.compile(r"\bxtest\(")
_DISABLED = re.compile(r"^\s*@Disabled(\([^)]*\))?\s*$", re.M)


def _hidden(rel: str, task: BenchTask) -> bool:
    """Files the model never sees: the task's metadata and reference solution."""
    return rel == ".meta" or rel.startswith(".meta/") or rel in task.example


def make_workspace(task: BenchTask, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted(task.dir.rglob("*")):
        rel = src.relative_to(task.dir).as_posix()
        if _hidden(rel, task) or src.is_dir() or rel.startswith(("node_modules/", "build/")):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    if not task.builtin:
        _prepare_tests(task, dest)
        if task.lang == "javascript":
            nm = node_modules_for(task)
            if nm is not None and not (dest / "node_modules").exists():
                (dest / "node_modules").symlink_to(nm, target_is_directory=True)
    (dest / ".gitignore").write_text(".smallcode/\nnode_modules\ntarget/\nbuild/\n__pycache__/\n")
    subprocess.run([*GIT, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*GIT, "commit", "-q", "--allow-empty", "-m", "start"], cwd=dest, check=True)
    return dest


def _prepare_tests(task: BenchTask, dest: Path) -> None:
    """As aider's harness does for the real polyglot: every test enabled (skipped JavaScript
    ``xtest`` and Java ``@Disabled`` cases run; Rust's ``#[ignore]`` is lifted by the command)."""
    for rel in task.tests:
        p = dest / rel
        if not p.is_file():
            continue
        text = p.read_text(encoding="utf-8")
        if task.lang == "javascript":
            text = _XTEST.sub("test(", text)
        elif task.lang == "java":
            text = _DISABLED.sub("", text)
        p.write_text(text, encoding="utf-8")


def restore_tests(task: BenchTask, ws: Path) -> list[str]:
    """Put the task's test files back as they were (the model may have edited them).
    Returns the tests the model had changed."""
    changed = []
    for rel in task.tests:
        src, dst = task.dir / rel, ws / rel
        if not src.is_file():
            continue
        before = dst.read_bytes() if dst.is_file() else None
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        if not task.builtin:
            _prepare_tests(task, ws)
        if before is not None and before != dst.read_bytes():
            changed.append(rel)
    return changed


def install_reference(task: BenchTask, ws: Path) -> None:
    """Turn the stub into the reference solution (``--self-check``)."""
    for example, target in task.example_targets():
        dst = ws / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(task.dir / example, dst)
    for rel in task.custom.get("delete") or []:
        p = ws / rel
        if p.is_file():
            p.unlink()


def verify(task: BenchTask, ws: Path, timeout: float) -> TestReport:
    """Run the task's tests in ``ws``: a verify.TestReport."""
    from smallcode.verify.testrun import run_tests

    return run_tests(ws, task.test_command, timeout=timeout)
