"""``/plan``: show the TODO plan (``.smallcode/plan.md``), or run a task with a plan first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl


def plan_text(ui: Repl) -> str:
    from smallcode.agent.plan_file import PLAN_FILE, read_plan_file, render_markdown

    workflow = ui.agent.ctx.plan
    if workflow is not None and workflow.steps:
        text = render_markdown(workflow.steps, workflow.task)
    else:
        text = read_plan_file(ui.settings.cwd) or ""
    if not text.strip():
        off = " Plan mode is off (SMALLCODE_PLAN=false)." if workflow is None else ""
        return f"No plan yet. `/plan TASK` runs a task with a plan first.{off}"
    done = text.count("- [x]")
    total = done + text.count("- [ ]")
    return f"{text.strip()}\n\n*{PLAN_FILE}: {done} of {total} steps done.*"


@command("plan", "show the TODO plan; /plan TASK plans the task first, then runs it")
def _plan(ui: Repl, arg: str) -> str | None:
    if not arg:
        return plan_text(ui)
    workflow = ui.agent.ctx.plan
    if workflow is None:
        return "Plan mode is off (SMALLCODE_PLAN=false): run the task without `/plan`."
    workflow.request()
    ui.run_task(arg)
    return None
