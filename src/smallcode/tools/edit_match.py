"""Locating the text a patch wants to replace: a ladder of ever more tolerant strategies.

``locate(text, old, new)`` returns a Match when exactly one region matches, or raises
PatchMismatch carrying the closest real text (with line numbers) so the model can retry.
A failed or ambiguous match changes nothing, and nothing here ever rewrites a whole file.

The ladder, stopping at the first step that finds exactly one region:

1. ``exact``                 the text as given
2. ``trailing-whitespace``   lines compared with trailing spaces (and \\r) removed
3. ``indentation``           lines compared without leading whitespace, provided the relative
                             indentation is consistent; ``new`` is re-indented to the file's own
                             indentation (tabs vs spaces, 2 vs 4, a different base level)
4. ``fuzzy``                 rapidfuzz similarity over same-sized line windows, anchored on the
                             first and last lines, with a high threshold

Steps 2-4 only ever match whole lines and only when the match is unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from math import gcd

FUZZY_THRESHOLD = 90.0  # whole-block similarity (0-100) for the fuzzy step
FUZZY_ANCHOR = 80.0  # similarity of the first and last lines
FUZZY_MIN_CHARS = 30  # shorter blocks are too easy to confuse: no fuzzy matching
FUZZY_MIN_LINES = 3  # nor for blocks of fewer non-blank lines (easy to copy exactly anyway)
MAX_WINDOWS = 20_000  # bound on the windows scored per window size


@dataclass
class Match:
    start: int  # character offsets into the file text
    end: int
    strategy: str = "exact"
    # Replacement text adapted to the file (e.g. re-indented); None means use new_str as given.
    replacement: str | None = None


class PatchMismatch(Exception):
    def __init__(self, message: str, count: int = 0) -> None:
        super().__init__(message)
        self.count = count


def exact_matches(text: str, old: str) -> list[int]:
    """Start offsets of every (non-overlapping) exact occurrence."""
    starts: list[int] = []
    i = text.find(old)
    while i != -1:
        starts.append(i)
        i = text.find(old, i + max(1, len(old)))
    return starts


def locate(text: str, old: str, new: str | None = None) -> Match:
    """Find the one region of ``text`` that ``old`` means; adapt ``new`` to the file if given."""
    if not old or not old.strip():
        raise PatchMismatch("old_str is empty: to create a file use write_file")
    starts = exact_matches(text, old)
    if len(starts) == 1:
        return Match(starts[0], starts[0] + len(old))
    if len(starts) > 1:
        raise _ambiguous(text, starts, "")
    lines = _split_lines(text)
    old_lines = old.split("\n")
    if old_lines and old_lines[-1] == "":
        old_lines = old_lines[:-1]
    old_ends_nl = old.endswith("\n")
    for step in (_by_trailing_ws, _by_indentation, _by_fuzzy):
        found = step(lines, old_lines)
        if not found:
            continue
        if len(found) > 1:
            starts = sorted(lines[c.first].start for c in found)
            raise _ambiguous(
                text, starts, f" when {found[0].strategy.split()[0]} differences are ignored", old
            )
        cand = found[0]
        return _to_match(text, lines, cand, old_lines, old_ends_nl, new)
    raise PatchMismatch(
        "old_str was not found in the file. The closest text is:\n"
        + nearest_text(text, old)
        + "\nCopy the exact text (without line numbers) into old_str and try again."
    )


# ------------------------------------------------------------------ lines and candidates


@dataclass
class _Line:
    start: int  # offset of the first character
    end: int  # offset just past the last character, before the line break
    brk: int  # offset just past the line break
    text: str


@dataclass
class _Candidate:
    first: int  # index of the first matched line
    count: int  # number of matched lines
    strategy: str
    indent_map: dict[str, str] | None = None  # old indentation -> file indentation
    score: float = 100.0


def _split_lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(_Line(pos, pos + len(body), pos + len(raw), body))
        pos += len(raw)
    return out


def _windows(lines: list[_Line], k: int) -> range:
    return range(0, max(0, len(lines) - k + 1))


def _by_trailing_ws(lines: list[_Line], old: list[str]) -> list[_Candidate]:
    want = [s.rstrip() for s in old]
    k = len(want)
    if k == 0:
        return []
    found: list[_Candidate] = []
    last_end = -1
    for i in _windows(lines, k):
        if i < last_end:
            continue
        if all(lines[i + j].text.rstrip() == want[j] for j in range(k)):
            found.append(_Candidate(i, k, "trailing-whitespace"))
            last_end = i + k
    return found


def _indent(s: str) -> str:
    return s[: len(s) - len(s.lstrip(" \t"))]


def _width(ws: str) -> int:
    return len(ws.expandtabs(4))


def _by_indentation(lines: list[_Line], old: list[str]) -> list[_Candidate]:
    want = [s.strip() for s in old]
    k = len(want)
    if k == 0 or not any(want):
        return []
    found: list[_Candidate] = []
    last_end = -1
    for i in _windows(lines, k):
        if i < last_end:
            continue
        if not all(lines[i + j].text.strip() == want[j] for j in range(k)):
            continue
        mapping = _indent_mapping(old, [lines[i + j].text for j in range(k)])
        if mapping is not None:
            found.append(_Candidate(i, k, "indentation", mapping))
            last_end = i + k
    return found


def _indent_mapping(old: list[str], real: list[str]) -> dict[str, str] | None:
    """old indentation -> file indentation, when the relative structure is the same."""
    mapping: dict[str, str] = {}
    reverse: dict[str, str] = {}
    for o, r in zip(old, real, strict=True):
        if not o.strip():
            continue
        oi, ri = _indent(o), _indent(r)
        if mapping.setdefault(oi, ri) != ri or reverse.setdefault(ri, oi) != oi:
            return None
    # Deeper in old must be deeper in the file.
    pairs = sorted((_width(o), _width(r)) for o, r in mapping.items())
    for (_, r1), (_, r2) in pairwise(pairs):
        if r2 <= r1:
            return None
    return mapping


def _by_fuzzy(lines: list[_Line], old: list[str]) -> list[_Candidate]:
    from rapidfuzz import fuzz, process

    stripped_old = [s.strip() for s in old]
    needle = "\n".join(stripped_old)
    nonblank = [s for s in stripped_old if s]
    if len(needle.replace("\n", "")) < FUZZY_MIN_CHARS or len(nonblank) < FUZZY_MIN_LINES:
        return []
    first, last = nonblank[0], nonblank[-1]
    stripped = [ln.text.strip() for ln in lines]
    k = len(old)
    scored: list[_Candidate] = []
    for size in sorted({k, k - 1, k + 1} - {0}):
        starts = list(_windows(lines, size))
        step = max(1, len(starts) // MAX_WINDOWS)
        starts = starts[::step]
        choices = ["\n".join(stripped[i : i + size]) for i in starts]
        hits = process.extract(
            needle, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
        )
        for _, score, idx in hits:
            i = starts[idx]
            block = [s for s in stripped[i : i + size] if s]
            if not block:
                continue
            if (
                fuzz.ratio(first, block[0]) < FUZZY_ANCHOR
                or fuzz.ratio(last, block[-1]) < FUZZY_ANCHOR
            ):
                continue
            scored.append(_Candidate(i, size, f"fuzzy {score:.0f}%", score=score))
    if not scored:
        return []
    # Overlapping windows describe one region: keep the best of each cluster.
    scored.sort(key=lambda c: (-c.score, c.count != k, c.first))
    regions: list[_Candidate] = []
    for c in scored:
        if all(c.first + c.count <= r.first or r.first + r.count <= c.first for r in regions):
            regions.append(c)
    for c in regions:
        c.indent_map = _fuzzy_indent_map(old, [lines[c.first + j].text for j in range(c.count)])
    return regions


def _fuzzy_indent_map(old: list[str], real: list[str]) -> dict[str, str] | None:
    """Pair the first/last lines' indentation for re-indenting a fuzzy match, when it differs."""
    o = [_indent(s) for s in old if s.strip()]
    r = [_indent(s) for s in real if s.strip()]
    if not o or not r:
        return None
    if len(o) == len(r):
        mapping = _indent_mapping([s for s in old if s.strip()], [s for s in real if s.strip()])
        if mapping is not None:
            return mapping
    return {o[0]: r[0]}


