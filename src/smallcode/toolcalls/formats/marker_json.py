"""Families that put a JSON call (or list of calls) after a marker of their own.

    <|tool_call|>[{"name": "read_file", "arguments": {"path": "a.py"}}]          Granite 3.x
    functools[{"name": "read_file", "arguments": {"path": "a.py"}}]              Phi-4-mini
    <|action_start|><|plugin|>{"name": "read_file", "parameters": {...}}<|action_end|>  InternLM
    [TOOL_REQUEST]{"name": "read_file", "arguments": {...}}[END_TOOL_REQUEST]    LM Studio
    <tool_calls>[{"name": ..., "arguments": {...}}]</tool_calls>                 Jamba (hermes)
    <|tools_prefix|>[{"read_file": {"path": "a.py"}}]<|tools_suffix|>            Apertus
    <|START_ACTION|>[{"tool_call_id": "0", "tool_name": ..., "parameters": {...}}]<|END_ACTION|>
                                                                                 Command A

Apertus names each call by its object's only key.

xLAM's plain JSON lists and Command-R's ``Action: ```json [...]``` `` carry no marker of
their own: the fenced-JSON and bare-JSON parsers read them.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, marked_regions, tighten
from smallcode.toolcalls.formats.hermes import parse_body
from smallcode.toolcalls.jsonscan import NAME_KEYS, iter_json_values, strip_fence
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "marker-json"
# (literal that must occur, opener, closer, format name)
_MARKERS = (
    (
        "<|tool_call|>",
        re.compile(r"<\|tool_call\|>"),
        re.compile(r"<\|end_of_text\|>|<\|end\|>"),
        "granite",
    ),
    ("functools", re.compile(r"\bfunctools\s*(?=\[)"), None, "phi4"),
    (
        "<|action_start|>",
        re.compile(r"<\|action_start\|>\s*<\|plugin\|>"),
        re.compile(r"<\|action_end\|>"),
        "internlm",
    ),
    (
        "[TOOL_REQUEST]",
        re.compile(r"\[TOOL_REQUEST\]"),
        re.compile(r"\[END_TOOL_REQUEST\]"),
        "lmstudio",
    ),
    (
        "<|tool_calls|>",
        re.compile(r"<\|tool_calls\|>"),
        re.compile(r"<\|/tool_calls\|>"),
        "tool-calls-token",
    ),
    (
        "<|tools_prefix|>",
        re.compile(r"<\|tools_prefix\|>"),
        re.compile(r"<\|tools_suffix\|>"),
        "apertus",
    ),
    (
        "<|START_ACTION|>",
        re.compile(r"<\|START_ACTION\|>"),
        re.compile(r"<\|END_ACTION\|>"),
        "command-a",
    ),
)


def _name_keyed(body: str, start: int, end: int, fmt: str) -> list[Candidate]:
    """Apertus: ``[{"read_file": {"path": "a.py"}}, ...]``, one single-key object per call."""
    vals = iter_json_values(strip_fence(body), limit=1)
    if not vals:
        return []
    items = vals[0][2] if isinstance(vals[0][2], list) else [vals[0][2]]
    notes = ["repaired broken JSON"] if vals[0][3] else []
    out = []
    for item in items[:64]:
        if isinstance(item, dict) and len(item) == 1:
            name, args = next(iter(item.items()))
            if name not in NAME_KEYS:
                out.append(Candidate(start, end, name, args, fmt, list(notes)))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out: list[Candidate] = []
    for literal, opener, closer, fmt in _MARKERS:
        if literal not in text:
            continue
        for m, body_end, region_end in marked_regions(text, opener, closer):
            region_end = tighten(text, m.end(), body_end, region_end)
            body = text[m.end() : min(body_end, region_end)]
            found = parse_body(body, m.start(), region_end, fmt)
            if fmt == "apertus":
                found = _name_keyed(body, m.start(), region_end, fmt) or found
            out.extend(found)
    return out
