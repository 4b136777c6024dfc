"""GLM-4.5 / 4.6 / 4.7 and Hunyuan calls: the name, then key/value tags.

    <tool_call>read_file
    <arg_key>path</arg_key>
    <arg_value>a.py</arg_value>
    </tool_call>

    <tool_call>read_file<arg_key>path</arg_key><arg_value>a.py</arg_value></tool_call>  (4.7)
    <tool_calls><tool_call>read_file<tool_sep><arg_key>path</arg_key>...      (Hunyuan HY3)
    <tool_call:6124c78e>read_file<arg_key:6124c78e>path</arg_key:6124c78e>...  (HY4 suffixes)

The ``<tool_call>`` wrapper is found by the hermes module, which hands the body here.
Non-string values arrive JSON-encoded ("10", "[1, 2]"); the schema types them later.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate

FORMAT = "glm"
_SUFFIXED = re.compile(r"<(/?)(arg_key|arg_value|tool_sep)(?::[\w\-]{1,40})?>")


def parse_body(body: str, start: int, end: int, fmt: str = FORMAT) -> list[Candidate]:
    if "<arg_key:" in body or "<tool_sep" in body:
        body = _SUFFIXED.sub(r"<\1\2>", body).replace("<tool_sep>", "\n")
    first = body.find("<arg_key>")
    name = body[:first].strip() if first >= 0 else body.strip()
    if not name or "\n" in name or len(name) > 100:
        return []
    args: dict[str, str] = {}
    pos = 0
    while len(args) < 256:
        k = body.find("<arg_key>", pos)
        if k < 0:
            break
        ke = body.find("</arg_key>", k)
        if ke < 0:
            break
        key = body[k + 9 : ke].strip()
        v = body.find("<arg_value>", ke)
        nxt = body.find("<arg_key>", ke)
        if v < 0 or (0 <= nxt < v):
            args[key] = ""
            pos = ke
            continue
        ve = body.find("</arg_value>", v)
        if ve < 0:
            args[key] = body[v + 11 :].rstrip()
            break
        args[key] = body[v + 11 : ve]
        pos = ve
    return [Candidate(start, end, name, args, fmt)]
