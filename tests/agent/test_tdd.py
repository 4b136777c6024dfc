"""The TDD harness against the fake server, with real pytest (and node, cargo) in temp projects.

Scripted models walk the phases; the harness runs the real tests and decides every move.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode
from tests.agent.conftest import Run
from tests.conftest import make_git_repo
from tests.fakes.openai_server import script, text
from tests.fakes.openai_server import tool as call

PYPROJECT = (
    '[project]\nname = "calc"\nversion = "0"\n\n[tool.pytest.ini_options]\npythonpath = ["."]\n'
)
CALC = "def sub(a, b):\n    return a - b\n"
SUB_TEST = "from calc import sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n"
ADD_TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
ADD_CODE = "def add(a, b):\n    return a + b\n"
GOAL = "add(a, b) returns the sum"


def python_project(project: Path) -> Path:
    return make_git_repo(
        project,
        {
            "pyproject.toml": PYPROJECT,
            "calc.py": CALC,
            "tests/__init__.py": "",
            "tests/test_sub.py": SUB_TEST,
        },
    )


def results(r: Run) -> list[str]:
    """Every tool result the model saw, in order."""
    last = r.requests[-1]["messages"]
    return [m["content"] for m in last if m["role"] == "tool"]


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def pytest_passes(project: Path) -> bool:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        timeout=120,
    )
    return out.returncode == 0


# ---------------------------------------------------------------- the whole walk


def test_red_green_refactor_walk_with_refused_writes(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    replies = [
        call("tdd_begin_cycle", goal=GOAL, test_path="tests/test_add.py"),
        call("patch", path="calc.py", old_str=CALC, new_str=CALC + "\n\n" + ADD_CODE),  # refused
        call("write_file", path="tests/test_add.py", content=ADD_TEST),
        call("tdd_advance"),  # red confirmed: add is a missing name
        call("read_file", path="calc.py"),
        call("patch", path="calc.py", old_str=CALC, new_str=CALC + "\n\n" + ADD_CODE),
        call("tdd_advance"),  # green
        call("write_file", path="tests/test_add.py", content="def test_add():\n    pass\n"),
        call("tdd_advance"),  # refactor
        call("tdd_advance"),  # done
        text("Added add() test-first."),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True)
    assert r.result.stop_reason == "done", r.result.error
    assert r.result.exit_code == 0
    first = tool_names(r.requests[0])
    assert first[:6] == ["read_file", "write_file", "patch", "bash", "search", "find_files"]
    assert {"run_tests", "tdd_begin_cycle", "tdd_status", "tdd_advance", "tdd_loop"} <= set(first)
    out = results(r)
    assert "TDD phase: red" in out[0] and "tests/test_add.py" in out[0]
    assert "Not written" in out[1] and "red is not confirmed" in out[1]
    assert "Red confirmed" in out[3] and "TDD phase: red_confirmed" in out[3]
    assert "Last tests:" in out[3] and "cannot import name 'add'" in out[3]
    assert "Green" in out[6] and "TDD phase: green" in out[6]
    assert "Not written" in out[7] and "tests are frozen" in out[7]
    assert "TDD phase: refactor" in out[8]
    assert "Cycle done" in out[9] and "TDD phase: done" in out[9]
    assert (project / "tests/test_add.py").read_text() == ADD_TEST  # the refused write
    assert pytest_passes(project)
    tdd = r.result.workflows["tdd"]
    assert tdd["phase"] == "done" and tdd["cycles_done"] == 1
    moves = [(h["from"], h["to"]) for h in tdd["cycle"]["history"]]
    assert moves == [
        ("red", "red_confirmed"),
        ("red_confirmed", "green"),
        ("green", "refactor"),
        ("refactor", "done"),
    ]
    assert "tests/test_add.py" in tdd["cycle"]["frozen"]
    tests = r.result.workflows["tests"]
    assert tests["ok"] and tests["passed"] == 2 and tests["source"] == "tdd"
    json.dumps(r.result.to_dict())  # RunResult stays JSON-ready
    for before, after in zip(r.requests, r.requests[1:], strict=False):  # a stable prefix
        assert after["tools"] == before["tools"]
        assert after["messages"][: len(before["messages"])] == before["messages"]
    blocks = [e for e in r.guard_events("tdd") if e["action"] == "block"]
    assert len(blocks) == 2
    assert any(e["type"] == "tests" for e in r.events)


def test_claiming_green_while_tests_fail_keeps_the_phase(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    wrong = "def add(a, b):\n    return a - b\n"
    replies = [
        call("tdd_begin_cycle", goal=GOAL),
        call("write_file", path="tests/test_add.py", content=ADD_TEST),
        call("run_tests"),  # the model's own run confirms red
        call("read_file", path="calc.py"),
        call("patch", path="calc.py", old_str=CALC, new_str=CALC + "\n\n" + wrong),
        call("tdd_advance", note="all tests pass now"),
        text("All tests pass, the feature is done!"),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True)
    out = results(r)
    assert "Red confirmed" in out[2] and "[tdd]" in out[2]
    assert "Not green" in out[5] and "TDD phase: red_confirmed" in out[5]
    assert "assert -1 == 5" in out[5]
    # the stop is refused twice with the phase and the failing test, then the run ends
    assert r.result.stop_reason == "tdd_incomplete"
    assert r.result.exit_code == 1
    assert len(r.requests) == 9
    note = r.requests[7]["messages"][-1]["content"]
    assert "not finished" in note and "red_confirmed" in note and "test_add" in note
    assert r.result.workflows["tdd"]["phase"] == "red_confirmed"
    assert r.result.workflows["tdd"]["stop_notes"] == 2


def test_syntax_error_in_the_test_does_not_confirm_red(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    broken = "from calc import add\n\n\ndef test_add(:\n    assert add(2, 3) == 5\n"
    replies = [
        call("tdd_begin_cycle", goal=GOAL, test_path="tests/test_add.py"),
        call("write_file", path="tests/test_add.py", content=broken),
        call("tdd_advance"),
        call("write_file", path="calc.py", content=CALC + "\n\n" + ADD_CODE),  # still refused
        call("write_file", path="tests/test_add.py", content=ADD_TEST),
        call("tdd_advance"),
        call("tdd_status"),
        text("stopping here"),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True, verify=False)
    out = results(r)
    assert "Red not confirmed" in out[2] and "syntax error" in out[2]
    assert "TDD phase: red (" in out[2]
    assert "Not written" in out[3]
    assert "Red confirmed" in out[5]
    assert "TDD phase: red_confirmed" in out[6] and "Last tests:" in out[6]


def test_a_passing_new_test_or_no_test_does_not_confirm_red(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    passing = "from calc import sub\n\n\ndef test_sub_again():\n    assert sub(1, 1) == 0\n"
    replies = [
        call("tdd_begin_cycle", goal=GOAL, test_path="tests/test_add.py"),
        call("tdd_advance"),  # the test file does not exist: nothing ran
        call("write_file", path="tests/test_add.py", content=passing),
        call("tdd_advance"),  # passes: not red
        text("ok"),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True, verify=False)
    out = results(r)
    assert "Red not confirmed" in out[1] and "no test ran" in out[1]
    assert "Red not confirmed" in out[3] and "pass" in out[3]
    assert r.result.workflows["tdd"]["phase"] == "red"


def test_tdd_loop_runs_the_tests_after_each_write(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    replies = [
        call("tdd_loop", goal=GOAL),
        call("write_file", path="tests/test_add.py", content=ADD_TEST),
        call("read_file", path="calc.py"),
        call("patch", path="calc.py", old_str=CALC, new_str=CALC + "\n\n" + ADD_CODE),
        text("Done: add() is in calc.py."),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True)
    out = results(r)
    assert "TDD loop started" in out[0] and "after each write" in out[0]
    assert "Tests run by the harness" in out[1] and "Red confirmed" in out[1]
    assert "TDD phase: refactor" in out[3] and "Green" in out[3]
    # stopping in refactor: the harness runs all tests and closes the cycle itself
    assert r.result.stop_reason == "done", r.result.error
    assert len(r.requests) == 5
    assert r.result.workflows["tdd"]["phase"] == "done"


def test_a_changed_test_is_restored_before_the_cycle_completes(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    tamper = "python -c \"open('tests/test_add.py', 'w').write('def test_add():\\n    pass\\n')\""
    replies = [
        call("tdd_begin_cycle", goal=GOAL, test_path="tests/test_add.py"),
        call("write_file", path="tests/test_add.py", content=ADD_TEST),
        call("tdd_advance"),
        call("read_file", path="calc.py"),
        call("write_file", path="calc.py", content=CALC + "\n\n" + ADD_CODE),
        call("tdd_advance"),
        call("tdd_advance"),
        call("bash", command="cat > tests/test_add.py <<'EOF'\ndef test_add():\n    pass\nEOF"),
        call("bash", command=tamper),  # not seen by the gate: the hash check catches it
        call("tdd_advance"),
        text("done"),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True, verify=False)
    out = results(r)
    assert "TDD phase: refactor" in out[6]
    assert "Not written" in out[7] and "frozen" in out[7]
    assert "TDD phase: done" in out[9] and "restored: tests/test_add.py" in out[9]
    assert (project / "tests/test_add.py").read_text() == ADD_TEST
    assert not any("[loop]" in o for o in out)  # phase moves are progress for the loop guard
    assert r.result.stop_reason == "done"


# ---------------------------------------------------------------- switching it on and off


def test_tools_are_offered_only_while_tdd_is_on(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    srv = fake_server(script([text("a")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, verify=False) as sc:
        sc.run("explain calc.py")
        assert "tdd_status" not in tool_names(srv.requests[-1])
        assert "run_tests" not in tool_names(srv.requests[-1])
        sc.settings.tdd = True  # what /tdd on does: the tools join at the next task
        sc.run("add add() to calc.py")
        assert {"tdd_status", "run_tests"} <= set(tool_names(srv.requests[-1]))
        note = srv.requests[-1]["messages"][-2]["content"]
        assert note.startswith("TDD mode is on") and "tdd_loop" in note
        sc.settings.tdd = False
        sc.run("explain calc.py again")
        assert "tdd_status" not in tool_names(srv.requests[-1])


def test_test_disable_keeps_tdd_and_run_tests_off(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    srv = fake_server(script([text("a")]))
    kw: dict[str, Any] = {"verify": False, "tdd": True, "test_disable": True, "tools": "all"}
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, **kw) as sc:
        notices: list[dict[str, Any]] = []
        sc.on("notice", notices.append)
        sc.run("run the tests")
    names = tool_names(srv.requests[0])
    assert "run_tests" not in names and "tdd_begin_cycle" not in names
    assert any("TDD needs tests" in n["message"] for n in notices)


def test_prompt_floor_with_tdd_on_stays_under_1200_tokens(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("a")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, tdd=True) as sc:
        sc.run("hi")
    body = srv.requests[0]
    floor = (len(json.dumps(body["messages"][:1])) + len(json.dumps(body["tools"]))) // 4
    assert len(body["tools"]) == 11
    assert floor <= 1200, floor


def test_slash_tdd_shows_the_phase_and_switches(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from smallcode.ui import tdd_commands  # noqa: F401  (registers /tdd)
    from smallcode.ui.commands import dispatch

    python_project(project)
    srv = fake_server(script([call("tdd_begin_cycle", goal=GOAL), text("started")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, verify=False) as sc:
        ui: Any = SimpleNamespace(agent=sc.agent, settings=sc.settings)
        assert dispatch(ui, "/tdd").startswith("TDD is off")
        assert "next task" in (dispatch(ui, "/tdd on") or "")
        sc.run("add add()")
        shown = dispatch(ui, "/tdd") or ""
        assert "TDD is on" in shown and "TDD phase: red" in shown
        assert "TDD is off" in (dispatch(ui, "/tdd off") or "")


# ---------------------------------------------------------------- other runners


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_test_variant(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"calc.mjs": "export function sub(a, b) {\n  return a - b;\n}\n"})
    test = (
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n"
        "import { add } from './calc.mjs';\n\ntest('adds', () => {\n  assert.equal(add(2, 3), 5);\n});\n"
    )
    code = (
        "export function sub(a, b) {\n  return a - b;\n}\n\n"
        "export function add(a, b) {\n  return a + b;\n}\n"
    )
    replies = [
        call("tdd_begin_cycle", goal=GOAL, test_path="calc.test.mjs"),
        call("write_file", path="calc.test.mjs", content=test),
        call("run_tests"),
        call("read_file", path="calc.mjs"),
        call("write_file", path="calc.mjs", content=code),
        call("run_tests"),
        call("tdd_advance"),
        call("tdd_advance"),
        text("done"),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True, verify=False)
    out = results(r)
    assert "Red confirmed" in out[2], out[2]
    assert "Green" in out[5]
    assert r.result.workflows["tdd"]["phase"] == "done"
    assert r.result.workflows["tests"]["framework"] == "node"


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_cargo_variant(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    cargo = '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n'
    lib = "pub fn sub(a: i32, b: i32) -> i32 {\n    a - b\n}\n"
    make_git_repo(project, {"Cargo.toml": cargo, "src/lib.rs": lib, ".gitignore": "target\n"})
    test = "use calc::add;\n\n#[test]\nfn adds() {\n    assert_eq!(add(2, 3), 5);\n}\n"
    code = lib + "\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"
    replies = [
        call("tdd_begin_cycle", goal=GOAL, test_path="tests/add.rs"),
        call("write_file", path="tests/add.rs", content=test),
        call("tdd_advance"),
        call("read_file", path="src/lib.rs"),
        call("write_file", path="src/lib.rs", content=code),
        call("tdd_advance"),
        call("tdd_advance"),
        call("tdd_advance"),
        text("done"),
    ]
    r: Run = run_agent(script(replies), f"TDD: {GOAL}", tdd=True, verify=False)
    out = results(r)
    assert "Red confirmed" in out[2], out[2]
    assert "Green" in out[5], out[5]
    assert r.result.workflows["tdd"]["phase"] == "done"


def test_bash_write_targets() -> None:
    from smallcode.agent.tdd_gate import bash_targets

    assert bash_targets("echo 'x' > calc.py && cat a.txt >> log.txt") == ["calc.py", "log.txt"]
    assert bash_targets("python -m pytest 2>&1 | tee out.log") == ["out.log"]
    assert bash_targets("sed -i 's/a/b/' src/calc.py; cp new.py tests/test_a.py") == [
        "tests/test_a.py",
        "src/calc.py",
    ]
    assert bash_targets("python -m pytest -q > /dev/null 2>&1") == []
    assert bash_targets("ls -la") == []


def test_cli_tdd_flag_and_json_result(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    python_project(project)
    srv = fake_server(script([call("tdd_begin_cycle", goal=GOAL), text("Stopping now.")]))
    args = ["--base-url", srv.base_url, "-m", "fake-model", "--non-interactive", "--tdd"]
    done = cli([*args, "--json", "-P", f"TDD: {GOAL}"], project, timeout=120)
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["stop_reason"] == "tdd_incomplete"
    assert result["workflows"]["tdd"]["phase"] == "red"
    assert "tdd_loop" in tool_names(srv.requests[0])
    assert len(srv.requests) == 4  # the stop, two notes, then the end
