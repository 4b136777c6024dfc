"""Gemma: ```tool_code blocks, FunctionGemma's and Gemma 4's call tokens.

    ```tool_code
    read_file(path="a.py")
    ```

    <start_function_call>call:read_file{path:<escape>a.py<escape>,limit:20}<end_function_call>

    <|tool_call>call:read_file{path:<|"|>a.py<|"|>,limit:20}<tool_call|>          (Gemma 4)

Both call notations write keys bare and strings between escape tokens (which may hold
newlines, quotes and braces); numbers, booleans, lists and objects are bare. Gemma 4 may
end a call with ``<turn|>`` instead of ``<tool_call|>``, write several calls one after
another, and think first in a ``<|channel>thought ... <channel|>`` block (reasoning.py).
A server that drops special tokens leaves ``call:read_file{path:a.py}``: read at the start
of a line, for exact tool names only. Gemma's JSON calls and bare python-style lists are
found by the generic JSON and python-call parsers.
"""

from __future__ import annotations

import json
import re

from smallcode.toolcalls.candidates import (
    Candidate,
    find_fences,
    marked_regions,
    unreadable,
)
from smallcode.toolcalls.formats.hermes import parse_body
from smallcode.toolcalls.jsonscan import loads_lenient
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "gemma"
GEMMA4_FORMAT = "gemma4"
_FG_OPEN = re.compile(r"<start_function_call>")
_FG_CLOSE = re.compile(r"<end_function_call>")
_FG_CALL = re.compile(r"\s*call\s*:\s*([\w.\-]{1,100})\s*")
_ESC = "<escape>"
_G4_ESC = '<|"|>'
_G4_OPEN = re.compile(r"<\|tool_call>")
_G4_CLOSE = re.compile(r"<tool_call\|>|<turn\|>|<\|tool_response>")
_G4_CALL = re.compile(r"\s*call\s*:\s*([\w.\-]{1,100})\s*(?=\{)")
_G4_BARE_CALL = re.compile(r"^[ \t]*call:([\w.\-]{1,100})(?=\{)", re.MULTILINE)
_BARE = re.compile(r"[^,:{}\[\]]+")


def functiongemma_to_json(src: str, esc: str = _ESC) -> str:
    """Gemma's argument notation as JSON: keys unquoted, strings between ``esc`` tokens."""
    out: list[str] = []
    i = 0
    n = len(src)
    while i < n:
        if src.startswith(esc, i):
            j = src.find(esc, i + len(esc))
            j = n if j < 0 else j
            out.append(json.dumps(src[i + len(esc) : j]))
            i = j + len(esc)
            continue
        ch = src[i]
        if ch in "{}[],:" or ch.isspace():
            out.append(ch)
            i += 1
            continue
        if ch == '"':  # a template that wrote plain JSON quotes
            j = _string_end(src, i)
            out.append(src[i:j])
            i = j
            continue
        m = _BARE.match(src, i)
        if not m:
            out.append(ch)
            i += 1
            continue
        end = m.end()
        k = src.find(esc, i, end)
        if k > i:  # a bare word runs into a string token: stop there
            end = k
        word = src[i:end].strip()
        k = end
        while k < n and src[k].isspace():
            k += 1
        low = word.lower()
        if k < n and src[k] == ":":  # a key
            out.append(json.dumps(word))
        elif low in ("true", "false", "null", "none"):
            out.append("null" if low == "none" else low)
        elif _is_number(word):
            out.append(word)
        else:
            out.append(json.dumps(word))
        i = end
    return "".join(out)


def _string_end(src: str, i: int) -> int:
    j = i + 1
    while True:
        k = src.find('"', j)
        if k < 0:
            return len(src)
        b = k - 1
        while b > i and src[b] == "\\":
            b -= 1
        if (k - 1 - b) % 2 == 0:
            return k + 1
        j = k + 1


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return word[:1] not in ("n", "N", "i", "I")  # nan, inf are words


_STRUCT = re.compile(r'<\|"\|>|<escape>|[{}\[\]]')


def gemma_close(text: str, start: int, end: int) -> int:
    """Index past the brace matching ``text[start]`` (strings between escape tokens skipped),
    or -1 when it does not close before ``end``."""
    depth = 0
    i = start
    while True:
        m = _STRUCT.search(text, i, end)
        if m is None:
            return -1
        tok = m.group()
        if tok[0] == "<":
            k = text.find(tok, m.end(), end)
            if k < 0:
                return -1
            i = k + len(tok)
            continue
        depth += 1 if tok in "{[" else -1
        i = m.end()
        if depth == 0:
            return i


def _args(raw: str, esc: str) -> tuple[object, list[str]]:
    loaded = loads_lenient(functiongemma_to_json(raw, esc))
    if loaded is None or not isinstance(loaded[0], dict):
        return unreadable(raw, "broken arguments"), []
    return loaded[0], (["repaired broken arguments"] if loaded[1] else [])


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
            args, notes = _args(raw, _ESC)
        out.append(Candidate(m.start(), region_end, c.group(1), args, FORMAT, notes))
    return out


def _gemma4_calls(text: str, pos: int, end: int, region: tuple[int, int]) -> list[Candidate]:
    """``call:NAME{...}`` calls one after another in ``text[pos:end]``."""
    out: list[Candidate] = []
    while len(out) < 64:
        c = _G4_CALL.match(text, pos, end)
        if not c:
            break
        brace = c.end()
        close = gemma_close(text, brace, end)
        raw = text[brace : close if close > 0 else end]
        args, notes = _args(raw, _G4_ESC)
        out.append(Candidate(region[0], region[1], c.group(1), args, GEMMA4_FORMAT, notes))
        if close < 0:
            break
        pos = close
    return out


def _gemma4(text: str, index: ToolIndex, tokens: bool, bare: bool) -> list[Candidate]:
    out: list[Candidate] = []
    if tokens:
        for m, body_end, region_end in marked_regions(text, _G4_OPEN, _G4_CLOSE):
            out.extend(_gemma4_calls(text, m.end(), body_end, (m.start(), region_end)))
    if bare:  # the tokens dropped by the server
        for m in _G4_BARE_CALL.finditer(text):
            if index.resolve(m.group(1), fuzzy=False) is None:
                continue
            close = gemma_close(text, m.end(), len(text))
            if close > 0:
                found = _gemma4_calls(text, m.start(), close, (m.start(), close))
                for c in found:
                    c.strict_name = True
                out.extend(found)
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    out: list[Candidate] = []
    if "<start_function_call>" in text:
        out.extend(_functiongemma(text))
    tokens = "<|tool_call>" in text
    bare = "call:" in text
    if tokens or bare:
        out.extend(_gemma4(text, index, tokens, bare))
    if tokens or "tool_code" in text or "tool_call" in text:
        for f in find_fences(text):
            if f.lang in ("tool_code", "tool_call", "tool_calls"):
                out.extend(parse_body(text[f.body_start : f.body_end], f.start, f.end, FORMAT))
    return out
