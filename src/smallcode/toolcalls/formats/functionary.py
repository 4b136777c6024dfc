"""Functionary (MeetKai) calls.

    >>>read_file
    {"path": "a.py"}                                        v3 / v3.2 (">>>all" is plain text)

    <|from|>assistant
    <|recipient|>read_file
    <|content|>{"path": "a.py"}                             v2

v3.1's ``<function=read_file>{"path": "a.py"}</function>`` is read by the qwen_xml module.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, marked_regions, tighten, unreadable
from smallcode.toolcalls.jsonscan import iter_json_values
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "functionary"
_V3 = re.compile(r">>>\s*([\w.\-]{1,100})[ \t]*\n?")
_V3_END = re.compile(r"<\|eot_id\|>|<\|eom_id\|>")
_V2 = re.compile(r"<\|recipient\|>\s*([\w.\-]{1,100})\s*<\|content\|>")
_V2_END = re.compile(r"<\|from\|>|<\|stop\|>")


def _calls(text: str, opener: re.Pattern[str], closer: re.Pattern[str]) -> list[Candidate]:
    out = []
    for m, body_end, region_end in marked_regions(text, opener, closer):
        name = m.group(1)
        if name == "all":
            continue
        body = text[m.end() : body_end].lstrip()
        if not body.startswith("{"):  # v3 always writes a JSON object, even "{}"
            continue
        vals = iter_json_values(body, limit=1)
        region_end = tighten(text, m.end(), body_end, region_end)
        args = vals[0][2] if vals else unreadable(body.strip(), "broken JSON")
        notes = ["repaired broken JSON"] if vals and vals[0][3] else []
        out.append(Candidate(m.start(), region_end, name, args, FORMAT, notes))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out = []
    if ">>>" in text:
        out.extend(_calls(text, _V3, _V3_END))
    if "<|recipient|>" in text:
        out.extend(_calls(text, _V2, _V2_END))
    return out
