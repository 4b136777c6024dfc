"""Gemma: ```tool_code blocks and FunctionGemma's call tokens.

    ```tool_code
    read_file(path="a.py")
    ```

    <start_function_call>call:read_file{path:<escape>a.py<escape>,limit:20}<end_function_call>

Gemma's JSON calls ({"name": ..., "parameters": ...}) and bare python-style lists are found
by the generic JSON and python-call parsers.
"""

from __future__ import annotations

import json
import re

from smallcode.toolcalls.candidates import Candidate, find_fences, marked_regions
from smallcode.toolcalls.formats.hermes import parse_body
from smallcode.toolcalls.jsonscan import loads_lenient
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "gemma"
_FG_OPEN = re.compile(r"<start_function_call>")
_FG_CLOSE = re.compile(r"<end_function_call>")
_FG_CALL = re.compile(r"\s*call\s*:\s*([\w.\-]{1,100})\s*")
_ESC = "<escape>"
_BARE = re.compile(r"[^,:{}\[\]]+")


def functiongemma_to_json(src: str) -> str:
    """FunctionGemma's argument notation as JSON: keys unquoted, strings in <escape> tokens."""
    out: list[str] = []
    i = 0
    n = len(src)
    while i < n:
        if src.startswith(_ESC, i):
            j = src.find(_ESC, i + len(_ESC))
            j = n if j < 0 else j
            out.append(json.dumps(src[i + len(_ESC) : j]))
            i = j + len(_ESC)
            continue
        ch = src[i]
        if ch in "{}[],:" or ch.isspace():
            out.append(ch)
            i += 1
            continue
        m = _BARE.match(src, i)
        if not m:
            out.append(ch)
            i += 1
            continue
        word = m.group(0).strip()
        k = m.end()
        while k < n and src[k].isspace():
            k += 1
        if k < n and src[k] == ":":  # a key
            out.append(json.dumps(word))
        elif word.lower() in ("true", "false", "null") or _is_number(word):
            out.append(word.lower() if word.lower() in ("true", "false", "null") else word)
        else:
            out.append(json.dumps(word))
        i = m.end()
    return "".join(out)


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _functiongemma(text: str) -> list[Candidate]:
    out = []
    for m, body_end, region_end in marked_regions(text, _FG_OPEN, _FG_CLOSE):
        body = text[m.end() : body_end]
        c = _FG_CALL.match(body)
        if not c:
            continue
        raw = body[c.end() :].strip()
        args: object = {}
        notes: list[str] = []
        if raw.startswith("{"):
            loaded = loads_lenient(functiongemma_to_json(raw))
            if loaded is not None:
                args = loaded[0]
                if loaded[1]:
                    notes.append("repaired broken arguments")
        out.append(Candidate(m.start(), region_end, c.group(1), args, FORMAT, notes))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out: list[Candidate] = []
    if "<start_function_call>" in text:
        out.extend(_functiongemma(text))
    if "tool_code" in text or "tool_call" in text:
        for f in find_fences(text):
            if f.lang in ("tool_code", "tool_call", "tool_calls"):
                out.extend(parse_body(text[f.body_start : f.body_end], f.start, f.end, FORMAT))
    return out
