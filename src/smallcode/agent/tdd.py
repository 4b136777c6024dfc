"""The TDD harness (opt-in): red -> red confirmed -> green -> refactor -> done, in plain code.

A cycle starts with ``tdd_begin_cycle`` (or ``tdd_loop``, where the harness also runs the tests
after each write). Phases move only on test runs the harness sees (its own, or ``run_tests``):

- red: only test files may be written. Red is confirmed by a failure in the cycle's new test
  that is an assertion or a missing name (verify/classify.py), never by a syntax or load
  error or a run that collected nothing. The test files are then hashed and frozen.
- red confirmed: code may be written, tests may not; passing tests mean green.
- green / refactor: code may change, tests may not; the cycle is done only when every test
  passes and the frozen tests are unchanged (a changed test is restored from the freeze).

Turned on by ``--tdd``, ``SMALLCODE_TDD=true`` or ``/tdd on``; its tools are in the tool list
only while it is on (they join at the start of a task). The write gate is tdd_gate.py, the
tools tdd_tools.py, the texts tdd_texts.py. No model call anywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from smallcode.agent import tdd_texts as texts
from smallcode.agent.finish import FinishVerdict
from smallcode.agent.tdd_freeze import FrozenTests
from smallcode.errors import ToolError
from smallcode.tools.testing import TestRun, execute_tests, test_command
from smallcode.types import Message
from smallcode.verify.classify import failure_cause, red_evidence
from smallcode.verify.discover import is_test_file, test_files

if TYPE_CHECKING:
    from smallcode.agent.guards import RunState
    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult
    from smallcode.config import Settings
    from smallcode.tools.registry import ToolContext

PHASES = ("idle", "red", "red_confirmed", "green", "refactor", "done")
MAX_STOP_NOTES = 2
SUMMARY_CHARS = 600
_CODE = "py pyi js jsx mjs cjs ts tsx go rs java kt kts rb php c h cc cpp hpp cxx cs swift scala"
CODE_SUFFIXES = frozenset(
    f".{s}" for s in f"{_CODE} sh bash lua ex exs dart zig vue svelte".split()
)
_FROZEN_PHASES = ("red_confirmed", "green", "refactor")


@dataclass
class Cycle:
    goal: str
    test_path: str = ""
    loop: bool = False
    phase: str = "red"
    started: float = field(default_factory=time.time)
    test_files: list[str] = field(default_factory=list)  # test files written in this cycle
    frozen: FrozenTests = field(default_factory=FrozenTests)
    red_evidence: str = ""  # the failure that confirmed red
    history: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "test_path": self.test_path,
            "loop": self.loop,
            "phase": self.phase,
            "test_files": list(self.test_files),
            "frozen": sorted(self.frozen.hashes),
            "red_evidence": self.red_evidence,
            "history": list(self.history),
        }


class TddHarness:
    """The phase machine of one session; also the FinishCheck of the ``tdd`` workflow."""

    name = "tdd"

    def __init__(self, settings: Settings, ctx: ToolContext) -> None:
        self.settings = settings
        self.ctx = ctx
        self.active = False  # on for the current task (tools offered, gate working)
        self.cycle: Cycle | None = None
        self.completed: list[dict[str, Any]] = []
        self.pending_tests: list[str] = []  # test files written before a cycle began
        self.last: TestRun | None = None
        self.stop_notes = 0
        self._run_state: RunState | None = None

    # ------------------------------------------------------------------ state

    @property
    def phase(self) -> str:
        return self.cycle.phase if self.cycle is not None else "idle"

    def _move(self, to: str, why: str) -> None:
        assert self.cycle is not None
        self.cycle.history.append({"from": self.cycle.phase, "to": to, "why": why[:200]})
        self.cycle.phase = to
        # progress for the loop guard: the same tdd_advance call may now rightly follow
        self.ctx.progress += 1
        self.ctx.events.emit("guard", guard="tdd", action="note", message=f"phase {to}: {why}")

    def is_test(self, rel: str) -> bool:
        """A test file by convention, conftest.py, or inside the cycle's test path."""
        if is_test_file(rel) or PurePosixPath(rel).name == "conftest.py":
            return True
        tp = self.cycle.test_path.rstrip("/") if self.cycle is not None else ""
        return bool(tp) and (rel == tp or rel.startswith(tp + "/"))

    def is_code(self, rel: str) -> bool:
        return PurePosixPath(rel).suffix.lower() in CODE_SUFFIXES

    def cycle_tests(self) -> list[str]:
        """The cycle's new tests: its test path and the test files written in it, else the
        test files changed since it began (written by a command)."""
        assert self.cycle is not None
        found = [self.cycle.test_path] if self.cycle.test_path else []
        found += [t for t in self.cycle.test_files if t not in found]
        if not found:
            for rel in test_files(self.ctx.root):
                try:
                    if (self.ctx.root / rel).stat().st_mtime >= self.cycle.started - 1:
                        found.append(rel)
                except OSError:
                    continue
        return found

    def scope(self) -> str | None:
        """The path the harness's own red/green runs use (None: the whole suite)."""
        if self.cycle is None:
            return None
        if self.cycle.test_path:
            return self.cycle.test_path
        tests = self.cycle_tests()
        return tests[0] if len(tests) == 1 else None

    # ------------------------------------------------------------------ test runs

    def run(self, full: bool = False) -> str:
        """Run the tests (the cycle's scope, or all) and apply the result: the outcome line."""
        restored = self._restore_frozen()
        run = execute_tests(self.ctx, path=None if full else self.scope(), source="tdd")
        return " ".join(p for p in (restored, self.observe(run)) if p)

    def _restore_frozen(self) -> str:
        """Put frozen tests that changed back; a line saying so ('' when none changed)."""
        if self.cycle is None or self.phase not in _FROZEN_PHASES:
            return ""
        changed, restored = self.cycle.frozen.check_and_restore(self.ctx.root)
        if not changed:
            return ""
        self.ctx.events.emit(
            "guard",
            guard="tdd",
            action="note",
            message=f"tests changed after red was confirmed: {', '.join(changed)}",
        )
        lost = sorted(set(changed) - set(restored))
        if lost:
            raise ToolError(
                f"test files changed since red was confirmed and cannot be restored: "
                f"{', '.join(lost)}. Put them back as they were."
            )
        return f"Test files changed since red was confirmed were restored: {', '.join(restored)}."

    def observe(self, run: TestRun) -> str:
        """Move the phase on from a test run (the harness's or the model's run_tests)."""
        self.last = run
        report = run.report
        phase = self.phase
        if phase == "red":
            failure, why = red_evidence(report, self.cycle_tests())
            if failure is None:
                return f"Red not confirmed: {why}"
            assert self.cycle is not None
            self.cycle.frozen.freeze(
                self.ctx.root, [*self.cycle_tests(), *test_files(self.ctx.root)]
            )
            self.cycle.red_evidence = f"{failure.id}: {texts.first_line(failure.message, 120)}"
            self._move("red_confirmed", f"{failure.id} fails ({failure_cause(failure)})")
            return f"Red confirmed: {failure.id} fails as it should. Test files are now frozen."
        if phase not in _FROZEN_PHASES:
            return ""
        if not report.ok:
            if report.no_tests:
                return "No test ran (nothing collected, or the filter/path matched nothing)."
            return "Not green: tests fail. Fix the code, not the tests."
        assert self.cycle is not None
        if self.cycle.frozen.changed(self.ctx.root):  # the model's run used edited tests
            try:
                return self._restore_frozen() + " Run the tests again."
            except ToolError as exc:
                return str(exc)
        within = (run.path or "").rstrip("/") + "/"
        tests = self.cycle_tests()
        covers = run.filter is None and (
            run.path is None or any(t == run.path or t.startswith(within) for t in tests)
        )
        if phase != "red_confirmed":
            return "Tests pass."
        if not covers:
            return "These tests pass, but the run left out the cycle's test: run all tests."
        self._move("green", "the tests pass")
        if self.cycle.loop:
            self._move("refactor", "loop: green goes straight on to refactor")
        return "Green: the tests pass."

    def complete(self) -> str:
        """Close the cycle when the frozen tests are intact (restored if not) and all pass."""
        assert self.cycle is not None
        outcome = self.run(full=True)
        if self.last is None or not self.last.report.ok:
            return f"{outcome} The cycle ends only with all tests passing."
        self._move("done", "all tests pass and the tests are unchanged")
        self.completed.append(self.cycle.to_dict())
        restored = outcome if "restored" in outcome else ""
        return " ".join(p for p in (restored, "Cycle done: all tests pass, tests unchanged.") if p)

    # ------------------------------------------------------------------ tool actions

    def begin(self, goal: str, test_path: str | None = None, loop: bool = False) -> str:
        goal = (goal or "").strip()
        if not goal:
            raise ToolError("goal is empty: say in one line what the code should do")
        rel = ""
        if test_path and test_path.strip():
            rel = self.ctx.rel(self.ctx.resolve(test_path))
            if not (is_test_file(rel) or rel.rstrip("/") in ("tests", "test", "spec")):
                raise ToolError(
                    f"test_path {test_path!r} is not a test file by its name: use e.g. "
                    f"{self.suggest(goal)}"
                )
        if self.cycle is not None and self.phase not in ("red", "done"):
            if self.cycle.goal == goal:
                return self.describe("This cycle is already running.")
            raise ToolError(
                f"a TDD cycle is in progress (phase {self.phase}, goal: {self.cycle.goal[:80]}). "
                "Finish it first: tdd_advance, until phase done."
            )
        self.cycle = Cycle(goal=goal, test_path=rel, loop=loop)
        self.cycle.test_files = [t for t in self.pending_tests if t != rel]
        self.pending_tests = []
        self.ctx.progress += 1
        self.ctx.events.emit("guard", guard="tdd", action="note", message=f"cycle: {goal[:100]}")
        head = "TDD loop started" if loop else "TDD cycle started"
        return self.describe(f"{head}: {goal[:120]}")

    def advance(self, note: str | None = None) -> str:
        phase = self.phase
        if phase == "idle":
            raise ToolError("no TDD cycle yet: call tdd_begin_cycle(goal) first")
        if phase == "done":
            return self.describe("This cycle is done.")
        if phase == "refactor":
            return self.describe(self.complete())
        outcome = self.run()
        if phase == "green" and self.phase == "green" and self.last and self.last.report.ok:
            self._move("refactor", note or "the model moved on to refactor")
            outcome += " Green holds: refactor now."
        return self.describe(outcome)

    # ------------------------------------------------------------------ texts

    def suggest(self, goal: str) -> str:
        return texts.suggest_test_path(self.ctx.root, test_command(self.ctx), goal)

    def describe(self, headline: str = "", summary: bool = True) -> str:
        """The phase, what is allowed next and the last test summary."""
        cycle = self.cycle
        where = ""
        if cycle is not None:
            where = cycle.test_path or f"a test file (e.g. {self.suggest(cycle.goal)})"
        rows = [headline] if headline else []
        goal = f" (goal: {cycle.goal[:80]})" if cycle is not None else ""
        rows.append(f"TDD phase: {self.phase}{goal}")
        loop = cycle is not None and cycle.loop
        rows.append(f"Next: {texts.next_step(self.phase, where, loop)}")
        if summary and self.last is not None:
            rows.append("Last tests: " + self.last.report.summary(SUMMARY_CHARS))
        return "\n".join(rows)

    def check_write(self, rel: str) -> str | None:
        """Why a write to ``rel`` is refused in this phase (None: allowed)."""
        if not self.active:
            return None
        phase = self.phase
        test = self.is_test(rel)
        if test and phase in _FROZEN_PHASES:
            return texts.test_write_refused(phase, rel)
        if not test and self.is_code(rel) and phase in ("idle", "red", "done"):
            where = ""
            if self.cycle is not None:
                where = self.cycle.test_path or self.suggest(self.cycle.goal)
            return texts.code_write_refused(phase, rel, where)
        return None

    def note_write(self, rel: str) -> None:
        if not self.is_test(rel):
            return
        if self.cycle is None or self.phase == "done":
            if rel not in self.pending_tests:
                self.pending_tests.append(rel)
        elif self.phase == "red" and rel not in self.cycle.test_files:
            self.cycle.test_files.append(rel)

    # ------------------------------------------------------------------ finishing

    def on_stop(self, state: RunState) -> FinishVerdict | None:
        """The model stopped mid-cycle: the harness tries to finish it with real test runs;
        otherwise a note (at most MAX_STOP_NOTES per run), then the run ends."""
        if not self.active or self.phase in ("idle", "done"):
            return None
        if state is not self._run_state:
            self._run_state, self.stop_notes = state, 0
        outcome = ""
        try:
            if self.phase in ("red", "red_confirmed"):
                outcome = self.run()
            if self.phase in ("green", "refactor"):
                outcome = self.complete()
        except ToolError as exc:
            outcome = str(exc)
        if self.phase == "done":
            return None
        if self.stop_notes >= MAX_STOP_NOTES:
            message = f"TDD cycle not finished (phase {self.phase}): {outcome}"
            return FinishVerdict(message, stop=True, stop_reason="tdd_incomplete")
        self.stop_notes += 1
        return FinishVerdict(self.describe(f"The TDD cycle is not finished. {outcome}".strip()))

    def record(self) -> dict[str, Any]:
        return {
            "enabled": self.active,
            "phase": self.phase,
            "cycle": self.cycle.to_dict() if self.cycle is not None else None,
            "cycles_done": len(self.completed),
            "completed": list(self.completed),
            "last_tests": self.last.to_dict() if self.last is not None else None,
            "stop_notes": self.stop_notes,
        }

    # ------------------------------------------------------------------ session hooks

    def on_task(self, agent: Agent, task: str) -> None:
        """Tools join or leave here, at a task start (never per turn); a short phase note."""
        from smallcode.agent.tdd_tools import set_tools

        want = bool(agent.settings.tdd)
        if want and agent.settings.test_disable:
            if not self.active:
                message = "TDD needs tests: SMALLCODE_TEST_DISABLE is set, so TDD is off."
                agent.events.emit("notice", message=message)
            want = False
        if want != self.active:
            set_tools(agent, want)
            self.active = want
        if self.active:
            note = f"TDD mode is on. {self.describe(summary=False)}"
            agent.messages.append(Message("user", note, meta={"kind": "context", "guard": "tdd"}))

    def on_end(self, agent: Agent, result: RunResult) -> None:
        if self.active or self.cycle is not None:
            result.workflows[self.name] = self.record()


def install(agent: Agent) -> None:
    from smallcode.agent.tdd_gate import TddGate

    harness = TddHarness(agent.settings, agent.ctx)
    agent.ctx.tdd = harness
    agent.guards.add(TddGate(harness))
    agent.finish_checks.append(harness)
    agent.task_hooks.append(harness.on_task)
    agent.end_hooks.append(harness.on_end)
    if agent.settings.tdd and not agent.settings.test_disable:
        from smallcode.agent.tdd_tools import set_tools

        set_tools(agent, True)  # in the tool list from the first request: a stable prefix
        harness.active = True
