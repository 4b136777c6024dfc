"""What format parsers return (Candidate) and the helpers they share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from smallcode.toolcalls.jsonscan import (
    calls_from_value,
    find_close,
    iter_json_values,
    strip_fence,
)
from smallcode.toolcalls.pythonic import parse_calls

FLAT_NOTE = "arguments were given next to the tool name, not in 'arguments'"


@dataclass
class Candidate:
    """A call found in text, before its name is checked and its arguments repaired."""

    start: int
    end: int
    name: str
    args: Any
    fmt: str
    notes: list[str] = field(default_factory=list)
    # Weak evidence (a bare tag, a line of prose-like code): exact names only, no fuzzy match.
    strict_name: bool = False
    # Only a name, in free text ({"name": "x"} in prose): a call only when no other call is.
    weak: bool = False


class Unreadable(str):
    """Argument text a format parser could not read into arguments (``args`` of a
    Candidate): the call is not run, and the model is told so (parser.BrokenCall)."""

    reason: str = ""


def unreadable(raw: str, reason: str) -> Unreadable:
    out = Unreadable(raw)
    out.reason = reason
    return out


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def body_args(body: str) -> tuple[Any, list[str]]:
    """(arguments, notes) from the text a format puts after a call's name: its first JSON
    value; {} when there is no text; Unreadable when the text holds no JSON value."""
    s = strip_fence(body)
    vals = iter_json_values(s, limit=1)
    if vals:
        return vals[0][2], (["repaired broken JSON"] if vals[0][3] else [])
    if not s.strip():
        return {}, []
    return unreadable(s, f"not JSON: {_short(s)}"), []


class LineStart:
    """A pattern that must start at the beginning of a line, searched fast.

    Python's ``re`` tries every position for ``^`` with MULTILINE (about 10 ns a character),
    but skips to the next occurrence of a leading literal: so the search runs on ``\n``
    followed by the pattern, and the match itself is taken at the line's start.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.at = re.compile(pattern, flags)
        self._next = re.compile(r"\n(?=" + pattern + ")", flags)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        m = self.at.match(text)
        end = 0
        if m is not None:
            yield m
            end = m.end()
        for nl in self._next.finditer(text, max(0, end - 1)):
            if nl.end() < end:
                continue
            m = self.at.match(text, nl.end())
            if m is not None:
                yield m
                end = m.end()

    def search(self, text: str) -> re.Match[str] | None:
        return next(iter(self.finditer(text)), None)


def json_candidates(
    body: str, start: int, end: int, fmt: str, *, strict_name: bool = False
) -> list[Candidate]:
    """Calls in the JSON value(s) of ``body``; each spans the region [start, end)."""
    out: list[Candidate] = []
    for _s, _e, value, repaired in iter_json_values(strip_fence(body)):
        for name, args, notes in calls_from_value(value):
            if repaired:
                notes = ["repaired broken JSON", *notes]
            out.append(Candidate(start, end, name, args, fmt, notes, strict_name))
    return out


_PY_START = re.compile(r"\[?\s*[A-Za-z_][\w.]{0,100}\s*\(")
_NAME_THEN_JSON = re.compile(r"([A-Za-z_][\w.\-]{0,100})\s*(?::\s*)?(?=[{\[])")


def pythonic_candidates(body: str, start: int, end: int, fmt: str) -> list[Candidate]:
    s = strip_fence(body)
    if not _PY_START.match(s):
        return []
    calls = parse_calls(s) or []
    return [Candidate(start, end, name, args, fmt) for name, args in calls]


def name_then_json(body: str, start: int, end: int, fmt: str) -> list[Candidate]:
    """``read_file\\n{"path": "a"}`` or ``read_file {"path": "a"}`` in a marked region."""
    s = body.strip()
    m = _NAME_THEN_JSON.match(s)
    if not m:
        return []
    vals = iter_json_values(strip_fence(s[m.end() :]), limit=1)
    if not vals:
        return []
    notes = ["repaired broken JSON"] if vals[0][3] else []
    return [Candidate(start, end, m.group(1), vals[0][2], fmt, notes)]