# ------------------------------------------------------------------ building the Match


def _to_match(
    text: str,
    lines: list[_Line],
    cand: _Candidate,
    old_lines: list[str],
    old_ends_nl: bool,
    new: str | None,
) -> Match:
    first, last = lines[cand.first], lines[cand.first + cand.count - 1]
    start = first.start
    end = last.brk if old_ends_nl else last.end
    replacement: str | None = None
    if new is not None:
        replacement = new
        if cand.indent_map and any(k != v for k, v in cand.indent_map.items()):
            replacement = reindent(new, cand.indent_map, old_lines, text)
        region = text[start:end]
        if "\r\n" in region and "\r\n" not in replacement:
            replacement = replacement.replace("\n", "\r\n")
        if old_ends_nl and not replacement.endswith("\n") and replacement:
            replacement += "\r\n" if "\r\n" in region else "\n"
    return Match(start, end, cand.strategy, replacement)


def _unit(widths: list[int]) -> int:
    base = min(widths) if widths else 0
    g = 0
    for w in widths:
        g = gcd(g, w - base)
    return g


def reindent(new: str, mapping: dict[str, str], old_lines: list[str], text: str) -> str:
    """Re-indent ``new`` from the model's indentation style to the file's.

    Known indentation strings are mapped directly; others are scaled by the ratio of the two
    styles' indentation units and rendered with the file's character (tab or spaces).
    """
    old_ws = sorted(mapping, key=_width)
    old_base, file_base = _width(old_ws[0]), _width(mapping[old_ws[0]])
    old_unit = _unit([_width(_indent(s)) for s in old_lines if s.strip()]) or _unit(
        [_width(_indent(s)) for s in new.split("\n") if s.strip()]
    )
    file_unit = _unit([_width(v) for v in mapping.values()]) or _file_unit(text)
    ratio = file_unit / old_unit if old_unit and file_unit else 1.0
    use_tabs = any("\t" in v for v in mapping.values()) or (
        not any(mapping.values()) and _file_uses_tabs(text)
    )
    out: list[str] = []
    for line in new.split("\n"):
        if not line.strip():
            out.append(line.strip(" \t"))
            continue
        ws = _indent(line)
        if ws in mapping:
            target = mapping[ws]
        else:
            width = max(0, round(file_base + (_width(ws) - old_base) * ratio))
            target = "\t" * (width // 4) + " " * (width % 4) if use_tabs else " " * width
        out.append(target + line[len(ws) :])
    return "\n".join(out)


def _file_unit(text: str) -> int:
    widths = [_width(_indent(s)) for s in text.splitlines()[:2000] if s.strip()]
    nonzero = sorted({w for w in widths if w})
    return _unit([0, *nonzero]) if nonzero else 4


def _file_uses_tabs(text: str) -> bool:
    tabs = spaces = 0
    for s in text.splitlines()[:2000]:
        if s.startswith("\t"):
            tabs += 1
        elif s.startswith(" "):
            spaces += 1
    return tabs > spaces


# ------------------------------------------------------------------ errors


def _ambiguous(text: str, starts: list[int], how: str, old: str = "") -> PatchMismatch:
    lines = [text.count("\n", 0, s) + 1 for s in starts]
    more = f", ... ({len(lines) - 10} more)" if len(lines) > 10 else ""
    msg = (
        f"old_str matches {len(starts)} places{how} (lines {', '.join(map(str, lines[:10]))}"
        f"{more}); nothing was changed. Add surrounding lines to old_str so it matches exactly "
        "one place"
    )
    if old:
        msg += ". The closest text is:\n" + nearest_text(text, old)
    return PatchMismatch(msg, len(starts))


def nearest_text(text: str, old: str, context: int = 1) -> str:
    """The file region most similar to ``old``, with line numbers (rapidfuzz, bounded work)."""
    from rapidfuzz import fuzz

    lines = text.splitlines()
    if not lines:
        return "(the file is empty)"
    want = max(1, len(old.strip("\n").splitlines()))
    needle = "\n".join(s.strip() for s in old.strip("\n").splitlines())
    best_i, best_score = 0, -1.0
    # Bounded: at most ~20k windows scored; each window is compared whitespace-stripped.
    step = max(1, len(lines) // MAX_WINDOWS)
    for i in range(0, max(1, len(lines) - want + 1), step):
        window = "\n".join(s.strip() for s in lines[i : i + want])
        score = fuzz.ratio(needle, window)
        if score > best_score:
            best_i, best_score = i, score
    lo = max(0, best_i - context)
    hi = min(len(lines), best_i + want + context)
    return "\n".join(f"{n + 1:>5}\t{lines[n]}" for n in range(lo, hi))
