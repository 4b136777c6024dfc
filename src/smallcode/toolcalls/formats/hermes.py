"""Hermes / Qwen2.5 / Qwen3 (and Jamba, MiniMax): calls between ``<tool_call>`` tags.

    <tool_call>
    {"name": "read_file", "arguments": {"path": "a.py"}}
    </tool_call>

The tag is also the wrapper other families reuse, so a body may hold Qwen3-Coder XML, GLM
key/value tags, ``<invoke>`` elements, python-style calls or ``name {json}``: each goes to
its family's body parser. A tag that never closes runs to the next one or the end of the text.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import (
    Candidate,
    json_candidates,
    marked_regions,
    name_then_json,
    pythonic_candidates,
    tighten,
)
from smallcode.toolcalls.jsonscan import find_close, strip_fence
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "hermes"
# a namespace (<seed:tool_call>, <minimax:tool_call>), LongCat's prefix, and Hunyuan HY4's
# per-checkpoint suffix (<tool_call:6124c78e>)
_TAG = (
    r"(?:[\w\-]+:|longcat_)?(?:tool[_\-]?calls?|function[_\-]?calls?|tool_use|toolcall)"
    r"(?::[\w\-]{1,40})?"
)
_OPEN = re.compile(rf"<{_TAG}>", re.IGNORECASE)
_CLOSE = re.compile(rf"</{_TAG}>", re.IGNORECASE)
_BARE_NAME = re.compile(r"[A-Za-z_][\w.\-]{0,100}")


def parse_body(body: str, start: int, end: int, fmt: str) -> list[Candidate]:
    """Calls in the body of any marked region, whatever notation the model used inside."""
    if "<function" in body and re.search(r"<function\s*=", body):
        from smallcode.toolcalls.formats import qwen_xml

        return qwen_xml.parse_functions(body, start, end, fmt)
    if "<arg_key" in body or "<tool_sep" in body:
        from smallcode.toolcalls.formats import glm

        return glm.parse_body(body, start, end, fmt)
    if ("invoke" in body or "<function " in body) and "<" in body:
        from smallcode.toolcalls.formats import xml_invoke

        found = xml_invoke.parse_invokes(body, start, end, fmt)
        if found:
            return found
    s = strip_fence(body)
    if s[:1] in ("{", "["):
        found = json_candidates(s, start, end, fmt)
        if found:
            return found
    found = pythonic_candidates(s, start, end, fmt)
    if found:
        return found
    if _BARE_NAME.fullmatch(s):  # a call without arguments (GLM-4.7: <tool_call>name</tool_call>)
        return [Candidate(start, end, s, {}, fmt, strict_name=True)]
    return name_then_json(s, start, end, fmt)


def _json_past_closer(text: str, body_start: int, body_end: int) -> int:
    """End of a JSON body whose string values contain the closing tag itself (a model writing
    about tool calls); -1 when the body's JSON closes before the tag as usual, -2 when it
    never closes at all."""
    i = body_start
    while i < body_end and text[i] in " \t\r\n":
        i += 1
    if i >= body_end or text[i] != "{" or find_close(text, i, body_end) > 0:
        return -1
    e = find_close(text, i)
    if e < 0:
        return -2
    return e if e > body_end else -1


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "<" not in text or not _OPEN.search(text):
        return []
    out: list[Candidate] = []
    skip_to = 0
    may_extend = True
    for m, body_end, region_end in marked_regions(text, _OPEN, _CLOSE):
        if m.start() < skip_to:
            continue
        if may_extend:
            e = _json_past_closer(text, m.end(), body_end)
            if e > 0:
                close = _CLOSE.search(text, e)
                body_end = e
                region_end = close.end() if close and not text[e : close.start()].strip() else e
                skip_to = region_end
            elif e == -2:
                may_extend = False  # one unbounded scan that failed is enough
        end = tighten(text, m.end(), body_end, region_end)
        out.extend(parse_body(text[m.end() : min(body_end, end)], m.start(), end, FORMAT))
    return out
