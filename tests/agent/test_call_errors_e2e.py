"""Calls the parser refuses reach the model as errors, never as runs with lost arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.agent.conftest import Run
from tests.fakes.openai_server import FakeCall, FakeReply, script, text


def tool_messages(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def test_text_call_with_unreadable_arguments_gets_an_error_note(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    r: Run = run_agent(
        script(
            [
                text('<tool_call>{"name": "patch", "arguments": 12}</tool_call>'),
                text("Nothing to change."),
            ]
        )
    )
    note = r.last_content(1)
    assert note.startswith("Error: patch: the call was not run") and "JSON object" in note
    assert not any(e["type"] == "tool_start" for e in r.events)
    assert (project / "a.py").read_text() == "x = 1\n"


def test_native_call_with_unreadable_arguments_is_answered_not_run(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    r: Run = run_agent(
        script(
            [
                FakeReply(calls=[FakeCall("patch", "path a.py: x = 1 -> x = 2")]),
                text("I could not patch it."),
            ]
        )
    )
    results = tool_messages(r.requests[1])
    assert len(results) == 1 and results[0].startswith("Error: patch: the call was not run")
    assert (project / "a.py").read_text() == "x = 1\n"
