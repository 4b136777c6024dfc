"""JSON calls anywhere in the text, with or without a wrapper.

    I'll read it. {"name": "read_file", "parameters": {"path": "a.py"}}      (Llama 3.x)
    [{"name": "read_file", "arguments": {"path": "a.py"}}]                   (xLAM)
    {"tool_calls": [{"function": {"name": "read_file", "arguments": "{\\"path\\": \\"a.py\\"}"}}]}

The search is anchored on a name key whose value is a known tool ("name": "read_file"), then
widened to the object around it: so text full of braces costs one pass, and JSON data that
is not a call ({"name": "Alice", "age": 3}) is never loaded.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate
from smallcode.toolcalls.jsonscan import ARG_KEYS, calls_from_value, find_close, read_json_at
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "json"
_ANCHOR = re.compile(
    r"[\"'](?:name|tool_name|toolName|tool|function_name|functionName|function|action"
    r"|recipient_name|api_name)[\"']\s*:\s*[\"']([A-Za-z_][\w.\-]{0,100})[\"']"
)
_BACK = 400  # how far before the name key the object's opening brace may be


def _enclosing_open(text: str, pos: int, floor: int) -> int:
    """The unmatched '{' before ``pos`` (within _BACK chars and not before ``floor``), or -1."""
    depth = 0
    i = pos - 1
    stop = max(floor, pos - _BACK)
    while i >= stop:
        ch = text[i]
        if ch == "}" or ch == "]":
            depth += 1
        elif ch == "{" or ch == "[":
            if depth == 0:
                return i if ch == "{" else -1
            depth -= 1
        i -= 1
    return -1


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "{" not in text:
        return []
    out: list[Candidate] = []
    pos = 0
    for m in _ANCHOR.finditer(text):
        if m.start() < pos:
            continue
        if index.resolve(m.group(1)) is None:
            continue
        start = _enclosing_open(text, m.start(), pos)
        if start < 0:
            continue
        value, repaired, end = read_json_at(text, start)
        if end <= start:
            close = find_close(text, start)
            pos = len(text) if close < 0 else close
            continue
        pos = end
        # {"name": "x"} alone: as likely a mention in prose as a call
        weak = isinstance(value, dict) and not any(k in value for k in ARG_KEYS)
        for name, args, notes in calls_from_value(value):
            if repaired:
                notes = ["repaired broken JSON", *notes]
            out.append(Candidate(start, end, name, args, FORMAT, notes, weak=weak and not args))
        if len(out) >= 64:
            break
    return out
