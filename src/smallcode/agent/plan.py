"""The TODO plan mode: a task with several parts is split into steps, and a step is completed
only when the harness's own check passes on the files written since it began.

- ``todo_write`` accepts the call shapes models are trained on (Claude Code ``TodoWrite``,
  Qwen Code ``todo_write``, Codex ``update_plan``); steps are matched by id or position.
- The harness owns ``.smallcode/plan.md`` (agent/plan_file.py); the user may edit it between
  turns and the edits are honoured at the start of the next task.
- A claimed completion runs agent/plan_verify.py; on failure the step stays in progress and
  the result carries the first error lines. Every result returns the whole list and the next
  step.
- When the model stops with unfinished steps, a short note lists them (at most 2), then the run
  ends as ``plan_incomplete``. After a compaction the unfinished steps come back as a note.

When: ``SMALLCODE_PLAN=true`` offers the tool from the session start and asks for a plan with
every task; ``auto`` (default) does so for tasks with several parts or marked with ``/plan``,
adding the tool at that task boundary (never mid-turn); ``false`` never.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smallcode.agent.finish import FinishVerdict
from smallcode.agent.plan_file import (
    PLAN_FILE,
    Step,
    apply_items,
    list_text,
    merge_file_steps,
    parse_markdown,
    read_items,
    read_plan_file,
    render_markdown,
    unfinished_text,
    write_plan_file,
)
from smallcode.agent.plan_mode import CONTINUE, TOOL_NAME, needs_plan, todo_write
from smallcode.agent.plan_verify import Mark, StepChecker
from smallcode.errors import ToolError
from smallcode.types import Message

if TYPE_CHECKING:
    from smallcode.agent.guards import RunState
    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult
    from smallcode.events import Event

MAX_NOTES = 2
NOTE_LIMIT = 800

PLAN_FIRST = (
    "Plan mode: before changing files, call todo_write with the steps of the next task (one "
    "short line each, in order). Then work on one step at a time: when its files are written, "
    "call todo_write again with the whole list and that step marked completed. The harness "
    "checks the step's files and tells you the next step."
)
CONTINUE_PLAN = (
    "Plan mode: {file} has unfinished steps:\n{steps}\nContinue with them, marking each "
    "completed with todo_write when its files are written; if the next task is something else, "
    "replace the plan with todo_write."
)
REMINDER = (
    "Plan ({file}), unfinished steps:\n{steps}\nDo not treat a successful intermediate tool "
    "call as task completion."
)


# ---------------------------------------------------------------------- the workflow


class PlanWorkflow:
    """The plan of one session: steps, the plan file, the step checks, the finish check."""

    name = "plan"

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.settings = agent.settings
        self.ctx = agent.ctx
        self.root = agent.ctx.root
        self.mode = str(agent.settings.plan)
        self.checker = StepChecker(agent.ctx, agent.settings)
        self.steps: list[Step] = []
        self.task = ""  # the task the plan was written for
        self.offered = False
        self.requested = False  # /plan TASK: the next task gets a plan
        self.applies = False  # plan mode applies to the current task
        self.carried = False  # the current task started with unfinished steps
        self.calls = 0  # todo_write calls in the current run
        self.notes = 0  # finish notes in the current run
        self.accepted = 0  # completions accepted after the check (session)
        self.refused = 0  # completions refused because the check failed (session)
        self.last_check: dict[str, Any] | None = None
        self.run_mark: Mark | None = None
        self.checkpoint: Mark | None = None
        self._file_text: str | None = None  # the plan file as the harness last wrote or read it
        self._current_task = ""
        self._refused: Step | None = None  # the step whose claim the last call refused

    # ------------------------------------------------------------------ session hooks

    def offer_tool(self) -> None:
        """Add todo_write to the session's tools (at the session start or a task boundary)."""
        if TOOL_NAME not in self.agent.registry:
            self.agent.registry.add(todo_write.__tool__)
        self.offered = True

    def request(self) -> None:
        """``/plan TASK``: the next task is planned whatever its size."""
        self.requested = True

    def before_task(self, agent: Agent, task: str) -> None:
        self.calls = 0
        self.notes = 0
        self._current_task = task
        self.sync_from_file()
        open_steps = [s for s in self.steps if not s.finished]
        self.applies = (
            self.requested
            or self.mode == "true"
            or (
                self.mode == "auto"
                and (needs_plan(task) or (bool(open_steps) and CONTINUE.search(task) is not None))
            )
        )
        self.requested = False
        self.carried = self.applies and bool(open_steps)
        if self.applies:
            self.offer_tool()
        self.run_mark = self.checker.mark() if self.offered else None
        self.checkpoint = self.run_mark
        if not self.applies:
            return
        if open_steps:
            text = CONTINUE_PLAN.format(file=PLAN_FILE, steps=self._unfinished(NOTE_LIMIT - 200))
        else:
            text = PLAN_FIRST
        agent.events.emit("guard", guard="plan", action="note", message=text)
        agent.messages.append(Message("user", text, meta={"kind": "note", "guard": "plan"}))

    def after_task(self, agent: Agent, result: RunResult) -> None:
        if not (self.applies or self._in_force()):
            return
        if self.steps:
            self._refresh_current_files()
            self.save()
        result.workflows[self.name] = self.record()

    def on_compaction(self, event: Event) -> None:
        """History was compacted just before a request: the unfinished steps come back."""
        if not self._in_force() or all(s.finished for s in self.steps):
            return
        text = REMINDER.format(file=PLAN_FILE, steps=self._unfinished(NOTE_LIMIT - 120))
        self.agent.events.emit("guard", guard="plan", action="note", message=text)
        self._append_note(text)

    # ------------------------------------------------------------------ FinishCheck

    def on_stop(self, state: RunState) -> FinishVerdict | None:
        if not self._in_force():
            return None
        open_steps = [(i, s) for i, s in enumerate(self.steps, start=1) if not s.finished]
        if not open_steps:
            return None
        numbers = ", ".join(str(i) for i, _ in open_steps)
        if self.notes >= MAX_NOTES:
            return FinishVerdict(
                f"plan incomplete: step(s) {numbers} of {len(self.steps)} not completed "
                f"(see {PLAN_FILE})",
                stop=True,
                stop_reason="plan_incomplete",
            )
        self.notes += 1
        i, current = next(
            ((i, s) for i, s in open_steps if s.status == "in_progress"), open_steps[0]
        )
        lines = [
            f"The plan is not finished: {len(open_steps)} of {len(self.steps)} steps are open.",
            self._unfinished(400),
        ]
        if current.error:
            lines.append(f"The last check of step {i} failed:\n{_clip(current.error, 250)}")
        lines.append(
            f"Continue with step {i}: do its work, then mark it completed with todo_write "
            "(the harness checks its files)."
        )
        if self.notes >= MAX_NOTES:
            lines.append("This is the last reminder before the run ends as plan_incomplete.")
        return FinishVerdict(_clip("\n".join(lines), NOTE_LIMIT))

    def record(self) -> dict[str, Any]:
        current = next((s for s in self.steps if s.status == "in_progress"), None)
        return {
            "mode": self.mode,
            "applied": self.applies,
            "file": PLAN_FILE,
            "steps": [s.to_dict() for s in self.steps],
            "completed": sum(1 for s in self.steps if s.status == "completed"),
            "total": len(self.steps),
            "current": current.id if current else None,
            "accepted": self.accepted,
            "refused": self.refused,
            "notes": self.notes,
            "last_check": self.last_check,
        }

    # ------------------------------------------------------------------ todo_write

    def write(self, todos: Any) -> str:
        self.calls += 1
        items = read_items(todos)
        if not items:
            if isinstance(todos, list) and not todos:
                self.steps = []
                self.save()
                return f"Plan cleared ({PLAN_FILE})."
            raise ToolError(
                'todos must be a list of steps, e.g. [{"content": "Create calc.py", '
                '"status": "in_progress"}, {"content": "Add tests", "status": "pending"}]'
            )
        if self.calls == 1 and (not self.steps or all(s.finished for s in self.steps)):
            self.steps = []  # a new plan for this task; a finished one is not continued
            self.task = self._current_task
        if not self.task:
            self.task = self._current_task
        self._refused = None
        self.steps, claims = apply_items(self.steps, items)
        verdict = self._verify(claims) if claims else ""
        current = self._settle_current()
        self._refresh_current_files()
        self.save()
        return self._result_text(verdict, current)

    def _verify(self, claims: list[Step]) -> str:
        """Check the claimed steps together; returns the verdict line(s) for the result."""
        marks = [s.mark or self.checkpoint or self.run_mark for s in claims]
        known = [m for m in marks if m is not None]
        mark = min(known, key=lambda m: m.written) if known else self.checker.mark()
        texts = " ".join(s.content for s in claims)
        check = self.checker.check(mark, texts)
        self.last_check = {
            "steps": [s.id for s in claims],
            "ok": check.ok,
            "files": check.files,
            "checks": check.checks,
        }
        numbers = [str(self._pos(s)) for s in claims]
        positions = ("Steps " if len(numbers) > 1 else "Step ") + ", ".join(numbers)
        if check.ok:
            for n, s in enumerate(claims):
                s.status, s.error = "completed", ""
                if n == 0:
                    s.files = check.files
            self.accepted += len(claims)
            self.checkpoint = self.checker.mark()
            checked = ", ".join(check.files) if check.files else "no files changed"
            self.agent.events.emit(
                "guard",
                guard="plan",
                action="note",
                message=f"{positions} completed ({checked})",
            )
            return f"{positions} completed: the harness checked {checked}."
        first = claims[0]
        first.status, first.error, first.files = "in_progress", check.evidence, check.files
        first.mark = first.mark or mark
        self._refused = first
        self.refused += 1
        pos = self._pos(first)
        first_error = check.evidence.partition("\n")[0]
        self.agent.events.emit(
            "guard",
            guard="plan",
            action="block",
            message=f"step {pos} not accepted as completed: {first_error}",
        )
        return (
            f"Step {pos} is NOT completed: the harness checked the files written since it began "
            f"and found errors:\n{check.evidence}\nFix them, then mark step {pos} completed again."
        )

    def _settle_current(self) -> Step | None:
        """Exactly one step in progress: a refused claim, else the model's choice, else the
        first open step. A step that becomes current starts its record here."""
        refused = self._refused if any(s is self._refused for s in self.steps) else None
        current = refused or next((s for s in self.steps if s.status == "in_progress"), None)
        if current is None:
            current = next((s for s in self.steps if not s.finished), None)
        for s in self.steps:
            if s.status == "in_progress" and s is not current:
                s.status = "pending"
        if current is not None:
            current.status = "in_progress"
            if current.mark is None:  # it began when the last step was accepted
                current.mark = self.checkpoint or self.checker.mark()
        return current

    def _result_text(self, verdict: str, current: Step | None) -> str:
        parts = [verdict] if verdict else []
        parts.append(f"Plan ({PLAN_FILE}):\n{list_text(self.steps)}")
        if current is not None:
            pos = self._pos(current)
            parts.append(f"Next step: {pos}. {current.content} (in progress)")
        elif self.steps:
            parts.append("All steps are completed. If the task is done, answer with a summary.")
        return "\n\n".join(parts)

    # ------------------------------------------------------------------ the plan file

    def save(self) -> None:
        text = render_markdown(self.steps, self.task)
        if not self.steps and read_plan_file(self.root) is None:
            return
        try:
            write_plan_file(self.root, text)
        except OSError as exc:
            self.agent.events.emit("guard", guard="plan", action="note", message=f"{exc}")
            return
        self._file_text = text

    def sync_from_file(self) -> None:
        """Honour the user's edits of the plan file (checkboxes, wording, added or removed
        steps) made since the harness last wrote it."""
        text = read_plan_file(self.root)
        if text is None and self._file_text is not None:  # the user deleted the plan
            self.steps, self._file_text = [], None
            return
        if text is None or text == self._file_text:
            return
        self._file_text = text
        task, parsed = parse_markdown(text)
        old = self.steps
        self.steps = merged = merge_file_steps(old, parsed)
        self.task = task or self.task
        if old or merged:
            self.agent.events.emit(
                "guard",
                guard="plan",
                action="note",
                message=f"read {PLAN_FILE}: {len(merged)} steps",
            )

    # ------------------------------------------------------------------ helpers

    def _in_force(self) -> bool:
        """The plan concerns this run: the model wrote it, or the task continues it."""
        return bool(self.steps) and (self.calls > 0 or self.carried)

    def _pos(self, step: Step) -> int:
        """1-based position of ``step`` (by identity)."""
        return next(i for i, s in enumerate(self.steps, start=1) if s is step)

    def _unfinished(self, limit: int) -> str:
        return unfinished_text(self.steps, limit)

    def _refresh_current_files(self) -> None:
        for s in self.steps:
            if s.status == "in_progress" and s.mark is not None:
                s.files = self.checker.changed_since(s.mark)

    def _append_note(self, text: str) -> None:
        messages = self.agent.messages
        last = messages[-1] if messages else None
        if last is not None and last.role == "user" and last.meta.get("kind") == "tool_results":
            last.content = f"{last.content}\n\n{text}"
            return
        messages.append(Message("user", text, meta={"kind": "note", "guard": "plan"}))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 4].rstrip() + " ..."


def install(agent: Agent) -> None:
    """Called once per session by build_agent (agent/workflows.py)."""
    if str(agent.settings.plan) == "false":
        return
    workflow = PlanWorkflow(agent)
    agent.ctx.plan = workflow
    agent.task_hooks.append(workflow.before_task)
    agent.end_hooks.append(workflow.after_task)
    agent.finish_checks.append(workflow)
    agent.events.on("tool_end", workflow.checker.on_tool_end)
    agent.events.on("compaction", workflow.on_compaction)
    if workflow.mode == "true":
        workflow.offer_tool()
