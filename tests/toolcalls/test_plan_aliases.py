"""The plan tool under the names and argument shapes other agents' models are trained on:
Claude Code ``TodoWrite``, Qwen Code ``todo_write``, Codex ``update_plan``."""

from __future__ import annotations

import json

import pytest

from smallcode.agent.plan_mode import todo_write
from smallcode.toolcalls import parse_tool_calls, repair_native_call
from smallcode.toolcalls.schema import ToolIndex
from smallcode.types import ToolCall

from .conftest import TOOLS

PLAN_TOOLS = [*TOOLS, todo_write.__tool__.schema()]  # type: ignore[attr-defined]
CODEX = {"explanation": "two files", "plan": [{"step": "a", "status": "in_progress"}]}


@pytest.mark.parametrize(
    "name", ["todo_write", "TodoWrite", "update_plan", "updatePlan", "functions.update_plan"]
)
def test_names_resolve_to_todo_write(name: str) -> None:
    resolved = ToolIndex(PLAN_TOOLS).resolve(name)
    assert resolved is not None and resolved[0] == "todo_write"


def test_aliases_only_apply_when_the_tool_is_offered() -> None:
    assert ToolIndex(TOOLS).resolve("update_plan") is None
    assert not ToolIndex(TOOLS).mentioned_in('{"name": "update_plan"}')
    assert ToolIndex(PLAN_TOOLS).mentioned_in('{"name": "update_plan"}')


def test_native_codex_call_becomes_todos() -> None:
    raw = ToolCall(name="update_plan", id="c1", raw_arguments=json.dumps(CODEX))
    fixed = repair_native_call(raw, PLAN_TOOLS)
    assert fixed is not None and fixed.name == "todo_write"
    assert fixed.arguments == {"todos": [{"step": "a", "status": "in_progress"}]}


@pytest.mark.parametrize("name", ["TodoWrite", "update_plan", "todo_write"])
def test_text_calls_are_parsed(name: str) -> None:
    args = CODEX if name == "update_plan" else {"todos": [{"content": "a", "status": "pending"}]}
    text = f"<tool_call>\n{json.dumps({'name': name, 'arguments': args})}\n</tool_call>"
    calls = parse_tool_calls(text, PLAN_TOOLS)
    assert [c.name for c in calls] == ["todo_write"]
    assert isinstance(calls[0].arguments["todos"], list)


def test_todos_as_a_json_string_are_decoded() -> None:
    raw = ToolCall(
        name="todo_write",
        raw_arguments=json.dumps({"todos": json.dumps([{"content": "a", "status": "pending"}])}),
    )
    fixed = repair_native_call(raw, PLAN_TOOLS)
    assert fixed is not None and fixed.arguments["todos"] == [{"content": "a", "status": "pending"}]
