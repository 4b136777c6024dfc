"""Liquid AI LFM2: python-style (or JSON) calls between special markers.

<|tool_call_start|>[read_file(path="a.py"), bash(command="ls")]<|tool_call_end|>
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, marked_regions, tighten
from smallcode.toolcalls.formats.hermes import parse_body
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "lfm2"
_OPEN = re.compile(r"<\|tool_call_start\|>")
_CLOSE = re.compile(r"<\|tool_call_end\|>")


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "<|tool_call_start|>" not in text:
        return []
    out: list[Candidate] = []
    for m, body_end, region_end in marked_regions(text, _OPEN, _CLOSE):
        end = tighten(text, m.end(), body_end, region_end)
        out.extend(parse_body(text[m.end() : min(body_end, end)], m.start(), end, FORMAT))
    return out
