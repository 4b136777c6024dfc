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
5. A call whose arguments cannot be read at all (not JSON, not an object) gives no call:
   :func:`tool_call_errors` says what to tell the model instead (a short error naming the
   tool). A name-only object in prose (``{"name": "x"}``) counts only when nothing else is
   a call.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from smallcode.toolcalls.candidates import FLAT_NOTE, Candidate, Unreadable, in_code
from smallcode.toolcalls.formats import PARSERS
from smallcode.toolcalls.pythonic import POSITIONAL, place_positional
from smallcode.toolcalls.readings import judged_by, lossy
from smallcode.toolcalls.refusals import broken_message, refuse, schema_echo, unreadable_reason
from smallcode.toolcalls.repair import SchemaJudge, repair_with_index
from smallcode.toolcalls.schema import ToolIndex
from smallcode.types import ToolCall

log = logging.getLogger(__name__)

MAX_CALLS = 64
MAX_CANDIDATES = 256  # per format parser
MAX_TEXT = 2_000_000  # longer replies are read from their last MAX_TEXT characters
MAX_ERRORS = 3  # broken calls reported to the model per reply
_REPAIRED = "repaired broken JSON"


@dataclass
class FoundCall:
    """A call found in text, with where it was and which notation it used."""

    call: ToolCall
    start: int
    end: int
    format: str
    weak: bool = False


@dataclass
class BrokenCall:
    """A call to a known tool whose arguments could not be read: not run, reported."""

    name: str
    message: str  # what the model is told (names the tool and what was wrong)
    start: int
    end: int


def _to_call(c: Candidate, index: ToolIndex) -> ToolCall | BrokenCall | None:
    resolved = index.resolve(c.name, fuzzy=not c.strict_name and not getattr(c.name, "cut", False))
    if resolved is None or (getattr(c.name, "cut", False) and not index.complete_name(c.name)):
        return None  # a name cut off mid-string counts only when whole and unambiguous
    name, note = resolved
    notes = list(c.notes)
    if note:
        notes.append(note)
    args: Any = c.args
    reason = (
        args.reason
        if isinstance(args, Unreadable)
        else unreadable_reason(index, name, args, repaired=_REPAIRED in notes)
    )
    if reason:
        return BrokenCall(name, broken_message(index, name, reason), c.start, c.end)
    echo = schema_echo(index, name, args)
    if echo:
        return ToolCall(name, {}, repairs=[*notes, f"refused: {echo}"], error=echo)
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


def _scan(text: str, tools: list[dict[str, Any]]) -> tuple[list[FoundCall], list[BrokenCall]]:
    offset = max(0, len(text) - MAX_TEXT)
    text = text[offset:]
    index = ToolIndex(tools)
    if not index or not index.mentioned_in(text):
        return [], []
    with judged_by(SchemaJudge(index)):  # broken JSON is read the way that fits the schemas
        found, broken = _find_calls(text, index)
    if any(not f.weak for f in found):
        found = [f for f in found if not f.weak]  # {"name": "x"} in prose next to real calls
    found.sort(key=lambda f: f.start)
    seen: set[str] = set()
    unique = []
    for f in found:
        key = f.call.name + "\0" + json.dumps(f.call.arguments, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    calls = [
        FoundCall(f.call, f.start + offset, f.end + offset, f.format, f.weak)
        for f in unique[:MAX_CALLS]
    ]
    broken.sort(key=lambda b: b.start)
    return calls, [BrokenCall(b.name, b.message, b.start + offset, b.end + offset) for b in broken]


def _find_calls(text: str, index: ToolIndex) -> tuple[list[FoundCall], list[BrokenCall]]:
    claimed: list[tuple[int, int]] = []
    found: list[FoundCall] = []
    broken: list[BrokenCall] = []
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
            results = [(c, r) for c in group if (r := _to_call(c, index)) is not None]
            if not results or in_code(text, start):
                continue
            claimed.append((start, end))
            for c, r in results:
                if isinstance(r, BrokenCall):
                    broken.append(r)
                else:
                    found.append(FoundCall(r, start, end, group[0].fmt, c.weak))
        if len(found) >= MAX_CALLS:
            break
    return found, broken


def _find(text: str, tools: list[dict[str, Any]]) -> list[FoundCall]:
    return _scan(text, tools)[0]


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


def tool_call_errors(text: str, tools: list[dict[str, Any]]) -> list[str]:
    """What to tell the model about calls in ``text`` that were not run because their
    arguments could not be read (each names the tool; at most MAX_ERRORS). Empty when
    ``text`` holds a call that can run. Never raises."""
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        calls, broken = _scan(text, tools)
    except Exception:
        log.debug("tool-call parsing failed", exc_info=True)
        return []
    if calls:
        return []
    out: list[str] = []
    for b in broken:
        if b.message not in out:
            out.append(b.message)
    return out[:MAX_ERRORS]


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
