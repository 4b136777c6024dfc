"""Qwen3-Coder XML calls (also Functionary v3.1's ``<function=name>{json}</function>``).

    <tool_call>
    <function=write_file>
    <parameter=path>
    a.py
    </parameter>
    <parameter=content>
    print("hi")
    </parameter>
    </function>
    </tool_call>

Values are text; the schema types them later (repair). The template puts one newline after
the opening and before the closing parameter tag: exactly those are removed, so code keeps
its indentation and blank lines.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, body_args, marked_regions
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "qwen3-coder-xml"
_FUNC = re.compile(r"<function\s*=\s*[\"']?([\w.\-]{1,100})[\"']?\s*>")
_FUNC_END = re.compile(r"</function\s*>|</tool_call>")
_PARAM = re.compile(r"<parameter\s*=\s*[\"']?([\w.\-]{1,100})[\"']?\s*>")
_PARAM_END = re.compile(r"</parameter\s*>")


def trim_value(value: str) -> str:
    """Remove the single newline the template adds on each side of a value."""
    if value.startswith("\r\n"):
        value = value[2:]
    elif value.startswith("\n"):
        value = value[1:]
    if value.endswith("\r\n"):
        value = value[:-2]
    elif value.endswith("\n"):
        value = value[:-1]
    return value


def _params(body: str) -> dict[str, str]:
    args: dict[str, str] = {}
    for m, value_end, _ in marked_regions(body, _PARAM, _PARAM_END):
        value = body[m.end() : value_end]
        if value_end == len(body) or not body.startswith("</", value_end):
            value = value.rstrip()  # cut off or never closed
        args[m.group(1)] = trim_value(value)
    return args


def parse_functions(body: str, offset: int, end: int, fmt: str) -> list[Candidate]:
    """Every ``<function=...>`` in ``body``; candidates span [offset, end)."""
    out = []
    for m, body_end, _ in marked_regions(body, _FUNC, _FUNC_END):
        inner = body[m.end() : body_end]
        if "<parameter" in inner:
            out.append(Candidate(offset, end, m.group(1), _params(inner), fmt))
            continue
        args, notes = body_args(inner)
        out.append(Candidate(offset, end, m.group(1), args, fmt, notes))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "<function" not in text:
        return []
    out = []
    for m, _body_end, region_end in marked_regions(text, _FUNC, _FUNC_END):
        out.extend(parse_functions(text[m.start() : region_end], m.start(), region_end, FORMAT))
    return out
