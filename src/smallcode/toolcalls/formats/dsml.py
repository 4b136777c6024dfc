"""DeepSeek V3.2 / V4 "DSML" calls (markers written with the full-width bar ``｜``).

    <｜DSML｜function_calls>                                              (V3.2; V4: tool_calls)
    <｜DSML｜invoke name="get_weather">
    <｜DSML｜parameter name="location" string="true">Paris</｜DSML｜parameter>
    <｜DSML｜parameter name="days" string="false">3</｜DSML｜parameter>
    </｜DSML｜invoke>
    </｜DSML｜function_calls>

``string="true"`` means the value is the raw text (kept exactly: code, quotes, braces);
otherwise it is JSON (a number, a list, an object). An ASCII ``|`` for the bar, spaces
inside the markers, a missing wrapper and unclosed markers (a reply cut off) are accepted.
"""

from __future__ import annotations

import json
import re

from smallcode.toolcalls.candidates import Candidate, marked_regions
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "dsml"
_D = r"[|｜]\s*DSML\s*[|｜]\s*"


def _closer(tag: str) -> re.Pattern[str]:
    """``</｜DSML｜tag>``, or ``<｜DSML｜/tag>`` as some servers rewrite it."""
    return re.compile(rf"<\s*/\s*{_D}{tag}\s*>|<\s*{_D}/\s*{tag}\s*>")


_BLOCK = re.compile(rf"<\s*{_D}(?:function_calls|tool_calls)\s*>")
_BLOCK_END = _closer("(?:function_calls|tool_calls)")
_INVOKE = re.compile(rf"<\s*{_D}invoke\s+name\s*=\s*[\"']([^\"'<>\n]{{1,100}})[\"']\s*/?>")
_INVOKE_END = _closer("invoke")
_PARAM = re.compile(
    rf"<\s*{_D}param(?:eter)?\s+name\s*=\s*[\"']([^\"'<>\n]{{1,100}})[\"']"
    r"(?:\s+string\s*=\s*[\"'](true|false)[\"'])?[^>]{0,60}>"
)
_PARAM_END = _closer("param(?:eter)?")


def _value(raw: str, is_string: bool) -> object:
    if is_string:
        return raw
    s = raw.strip()
    try:
        return json.loads(s)
    except (ValueError, RecursionError):
        return s  # the schema repair types it (or keeps the text)


def _invokes(text: str, start: int, end: int, region: tuple[int, int]) -> list[Candidate]:
    body = text[start:end]
    out = []
    for m, body_end, _ in marked_regions(body, _INVOKE, _INVOKE_END):
        inner = body[m.end() : body_end]
        args: dict[str, object] = {}
        for p, value_end, _ in marked_regions(inner, _PARAM, _PARAM_END):
            raw = inner[p.end() : value_end]
            closed = _PARAM_END.match(inner, value_end) is not None
            if not closed:
                raw = raw.rstrip()  # cut off, or the next parameter began
            args[p.group(1)] = _value(raw, p.group(2) != "false")
        out.append(Candidate(region[0], region[1], m.group(1), args, FORMAT))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "DSML" not in text:
        return []
    out: list[Candidate] = []
    blocks = marked_regions(text, _BLOCK, _BLOCK_END)
    for m, body_end, region_end in blocks:
        out.extend(_invokes(text, m.end(), body_end, (m.start(), region_end)))
    if not blocks:  # invokes written without their wrapper
        for m, _body_end, region_end in marked_regions(text, _INVOKE, _INVOKE_END):
            out.extend(_invokes(text, m.start(), region_end, (m.start(), region_end)))
    return out
