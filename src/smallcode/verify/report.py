"""The parsed result of one test run and its short summary for a small model."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from smallcode.verify.textutil import clip, error_lines

MAX_FAILURES = 20  # failures kept on a report; the rest only counted in ``more``
SHOWN_FAILURES = 5  # failures written into the summary at most
_MESSAGE_CHARS = 240


@dataclass
class TestFailure:
    __test__ = False  # not a pytest test class

    id: str  # pytest nodeid, "Suite > name" (node/jest), "pkg/TestX" (go), "mod::name" (cargo)
    file: str = ""
    line: int = 0
    message: str = ""  # assertion message, first ~3 lines, ANSI stripped
    kind: str = "failed"  # "failed" (assertion), "error" (crash/fixture) or "collection"

    def location(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class TestReport:
    __test__ = False

    framework: str  # pytest | unittest | node | jest | vitest | go | cargo | mocha | maven | gradle | unknown
    command: str  # the exact command run
    exit_code: int | None  # None when it timed out or could not start
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    duration_s: float = 0.0
    failures: list[TestFailure] = field(default_factory=list)  # at most MAX_FAILURES
    more: int = 0  # failures beyond those kept
    timed_out: bool = False
    no_tests: bool = False  # nothing collected or run
    collection_error: bool = False  # import/syntax/build error, not an assertion failure
    output_tail: str = ""  # last ~40 lines of output (ANSI stripped), <= 3000 chars
    rerun_hint: str = ""  # a command that reruns one failing test

    @property
    def ok(self) -> bool:
        return (
            self.exit_code == 0
            and self.failed == 0
            and self.errors == 0
            and not self.no_tests
            and not self.timed_out
        )

    def add_failure(self, failure: TestFailure) -> None:
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(failure)
        else:
            self.more += 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    # -- summary ----------------------------------------------------------------------------

    def counts(self) -> str:
        parts = []
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.errors:
            parts.append(f"{self.errors} error" + ("s" if self.errors != 1 else ""))
        parts.append(f"{self.passed} passed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return ", ".join(parts)

    def _tag(self) -> str:
        return f"({self.framework}, {self.duration_s:.1f} s)"

    def _headline(self) -> str:
        if self.timed_out:
            return (
                f"Tests timed out after {self.duration_s:.0f} s and were stopped "
                f"({self.framework}); no result. Run fewer tests (a filter) or fix a hang."
            )
        if self.exit_code is None:
            return f"The test command could not run ({self.framework})."
        if self.collection_error:
            ran = f"; {self.counts()}" if self.passed or self.failed else "; no test ran"
            return (
                f"Collection error {self._tag()}: the tests could not be loaded (an import, "
                f"syntax or build error, not a test failure){ran}."
            )
        if self.no_tests:
            return (
                f"No tests ran {self._tag()[:-1]}, exit {self.exit_code}): nothing was "
                "collected, or the filter/path matched no test."
            )
        line = f"{self.counts()} {self._tag()}"
        if self.exit_code != 0 and not self.failed and not self.errors:
            line += f", but the command exited with code {self.exit_code}"
        return line

    def _failure_block(self, failure: TestFailure) -> str:
        rows = [clip(failure.id, 200)]
        message = clip(failure.message.strip(), _MESSAGE_CHARS)
        rows += ["  " + m for m in message.split("\n")[:3] if m.strip()]
        if failure.location():
            rows.append(f"  at {failure.location()}")
        return "\n".join(rows)

    def _evidence(self) -> str:
        """First error lines from the raw output, when no failure explains the problem."""
        lines = error_lines(self.output_tail, 6) if self.output_tail else []
        if not lines and self.output_tail and not self.no_tests:
            lines = self.output_tail.split("\n")[-6:]
        return "\n".join(clip(line, 200) for line in lines)

    def summary(self, limit: int = 1000) -> str:
        """Counts first, then the first failures, ``(+N more)``, and a command to rerun one."""
        head = self._headline()
        blocks = [self._failure_block(f) for f in self.failures[:SHOWN_FAILURES]]
        hint = f"Rerun one: {self.rerun_hint}" if self.rerun_hint else ""
        if len(hint) > limit // 3:
            hint = ""
        total = len(self.failures) + self.more
        text = head
        shown = len(blocks)
        while shown >= 0:
            parts = [head, *blocks[:shown]]
            if total > shown:
                parts.append(f"(+{total - shown} more)")
            if hint and shown:
                parts.append(hint)
            text = "\n".join(parts)
            if len(text) <= limit:
                break
            shown -= 1
        evidence = ""
        if self.timed_out:
            evidence = "Last output:\n" + "\n".join(self.output_tail.split("\n")[-6:])
        elif not shown and not self.ok:
            evidence = self._evidence()
        room = limit - len(text) - 1
        if evidence.strip() and room > 30:
            text += "\n" + clip(evidence, room)
        return clip(text, limit)
