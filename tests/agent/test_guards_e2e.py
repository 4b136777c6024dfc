"""Each guard against the fake server: a scripted misbehaving model is steered back or stopped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smallcode import SmallCode
from smallcode.tools.registry import ToolContext, tool
from tests.agent.conftest import Run
from tests.fakes.openai_server import FakeCall, FakeReply, script, text
from tests.fakes.openai_server import tool as call


def tool_messages(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def test_loop_is_warned_then_stopped(run_agent) -> None:  # type: ignore[no-untyped-def]
    r: Run = run_agent(script([call("bash", command="ls")]))
    assert r.result.stop_reason == "guard:loop" and r.result.exit_code == 1
    assert len(r.requests) == 5  # stopped within a few requests
    assert "3 times" in tool_messages(r.requests[3])[-1]
    assert r.guard_events("loop")[-1]["action"] == "stop"


def test_dedup_repeats_read_until_a_write(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    r = run_agent(
        script(
            [
                call("read_file", path="a.py"),
                call("read_file", path="a.py"),
                call("patch", path="a.py", old_str="x = 1", new_str="x = 2"),
                call("read_file", path="a.py"),
                text("done"),
            ]
        )
    )
    assert r.result.success
    results = tool_messages(r.requests[4])
    assert results[1].startswith("[dedup]") and "x = 1" in results[1]
    assert not results[3].startswith("[dedup]") and "x = 2" in results[3]


def test_memory_write_dedup(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    saved: list[str] = []

    @tool
    def remember(ctx: ToolContext, title: str, content: str) -> str:
        """Save a memory.

        Args:
            title: Short title.
            content: What to remember.
        """
        saved.append(title)
        return f"Saved {title}."

    srv = fake_server(
        script(
            [
                call("remember", title="tests", content="pytest -q"),
                call("remember", title="tests", content="pytest -q"),
                text("ok"),
            ]
        )
    )
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        sc.agent.registry.add(remember)
        result = sc.run("remember how to run tests")
    assert result.success and saved == ["tests"]
    assert "Already saved" in tool_messages(srv.requests[2])[-1]


def test_patch_spiral_is_blocked_and_stopped(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    ab = call("patch", path="a.py", old_str="x = 1", new_str="x = 2")
    ba = call("patch", path="a.py", old_str="x = 2", new_str="x = 1")
    r = run_agent(
        script(
            [
                call("read_file", path="a.py"),
                ab,
                ba,
                ba,
                FakeReply(
                    calls=[
                        FakeCall("patch", {"path": "a.py", "old_str": "x = 2", "new_str": "x = 1 "})
                    ]
                ),
            ]
        )
    )
    assert (project / "a.py").read_text() == "x = 2\n"  # the revert never applied
    assert "going back and forth" in tool_messages(r.requests[3])[-1]
    assert r.result.stop_reason == "guard:spiral" and r.result.exit_code == 1
    assert len(r.requests) <= 6


def test_failing_patches_get_advice_then_stop(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    original = "def f():\n    return 1\n"
    (project / "a.py").write_text(original)
    replies = [call("read_file", path="a.py")] + [
        call("patch", path="a.py", old_str=f"def g{i}():\n    return {i}", new_str="x")
        for i in range(8)
    ]
    r = run_agent(script(replies))
    assert r.result.stop_reason == "guard:spiral"
    assert "read_file a.py" in tool_messages(r.requests[4])[-1]  # after the 3rd failure
    assert len(r.requests) == 6  # read + 5 failing patches
    assert (project / "a.py").read_text() == original


def test_greeting_mid_task_restates_and_continues(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    r = run_agent(
        script(
            [
                call("read_file", path="a.py"),
                text("Hello! How can I help you today?"),
                call("patch", path="a.py", old_str="x = 1", new_str="x = 2"),
                text("Changed x to 2 in a.py."),
            ]
        ),
        task="set x to 2 in a.py",
    )
    assert r.result.success and r.result.response == "Changed x to 2 in a.py."
    note = r.last_content(2)
    assert "set x to 2 in a.py" in note and "read_file" in note and "do not greet" in note
    # the greeting stays in history (append-only), the note comes after it
    roles = [m["role"] for m in r.requests[2]["messages"]]
    assert roles[-2:] == ["assistant", "user"]
    assert (project / "a.py").read_text() == "x = 2\n"


def test_greeting_forever_is_stopped(run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([call("find_files", pattern="*.py"), text("Hi! How can I help you?")]))
    assert r.result.stop_reason == "guard:greeting" and len(r.requests) == 4


def test_hallucinated_tools_bounded(run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([call("run_tests", suite="all")]))
    assert r.result.stop_reason == "guard:quality" and r.result.exit_code == 1
    assert len(r.requests) == 3
    assert "unknown tool(s) run_tests" in r.last_content(1) and "read_file" in r.last_content(1)


def test_empty_replies_bounded_then_recovers(run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text(""), text(""), text("All done.")]))
    assert r.result.success and r.result.response == "All done."
    assert "empty" in r.last_content(1)
    r2 = run_agent(script([text("")]))
    assert r2.result.stop_reason == "guard:quality" and len(r2.requests) == 3


def test_announced_action_without_call_is_nudged(run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(
        script([text("Let me read the file."), call("find_files", pattern="*"), text("Done.")])
    )
    assert r.result.success and "did not call a tool" in r.last_content(1)


def test_truncated_tool_call_never_applied(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    cut = FakeReply(
        calls=[
            FakeCall(
                "write_file", '{"path": "big.py", "content": "def a():\\n    return 1\\n\\ndef b('
            )
        ],
        finish_reason="length",
    )
    r = run_agent(
        script(
            [
                cut,
                call("write_file", path="big.py", content="def a():\n    return 1\n"),
                text("Wrote big.py in parts."),
            ]
        )
    )
    assert r.result.success
    assert (project / "big.py").read_text() == "def a():\n    return 1\n"
    assert [c.name for c in r.result.tool_calls] == ["write_file"]  # only the complete one
    note = r.last_content(1)
    assert "NOT applied" in note and "skeleton" in note
    assert "def b(" not in json.dumps(r.requests[1]["messages"])  # partial call not in history


def test_truncation_forever_is_stopped(run_agent) -> None:  # type: ignore[no-untyped-def]
    cut = FakeReply(
        calls=[FakeCall("write_file", '{"path": "x.py", "content": "aaa')], finish_reason="length"
    )
    r = run_agent(script([cut]))
    assert r.result.stop_reason == "guard:truncation" and len(r.requests) == 3


def test_trust_decay_demotes_then_removes_tool(run_agent) -> None:  # type: ignore[no-untyped-def]
    fails = [call("search", pattern="x", path=f"missing{i}") for i in range(5)]
    r = run_agent(script([*fails, call("find_files", pattern="*"), text("gave up on search")]))
    assert r.result.success
    # after 3 failures: listed last; the list was stable before that
    assert tool_names(r.requests[1]) == tool_names(r.requests[0])
    assert tool_names(r.requests[3])[-1] == "search"
    assert tool_names(r.requests[4]) == tool_names(r.requests[3])
    assert "search" not in tool_names(r.requests[5])
    assert "removed" in tool_messages(r.requests[5])[-1]


def test_retry_temperature_rises_after_failures_and_resets(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    r = run_agent(
        script(
            [
                call("read_file", path="nope.py"),
                call("read_file", path="nope2.py"),
                call("read_file", path="a.py"),
                text("done"),
            ]
        ),
        temperature=0.2,
    )
    temps = [b["temperature"] for b in r.requests]
    assert temps[0] == 0.2 and temps[1] > temps[0] and temps[2] > temps[1] and temps[3] == 0.2


def test_temperature_adaptation_can_be_switched_off(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([call("read_file", path="nope.py"), text("done")]), temp_adapt=False)
    assert [b["temperature"] for b in r.requests] == [0.2, 0.2]


def test_write_guard_blocks_blind_overwrite(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "cfg.py").write_text("KEEP = True\n")
    r = run_agent(
        script(
            [
                call("write_file", path="cfg.py", content="NEW = 1\n"),
                call("read_file", path="cfg.py"),
                call("write_file", path="cfg.py", content="KEEP = True\nNEW = 1\n"),
                text("done"),
            ]
        )
    )
    assert r.result.success
    assert "not read it" in tool_messages(r.requests[1])[-1]
    assert (project / "cfg.py").read_text() == "KEEP = True\nNEW = 1\n"


def test_sloppy_patches_land_through_the_ladder(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    src = "class A:\n    def f(self):\n        x = 1   \n        return x\n"
    (project / "m.py").write_text(src)
    r = run_agent(
        script(
            [
                call("read_file", path="m.py"),
                # 2-space indentation, no trailing spaces: indentation step
                call(
                    "patch",
                    path="m.py",
                    old_str="def f(self):\n  x = 1\n  return x",
                    new_str="def f(self):\n  x = 2\n  return x",
                ),
                text("done"),
            ]
        )
    )
    assert r.result.success
    assert (
        project / "m.py"
    ).read_text() == "class A:\n    def f(self):\n        x = 2\n        return x\n"
    assert "matched by indentation" in tool_messages(r.requests[2])[-1]


def test_duplicate_call_in_one_reply_runs_once(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    twice = FakeReply(calls=[FakeCall("bash", {"command": "echo x >> log.txt"})] * 2)
    r = run_agent(script([twice, text("done")]))
    assert r.result.success
    assert (project / "log.txt").read_text() == "x\n"
    assert "appears twice" in tool_messages(r.requests[1])[-1]


def test_blank_tool_name_gets_a_clear_message(run_agent) -> None:  # type: ignore[no-untyped-def]
    blank = FakeReply(calls=[FakeCall("", {"path": "a.py"})])
    r = run_agent(script([blank, text("sorry, done")]))
    assert r.result.success
    assert "empty name" in r.last_content(1) and "read_file" in r.last_content(1)
