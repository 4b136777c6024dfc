"""The run_tests tool: the project's tests with structured results and a short summary.

The test command is SMALLCODE_TEST_RUNNER or the detected one (verify/discover.py); the run
asks the runner for its machine-readable report (verify/testrun.py). The model sees the
summary (<= ~1,000 chars); the whole report goes into a ``tests`` event and stays on the
context (``last_test_run``) for RunResult and the TDD harness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool

if TYPE_CHECKING:
    from smallcode.verify.report import TestReport

LAST_RUN = "last_test_run"  # ctx.extras key: the latest TestRun of the session
_COMMAND = "test_command"  # ctx.extras key: the detected command, cached once found
SUMMARY_CHARS = 1000


@dataclass
class TestRun:
    __test__ = False

    report: TestReport
    filter: str | None = None
    path: str | None = None
    source: str = "run_tests"  # run_tests (the model) or tdd (the harness)
    seq: int = 0  # counts the session's runs

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.report.to_dict(),
            "filter": self.filter,
            "path": self.path,
            "source": self.source,
        }


def test_command(ctx: ToolContext) -> str:
    """The project's test command ('' when there is none or tests are disabled)."""
    if getattr(ctx.settings, "test_disable", False):
        return ""
    cached = ctx.extras.get(_COMMAND)
    if cached:
        return str(cached)
    from smallcode.verify.discover import detect_test_command

    command = detect_test_command(ctx.root, ctx.settings)
    if command:  # none yet may change once a test file exists
        ctx.extras[_COMMAND] = command
    return command


def execute_tests(
    ctx: ToolContext, filter: str | None = None, path: str | None = None, source: str = "run_tests"
) -> TestRun:
    """Run the tests, record the run on ``ctx`` and emit it. Raises ToolError without a command."""
    command = test_command(ctx)
    if not command:
        why = (
            "tests are disabled (SMALLCODE_TEST_DISABLE)"
            if getattr(ctx.settings, "test_disable", False)
            else "no test command found: set SMALLCODE_TEST_RUNNER, or add a test file "
            "(test_*.py, *.test.js, ...)"
        )
        raise ToolError(why)
    rel = None
    if path and path.strip() not in (".", "./"):
        rel = ctx.rel(ctx.resolve(path))
    from smallcode.verify.testrun import run_tests as run

    timeout = float(getattr(ctx.settings, "verify_timeout", 120.0) or 120.0)
    report = run(ctx.root, command, filter=filter or None, path=rel, timeout=timeout)
    previous = ctx.extras.get(LAST_RUN)
    seq = previous.seq + 1 if isinstance(previous, TestRun) else 1
    test_run = TestRun(report, filter or None, rel, source, seq)
    ctx.extras[LAST_RUN] = test_run
    ctx.events.emit(
        "tests", report=report.to_dict(), filter=test_run.filter, path=rel, source=source
    )
    return test_run


def last_run(ctx: ToolContext) -> TestRun | None:
    found = ctx.extras.get(LAST_RUN)
    return found if isinstance(found, TestRun) else None


@tool(core=False)  # not read-only: tests run code, and a rerun must really run
def run_tests(ctx: ToolContext, filter: str | None = None, path: str | None = None) -> str:
    """Run the tests; shows counts and the first failures.

    Args:
        filter: Name pattern.
        path: File or folder.
    """
    return execute_tests(ctx, filter, path).report.summary(SUMMARY_CHARS)
