"""Calls to tools that do not exist: text shaped like a tool call whose name is no known tool.

``parse_tool_calls`` returns only calls to known tools. A small model that invents a tool
(``{"name": "create_file", "arguments": {...}}``) would otherwise look like it gave a final
answer; the loop uses this to tell it which tools exist instead.
"""

from __future__ import annotations

import re
from typing import Any

from smallcode.toolcalls.schema import ToolIndex

_NAME = r"([A-Za-z_][\w.\-]{0,79})"
# {"name": "x", "arguments": ...} and the usual key variants, as written in JSON or fenced JSON.
_JSON_CALL = re.compile(
    r'\{\s*"(?:name|function|tool|tool_name)"\s*:\s*"'
    + _NAME
    + r'"\s*,\s*"(?:arguments|parameters|args|input)"\s*:'
)
_XML_CALL = re.compile(r"<function=" + _NAME + r">|<invoke name=\"" + _NAME + r"\">")
_TAGGED_NAME = re.compile(r"<tool_call>\s*" + _NAME + r"\s*<arg_key>")
MAX_SCAN = 200_000


def unknown_tool_names(text: str, tools: list[dict[str, Any]]) -> list[str]:
    """Names in call-shaped text that match no tool (not even loosely), in order of appearance."""
    if not isinstance(text, str) or not text:
        return []
    text = text[-MAX_SCAN:]
    index = ToolIndex(tools)
    names: list[str] = []
    for rx in (_JSON_CALL, _XML_CALL, _TAGGED_NAME):
        for m in rx.finditer(text):
            name = next((g for g in m.groups() if g), "")
            if name and name not in names and index.resolve(name) is None:
                names.append(name)
    return names
