"""Calls written as JSON in a markdown fence (Qwen2.5-Coder under llama.cpp does this).

    ```json
    {"name": "read_file", "arguments": {"path": "a.py"}}
    ```

Also lists of calls (xLAM), ``{"tool_calls": [...]}`` pasted OpenAI responses, Command-R's
``Action: ```json [{"tool_name": ..., "parameters": ...}]``` `` and arguments encoded as a
JSON string. JSON that is data, not a call, yields nothing.
"""

from __future__ import annotations

from smallcode.toolcalls.candidates import Candidate, find_fences, json_candidates
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


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out: list[Candidate] = []
    tried = 0
    for f in find_fences(text):
        if f.lang not in _LANGS:
            continue
        body = text[f.body_start : f.body_end]
        if ("{" not in body and "[" not in body) or not index.mentioned_in(body):
            continue
        out.extend(json_candidates(body, f.start, f.end, FORMAT))
        tried += 1
        if tried >= 256:
            break
    return out
