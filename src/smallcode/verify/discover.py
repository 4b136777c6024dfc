"""Which command runs a project's tests: SMALLCODE_TEST_RUNNER, the detected one, or a default
for bare test files (pytest for test_*.py, ``node --test`` for *.test.js)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

SCAN_LIMIT = 5000
TEST_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".rs")


def is_test_file(rel: str) -> bool:
    """A test file by the usual naming conventions of Python, JS/TS, Go, Rust, Ruby and Java."""
    p = Path(rel)
    name = p.name.lower()
    parts = {part.lower() for part in p.parts[:-1]}
    return (
        name.startswith("test_")
        or name.endswith(("_test.py", "_test.go", "_spec.rb", "test.java", "tests.java"))
        or re.search(r"\.(?:test|spec)\.[cm]?[jt]sx?$", name) is not None
        or (
            bool(parts & {"tests", "test", "__tests__", "spec"})
            and p.suffix in (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".rs", ".rb")
        )
    )


def test_files(root: Path) -> list[str]:
    from smallcode.tools.fsutil import project_files

    return [
        f
        for f in project_files(root, limit=SCAN_LIMIT)
        if f.endswith(TEST_SUFFIXES) and is_test_file(f)
    ]


def detect_test_command(root: Path, settings: Any) -> str:
    """The project's test command, '' when there is none (or SMALLCODE_TEST_DISABLE is set)."""
    if getattr(settings, "test_disable", False):
        return ""
    explicit = str(getattr(settings, "test_runner", "") or "").strip()
    if explicit:
        return explicit
    from smallcode.project.bootstrap import summarize_project

    try:
        detected = summarize_project(root, settings).test_command
    except OSError:
        detected = ""
    if detected:
        return detected
    tests = test_files(root)
    if any(t.endswith(".py") for t in tests):
        python = "python" if shutil.which("python") else "python3"
        return f"{python} -m pytest"
    if any(t.endswith((".js", ".mjs", ".cjs")) for t in tests) and shutil.which("node"):
        return "node --test"
    return ""
