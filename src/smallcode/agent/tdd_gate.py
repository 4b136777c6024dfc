"""The TDD write gate: a guard that refuses writes the phase does not allow, and moves the
phase on from the model's own test runs. Plain code, no model call.

- before a write (write_file, patch, or a bash command that clearly writes a file: ``>``,
  ``tee``, ``sed -i``, ``cp``/``mv``), asks the harness whether the phase allows it;
- after ``run_tests``, hands the report to the harness and adds the phase and the next step;
- in a ``tdd_loop`` cycle, runs the tests after each write that matters to the phase.
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from smallcode.agent.guards.base import GuardEvent, Intervention, was_blocked
from smallcode.errors import SmallCodeError, ToolError
from smallcode.tools.testing import last_run

if TYPE_CHECKING:
    from smallcode.agent.tdd import TddHarness
    from smallcode.tools.registry import ToolContext

_WRITE_TOOLS = ("write_file", "patch")
_REDIRECT = re.compile(r"(?:^|[^<>&\d])(?:\d?>>?|&>>?)\s*([^\s;&|<>()]+)")
_TEE = re.compile(r"\btee\s+(?:-\S+\s+)*([^\s;&|<>()]+)")
_COPY = re.compile(r"\b(?:cp|mv|install)\s+(?:-\S+\s+)*\S+\s+([^\s;&|<>()]+)")
_SED_I = re.compile(r"\b(?:sed|perl)\s+[^;&|]*?(?:-i\S*|--in-place\S*)\s[^;&|]*")


def bash_targets(command: str) -> list[str]:
    """Files a shell command plainly writes (a best effort: redirections, tee, cp/mv, sed -i)."""
    found = [m.group(1) for rx in (_REDIRECT, _TEE, _COPY) for m in rx.finditer(command)]
    for m in _SED_I.finditer(command):
        try:
            words = shlex.split(m.group(0))
        except ValueError:
            words = m.group(0).split()
        if words:
            found.append(words[-1])
    out = []
    for raw in found:
        target = raw.strip("'\"")
        if target and not target.startswith(("/dev/", "&", "$")) and target not in out:
            out.append(target)
    return out


def _rel(ctx: ToolContext, path: object) -> str | None:
    try:
        return ctx.rel(ctx.resolve(str(path)))
    except (SmallCodeError, ToolError, OSError, ValueError):
        return None


class TddGate:
    name = "tdd"

    def __init__(self, harness: TddHarness) -> None:
        self.harness = harness
        self.seen_run = 0

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if call is None or not self.harness.active:
            return None
        if event.kind == "before_call":
            return self._before(event)
        if event.kind != "after_call" or was_blocked(event):
            return None
        ok = event.result is not None and event.result.ok
        if call.name == "run_tests":
            return self._after_tests() if ok else None
        if call.name in _WRITE_TOOLS and ok:
            rel = _rel(event.state.ctx, call.arguments.get("path"))
            if rel is not None:
                self.harness.note_write(rel)
                return self._loop_run(rel)
        return None

    def _before(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        assert call is not None
        ctx = event.state.ctx
        if call.name in _WRITE_TOOLS:
            targets = [call.arguments.get("path")]
        elif call.name == "bash":
            targets = list(bash_targets(str(call.arguments.get("command") or "")))
        else:
            return None
        for target in targets:
            rel = _rel(ctx, target)
            refusal = self.harness.check_write(rel) if rel is not None else None
            if refusal:
                return Intervention("block", f"Not written. {refusal}")
        return None

    def _after_tests(self) -> Intervention | None:
        run = last_run(self.harness.ctx)
        if run is None or run.seq == self.seen_run:
            return None
        self.seen_run = run.seq
        line = self.harness.observe(run)
        text = self.harness.describe(line, summary=False)
        return Intervention("note", text)

    def _loop_run(self, rel: str) -> Intervention | None:
        """tdd_loop: the harness runs the tests after a write that matters to the phase."""
        h = self.harness
        if h.cycle is None or not h.cycle.loop:
            return None
        test = h.is_test(rel)
        if not ((h.phase == "red" and test) or (h.phase != "red" and not test and h.is_code(rel))):
            return None
        if h.phase in ("idle", "done"):
            return None
        try:
            line = h.run()
        except ToolError as exc:
            line = f"Tests could not run: {exc}"
        run = last_run(h.ctx)
        self.seen_run = run.seq if run is not None else self.seen_run
        return Intervention("note", h.describe(f"Tests run by the harness. {line}"))
