"""Calls written as one XML element whose attributes hold the name and the JSON arguments.

    <tools>
      <function name="write_file" arguments='{"path": "a.py", "content": "print('hi')\\n"}'/>
    </tools>

Qwen2.5 models write this after seeing the ``<tools>`` block of their chat template. The
element may be ``function``, ``tool``, ``tool_call``, ``call`` or ``invoke``; the arguments
attribute ``arguments``, ``args``, ``parameters``, ``params`` or ``input``; either quote. The
JSON often holds the attribute's own quote character (``print('hi')`` inside ``'...'``), so
the value does not end at the first quote: it ends at the first closing quote after which the
element ends (``/>`` or ``>``) and the text in between reads as JSON.
"""

from __future__ import annotations

import html
import re

from smallcode.toolcalls.candidates import Candidate
from smallcode.toolcalls.jsonscan import loads_lenient
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "xml-attributes"
_OPEN = re.compile(
    r"<(?:function|tool|tool_call|call|invoke)\s+name\s*=\s*([\"'])([\w.\-]{1,100})\1\s+"
    r"(?:arguments|args|parameters|params|input)\s*=\s*([\"'])",
    re.I,
)
_MAX_VALUE = 200_000


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "name" not in text or "<" not in text:
        return []
    out: list[Candidate] = []
    pos = 0
    while (m := _OPEN.search(text, pos)) is not None:
        quote = m.group(3)
        value_start = m.end()
        read = _read_value(text, value_start, quote)
        if read is None:
            pos = m.end()
            continue
        args, repaired, end = read
        notes = ["repaired broken JSON"] if repaired else []
        out.append(Candidate(m.start(), end, m.group(2), args, FORMAT, notes))
        pos = end
    return out


def _read_value(text: str, start: int, quote: str) -> tuple[object, bool, int] | None:
    """(arguments, repaired, end of the element) for the attribute value opening at ``start``.

    Tries each closing quote that the end of the element follows, first to last, and keeps
    the first whose text is a JSON object (exact before repaired).
    """
    closer = re.compile(re.escape(quote) + r"\s*/?>")
    limit = min(len(text), start + _MAX_VALUE)
    repaired_pick: tuple[object, bool, int] | None = None
    for c in closer.finditer(text, start, limit):
        raw = text[start : c.start()]
        for candidate in (raw, html.unescape(raw)) if "&" in raw else (raw,):
            loaded = loads_lenient(candidate)
            if loaded is None or not isinstance(loaded[0], dict):
                continue
            if not loaded[1]:
                return loaded[0], False, c.end()
            if repaired_pick is None:
                repaired_pick = (loaded[0], True, c.end())
    return repaired_pick
