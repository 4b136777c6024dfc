"""MiniMax-M2 / M3, Claude-style and MiniCPM5 XML calls.

    <minimax:tool_call>
    <invoke name="read_file">
    <parameter name="path">a.py</parameter>
    </invoke>
    </minimax:tool_call>                                                    (MiniMax-M2)

    ]<]minimax[>[<tool_call>
    ]<]minimax[>[<invoke name="read_file">
    ]<]minimax[>[<path>a.py]<]minimax[>[</path>
    ]<]minimax[>[</invoke>
    ]<]minimax[>[</tool_call>                                               (MiniMax-M3)

    <function name="read_file"><param name="path">a.py</param></function>  (MiniCPM5)

Any namespace prefix is accepted (``<function_calls>``, ``<minimax:tool_call>``, prefixed
``invoke``). MiniMax-M3 writes each argument as an element named after it (lists as
repeated ``<item>``, objects as nested elements) and puts its namespace token before every
tag; servers may drop the token. An ``invoke`` whose body is JSON is read as JSON.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, body_args, marked_regions
from smallcode.toolcalls.formats.qwen_xml import trim_value
from smallcode.toolcalls.schema import ToolIndex
from smallcode.toolcalls.xmlvalues import element_arguments

FORMAT = "xml-invoke"
_NS = r"(?:[\w\-]+:)?"
_INVOKE = re.compile(rf"<{_NS}(invoke|function)\s+name\s*=\s*[\"']([^\"'<>\n]{{1,100}})[\"']\s*>")
_INVOKE_END = re.compile(rf"</{_NS}(?:invoke|function)\s*>")
_PARAM = re.compile(
    rf"<{_NS}param(?:eter)?\s+name\s*=\s*[\"']([^\"'<>\n]{{1,100}})[\"'][^>]{{0,100}}>"
)
_PARAM_END = re.compile(rf"</{_NS}param(?:eter)?\s*>")
_M3_TOKEN = re.compile(r"\]?<\]minimax\[>\[")


def parse_invokes(body: str, offset: int, end: int, fmt: str) -> list[Candidate]:
    out = []
    for m, body_end, _ in marked_regions(body, _INVOKE, _INVOKE_END):
        inner = body[m.end() : body_end]
        if "minimax[" in inner:
            inner = _M3_TOKEN.sub("", inner)
        args: object = {}
        notes: list[str] = []
        if _PARAM.search(inner):
            params: dict[str, object] = {}
            for p, value_end, _ in marked_regions(inner, _PARAM, _PARAM_END):
                value = inner[p.end() : value_end]
                if not inner.startswith("</", value_end):
                    value = value.rstrip()
                params[p.group(1)] = trim_value(value)
            args = params
        elif inner.strip():
            elements = element_arguments(inner.strip()) if m.group(1) == "invoke" else None
            if elements is not None:
                args = elements
            else:
                args, notes = body_args(inner)
        out.append(Candidate(offset, end, m.group(2), args, fmt, notes))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "invoke" not in text and "<function " not in text:
        return []
    out = []
    for m, _body_end, region_end in marked_regions(text, _INVOKE, _INVOKE_END):
        out.extend(parse_invokes(text[m.start() : region_end], m.start(), region_end, FORMAT))
    return out
