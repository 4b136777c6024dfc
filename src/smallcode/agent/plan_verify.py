"""The harness's own check of a plan step: the files written since the step began still parse
or compile (verify/syntax.py, per language), and the step's tests pass when it names them.

No model call. The files come from two sources: the paths of successful write tool calls
(``tool_end`` events, in order) and a scan of the project's files (changes made by commands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.agent.completion import snapshot_files

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.events import Event
    from smallcode.tools.registry import ToolContext

EVIDENCE_LIMIT = 1000
_OWN_DIRS = (".smallcode/", ".git/")
_WRITE_TOOLS = ("write_file", "patch")
# A step that asks for tests to run or pass ("run the tests", "make test_calc.py pass").
_RUN_TESTS = re.compile(
    r"\b(?:run|rerun|pass|passes|passing|green|verify|check|make sure|ensure)\b.*\btests?\b|"
    r"\btests?\b.*\b(?:pass|passes|passing|green|succeed|run)\b|\bpytest\b",
    re.I,
)


@dataclass
class Mark:
    """Where a step began: the write log's length and the project's files at that moment."""

    written: int
    files: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class StepCheck:
    ok: bool
    files: list[str]
    evidence: str = ""  # the first error lines, <= EVIDENCE_LIMIT chars
    checks: list[dict[str, Any]] = field(default_factory=list)


class StepChecker:
    """Tracks writes and checks the files of a step. One per session."""

    def __init__(self, ctx: ToolContext, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.root: Path = ctx.root
        self.written: list[str] = []  # relative paths of tool writes, in order

    def on_tool_end(self, event: Event) -> None:
        data = event.data
        if not data.get("ok") or data.get("name") not in _WRITE_TOOLS:
            return
        path = (data.get("args") or {}).get("path")
        if not isinstance(path, str) or not path.strip():
            return
        try:
            rel = self.ctx.rel(self.ctx.resolve(path))
        except Exception:
            return
        if not rel.startswith(_OWN_DIRS):
            self.written.append(rel)

    def mark(self) -> Mark:
        return Mark(len(self.written), snapshot_files(self.root))

    def changed_since(self, mark: Mark) -> list[str]:
        """Files written, edited or deleted since ``mark`` (by tools or by commands)."""
        changed = set(self.written[mark.written :])
        now = snapshot_files(self.root)
        changed |= {rel for rel, st in now.items() if mark.files.get(rel) != st}
        changed |= {rel for rel in mark.files if rel not in now}
        return sorted(c for c in changed if not c.startswith(_OWN_DIRS))

    def check(self, mark: Mark, step_text: str) -> StepCheck:
        from smallcode.verify.syntax import check_files_syntax

        files = self.changed_since(mark)
        existing = [f for f in files if (self.root / f).is_file()]
        outcomes = [o.to_dict() for o in check_files_syntax(self.root, existing)]
        failed = [o for o in outcomes if not o["ok"]]
        if not failed:
            tests = self._tests(step_text)
            if tests is not None:
                outcomes.append(tests)
                failed = [tests] if not tests["ok"] else []
        evidence = "\n".join(
            (o.get("evidence") or f"{o['target']}: failed").strip() for o in failed
        )
        if len(evidence) > EVIDENCE_LIMIT:
            evidence = evidence[: EVIDENCE_LIMIT - 4].rstrip() + " ..."
        return StepCheck(not failed, files, evidence, outcomes)

    # ------------------------------------------------------------------ tests

    def _tests(self, step_text: str) -> dict[str, Any] | None:
        """Run the step's tests when it asks for them to run or pass; None otherwise."""
        if not _RUN_TESTS.search(step_text):
            return None
        from smallcode.agent.intent import is_test_file, named_files
        from smallcode.verify.discover import detect_test_command
        from smallcode.verify.testrun import run_tests

        command = detect_test_command(self.root, self.settings)
        if not command:
            return None
        named = [f for f in named_files(step_text) if is_test_file(f) and (self.root / f).exists()]
        report = run_tests(
            self.root,
            command,
            path=named[0] if len(named) == 1 else None,
            timeout=self.settings.verify_timeout,
        )
        tail = report.output_tail or ""
        if report.no_tests or "No module named pytest" in tail or "command not found" in tail:
            return {
                "name": "tests",
                "target": report.command,
                "ok": True,
                "skipped": True,
                "command": report.command,
                "exit_code": report.exit_code,
                "evidence": "no tests ran",
            }
        return {
            "name": "tests",
            "target": report.command,
            "ok": report.ok,
            "skipped": False,
            "command": report.command,
            "exit_code": report.exit_code,
            "evidence": ""
            if report.ok
            else f"Tests fail ({report.command}):\n{report.summary(800)}",
        }
