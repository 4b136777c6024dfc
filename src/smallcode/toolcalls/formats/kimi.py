"""Kimi-K2 tool-call sections and Kimi-K3 XTML channels.

    <|tool_calls_section_begin|>
    <|tool_call_begin|>functions.read_file:0<|tool_call_argument_begin|>{"path": "a.py"}<|tool_call_end|>
    <|tool_calls_section_end|>                                                          (K2)

    <|open|>tools<|sep|>
    <|open|>call tool="read_file" index="1"<|sep|>
    <|open|>argument key="path" type="string"<|sep|>a.py<|close|>argument<|sep|>
    <|open|>argument key="limit" type="integer"<|sep|>20<|close|>argument<|sep|>
    <|close|>call<|sep|>
    <|close|>tools<|sep|>                                                               (K3)

A K3 argument of type string is the raw text; any other type is JSON. Attribute values
escape ``&`` and ``"`` as ``&amp;`` and ``&quot;``.
"""

from __future__ import annotations

import json
import re

from smallcode.toolcalls.candidates import Candidate, body_args, marked_regions
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "kimi-k2"
K3_FORMAT = "kimi-k3"
_CALL = re.compile(
    r"<\|tool_call_begin\|>\s*([\w.\-]{1,120})(?::\d{1,6})?\s*<\|tool_call_argument_begin\|>"
)
_CALL_END = re.compile(r"<\|tool_call_end\|>|<\|tool_calls_section_end\|>")
_O, _C, _S = r"<\|open\|>\s*", r"<\|close\|>\s*", r"\s*<\|sep\|>"
_K3_CALL = re.compile(_O + r"call\s+([^<>]{0,300}?)" + _S)
_K3_CALL_END = re.compile(_C + r"(?:call|tools)" + _S)
_K3_ARG = re.compile(_O + r"argument\s+([^<>]{0,300}?)" + _S)
_K3_ARG_END = re.compile(_C + r"argument" + _S)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def _attrs(s: str) -> dict[str, str]:
    return {k: v.replace("&quot;", '"').replace("&amp;", "&") for k, v in _ATTR.findall(s)}


def _k3(text: str) -> list[Candidate]:
    out = []
    for m, body_end, region_end in marked_regions(text, _K3_CALL, _K3_CALL_END):
        name = _attrs(m.group(1)).get("tool", "")
        if not name:
            continue
        body = text[m.end() : body_end]
        args: dict[str, object] = {}
        for a, value_end, _ in marked_regions(body, _K3_ARG, _K3_ARG_END):
            attrs = _attrs(a.group(1))
            raw = body[a.end() : value_end]
            if attrs.get("type", "string") == "string":
                args[attrs.get("key", "")] = raw
                continue
            try:
                args[attrs.get("key", "")] = json.loads(raw)
            except (ValueError, RecursionError):
                args[attrs.get("key", "")] = raw.strip()
        out.append(Candidate(m.start(), region_end, name, args, K3_FORMAT))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out = []
    if "<|tool_call_begin|>" in text:
        for m, body_end, region_end in marked_regions(text, _CALL, _CALL_END):
            args, notes = body_args(text[m.end() : body_end])
            out.append(Candidate(m.start(), region_end, m.group(1), args, FORMAT, notes))
    if "<|open|>" in text:
        out.extend(_k3(text))
    return out
