"""gpt-oss (harmony) calls: a message to ``functions.NAME`` on the commentary channel.

    <|start|>assistant<|channel|>commentary to=functions.read_file <|constrain|>json<|message|>{"path": "a.py"}<|call|>

The recipient may also sit in the role header (``assistant to=functions.x<|channel|>...``),
and servers that drop special tokens leave ``commentary to=functions.read_file json{...}``.
A bare ``to=name`` (without ``functions.``) only counts next to harmony tokens.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, marked_regions, unreadable
from smallcode.toolcalls.jsonscan import iter_json_values
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "harmony"
_TO = re.compile(r"\bto=([\w\-]{1,40}\.[\w.\-]{1,100}|[\w\-]{1,100})")
_END = re.compile(r"<\|call\|>|<\|end\|>|<\|return\|>|<\|start\|>")


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "to=" not in text:
        return []
    has_tokens = "<|message|>" in text or "<|channel|>" in text
    out: list[Candidate] = []
    for m, body_end, region_end in marked_regions(text, _TO, _END):
        name = m.group(1)
        if not (name.startswith("functions.") or has_tokens):
            continue
        body = text[m.end() : body_end]
        k = body.find("<|message|>")
        if k >= 0:
            at = k + 11
        else:
            at = body.find("{")
            if at < 0 or at > 80:
                continue
        vals = iter_json_values(body[at:], limit=1)
        rest = body[at:].strip()
        args = vals[0][2] if vals else (unreadable(rest, "not JSON") if rest else {})
        notes = ["repaired broken JSON"] if vals and vals[0][3] else []
        if vals and region_end == body_end:  # no <|call|>: the call ends with its JSON
            region_end = m.end() + at + vals[0][1]
        out.append(Candidate(m.start(), region_end, name, args, FORMAT, notes))
    return out
