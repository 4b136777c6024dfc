"""ReAct text (LangChain agents, many fine-tunes).

    Thought: I need to see the file.
    Action: read_file
    Action Input: {"path": "a.py"}

The input may be JSON, a fenced block, or plain text (given to the tool's only required
parameter). ``Action: read_file(path="a.py")`` is read as a python-style call.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, LineStart
from smallcode.toolcalls.jsonscan import find_close, loads_lenient, strip_fence
from smallcode.toolcalls.pythonic import parse_calls
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "react"
_ACTION = LineStart(r"[ \t]*(?:\*\*)?Action(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*([^\n]*)", re.IGNORECASE)
_INPUT = re.compile(
    r"^[ \t]*(?:\*\*)?Action[ _]Input(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*", re.MULTILINE | re.IGNORECASE
)
_STOP = re.compile(
    r"^[ \t]*(?:\*\*)?(?:Observation|Thought|Action|Final Answer)\b", re.MULTILINE | re.IGNORECASE
)


def _input_value(text: str, i: int, limit: int) -> tuple[object, int, list[str]]:
    """The Action Input starting at ``text[i]``: (value, end, notes)."""
    if i < limit and text[i] in "{[":
        e = find_close(text, i, limit)
        e = limit if e < 0 else e
        loaded = loads_lenient(text[i:e])
        if loaded is not None:
            return loaded[0], e, (["repaired broken JSON"] if loaded[1] else [])
        return text[i:e], e, []
    raw = strip_fence(text[i:limit]).strip()
    if raw[:1] in ("{", "["):
        loaded = loads_lenient(raw)
        if loaded is not None:
            return loaded[0], limit, (["repaired broken JSON"] if loaded[1] else [])
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    return raw, limit, []


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "ction" not in text or not _ACTION.search(text):
        return []
    out: list[Candidate] = []
    stops = [m.start() for m in _STOP.finditer(text)]
    si = 0
    for m in _ACTION.finditer(text):
        if "input" in m.group(0).lower().split(":", 1)[0]:
            continue  # an "Action Input:" line
        head = m.group(1).strip().strip("`*").strip()
        if not head or len(head) > 300:
            continue
        # the next stop marker after this line bounds the input
        while si < len(stops) and stops[si] <= m.start():
            si += 1
        nxt = [s for s in stops[si : si + 3] if s > m.end()]
        limit = len(text)
        for s in nxt:
            if not _INPUT.match(text, s):
                limit = s
                break
        if len(out) >= 64:
            break
        if "(" in head and head.endswith(")"):
            for name, args in parse_calls(head) or []:
                out.append(Candidate(m.start(), m.end(), name, args, FORMAT, strict_name=True))
            continue
        inp = _INPUT.search(text, m.end(), limit)
        if inp is None:
            out.append(Candidate(m.start(), m.end(), head, {}, FORMAT, strict_name=True))
            continue
        value, end, notes = _input_value(text, inp.end(), limit)
        out.append(Candidate(m.start(), end, head, value, FORMAT, notes, strict_name=True))
    return out
