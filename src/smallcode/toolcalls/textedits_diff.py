"""Block readers for :mod:`smallcode.toolcalls.textedits`, and applying diff hunks.

Fenced blocks, aider-style SEARCH/REPLACE blocks and unified diffs. The readers work on a
list of lines (no newlines) and return where they stopped, so the caller can keep scanning a
whole reply in one pass. Small models miscount hunk sizes, so a hunk ends where its
``' '``/``'+'``/``'-'`` lines end and the ``@@`` counts are ignored; only the start line is
kept, as a hint for placing the hunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "<<<<<<< HEAD" / "Updated upstream" open a git conflict, which a model shows, not asks for
SR_HEAD = re.compile(r"^\s*<{5,9}\s*(?!HEAD\b|Updated upstream)(?:[A-Za-z][\w ]*)?\s*$")
SR_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
SR_TAIL = re.compile(r"^\s*>{5,9}\s*(?:[A-Za-z][\w ]*)?\s*$")

_HUNK_HEADER = re.compile(r"^@@+\s*-(\d+)(?:,\d+)?\s+\+\d+(?:,\d+)?\s*@@")
# git's extended header lines, tolerated between and before the ---/+++ pairs
_DIFF_NOISE = re.compile(
    r"^(?:diff --git |index |(?:new|deleted) file mode |(?:old|new) mode |similarity index |"
    r"rename (?:from|to) |Binary files )"
)


@dataclass
class Hunk:
    """One hunk, as lines without their ``' '``/``'-'``/``'+'`` prefix or newline.

    ``old_lines`` are the context and removed lines, ``new_lines`` the context and added
    ones; ``old_start`` is the 1-based line from the ``@@`` header, 0 when it gave none.
    """

    old_lines: list[str]
    new_lines: list[str]
    old_start: int = 0


@dataclass
class FileDiff:
    """The hunks of one file; ``path`` is None for bare ``@@`` hunks without a header."""

    path: str | None
    hunks: list[Hunk] = field(default_factory=list)
    is_new_file: bool = False


@dataclass
class SearchReplace:
    search: list[str]
    replace: list[str]
    end: int  # index just past the block


# ---------------------------------------------------------------------------- fences

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass
class Fence:
    start: int  # index of the opening fence line
    end: int  # index just past the closing fence (where the block stopped when unclosed)
    info: str
    body: list[str]  # without the fence's own indentation
    closed: bool


def read_fence(lines: list[str], start: int, nests: bool) -> Fence | None:
    """The fenced block opening at ``lines[start]``, or None when it is not one.

    Readings beyond CommonMark, for files that contain fences themselves and for sloppy
    replies: inside a SEARCH/REPLACE block a fence line is content; with ``nests`` (a
    markdown file) inner ```` ```lang ```` openers are counted so their closers do not end
    the block; otherwise such an opener means the model forgot to close this block, which
    then ends before the prose introducing the next one. If the bookkeeping never finds the
    end, the first closing fence does; without any, the block runs to the end of the reply
    (a truncated answer) if it has content.
    """
    m = FENCE_OPEN.match(lines[start])
    if not m or (m["fence"][0] == "`" and "`" in m["info"]):
        return None
    char, size, indent = m["fence"][0], len(m["fence"]), len(m["indent"])
    depth, in_sr, cut = 0, False, len(lines)
    first_close = close_at = None
    for j in range(start + 1, len(lines)):
        s = lines[j]
        closes = _is_close(s, char, size)
        if closes and first_close is None:
            first_close = j
        o = None if closes else FENCE_OPEN.match(s)
        tagged = o is not None and o["fence"][0] == char and len(o["fence"]) >= size
        if in_sr:
            in_sr = not SR_TAIL.match(s)
        elif SR_HEAD.match(s):
            in_sr = True
        elif closes:
            if depth == 0:
                close_at = j
                break
            depth -= 1
        elif tagged and o is not None and o["info"].strip():
            if not nests:
                cut = _intro_start(lines, start + 1, j)
                break
            depth += 1
    if close_at is None and cut == len(lines):
        close_at = first_close
    if close_at is None:
        body = lines[start + 1 : cut]
        while body and not body[-1].strip():
            body.pop()
        if not body:
            return None
        end, closed = cut, False
    else:
        body, end, closed = lines[start + 1 : close_at], close_at + 1, True
    body = [ln[min(indent, len(ln) - len(ln.lstrip())) :] for ln in body]
    return Fence(start, end, m["info"].strip(), body, closed)


def _is_close(line: str, char: str, size: int) -> bool:
    s = line.strip()
    return len(s) >= size and set(s) == {char}


def _intro_start(lines: list[str], lo: int, i: int) -> int:
    """Where the prose introducing the fence at ``lines[i]`` starts ("Then run it:"), so an
    unclosed block before it does not swallow that prose; ``i`` when there is none."""
    j = i - 1
    while j >= lo and not lines[j].strip():
        j -= 1
    if j < lo or not lines[j].rstrip().endswith(":"):
        return i
    while j > lo and lines[j - 1].strip():
        j -= 1
    return j


# ---------------------------------------------------------------------------- SEARCH/REPLACE


def read_search_replace(lines: list[str], start: int, closed: bool) -> SearchReplace | None:
    """The block whose ``<<<<<<<`` marker is ``lines[start]``, or None when it is malformed.

    A missing ``>>>>>>>`` is forgiven when the next block starts or, with ``closed``, when the
    lines end at a closed fence: the model finished its thought. At the end of a truncated
    reply it is not, since the replacement text may be cut short.
    """
    n = len(lines)
    j = start + 1
    search: list[str] = []
    while j < n and not SR_DIVIDER.match(lines[j]):
        if SR_HEAD.match(lines[j]) or SR_TAIL.match(lines[j]):
            return None
        search.append(lines[j])
        j += 1
    if j >= n:
        return None
    j += 1
    replace: list[str] = []
    while j < n:
        if SR_TAIL.match(lines[j]):
            return SearchReplace(search, replace, j + 1)
        if SR_HEAD.match(lines[j]):
            return SearchReplace(search, replace, j)
        replace.append(lines[j])
        j += 1
    return SearchReplace(search, replace, n) if closed else None


# ---------------------------------------------------------------------------- unified diffs


def is_diff_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def is_diff_start(lines: list[str], i: int) -> bool:
    """Whether a bare (unfenced) diff starts here; bare ``@@`` hunks need a fence to count."""
    if lines[i].startswith("diff --git "):
        j = i + 1
        while j < len(lines) and _DIFF_NOISE.match(lines[j]):
            j += 1
        return j < len(lines) and is_diff_header(lines, j)
    return is_diff_header(lines, i)


def diff_header_path(raw: str) -> str | None:
    """The file of a ``---``/``+++`` line: no ``a/``/``b/`` prefix, timestamp or quotes."""
    name = raw.split("\t", 1)[0].strip().strip("\"'`")
    if not name or name == "/dev/null":
        return None
    name = name.split()[0]
    if name.startswith(("a/", "b/")) and len(name) > 2:
        name = name[2:]
    return name


