"""Tool schemas shaped like SmallCode's own (generated from typed functions)."""

from __future__ import annotations

from typing import Any

import pytest

from smallcode.toolcalls import parse_tool_calls
from smallcode.types import tool_schema


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


TOOLS: list[dict[str, Any]] = [
    tool_schema(
        "read_file",
        "Read a text file with line numbers.",
        _obj(
            {
                "path": {"type": "string"},
                "start_line": {"type": "integer"},
                "limit": {"type": "integer"},
            },
            ["path"],
        ),
    ),
    tool_schema(
        "write_file",
        "Create or overwrite a file.",
        _obj({"path": {"type": "string"}, "content": {"type": "string"}}, ["path", "content"]),
    ),
    tool_schema(
        "edit_file",
        "Replace an exact block of text in a file.",
        _obj(
            {
                "path": {"type": "string"},
                "old_str": {"type": "string"},
                "new_str": {"type": "string"},
                "replace_all": {"type": "boolean"},
            },
            ["path", "old_str", "new_str"],
        ),
    ),
    tool_schema(
        "bash",
        "Run a shell command.",
        _obj({"command": {"type": "string"}, "timeout": {"type": "integer"}}, ["command"]),
    ),
    tool_schema(
        "grep",
        "Search file contents with a regular expression.",
        _obj(
            {
                "pattern": {"type": "string"},
                "paths": {"type": "array", "items": {"type": "string"}},
                "ignore_case": {"type": "boolean"},
            },
            ["pattern"],
        ),
    ),
    tool_schema("list_files", "List files.", _obj({"path": {"type": "string"}}, [])),
    tool_schema(
        "task_done",
        "Finish the task.",
        _obj({"summary": {"type": "string"}, "options": {"type": "object"}}, ["summary"]),
    ),
]


def calls(text: str, tools: list[dict[str, Any]] | None = None) -> list[tuple[str, dict]]:
    """(name, arguments) of every call parsed from ``text``."""
    return [(c.name, c.arguments) for c in parse_tool_calls(text, tools or TOOLS)]


@pytest.fixture
def tools() -> list[dict[str, Any]]:
    return TOOLS
