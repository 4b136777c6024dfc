"""The completion check: when the model stops, is the task really done?

It runs before a run is reported as done, makes no model call, and each part is cheap:

- the task asks for a change, but nothing changed (tool writes, or files touched by commands);
- every file changed in this run still parses (verify/syntax.py);
- files the task names and that should now exist do exist;
- where the project has tests related to the task or to the changed files, they pass.

A failed check becomes one short note for the model (bounded re-asks, see the loop); the record
of every check, with its command and exit code, goes into ``RunResult.verification``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.agent import intent

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.tools.registry import ToolContext
    from smallcode.verify.syntax import CheckOutcome

NOTE_LIMIT = 1400
_SCAN_LIMIT = 5000
_OWN_DIRS = (".smallcode/", ".git/")
_TEST_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".rs")


@dataclass
class Verification:
    """What the completion check found: passed, failed, or nothing to check."""

    status: str = "skipped"  # passed | failed | skipped (nothing to check) | off
    checks: list[dict[str, Any]] = field(default_factory=list)
    reasks: int = 0
    tests: dict[str, Any] | None = None  # the last test report, whole

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if not c["ok"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checks": list(self.checks),
            "reasks": self.reasks,
            "tests": self.tests,
        }

    def reason(self) -> str:
        """One line for stderr and RunResult.error."""
        parts = []
        for c in self.failed:
            first = (c.get("evidence") or "").strip().splitlines()
            parts.append(f"{c['name']} {c['target']}: {first[0] if first else 'failed'}")
        return "not verified: " + "; ".join(parts)[:400] if parts else ""


def snapshot_files(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of the project's files: changes made by shell commands show up here."""
    from smallcode.tools.fsutil import project_files

    state: dict[str, tuple[int, int]] = {}
    for rel in project_files(root, limit=_SCAN_LIMIT):
        if rel.startswith(_OWN_DIRS):
            continue  # the harness's own state (snapshots, memory, plans) is not the work
        try:
            st = (root / rel).stat()
        except OSError:
            continue
        state[rel] = (st.st_mtime_ns, st.st_size)
    return state


