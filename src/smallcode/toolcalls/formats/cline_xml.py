"""Cline / Roo-style XML: one tag per tool, one child tag per parameter.

    <read_file>
    <path>src/main.py</path>
    </read_file>

Only tags named exactly like a known tool count, and only children named like one of its
parameters (or a known alias); anything else inside a value (HTML, generics) stays text.
A tool tag without parameter tags is prose ("use <read_file> to ...") unless the tool has
no required parameters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smallcode.toolcalls.candidates import Candidate
from smallcode.toolcalls.formats.qwen_xml import trim_value
from smallcode.toolcalls.repair import ALIASES
from smallcode.toolcalls.schema import ToolIndex, normalize_name

FORMAT = "cline-xml"
_CHILD = re.compile(r"<([A-Za-z_][\w\-]{0,60})>")


@lru_cache(maxsize=32)
def _tool_tag(names: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"<({alts})>")


def _child_names(index: ToolIndex, name: str) -> set[str]:
    props = index.properties(name)
    wanted = {normalize_name(p) for p in props}
    for alias, targets in ALIASES.items():
        if any(t in props for t in targets):
            wanted.add(alias)
    return wanted


def _children(body: str, wanted: set[str]) -> dict[str, str]:
    args: dict[str, str] = {}
    pos = 0
    for m in _CHILD.finditer(body):
        if m.start() < pos:
            continue
        tag = m.group(1)
        if normalize_name(tag) not in wanted:
            continue
        close = body.find(f"</{tag}>", m.end())
        value = body[m.end() : close] if close >= 0 else body[m.end() :].rstrip()
        args[tag] = trim_value(value)
        pos = close + len(tag) + 3 if close >= 0 else len(body)
    return args


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "<" not in text or not index.names:
        return []
    out: list[Candidate] = []
    pos = 0
    # the first closing tag after an opening one: reused while it still lies ahead, so a
    # run of unclosed tags costs one scan, not one per tag
    closers: dict[str, int] = {}
    for m in _tool_tag(tuple(index.names)).finditer(text):
        if m.start() < pos:
            continue
        name = m.group(1)
        close = closers.get(name, -2)
        if close == -2 or (close >= 0 and close < m.end()):
            close = text.find(f"</{name}>", m.end())
            closers[name] = close
        body_end = close if close >= 0 else len(text)
        end = close + len(name) + 3 if close >= 0 else len(text)
        args = _children(text[m.end() : body_end], _child_names(index, name))
        if not args and index.required(name):
            pos = end  # a tag named like a tool with no parameters in it: prose
            continue
        out.append(Candidate(m.start(), end, name, args, FORMAT, strict_name=True))
        pos = end
        if len(out) >= 64:
            break
    return out
