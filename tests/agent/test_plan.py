"""The TODO plan mode against the fake server: a step is completed only when the harness's
check passes on its files, the three trained call shapes give the same plan, the model cannot
stop with open steps, the plan survives compaction, the user's edits of plan.md count."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode
from tests.agent.conftest import Run
from tests.fakes.openai_server import FakeCall, FakeOpenAIServer, FakeReply, script, text
from tests.fakes.openai_server import tool as call

PLAN_MD = ".smallcode/plan.md"
MULTI = "Create bad.py with a function f. Then create good.py. Finally write notes.txt."
CORE = ["read_file", "write_file", "patch", "bash", "search", "find_files"]
STEPS = ["Create bad.py", "Create good.py", "Write notes.txt"]


def todos(*statuses: str, shape: str = "qwen") -> list[dict[str, Any]]:
    out = []
    for i, (content, status) in enumerate(zip(STEPS, statuses, strict=False), start=1):
        if shape == "claude":
            out.append({"content": content, "status": status, "activeForm": content + "ing"})
        elif shape == "codex":
            out.append({"step": content, "status": status})
        else:
            out.append({"id": str(i), "content": content, "status": status})
    return out


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def plan_lines(project: Path) -> list[str]:
    return [ln for ln in (project / PLAN_MD).read_text().splitlines() if ln.startswith("- [")]


def outputs(r: Run, name: str = "todo_write") -> list[str]:
    return [e["output"] for e in r.events if e["type"] == "tool_end" and e["name"] == name]


# ---------------------------------------------------------------- a false claim is refused


def test_false_claim_stays_in_progress_until_the_file_parses(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    seen: dict[int, str] = {}
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("write_file", path="bad.py", content="def f(:\n    return 1\n"),
        call("todo_write", todos=todos("completed", "in_progress", "pending")),  # false
        call("write_file", path="bad.py", content="def f():\n    return 1\n"),
        call("todo_write", todos=todos("completed", "in_progress", "pending")),
        call("write_file", path="good.py", content="x = 1\n"),
        call("write_file", path="notes.txt", content="notes\n"),
        call("todo_write", todos=todos("completed", "completed", "completed")),
        text("All three steps are done."),
    ]

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        path = project / PLAN_MD
        seen[n] = path.read_text() if path.exists() else ""
        return script(replies)(body, n)

    r: Run = run_agent(policy, MULTI)
    assert r.result.exit_code == 0 and r.result.stop_reason == "done", r.result.error
    refused = outputs(r)[1]
    assert "NOT completed" in refused and "SyntaxError" in refused and "bad.py:1" in refused
    assert refused.index("SyntaxError") < 400  # the error comes first
    assert "Next step: 1. Create bad.py" in refused
    assert len(refused) < 1600
    # plan.md unchanged for step 1 while its file fails the check
    after_refusal = seen[3]
    assert "- [ ] Create bad.py (in progress)" in after_refusal
    assert "- [x] Create bad.py" not in after_refusal
    accepted = outputs(r)[2]
    assert "Step 1 completed" in accepted and "bad.py" in accepted
    assert "Next step: 2. Create good.py" in accepted
    assert plan_lines(project) == [
        "- [x] Create bad.py",
        "- [x] Create good.py",
        "- [x] Write notes.txt",
    ]
    text_md = (project / PLAN_MD).read_text()
    assert "  - files: bad.py" in text_md and "good.py, notes.txt" in text_md
    plan = r.result.workflows["plan"]
    assert plan["completed"] == 3 and plan["refused"] == 1 and plan["accepted"] == 3
    blocks = [e for e in r.guard_events("plan") if e["action"] == "block"]
    assert len(blocks) == 1 and "SyntaxError" in blocks[0]["message"]


def test_claim_of_several_steps_at_once_checks_every_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("pending", "pending", "pending", shape="claude")),
        call("write_file", path="bad.py", content="def f():\n    return 1\n"),
        call("write_file", path="good.py", content="x = (\n"),
        call("todo_write", todos=todos("completed", "completed", "completed", shape="claude")),
        text("done"),
    ]
    r = run_agent(script(replies), MULTI)
    out = outputs(r)[1]
    assert "NOT completed" in out and "good.py:1" in out
    assert r.result.workflows["plan"]["completed"] == 0
    assert r.result.exit_code == 1


def test_work_done_before_the_plan_is_still_checked(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("write_file", path="bad.py", content="def f(:\n"),
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("todo_write", todos=todos("completed", "in_progress", "pending")),
        text("done"),
    ]
    r = run_agent(script(replies), MULTI)
    assert "NOT completed" in outputs(r)[1]


def test_step_that_names_its_tests_runs_them(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("python") is None:
        pytest.skip("python is not on PATH")
    steps = [
        {"id": "1", "content": "Write calc.py with add()", "status": "in_progress"},
        {"id": "2", "content": "Make the tests in test_calc.py pass", "status": "pending"},
    ]
    done1 = [dict(steps[0], status="completed"), dict(steps[1], status="in_progress")]
    done2 = [dict(steps[0], status="completed"), dict(steps[1], status="completed")]
    replies = [
        call("todo_write", todos=steps),
        call("write_file", path="calc.py", content="def add(a, b):\n    return a - b\n"),
        call("todo_write", todos=done1),
        call(
            "write_file",
            path="test_calc.py",
            content="from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
        ),
        call("todo_write", todos=done2),  # the test fails: refused
        call("patch", path="calc.py", old_str="a - b", new_str="a + b"),
        call("todo_write", todos=done2),
        text("Done."),
    ]
    r = run_agent(script(replies), "Write calc.py with add(), add tests and make them pass")
    outs = outputs(r)
    assert "Step 1 completed" in outs[1]
    assert "NOT completed" in outs[2] and "test_add" in outs[2]
    assert "Step 2 completed" in outs[3]
    assert r.result.workflows["plan"]["completed"] == 2


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_step_is_checked_with_node(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("write_file", path="app.js", content="function f( {\n"),
        call("todo_write", todos=todos("completed", "in_progress", "pending")),
        text("done"),
    ]
    r = run_agent(script(replies), MULTI)
    out = outputs(r)[1]
    assert "NOT completed" in out and "app.js" in out


# ---------------------------------------------------------------- the three call shapes


def _text_call(name: str, args: dict[str, Any]) -> FakeReply:
    payload = json.dumps({"name": name, "arguments": args})
    return text(f"<tool_call>\n{payload}\n</tool_call>")


SHAPES = {
    "claude": (
        "TodoWrite",
        lambda: {"todos": todos("in_progress", "pending", "pending", shape="claude")},
    ),
    "qwen": ("todo_write", lambda: {"todos": todos("in_progress", "pending", "pending")}),
    "codex": (
        "update_plan",
        lambda: {
            "explanation": "three files",
            "plan": todos("in_progress", "pending", "pending", shape="codex"),
        },
    ),
}


@pytest.mark.parametrize("native", [True, False], ids=["native", "text"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_three_call_shapes_give_the_same_plan(
    project: Path, run_agent, shape: str, native: bool
) -> None:  # type: ignore[no-untyped-def]
    name, args = SHAPES[shape]
    first = FakeReply(calls=[FakeCall(name, args())]) if native else _text_call(name, args())
    r = run_agent(script([first, text("Planned.")]), MULTI)
    assert [c.name for c in r.result.tool_calls] == ["todo_write"]
    assert all(c.ok for c in r.result.tool_calls)
    assert "unknown tool" not in json.dumps(r.requests[1]["messages"])
    steps = [(s["content"], s["status"]) for s in r.result.workflows["plan"]["steps"]]
    assert steps == [
        ("Create bad.py", "in_progress"),
        ("Create good.py", "pending"),
        ("Write notes.txt", "pending"),
    ]
    assert plan_lines(project) == [
        "- [ ] Create bad.py (in progress)",
        "- [ ] Create good.py",
        "- [ ] Write notes.txt",
    ]


def test_rewording_a_step_does_not_make_a_new_one(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reworded = todos("completed", "in_progress", "pending", shape="claude")
    reworded[0]["content"] = "create BAD.py (the first file)"
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending", shape="claude")),
        call("write_file", path="bad.py", content="x = 1\n"),
        call("todo_write", todos=reworded),
        text("stop"),
    ]
    r = run_agent(script(replies), MULTI, plan="true")
    plan = r.result.workflows["plan"]
    assert plan["total"] == 3
    assert plan["steps"][0]["content"] == "create BAD.py (the first file)"
    assert plan["steps"][0]["status"] == "completed"


def test_partial_update_by_id_keeps_the_other_steps(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("todo_write", todos=[{"id": "1", "content": "", "status": "completed"}]),
        text("stop"),
    ]
    r = run_agent(script(replies), MULTI)
    steps = r.result.workflows["plan"]["steps"]
    assert [s["status"] for s in steps] == ["completed", "in_progress", "pending"]
    assert [s["content"] for s in steps] == STEPS


# ---------------------------------------------------------------- stopping with open steps


def test_stopping_with_open_steps_gets_two_notes_then_plan_incomplete(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        text("All done!"),
    ]
    r = run_agent(script(replies), MULTI)
    assert len(r.requests) == 4  # the plan, the stop, exactly 2 extra requests
    assert r.result.stop_reason == "plan_incomplete" and r.result.exit_code == 1
    notes = [r.last_content(2), r.last_content(3)]
    for note in notes:
        assert "1. Create bad.py (in progress)" in note and "3. Write notes.txt" in note
        assert len(note) <= 800
    assert "last reminder" in notes[1]
    assert r.result.workflows["plan"]["notes"] == 2


def test_finished_plan_lets_the_completion_check_decide(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("write_file", path="bad.py", content="def f():\n    return 1\n"),
        call("write_file", path="good.py", content="y = 2\n"),
        call("write_file", path="notes.txt", content="n\n"),
        call("todo_write", todos=todos("completed", "completed", "completed")),
        text("Done."),
    ]
    r = run_agent(script(replies), MULTI)
    assert r.result.exit_code == 0
    assert r.result.verification["status"] == "passed"
    assert "All steps are completed" in outputs(r)[1]


# ---------------------------------------------------------------- when plan mode applies


def test_one_line_task_gets_no_plan_tool(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Hello!")]), "say hello")
    assert tool_names(r.requests[0]) == tool_names(
        run_agent(script([text("Hello!")]), "say hello", plan="false").requests[0]
    )
    assert "todo_write" not in tool_names(r.requests[0])
    assert "Plan mode" not in json.dumps(r.requests[0]["messages"])
    plan = r.result.workflows["plan"]
    assert plan["applied"] is False and plan["steps"] == []


def test_default_tool_list_unchanged_for_a_one_part_change(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(
        script([call("write_file", path="hello.py", content="print('hello')\n"), text("ok")]),
        "Create hello.py that prints hello",
    )
    assert tool_names(r.requests[0]) == CORE
    assert r.result.exit_code == 0


def test_multi_part_task_gets_the_tool_and_a_plan_note(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Planned.")]), MULTI)
    body = r.requests[0]
    assert tool_names(body)[-1] == "todo_write"
    users = [m["content"] for m in body["messages"] if m["role"] == "user"]
    assert users[-1] == MULTI  # the task stays last; the note comes with it
    assert any(u.startswith("Plan mode:") and "todo_write" in u for u in users)
    assert "todo_write" not in body["messages"][0]["content"]  # not in the system prompt


def test_plan_true_offers_the_tool_from_the_start(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Hi.")]), "say hello", plan="true")
    assert "todo_write" in tool_names(r.requests[0])
    assert "Plan mode:" in json.dumps(r.requests[0]["messages"])


def test_plan_false_never_offers_it(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("ok")]), MULTI, plan="false")
    assert "todo_write" not in tool_names(r.requests[0])
    assert "plan" not in r.result.workflows


def test_prefix_is_stable_through_a_plan_run(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("write_file", path="bad.py", content="def f():\n    return 1\n"),
        call("todo_write", todos=todos("completed", "in_progress", "pending")),
        text("stop"),
    ]
    r = run_agent(script(replies), MULTI)
    for k in range(1, len(r.requests)):
        prev, cur = r.requests[k - 1], r.requests[k]
        assert cur["tools"] == prev["tools"]
        assert cur["messages"][: len(prev["messages"])] == prev["messages"]
    assert r.result.prefix_reuse >= 0.9


# ---------------------------------------------------------------- sessions: edits, compaction


@pytest.fixture
def session(
    project: Path, fake_server: Callable[..., FakeOpenAIServer]
) -> Callable[..., tuple[SmallCode, FakeOpenAIServer, list[dict[str, Any]]]]:
    opened: list[SmallCode] = []

    def go(
        policy: Any, **settings: Any
    ) -> tuple[SmallCode, FakeOpenAIServer, list[dict[str, Any]]]:
        srv = fake_server(policy, n_ctx=settings.pop("n_ctx", 8192))
        sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project, **settings)
        events: list[dict[str, Any]] = []
        sc.on("*", events.append)
        opened.append(sc)
        return sc, srv, events

    yield go
    for sc in opened:
        sc.close()


def test_user_edits_of_plan_md_are_honoured(project: Path, session) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("todo_write", todos=todos("in_progress", "pending", "pending")),
        call("write_file", path="bad.py", content="def f():\n    return 1\n"),
        call("todo_write", todos=todos("completed", "in_progress", "pending")),
        text("Step 1 done, stopping here."),
        text("Still stopping."),
        text("Stopping."),
        # second task: the model continues the plan as the user left it
        call(
            "todo_write",
            todos=[
                {"id": "1", "content": "Create bad.py", "status": "completed"},
                {"id": "2", "content": "Create good.py", "status": "completed"},
                {"id": "3", "content": "Write notes.md instead", "status": "in_progress"},
            ],
        ),
        text("ok"),
    ]
    sc, srv, _ = session(script(replies))
    first = sc.run(MULTI)
    assert first.stop_reason == "plan_incomplete"
    path = project / PLAN_MD
    edited = path.read_text().replace("- [ ] Create good.py (in progress)", "- [x] Create good.py")
    edited = edited.replace("Write notes.txt", "Write notes.md instead")
    path.write_text(edited)
    n = len(srv.requests)
    sc.run("continue the plan")
    body = srv.requests[n]
    note = next(
        m["content"] for m in body["messages"][::-1] if m["content"].startswith("Plan mode:")
    )
    assert "3. Write notes.md instead" in note and "Create good.py" not in note
    assert "todo_write" in tool_names(body)
    out = sc.agent.ctx.plan
    assert [s.status for s in out.steps][:2] == ["completed", "completed"]
    assert out.steps[2].content == "Write notes.md instead"


def test_plan_note_comes_back_after_compaction(project: Path, session) -> None:  # type: ignore[no-untyped-def]
    (project / "pkg").mkdir()
    for i in range(8):
        body = "\n".join(f"def handler_{i}_{k}(x):\n    return x + {k}\n" for k in range(60))
        (project / "pkg" / f"mod{i}.py").write_text(body)
    steps: list[FakeReply] = [call("todo_write", todos=todos("in_progress", "pending", "pending"))]
    for i in range(8):
        steps += [
            call("read_file", path=f"pkg/mod{i}.py"),
            call("bash", command=f"cat pkg/mod{i}.py"),
        ]
    steps.append(text("stop"))
    state = {"n": 0}

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        if "tools" not in body:
            return text("Summary: read pkg/ modules.")
        step = steps[min(state["n"], len(steps) - 1)]
        state["n"] += 1
        return step

    sc, srv, events = session(policy, n_ctx=8192, max_turns=40)
    r = sc.run(MULTI)
    assert sc.agent.context.compactions >= 1
    assert any(e["type"] == "compaction" for e in events)
    first_after = sc.agent.context.compaction_requests[0]
    main = [b for b in srv.requests if "tools" in b]
    after = json.dumps(main[first_after]["messages"])
    assert "unfinished steps" in after and "Create bad.py (in progress)" in after
    # the system prompt never changed
    assert all(b["messages"][0] == main[0]["messages"][0] for b in main)
    notes = [e for e in events if e["type"] == "guard" and e.get("guard") == "plan"]
    assert any("unfinished steps" in e["message"] for e in notes)
    assert r.stop_reason == "plan_incomplete"


def test_a_finished_plan_is_replaced_by_the_next_tasks_plan(project: Path, session) -> None:  # type: ignore[no-untyped-def]
    second = [
        {"content": "Rename f to g", "status": "in_progress"},
        {"content": "Update the callers", "status": "pending"},
        {"content": "Run the checks", "status": "pending"},
    ]
    replies = [
        call("todo_write", todos=todos("completed", "completed", "completed")),
        text("done"),
        call("todo_write", todos=second),
        text("stop"),
    ]
    sc, _, _ = session(script(replies), verify=False)
    assert sc.run(MULTI).exit_code == 0
    r = sc.run("Rename f to g. Then update the callers. Finally run the checks and fix them.")
    steps = r.workflows["plan"]["steps"]
    assert [(s["content"], s["status"]) for s in steps] == [
        ("Rename f to g", "in_progress"),
        ("Update the callers", "pending"),
        ("Run the checks", "pending"),
    ]
    assert all(s["files"] == [] for s in steps)
    assert "Task: Rename f to g" in (project / PLAN_MD).read_text()


def test_deleting_plan_md_drops_the_plan(project: Path, session) -> None:  # type: ignore[no-untyped-def]
    first = call("todo_write", todos=todos("in_progress", "pending", "pending"))
    sc, _, _ = session(script([first, text("stop"), text("stop"), text("stop"), text("Hi.")]))
    assert sc.run(MULTI).stop_reason == "plan_incomplete"
    (project / PLAN_MD).unlink()
    r = sc.run("continue the plan")
    assert r.exit_code == 0 and sc.agent.ctx.plan.steps == []
