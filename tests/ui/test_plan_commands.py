"""``/plan`` shows the plan file; ``/plan TASK`` plans even a one-line task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smallcode import SmallCode
from smallcode.ui import commands, plan_commands  # noqa: F401  (registers /plan)
from tests.fakes.openai_server import script, text
from tests.fakes.openai_server import tool as call


class FakeUI:
    def __init__(self, sc: SmallCode) -> None:
        self.agent = sc.agent
        self.settings = sc.settings
        self.results: list[Any] = []

    def run_task(self, task: str) -> None:
        self.results.append(self.agent.run(task))


def test_plan_command_plans_a_one_line_task_and_shows_it(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call(
            "todo_write",
            todos=[
                {"content": "Write hello.py", "status": "in_progress"},
                {"content": "Run it", "status": "pending"},
            ],
        ),
        text("Planned."),
    ]
    srv = fake_server(script(replies))
    sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project)
    try:
        ui = FakeUI(sc)
        assert "No plan yet" in (commands.dispatch(ui, "/plan") or "")  # type: ignore[arg-type]
        assert commands.dispatch(ui, "/plan create hello.py") is None  # type: ignore[arg-type]
        first = srv.requests[0]
        assert "todo_write" in [t["function"]["name"] for t in first["tools"]]
        assert "Plan mode:" in str(first["messages"])
        shown = commands.dispatch(ui, "/plan") or ""  # type: ignore[arg-type]
        assert "- [ ] Write hello.py (in progress)" in shown and "- [ ] Run it" in shown
        assert "0 of 2 steps done" in shown
        assert ui.results[0].workflows["plan"]["applied"] is True
    finally:
        sc.close()


def test_plan_command_when_plan_mode_is_off(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("ok")]))
    sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project, plan="false")
    try:
        ui = FakeUI(sc)
        assert "off" in (commands.dispatch(ui, "/plan do it") or "")  # type: ignore[arg-type]
        assert ui.results == [] and srv.requests == []
        assert "No plan yet" in (commands.dispatch(ui, "/plan") or "")  # type: ignore[arg-type]
    finally:
        sc.close()