def marked_regions(
    text: str, opener: re.Pattern[str], closer: re.Pattern[str] | None, limit: int = 256
) -> list[tuple[re.Match[str], int, int]]:
    """Regions that start at ``opener`` and end at ``closer``, the next opener or the text's end.

    Returns (opener match, body end, region end). One pass over each pattern, so repeated or
    unclosed markers cost linear time (a reply cut off mid-call runs to the end of the text).
    """
    opens = []
    for m in opener.finditer(text):
        opens.append(m)
        if len(opens) >= limit:
            break
    if not opens:
        return []
    closes = list(closer.finditer(text, opens[0].end())) if closer else []
    out = []
    j = 0
    for k, m in enumerate(opens):
        nxt = opens[k + 1].start() if k + 1 < len(opens) else len(text)
        while j < len(closes) and closes[j].start() < m.end():
            j += 1
        if j < len(closes) and closes[j].start() <= nxt:
            out.append((m, closes[j].start(), closes[j].end()))
        else:
            out.append((m, nxt, nxt))
    return out


def tighten(text: str, body_start: int, body_end: int, region_end: int) -> int:
    """The end of a region whose closing marker is missing (optional in many formats).

    Without a closer a region runs to the next opener or the end of the text; when its body
    starts with a JSON value, the region ends with that value instead, so prose and other
    calls after it stay free for other parsers.
    """
    if region_end > body_end:
        return region_end
    i = body_start
    while i < body_end and text[i] in " \t\r\n":
        i += 1
    if i < body_end and text[i] in "[{":
        e = find_close(text, i, body_end)
        if e > 0:
            return e
    for closer in ("</function>", "</invoke>", "</arg_value>"):
        k = text.rfind(closer, body_start, body_end)
        if k >= 0:
            return k + len(closer)
    return region_end


# ---------------------------------------------------------------------- markdown fences

# Languages whose fenced blocks may hold a call; anything else (python, bash, ...) is code.
CALL_FENCE_LANGS = frozenset(
    {
        "",
        "json",
        "json5",
        "jsonc",
        "jsonl",
        "tool_code",
        "tool_call",
        "tool_calls",
        "toolcall",
        "tool",
        "tools",
        "function",
        "function_call",
        "functions",
        "yaml",
        "yml",
        "xml",
    }
)
_FENCE_LINE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n`]*)$", re.MULTILINE)
# An info string that names a language ("python", "c++", "{.json}"); a fence line followed by
# anything else ("```<｜tool▁call▁end｜>") only closes a block.
_LANG_INFO = re.compile(r"[{.]?[A-Za-z0-9_+#][\w+#.\-]*")


@dataclass(frozen=True)
class Fence:
    lang: str
    start: int
    body_start: int
    body_end: int
    end: int


@lru_cache(maxsize=8)
def find_fences(text: str) -> tuple[Fence, ...]:
    """Markdown fenced blocks.

    Unlike CommonMark, a fence line with a language while a block is open closes that block
    and opens the next: models forget closing fences far more often than they nest them. A
    fence line followed by a token instead of a language (DeepSeek's "```<｜tool▁call▁end｜>")
    only closes.
    """
    if "```" not in text and "~~~" not in text:
        return ()
    out: list[Fence] = []
    opened: tuple[re.Match[str], str, str] | None = None
    for m in _FENCE_LINE.finditer(text):
        marker, info = m.group(1), m.group(2).strip()
        language = not info or _LANG_INFO.match(info) is not None
        if opened is None:
            if language:  # "```<|end|>" with nothing open is no fence
                opened = (m, marker, _lang(info))
        elif marker[0] == opened[1][0] and len(marker) >= len(opened[1]):
            om, _, lang = opened
            out.append(Fence(lang, om.start(), min(om.end() + 1, m.start()), m.start(), m.end()))
            opened = None
            if info and language:  # a model that forgot to close a block and opened the next
                opened = (m, marker, _lang(info))
    if opened is not None:
        om, _, lang = opened
        out.append(Fence(lang, om.start(), min(om.end() + 1, len(text)), len(text), len(text)))
    return tuple(out)


def _lang(info: str) -> str:
    return info.split()[0].strip("{}.").lower() if info else ""


def in_code(text: str, pos: int) -> bool:
    """Is ``pos`` inside a code fence of a non-call language or an inline code span?"""
    for f in find_fences(text):
        if f.body_start <= pos < f.body_end:
            return f.lang not in CALL_FENCE_LANGS
        if f.start > pos:
            break
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    if "`" not in before:
        return False
    singles = re.sub(r"`{3,}", "", before.replace("\\`", ""))
    return singles.count("`") % 2 == 1