def read_unified_diff(
    lines: list[str], start: int, default_path: str | None = None
) -> tuple[list[FileDiff], int]:
    """All files of the diff starting at ``lines[start]``, and the index just past it.

    Blank lines between files are skipped when more diff follows; anything else ends the
    diff. Files without hunks are dropped.
    """
    n = len(lines)
    files: list[FileDiff] = []
    current: FileDiff | None = None
    i = start
    while i < n:
        line = lines[i]
        if is_diff_header(lines, i):
            old = diff_header_path(line[4:])
            new = diff_header_path(lines[i + 1][4:])
            current = FileDiff(new if new is not None else old, [], is_new_file=old is None)
            files.append(current)
            i += 2
        elif line.startswith("@@"):
            if current is None:
                current = FileDiff(default_path)
                files.append(current)
            hunk, i = _read_hunk(lines, i)
            current.hunks.append(hunk)
        elif _DIFF_NOISE.match(line):
            i += 1
        elif not line.strip():
            j = i
            while j < n and not lines[j].strip():
                j += 1
            if j < n and (is_diff_header(lines, j) or lines[j].startswith(("@@", "diff --git "))):
                i = j
            else:
                break
        else:
            break
    return [f for f in files if f.hunks], i


def _read_hunk(lines: list[str], start: int) -> tuple[Hunk, int]:
    """One hunk from its ``@@`` line. Empty lines count as blank context (models drop the
    space), except at the end of the hunk, where they are more likely the prose's spacing."""
    m = _HUNK_HEADER.match(lines[start])
    hunk = Hunk([], [], int(m.group(1)) if m else 0)
    blanks = 0
    j = start + 1
    n = len(lines)
    while j < n:
        s = lines[j]
        if s.startswith(("@@", "diff --git ")) or is_diff_header(lines, j):
            break
        if s == "":
            blanks += 1
            j += 1
            continue
        if s[0] not in " +-\\":
            break
        hunk.old_lines.extend([""] * blanks)
        hunk.new_lines.extend([""] * blanks)
        blanks = 0
        if s[0] == " ":
            hunk.old_lines.append(s[1:])
            hunk.new_lines.append(s[1:])
        elif s[0] == "-":
            hunk.old_lines.append(s[1:])
        elif s[0] == "+":
            hunk.new_lines.append(s[1:])
        j += 1  # a '\' line ("\ No newline at end of file") carries nothing
    return hunk, j - blanks