class CompletionCheck:
    """One per run: remembers the project's state at the start and checks the end."""

    def __init__(self, settings: Settings, ctx: ToolContext, task: str) -> None:
        self.settings = settings
        self.ctx = ctx
        self.root = ctx.root
        self.task = task
        self.wants_change = intent.wants_change(task)
        self.created_before = set(ctx.files_created)
        self.edited_before = set(ctx.files_edited)
        self.files_before = snapshot_files(self.root)
        self.must_exist = (
            [f for f in intent.files_to_create(task) if not (self.root / f).exists()]
            if self.wants_change
            else []
        )
        self._last_tests: tuple[frozenset[tuple[str, tuple[int, int]]], Any] | None = None

    # ------------------------------------------------------------------ what changed

    def changed_files(self) -> list[str]:
        """Files created, edited or deleted in this run (by tools or by commands)."""
        by_tools = (self.ctx.files_created - self.created_before) | (
            self.ctx.files_edited - self.edited_before
        )
        now = snapshot_files(self.root)
        by_scan = {rel for rel, st in now.items() if self.files_before.get(rel) != st}
        by_scan |= {rel for rel in self.files_before if rel not in now}
        return sorted(by_tools | by_scan)

    # ------------------------------------------------------------------ the check

    def run(self) -> Verification:
        from smallcode.verify.syntax import check_files_syntax

        v = Verification()
        changed = self.changed_files()
        outcomes: list[CheckOutcome | dict[str, Any]] = []
        if self.wants_change and not changed:
            outcomes.append(
                _outcome(
                    "changed",
                    "project",
                    False,
                    "nothing was changed: no file was written, edited or deleted",
                )
            )
        existing = [rel for rel in changed if (self.root / rel).is_file()]
        outcomes.extend(check_files_syntax(self.root, existing))
        for rel in self.must_exist:
            exists = (self.root / rel).exists()
            outcomes.append(
                _outcome(
                    "exists",
                    rel,
                    exists,
                    "" if exists else f"{rel} does not exist, but the task names it",
                )
            )
        if changed and not any(not _ok(o) for o in outcomes):
            tests = self._run_tests(changed)
            if tests is not None:
                outcomes.append(tests)
        v.checks = [o if isinstance(o, dict) else o.to_dict() for o in outcomes]
        if self._last_tests is not None:
            v.tests = self._last_tests[1].to_dict()
        if any(not c["ok"] for c in v.checks):
            v.status = "failed"
        elif any(not c.get("skipped") for c in v.checks):
            v.status = "passed"
        return v

    def note(self, v: Verification, reasks_left: int) -> str:
        """The message for the model after a failed check: what failed, what to do."""
        lines = ["The task is not done yet. The harness checked your work:"]
        for c in v.failed:
            evidence = (c.get("evidence") or "failed").strip()
            lines.append(f"- {evidence}")
        if any(c["name"] == "changed" for c in v.failed):
            lines.append(
                "Make the change now: call write_file for a new file or patch for an existing "
                "one (read_file first), or write the whole file in a fenced code block with "
                "its path on the line above."
            )
        else:
            lines.append("Fix this with a tool call, then answer with a short summary.")
        if reasks_left <= 0:
            lines.append("This is the last check before the run ends as not done.")
        text = "\n".join(lines)
        return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 4] + " ..."

    # ------------------------------------------------------------------ tests

    def _run_tests(self, changed: list[str]) -> CheckOutcome | dict[str, Any] | None:
        command = self.test_command()
        if not command or not self._tests_relevant(changed):
            return None
        key = frozenset(snapshot_files(self.root).items())
        if self._last_tests is not None and self._last_tests[0] == key:
            report = self._last_tests[1]
        else:
            from smallcode.verify.testrun import run_tests

            report = run_tests(self.root, command, timeout=self.settings.verify_timeout)
            self._last_tests = (key, report)
        if report.no_tests or _runner_missing(report.output_tail):
            return _outcome(
                "tests",
                report.command,
                True,
                "no tests ran" if report.no_tests else "the test runner is not installed",
                skipped=True,
                command=report.command,
                exit_code=report.exit_code,
            )
        return _outcome(
            "tests",
            report.command,
            report.ok,
            "" if report.ok else f"Tests fail ({report.command}):\n{report.summary(1000)}",
            command=report.command,
            exit_code=report.exit_code,
        )

    def test_command(self) -> str:
        from smallcode.verify.discover import detect_test_command

        return detect_test_command(self.root, self.settings)

    def _tests_relevant(self, changed: list[str]) -> bool:
        """Run the tests when the task is about tests or a test covers a changed file."""
        if intent.mentions_tests(self.task) or any(intent.is_test_file(c) for c in changed):
            return True
        stems = {Path(c).stem for c in changed if c.endswith(_TEST_SUFFIXES)}
        if not stems:
            return False
        from smallcode.verify.discover import test_files

        for rel in test_files(self.root):
            name = Path(rel).name
            if any(s in name for s in stems):
                return True
            try:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")[:20000]
            except OSError:
                continue
            if any(_imports(text, s) for s in stems):
                return True
        return False


def _imports(text: str, stem: str) -> bool:
    import re

    return (
        re.search(rf"^\s*(?:from|import)\s+(?:[\w.]+\.)?{re.escape(stem)}\b", text, re.M)
        is not None
        or re.search(rf"""require\(\s*['"][./\w-]*{re.escape(stem)}['"]""", text) is not None
        or re.search(rf"""from\s+['"][./\w-]*{re.escape(stem)}(?:\.[cm]?[jt]s)?['"]""", text)
        is not None
    )


def _runner_missing(output: str) -> bool:
    return "No module named pytest" in output or "command not found" in output


def _ok(o: CheckOutcome | dict[str, Any]) -> bool:
    return bool(o["ok"] if isinstance(o, dict) else o.ok)


def _outcome(
    name: str,
    target: str,
    ok: bool,
    evidence: str,
    *,
    skipped: bool = False,
    command: str = "",
    exit_code: int | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "target": target,
        "ok": ok,
        "skipped": skipped,
        "command": command,
        "exit_code": exit_code,
        "evidence": evidence,
    }
