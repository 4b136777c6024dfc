"""parse_tool_calls: every notation small models write, turned into repaired ToolCalls.

How one reply is read:
1. A cheap pre-check: no tool name (in any spelling) in the text means no call.
2. Each format parser (formats.PARSERS, most specific first) proposes candidates; a region
   of text already claimed by an earlier parser is not read again.
3. A candidate counts only if its name is a known tool and it does not start inside a code
   fence of a programming language or an inline `code span` (examples, explanations).
4. Arguments are repaired against the tool's schema (repair.py); each fix is noted.
   Broken JSON is read the way that fits the schemas (readings.py); a call whose text
   cannot be read without losing some comes back refused (``ToolCall.error``), not run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from smallcode.toolcalls.candidates import FLAT_NOTE, Candidate, in_code
from smallcode.toolcalls.formats import PARSERS
from smallcode.toolcalls.pythonic import POSITIONAL, place_positional
from smallcode.toolcalls.readings import judged_by, lossy
from smallcode.toolcalls.repair import SchemaJudge, refuse, repair_with_index
from smallcode.toolcalls.schema import ToolIndex
from smallcode.types import ToolCall

log = logging.getLogger(__name__)

MAX_CALLS = 64
MAX_CANDIDATES = 256  # per format parser
MAX_TEXT = 2_000_000  # longer replies are read from their last MAX_TEXT characters


@dataclass
class FoundCall:
    """A call found in text, with where it was and which notation it used."""

    call: ToolCall
    start: int
    end: int
    format: str


def _to_call(c: Candidate, index: ToolIndex) -> ToolCall | None:
    resolved = index.resolve(c.name, fuzzy=not c.strict_name)
    if resolved is None:
        return None
    name, note = resolved
    notes = list(c.notes)
    if note:
        notes.append(note)
    args: Any = c.args
    lost = lossy(args)
    if isinstance(args, dict) and POSITIONAL in args:
        args, extra = place_positional(args, index.param_order(name))
        notes.extend(extra)
    flat = FLAT_NOTE in notes and isinstance(args, dict) and bool(args)
    fixed, repairs = repair_with_index(index, name, args)
    if flat and not fixed:
        return None  # data that merely carries a tool's name ({"name": "bash", "version": 5})
    if lost is not None:  # the text could not be read without losing some: not to be run
        args, error = refuse(name, fixed, lost)
        return ToolCall(name, args, repairs=[*notes, *repairs, f"refused: {error}"], error=error)
    return ToolCall(name=name, arguments=fixed, repairs=notes + repairs)


def _groups(cands: list[Candidate]) -> list[list[Candidate]]:
    """Candidates from one region (same span) belong together."""
    groups: list[list[Candidate]] = []
    for c in cands:
        if groups and (groups[-1][0].start, groups[-1][0].end) == (c.start, c.end):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _find(text: str, tools: list[dict[str, Any]]) -> list[FoundCall]:
    offset = max(0, len(text) - MAX_TEXT)
    text = text[offset:]
    index = ToolIndex(tools)
    if not index or not index.mentioned_in(text):
        return []
    with judged_by(SchemaJudge(index)):  # broken JSON is read the way that fits the schemas
        found = _find_calls(text, index)
    found.sort(key=lambda f: f.start)
    seen: set[str] = set()
    unique = []
    for f in found:
        key = f.call.name + "\0" + json.dumps(f.call.arguments, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return [
        FoundCall(f.call, f.start + offset, f.end + offset, f.format) for f in unique[:MAX_CALLS]
    ]


def _find_calls(text: str, index: ToolIndex) -> list[FoundCall]:
    claimed: list[tuple[int, int]] = []
    found: list[FoundCall] = []
    for fmt, finder in PARSERS:
        try:
            cands = finder(text, index)
        except Exception:  # one broken parser must not cost the others
            log.debug("tool-call parser %s failed", fmt, exc_info=True)
            continue
        for group in _groups(cands[:MAX_CANDIDATES]):
            if len(found) >= MAX_CALLS:
                break
            start, end = group[0].start, group[0].end
            if any(start < e and s < end for s, e in claimed):
                continue
            calls = [call for c in group if (call := _to_call(c, index)) is not None]
            if not calls or in_code(text, start):
                continue
            claimed.append((start, end))
            found.extend(FoundCall(call, start, end, group[0].fmt) for call in calls)
        if len(found) >= MAX_CALLS:
            break
    return found


def find_tool_calls(text: str, tools: list[dict[str, Any]]) -> list[FoundCall]:
    """Like :func:`parse_tool_calls`, with each call's span in ``text`` and its notation."""
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        return _find(text, tools)
    except Exception:  # the promise: any input, no exception
        log.debug("tool-call parsing failed", exc_info=True)
        return []


def parse_tool_calls(text: str, tools: list[dict[str, Any]]) -> list[ToolCall]:
    """The tool calls written in ``text`` to tools in ``tools`` (OpenAI function schemas).

    Arguments are repaired against the schemas (``ToolCall.repairs`` says how). Never raises;
    returns [] when the text holds no call to a known tool.
    """
    return [f.call for f in find_tool_calls(text, tools)]


def strip_tool_call_text(text: str, tools: list[dict[str, Any]]) -> str:
    """``text`` without the regions that held tool calls (what is left to show the user)."""
    found = find_tool_calls(text, tools)
    if not found:
        return text
    out = []
    pos = 0
    for f in found:
        if f.start >= pos:
            out.append(text[pos : f.start])
            pos = f.end
    out.append(text[pos:])
    return "".join(out).strip()
