"""Mistral / Devstral / Magistral calls after the ``[TOOL_CALLS]`` token.

[TOOL_CALLS][{"name": "read_file", "arguments": {"path": "a.py"}}]      (v3 tokenizer)
[TOOL_CALLS]read_file[ARGS]{"path": "a.py"}                             (v11+)
[TOOL_CALLS]read_file[CALL_ID]a1b2c3d4e[ARGS]{"path": "a.py"}
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import (
    Candidate,
    json_candidates,
    marked_regions,
    name_then_json,
    tighten,
)
from smallcode.toolcalls.jsonscan import find_close, loads_lenient
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "mistral"
_OPEN = re.compile(r"\[TOOL_CALLS\]")
_CLOSE = re.compile(r"</s>|\[/TOOL_CALLS\]")
_NAMED = re.compile(r"\s*([\w.\-]{1,100})\s*(?:\[CALL_ID\]\s*(?:[\w\-]{1,64}\s*)?)?\[ARGS\]\s*")


def _named_calls(body: str, start: int, end: int | None) -> list[Candidate]:
    """``name[ARGS]{...}`` calls; with ``end`` None the region ends after the last one."""
    out: list[Candidate] = []
    pos = 0
    while len(out) < 64:
        m = _NAMED.match(body, pos)
        if not m:
            break
        j = m.end()
        if j >= len(body) or body[j] not in "{[":
            out.append(Candidate(start, 0, m.group(1), {}, FORMAT))
            pos = j
            break
        e = find_close(body, j)
        e = len(body) if e < 0 else e
        loaded = loads_lenient(body[j:e])
        notes = ["repaired broken JSON"] if loaded and loaded[1] else []
        args = loaded[0] if loaded else body[j:e]
        out.append(Candidate(start, 0, m.group(1), args, FORMAT, notes))
        pos = e
    for c in out:
        c.end = end if end is not None else start + len("[TOOL_CALLS]") + pos
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "[TOOL_CALLS]" not in text:
        return []
    out: list[Candidate] = []
    for m, body_end, region_end in marked_regions(text, _OPEN, _CLOSE):
        body = text[m.end() : body_end]
        s = body.lstrip()
        if s[:1] in ("[", "{"):
            end = tighten(text, m.end(), body_end, region_end)
            out.extend(json_candidates(text[m.end() : end], m.start(), end, FORMAT))
        else:
            closed = region_end > body_end
            found = _named_calls(body, m.start(), region_end if closed else None)
            out.extend(found or name_then_json(body, m.start(), region_end, FORMAT))
    return out
