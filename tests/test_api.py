"""The Python API: SmallCode.run / arun, RunResult, events."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from smallcode import RunResult, SmallCode
from tests.fakes.openai_server import FakeReply, script, text, tool


def test_run_result_and_events(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    srv = fake_server(
        script(
            [
                tool("read_file", path="a.py"),
                tool("patch", path="a.py", old_str="x = 1", new_str="x = 2"),
                tool("write_file", path="b.py", content="y = 1\n"),
                FakeReply(content="All done.", reasoning="I patched and created files."),
            ]
        )
    )
    events: list[dict[str, Any]] = []
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        for name in ("tool_start", "tool_end", "text"):
            sc.on(name, events.append)
        result = sc.run("edit a.py and create b.py")
    assert isinstance(result, RunResult)
    assert result.success and result.stop_reason == "done" and result.exit_code == 0
    assert result.response == "All done."  # reasoning is not part of the answer
    assert result.files_created == ["b.py"] and result.files_edited == ["a.py"]
    assert [c.name for c in result.tool_calls] == ["read_file", "patch", "write_file"]
    assert all(c.ok and c.ms >= 0 for c in result.tool_calls)
    assert result.turns == 4 and result.requests == 4
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens == 40
    assert result.duration_s > 0
    starts = [e for e in events if e["type"] == "tool_start"]
    ends = [e for e in events if e["type"] == "tool_end"]
    assert starts[0]["name"] == "read_file" and starts[0]["args"] == {"path": "a.py"}
    assert ends[1]["name"] == "patch" and ends[1]["ok"] is True and "ms" in ends[1]
    assert "".join(e["text"] for e in events if e["type"] == "text") == "All done."
    assert (project / "a.py").read_text() == "x = 2\n"


def test_conversation_continues_across_runs(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("first answer"), text("second answer")]))
    sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project)
    assert sc.run("one").response == "first answer"
    assert sc.run("two").response == "second answer"
    roles = [m["role"] for m in srv.requests[1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    # Prefix stability: the second request starts with the whole first request.
    assert srv.requests[1]["messages"][:2] == srv.requests[0]["messages"]
    sc.close()


def test_arun(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("async ok")]))

    async def go() -> RunResult:
        with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
            return await sc.arun("hi")

    assert asyncio.run(go()).response == "async ok"


def test_tool_error_does_not_end_run(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([tool("read_file", path="missing.py"), text("it is missing")]))
    errors: list[dict[str, Any]] = []
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        sc.on("tool_end", errors.append)
        result = sc.run("read it")
    assert result.success
    assert result.tool_calls[0].ok is False
    assert "file not found" in errors[0]["output"]


def test_endpoint_error_in_result(project: Path) -> None:
    sc = SmallCode(model="fake", base_url="http://127.0.0.1:9/v1", cwd=project, max_retries=1)
    errs: list[dict[str, Any]] = []
    sc.on("error", errs.append)
    result = sc.run("hi")
    assert not result.success and result.stop_reason == "error" and result.exit_code == 3
    assert "127.0.0.1:9" in result.error and errs and errs[0]["message"] == result.error


def test_settings_keywords(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(lambda body, n: tool("bash", command=f"echo {n}"))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, max_turns=2) as sc:
        result = sc.run("loop")
    assert result.stop_reason == "max_turns" and len(srv.requests) == 2
