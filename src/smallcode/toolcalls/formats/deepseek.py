"""DeepSeek V3 / R1 / V3.1 tool-call tokens.

    <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>read_file
    ```json
    {"path": "a.py"}
    ```<｜tool▁call▁end｜><｜tool▁calls▁end｜>                              (V3, R1)

    <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>read_file<｜tool▁sep｜>{"path": "a.py"}
    <｜tool▁call▁end｜><｜tool▁calls▁end｜>                                   (V3.1)

Servers and quantizations sometimes turn the full-width bar and the ▁ into ASCII ("|", "_"
or a space); both spellings are accepted.
"""

from __future__ import annotations

import re

from smallcode.toolcalls.candidates import Candidate, body_args, marked_regions
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "deepseek"
_BAR = "[|｜]"
_SP = "[▁_ ]"


def _token(*words: str) -> str:
    return rf"<{_BAR}\s?" + _SP.join(words) + rf"\s?{_BAR}>"


_CALL = re.compile(_token("tool", "call", "begin"))
_CALL_END = re.compile(_token("tool", "call", "end") + "|" + _token("tool", "calls", "end"))
_SEP = re.compile(_token("tool", "sep"))


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if "tool" not in text or not _CALL.search(text):
        return []
    out: list[Candidate] = []
    for m, body_end, region_end in marked_regions(text, _CALL, _CALL_END):
        body = text[m.end() : body_end]
        sep = _SEP.search(body)
        if not sep:
            continue
        left, right = body[: sep.start()].strip(), body[sep.end() :]
        if left.lower() in ("function", ""):
            name, _, right = right.strip().partition("\n")
            name = name.strip()
        else:
            name = left
        args, notes = body_args(right)
        out.append(Candidate(m.start(), region_end, name, args, FORMAT, notes))
    return out
