"""JSON cut off mid-value (a reply that hit its token limit): closing what is open, and
telling a tool name the cut left whole from one it shortened."""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 48


_JSON_TOKENS = re.compile(r'[\\"{}\[\]]')


def close_truncated(s: str) -> str | None:
    """``s`` with its open string, objects and lists closed; None if nothing is open."""
    stack: list[str] = []
    in_string = False
    opened = 0
    i = 0
    search = _JSON_TOKENS.search
    while True:
        m = search(s, i)
        if m is None:
            break
        i = m.start()
        ch = s[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            opened = i
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif stack and ch == stack[-1]:
            stack.pop()
        else:
            return None  # mismatched: not a simple truncation
        i += 1
    if not stack and not in_string:
        return None
    if in_string and (_ends_with(s, stack) or _line_ends_with(s, opened, stack)):
        return None  # `"...}}`: a closing quote forgotten, not a cut-off reply
    out = s
    if in_string:
        if out.endswith("\\") and (len(out) - len(out.rstrip("\\"))) % 2 == 1:
            out = out[:-1]  # a dangling escape
        out += '"'
    else:
        out = out.rstrip().rstrip(",").rstrip()
    return out + "".join(reversed(stack))


def ends_in_string(s: str) -> bool:
    """Does the (truncated) JSON ``s`` end inside a string?"""
    in_string = False
    i = 0
    while True:
        j = s.find('"', i) if not in_string else _next_quote(s, i)
        if j < 0:
            return in_string
        in_string = not in_string
        i = j + 1


def _next_quote(s: str, i: int) -> int:
    while True:
        j = s.find('"', i)
        if j < 0:
            return -1
        b = j - 1
        while b >= i and s[b] == "\\":
            b -= 1
        if (j - 1 - b) % 2 == 0:
            return j
        i = j + 1


class CutName(str):
    """A tool name whose string the text cut off: it may be the start of a longer name."""

    cut = True


def mark_cut_name(value: Any, name_keys: tuple[str, ...]) -> None:
    """When the last string of ``value`` (the one a truncated text cut off) is a call's
    name, replace it with a CutName."""
    holder: Any = None
    key: Any = None
    node = value
    for _ in range(MAX_DEPTH):  # follow the last item down: that is where the cut is
        if isinstance(node, dict) and node:
            k = next(reversed(node))
            holder, key, node = node, k, node[k]
        elif isinstance(node, list) and node:
            holder, key, node = node, len(node) - 1, node[-1]
        else:
            break
    if isinstance(node, str) and isinstance(holder, dict) and key in name_keys:
        holder[key] = CutName(node)


def _line_ends_with(s: str, start: int, stack: list[str]) -> bool:
    """Does a line of ``s`` after ``start`` end with exactly the brackets in ``stack``?"""
    closers = r"\s*".join(re.escape(c) for c in reversed(stack))
    return bool(stack) and re.compile(closers + r"[ \t]*(?:\n|\Z)").search(s, start) is not None


def _ends_with(s: str, stack: list[str]) -> bool:
    """Does ``s`` end with exactly the brackets in ``stack`` (innermost last)?"""
    k = len(s)
    for closer in stack:
        k = len(s[:k].rstrip())
        if k == 0 or s[k - 1] != closer:
            return False
        k -= 1
    return True
