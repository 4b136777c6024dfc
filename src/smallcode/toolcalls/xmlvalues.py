"""Argument values written as child elements (MiniMax-M3), read without losing their text.

    <invoke name="search">
    <query>rain</query>
    <tags><item>a</item><item>b</item></tags>
    <filters><lang>en</lang><safe>true</safe></filters>
    </invoke>

Each argument comes back as an :class:`XmlValue`: the element's text exactly as written (what
a string parameter gets: code and HTML stay text) that also carries its structure (repeated
``<item>`` elements are a list, other child elements an object, leaves are JSON literals
where they read as one), which the schema repair uses for array and object parameters.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 8
MAX_ELEMENTS = 256
_OPEN = re.compile(r"<([A-Za-z_$][\w.\-$]{0,80})>")


class XmlValue(str):
    """Element text that also knows its structure (``parsed``: list, dict or None)."""

    parsed: Any = None


def xml_value(text: str, parsed: Any) -> XmlValue:
    out = XmlValue(text)
    out.parsed = parsed
    return out


def _close(body: str, tag: str, start: int) -> int:
    """Start of the ``</tag>`` that closes an element opened before ``start`` (same-name
    elements nest), or -1."""
    opener, closer = f"<{tag}>", f"</{tag}>"
    depth = 1
    i = start
    while True:
        c = body.find(closer, i)
        if c < 0:
            return -1
        o = body.find(opener, i, c)
        if o >= 0:
            depth += 1
            i = o + len(opener)
            continue
        depth -= 1
        if depth == 0:
            return c
        i = c + len(closer)


def elements(body: str) -> list[tuple[str, str]] | None:
    """The top-level elements of ``body`` as (tag, inner text), or None when ``body`` holds
    text outside elements (it is a value, not a list of elements)."""
    out: list[tuple[str, str]] = []
    pos = 0
    n = len(body)
    while pos < n and len(out) < MAX_ELEMENTS:
        m = _OPEN.search(body, pos)
        if m is None:
            break
        if body[pos : m.start()].strip():
            return None
        end = _close(body, m.group(1), m.end())
        if end < 0:  # never closed: the rest (a reply cut off)
            out.append((m.group(1), body[m.end() :].rstrip()))
            pos = n
            break
        out.append((m.group(1), body[m.end() : end]))
        pos = end + len(m.group(1)) + 3
    if body[pos:].strip() or not out:
        return None
    return out


def _structure(text: str, depth: int) -> Any:
    """The value an element's text stands for: list, dict, or a literal/string leaf."""
    kids = elements(text) if depth < MAX_DEPTH and "<" in text else None
    if kids is None:
        leaf = text.strip()
        try:
            value = json.loads(leaf)
        except (ValueError, RecursionError):
            return leaf
        return value if not isinstance(value, str) else leaf
    if all(tag == "item" for tag, _ in kids):
        return [_structure(inner, depth + 1) for _, inner in kids]
    return {tag: _structure(inner, depth + 1) for tag, inner in kids}


def element_arguments(body: str) -> dict[str, XmlValue] | None:
    """Arguments written as child elements of a call, or None when ``body`` is not that."""
    kids = elements(body)
    if kids is None:
        return None
    args: dict[str, XmlValue] = {}
    for tag, inner in kids:
        text = inner[1:] if inner.startswith("\n") else inner
        text = text[:-1] if text.endswith("\n") else text
        nested = elements(inner) if "<" in inner else None
        args[tag] = xml_value(text, _structure(inner, 1) if nested is not None else None)
    return args
