"""Calls written as YAML, fenced or not.

    ```yaml
    tool: write_file
    args:
      path: a.py
      content: |
        print("hi")
    ```

Loaded with PyYAML's safe loader with aliases refused (no billion-laughs expansion). An
unfenced block must start at the beginning of a line with a name key whose value is a
known tool; it runs over the following indented lines and top-level argument keys.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from smallcode.toolcalls.candidates import Candidate, LineStart, find_fences
from smallcode.toolcalls.jsonscan import calls_from_value
from smallcode.toolcalls.schema import ToolIndex

FORMAT = "yaml"
MAX_YAML = 50_000
_NAME_LINE = LineStart(
    r"(?:-[ \t]+)?(?:tool|tool_name|name|function|action)[ \t]*:[ \t]*[\"']?([\w.\-]{1,100})"
    r"[\"']?[ \t]*(?=\n|\Z)"
)
_KEYS = ("tool", "name", "function", "action")
_KEY_LINE = re.compile(r"[\w\-]{1,60}[ \t]*:")


@lru_cache(maxsize=1)
def _loader() -> Any:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.YAMLError("aliases are not allowed")
            return super().compose_node(parent, index)

    return NoAliasLoader


def load_yaml(src: str) -> Any:
    """safe_load without aliases; None on any error."""
    if len(src) > MAX_YAML:
        return None
    try:
        import yaml

        return yaml.load(src, Loader=_loader())  # a SafeLoader subclass
    except Exception:
        return None


def _block_end(text: str, start: int) -> int:
    """End of an unfenced YAML block starting at ``start`` (the name line)."""
    pos = text.find("\n", start)
    if pos < 0:
        return len(text)
    end = pos
    while pos < len(text):
        nl = text.find("\n", pos + 1)
        line = text[pos + 1 : nl if nl >= 0 else len(text)]
        if line.strip() == "":
            pass  # blank lines may belong to a block scalar; the block ends at real text
        elif line[:1] in (" ", "\t") or _KEY_LINE.match(line):
            end = nl if nl >= 0 else len(text)
        else:
            break
        if nl < 0:
            break
        pos = nl
    return end


def _calls(src: str, start: int, end: int) -> list[Candidate]:
    value = load_yaml(src)
    out = []
    for name, args, notes in calls_from_value(value):
        out.append(Candidate(start, end, name, args, FORMAT, notes))
    return out


def find(text: str, index: ToolIndex) -> list[Candidate]:
    if ":" not in text or not any(k in text for k in _KEYS):
        return []
    out: list[Candidate] = []
    for f in find_fences(text):
        if f.lang in ("yaml", "yml"):
            out.extend(_calls(text[f.body_start : f.body_end], f.start, f.end))
    pos = 0
    for m in _NAME_LINE.finditer(text):
        if m.start() < pos or index.resolve(m.group(1), fuzzy=False) is None:
            continue
        end = _block_end(text, m.start())
        out.extend(_calls(text[m.start() : end], m.start(), end))
        pos = end
    return out
