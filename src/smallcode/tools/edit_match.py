"""Locating the text a patch wants to replace.

``locate(text, old)`` returns a Match when exactly one region matches, or raises
PatchMismatch carrying the closest real text (with line numbers) so the model can retry.
A failed or ambiguous match changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


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


def locate(text: str, old: str) -> Match:
    if not old:
        raise PatchMismatch("old_str is empty: to create a file use write_file")
    starts = exact_matches(text, old)
    if len(starts) == 1:
        return Match(starts[0], starts[0] + len(old))
    if len(starts) > 1:
        lines = [text.count("\n", 0, s) + 1 for s in starts]
        raise PatchMismatch(
            f"old_str matches {len(starts)} places (lines {', '.join(map(str, lines[:10]))}); "
            "add surrounding lines to old_str so it matches exactly one place",
            len(starts),
        )
    raise PatchMismatch(
        "old_str was not found in the file. The closest text is:\n"
        + nearest_text(text, old)
        + "\nCopy the exact text (without line numbers) into old_str and try again."
    )


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
    step = max(1, len(lines) // 20000)
    for i in range(0, max(1, len(lines) - want + 1), step):
        window = "\n".join(s.strip() for s in lines[i : i + want])
        score = fuzz.ratio(needle, window)
        if score > best_score:
            best_i, best_score = i, score
    lo = max(0, best_i - context)
    hi = min(len(lines), best_i + want + context)
    return "\n".join(f"{n + 1:>5}\t{lines[n]}" for n in range(lo, hi))
