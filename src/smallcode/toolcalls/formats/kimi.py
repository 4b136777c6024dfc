"""Kimi-K2 tool-call sections.

<|tool_calls_section_begin|>
<|tool_call_begin|>functions.read_file:0<|tool_call_argument_begin|>{"path": "a.py"}<|tool_call_end|>
<|tool_calls_section_end|>
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, marked_regions
from smallcode.toolcalls.jsonscan import iter_json_values
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "kimi-k2"
_CALL = re.compile(
    r"<\|tool_call_begin\|>\s*([\w.\-]{1,120})(?::\d{1,6})?\s*<\|tool_call_argument_begin\|>"
)
_CALL_END = re.compile(r"<\|tool_call_end\|>|<\|tool_calls_section_end\|>")


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "<|tool_call_begin|>" not in text:
        return []
    out = []
    for m, body_end, region_end in marked_regions(text, _CALL, _CALL_END):
        vals = iter_json_values(text[m.end() : body_end], limit=1)
        args = vals[0][2] if vals else {}
        notes = ["repaired broken JSON"] if vals and vals[0][3] else []
        out.append(Candidate(m.start(), region_end, m.group(1), args, FORMAT, notes))
    return out