# ---------------------------------------------------------------------------- applying


def apply_hunks(original: str, hunks: list[Hunk]) -> str | None:
    """``original`` with every hunk applied, or None when any hunk does not fit.

    Strict on purpose: a hunk applied in the wrong place silently corrupts a file, while a
    None lets the agent ask the model again. Each hunk's old lines must match (up to trailing
    whitespace) at its ``@@`` start line, or else at exactly one place after the previous
    hunk. Line endings and the presence of a final newline are kept.
    """
    texts, endings = _split_lines(original)
    crlf = sum(e == "\r\n" for e in endings)
    eol = "\r\n" if crlf * 2 > len(endings) else "\n"
    final_newline = original.endswith("\n") or not original
    endings = [e or eol for e in endings]
    keys = [t.rstrip() for t in texts]

    out_texts: list[str] = []
    out_endings: list[str] = []
    cursor = 0
    for hunk in hunks:
        at = _place(keys, cursor, hunk)
        if at is None:
            return None
        out_texts += texts[cursor:at] + hunk.new_lines
        out_endings += endings[cursor:at] + [eol] * len(hunk.new_lines)
        cursor = at + len(hunk.old_lines)
    out_texts += texts[cursor:]
    out_endings += endings[cursor:]
    result = "".join(t + e for t, e in zip(out_texts, out_endings, strict=True))
    if not final_newline and result.endswith(eol):
        result = result[: -len(eol)]
    return result


def _split_lines(text: str) -> tuple[list[str], list[str]]:
    """Lines and their endings (``""`` for a last line without one); only ``\\n`` splits."""
    parts = text.split("\n")
    texts: list[str] = []
    endings: list[str] = []
    for k, part in enumerate(parts):
        if k == len(parts) - 1:
            if part:
                texts.append(part)
                endings.append("")
        elif part.endswith("\r"):
            texts.append(part[:-1])
            endings.append("\r\n")
        else:
            texts.append(part)
            endings.append("\n")
    return texts, endings


def _place(keys: list[str], cursor: int, hunk: Hunk) -> int | None:
    """Index where ``hunk`` starts in the original lines, or None (no or ambiguous match)."""
    old = [t.rstrip() for t in hunk.old_lines]
    if not old:  # pure insertion: only its line number can place it
        if hunk.old_start > 0:
            return hunk.old_start if cursor <= hunk.old_start <= len(keys) else None
        return 0 if not keys else None
    size = len(old)
    hint = hunk.old_start - 1
    if hint >= cursor and keys[hint : hint + size] == old:
        return hint
    found = [p for p in range(cursor, len(keys) - size + 1) if keys[p : p + size] == old]
    return found[0] if len(found) == 1 else None
