"""Calls written as JSON in a markdown fence (Qwen2.5-Coder under llama.cpp does this).

    ```json
    {"name": "read_file", "arguments": {"path": "a.py"}}
    ```

Also lists of calls (xLAM), ``{"tool_calls": [...]}`` pasted OpenAI responses, Command-R's
``Action: ```json [{"tool_name": ..., "parameters": ...}]``` `` and arguments encoded as a
JSON string. JSON that is data, not a call, yields nothing.

A fence of any other language (```` ```bash ````, ```` ```sh ````) is code, unless its whole
body is one JSON call (or list of calls) to declared tools: small models put calls in a
shell fence. Shell commands or code around it keep the block an example, and so does a
python-style call in a ```` ```python ```` block (it is valid code: an example of use).
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, find_fences, json_candidates
from smallcode.toolcalls.jsonscan import iter_json_values
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "fenced-json"
_LANGS = (
    "",
    "json",
    "json5",
    "jsonc",
    "jsonl",
    "tool",
    "tools",
    "function",
    "function_call",
    "functions",
    "toolcall",
)
# fences other parsers read (yaml_calls, gemma's tool_code, cline/xml)
_OTHERS = ("yaml", "yml", "xml", "tool_code", "tool_call", "tool_calls")


_FIRST = re.compile(r"\s*([{\[])")


def _starts_json(text: str, start: int, end: int) -> bool:
    return _FIRST.match(text, start, end) is not None


def _whole_body_call(body: str, start: int, end: int, index: ToolIndex) -> list[Candidate]:
    """The calls of a code fence whose body is nothing but calls to declared tools."""
    s = body.strip()
    if s[:1] not in ("{", "["):
        return []
    vals = iter_json_values(s, limit=2)
    if len(vals) != 1 or vals[0][0] != 0 or vals[0][1] != len(s):
        return []
    found = json_candidates(s, start, end, FORMAT, strict_name=True)
    if not found or any(index.resolve(c.name, fuzzy=False) is None for c in found):
        return []
    return found


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out: list[Candidate] = []
    tried = 0
    for f in find_fences(text):
        if f.lang in _OTHERS:
            continue
        if f.lang not in _LANGS and not _starts_json(text, f.body_start, f.body_end):
            continue  # code: a call only when the whole body is one
        body = text[f.body_start : f.body_end]
        if ("{" not in body and "[" not in body) or not index.mentioned_in(body):
            continue
        if f.lang in _LANGS:
            out.extend(json_candidates(body, f.start, f.end, FORMAT))
        else:
            out.extend(_whole_body_call(body, f.start, f.end, index))
        tried += 1
        if tried >= 256:
            break
    return out
