"""The run_tests tool with real pytest runs: the short summary for the model, the whole report
in an event and in RunResult, filters that match nothing, and when the tool is offered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode
from smallcode.agent.toolset import wanted_groups
from smallcode.config import Settings
from smallcode.errors import ToolError
from smallcode.events import Event
from smallcode.tools.registry import ToolContext
from smallcode.tools.testing import last_run, run_tests
from tests.fakes.openai_server import script, text
from tests.fakes.openai_server import tool as call

CALC = "def add(a, b):\n    return a - b\n"
TESTS = (
    "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n"
)
PYPROJECT = '[tool.pytest.ini_options]\npythonpath = ["."]\n'


def write_project(root: Path) -> None:
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "calc.py").write_text(CALC)
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_calc.py").write_text(TESTS)


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def test_summary_counts_failures_and_rerun_command(ctx: ToolContext) -> None:
    write_project(ctx.root)
    events: list[Event] = []
    ctx.events.on("tests", events.append)
    out = run_tests(ctx)
    assert len(out) <= 1000
    assert out.startswith("1 failed, 1 passed (pytest")
    assert "tests/test_calc.py::test_add" in out and "assert -1 == 5" in out
    assert "at tests/test_calc.py:5" in out
    assert "Rerun one: " in out and "tests/test_calc.py::test_add" in out.split("Rerun one: ")[1]
    report = events[0].data["report"]
    assert report["failed"] == 1 and report["passed"] == 1 and report["framework"] == "pytest"
    assert report["failures"][0]["line"] == 5 and events[0].data["source"] == "run_tests"
    run = last_run(ctx)
    assert run is not None and run.report.failed == 1 and run.seq == 1
    json.dumps(run.to_dict())


def test_filter_and_path(ctx: ToolContext) -> None:
    write_project(ctx.root)
    out = run_tests(ctx, filter="zero", path="tests/test_calc.py")
    assert out.startswith("1 passed (pytest")
    run = last_run(ctx)
    assert run is not None and run.filter == "zero" and run.path == "tests/test_calc.py"
    assert "-k zero" in run.report.command


def test_filter_that_matches_nothing_is_not_a_pass(ctx: ToolContext) -> None:
    write_project(ctx.root)
    out = run_tests(ctx, filter="no_such_test")
    assert out.startswith("No tests ran") and "matched no test" in out
    run = last_run(ctx)
    assert run is not None
    assert run.report.exit_code == 5 and run.report.no_tests and not run.report.ok


def test_path_outside_the_project_is_refused(ctx: ToolContext) -> None:
    write_project(ctx.root)
    with pytest.raises(ToolError, match="outside the project root"):
        run_tests(ctx, path="../elsewhere")


def test_no_test_command_and_disabled_tests(project: Path) -> None:
    ctx = ToolContext(root=project, settings=Settings.load(project))
    with pytest.raises(ToolError, match="no test command found"):
        run_tests(ctx)
    write_project(project)
    off = ToolContext(root=project, settings=Settings.load(project, {"test_disable": True}))
    with pytest.raises(ToolError, match="disabled"):
        run_tests(off)


def test_explicit_runner_setting_is_used(project: Path) -> None:
    write_project(project)
    settings = Settings.load(project, {"test_runner": "python -m pytest tests -q"})
    ctx = ToolContext(root=project, settings=settings)
    run_tests(ctx)
    run = last_run(ctx)
    assert run is not None and run.report.command.startswith("python -m pytest tests -q")


# ---------------------------------------------------------------- offered to the model


def test_offered_for_test_tasks_only() -> None:
    assert "testing" in wanted_groups("make the failing tests pass", "auto")
    assert "testing" in wanted_groups("fix it, run pytest", "auto")
    assert "testing" not in wanted_groups("add a docstring to main.py", "auto")
    assert "testing" in wanted_groups("x", "run_tests,testing")


def test_agent_run_records_the_report(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    write_project(project)
    srv = fake_server(script([call("run_tests", filter="nothing_matches"), text("No such test.")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, verify=False) as sc:
        result = sc.run("run the tests named nothing_matches")
        assert "run_tests" in tool_names(srv.requests[0])
        seen = srv.requests[1]["messages"][-1]["content"]
        assert seen.startswith("No tests ran")
        tests = result.workflows["tests"]
        assert tests["no_tests"] and not tests["ok"] and tests["filter"] == "nothing_matches"
        json.dumps(result.to_dict())
        later = sc.run("thanks")  # no test run in this task: no report
        assert "tests" not in later.workflows


def test_default_tool_list_does_not_grow(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    write_project(project)
    srv = fake_server(script([text("a")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, verify=False) as sc:
        sc.run("add a docstring to calc.py")
    assert "run_tests" not in tool_names(srv.requests[0])


def test_test_disable_removes_the_tool(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    write_project(project)
    srv = fake_server(script([text("a")]))
    kw: dict[str, Any] = {"verify": False, "test_disable": True, "tools": "run_tests"}
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, **kw) as sc:
        sc.run("run the tests")
    assert "run_tests" not in tool_names(srv.requests[0])
