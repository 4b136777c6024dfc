"""Llama 3.x / 4 (and Gemma, Granite's pythonic mode): ``<|python_tag|>`` bodies and
python-style call lists.

    <|python_tag|>{"name": "read_file", "parameters": {"path": "a.py"}}
    [read_file(path="a.py"), bash(command="ls")]
    bash(command="ls -la")                                  (a line that is only the call)

Bare JSON calls ({"name": ..., "parameters": ...}) without the tag are found by the bare-JSON
parser. A python-style call counts only when it starts a line and names a known tool, and a
single call only when nothing but the call is on its line: prose like "read_file(path) reads
a file" is not a call.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smallcode.toolcalls.candidates import Candidate, LineStart, marked_regions, tighten
from smallcode.toolcalls.formats.hermes import parse_body
from smallcode.toolcalls.jsonscan import find_close
from smallcode.toolcalls.pythonic import parse_calls
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "llama"
_TAG = re.compile(r"<\|python_tag\|>|<\|python_start\|>")
_TAG_END = re.compile(r"<\|eom_id\|>|<\|eot_id\|>|<\|python_end\|>|<\|eom\|>")


@lru_cache(maxsize=32)
def _line_call(names: tuple[str, ...]) -> LineStart:
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return LineStart(rf"[ \t]*(\[[ \t]*)?(?:functions\.|default_api\.)?(?:{alts})[ \t]*\(")


def find_tagged(text: str, index: ToolIndex) -> list[Candidate]:
    if "<|python_" not in text:
        return []
    out: list[Candidate] = []
    for m, body_end, region_end in marked_regions(text, _TAG, _TAG_END):
        region_end = tighten(text, m.end(), body_end, region_end)
        body = text[m.end() : min(body_end, region_end)]
        # several JSON calls may be separated by ";"
        found = parse_body(body, m.start(), region_end, FORMAT)
        if not found and ";" in body:
            for part in body.split(";")[:32]:
                found.extend(parse_body(part, m.start(), region_end, FORMAT))
        out.extend(found)
    return out


def _rest_of_line_blank(text: str, pos: int) -> bool:
    nl = text.find("\n", pos)
    rest = text[pos : nl if nl >= 0 else len(text)]
    return rest.strip(" \t;.`") == ""


def find_pythonic(text: str, index: ToolIndex) -> list[Candidate]:
    if "(" not in text:  # (the line search itself is cheaper than one scan per tool name)
        return []
    out: list[Candidate] = []
    pos = 0
    for m in _line_call(tuple(index.names)).finditer(text):
        if m.start() < pos:
            continue
        is_list = m.group(1) is not None
        open_at = m.start(1) if is_list else m.end() - 1
        end = find_close(text, open_at)
        cut = end < 0
        if cut:
            pos = len(text)  # nothing closes after here: a cut-off call at the end at most
            end = len(text)
        elif not _rest_of_line_blank(text, end):
            pos = end
            continue
        start = m.start(1) if is_list else m.start()
        calls = parse_calls(text[start:end], strict=True) or []
        for name, args in calls:
            if cut and not args:
                continue
            out.append(Candidate(start, end, name, args, FORMAT, strict_name=True))
        pos = end
        if len(out) >= 64:
            break
    return out
