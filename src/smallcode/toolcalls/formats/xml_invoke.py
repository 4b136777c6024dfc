"""MiniMax-M2 / Claude-style XML calls.

    <minimax:tool_call>
    <invoke name="read_file">
    <parameter name="path">a.py</parameter>
    </invoke>
    </minimax:tool_call>

Any namespace prefix is accepted (``<function_calls>``, ``<minimax:tool_call>``, prefixed
``invoke``). An ``invoke`` whose body is JSON instead of parameters is read as JSON.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, marked_regions
from smallcode.toolcalls.formats.qwen_xml import trim_value
from smallcode.toolcalls.jsonscan import iter_json_values, strip_fence
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "xml-invoke"
_NS = r"(?:[\w\-]+:)?"
_INVOKE = re.compile(rf"<{_NS}invoke\s+name\s*=\s*[\"']([^\"'<>\n]{{1,100}})[\"']\s*>")
_INVOKE_END = re.compile(rf"</{_NS}invoke\s*>")
_PARAM = re.compile(rf"<{_NS}parameter\s+name\s*=\s*[\"']([^\"'<>\n]{{1,100}})[\"'][^>]{{0,100}}>")
_PARAM_END = re.compile(rf"</{_NS}parameter\s*>")


def parse_invokes(body: str, offset: int, end: int, fmt: str) -> list[Candidate]:
    out = []
    for m, body_end, _ in marked_regions(body, _INVOKE, _INVOKE_END):
        inner = body[m.end() : body_end]
        args: dict[str, object] = {}
        notes: list[str] = []
        if _PARAM.search(inner):
            for p, value_end, _ in marked_regions(inner, _PARAM, _PARAM_END):
                value = inner[p.end() : value_end]
                if not inner.startswith("</", value_end):
                    value = value.rstrip()
                args[p.group(1)] = trim_value(value)
        else:
            vals = iter_json_values(strip_fence(inner), limit=1)
            if vals and isinstance(vals[0][2], dict):
                args = vals[0][2]
                if vals[0][3]:
                    notes.append("repaired broken JSON")
        out.append(Candidate(offset, end, m.group(1), args, fmt, notes))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "invoke" not in text:
        return []
    out = []
    for m, _body_end, region_end in marked_regions(text, _INVOKE, _INVOKE_END):
        out.extend(parse_invokes(text[m.start() : region_end], m.start(), region_end, FORMAT))
    return out
