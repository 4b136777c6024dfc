"""Calls to tools that do not exist, whose name and arguments say plainly which one was meant.

A very small model sometimes names the call after what it wants done instead of the tool:
``{"name": "create_hello.py", "arguments": {"path": "hello.py", "content": "..."}}``. When the
invented name carries the intent of exactly one offered tool (a verb such as create, read or
run, or a file name, which means write when there is content and read when there is not) and
the arguments are exactly that tool's (every required one, no others, none renamed), the call
is read as that tool's, with a repair note. Anything less certain stays an unknown tool, and
the model is told the valid names.
"""

from __future__ import annotations

import re
from typing import Any

from smallcode.types import ToolCall

_INTENTS: dict[str, tuple[str, ...]] = {
    "write_file": ("create", "write", "save", "make", "new", "generate", "add", "put"),
    "read_file": ("read", "open", "view", "show", "cat", "get", "load", "print"),
    "bash": ("run", "exec", "execute", "shell", "command", "terminal", "cmd"),
    "patch": ("edit", "replace", "modify", "update", "patch", "change", "fix"),
    "find_files": ("find", "glob", "list", "ls"),
    "search": ("search", "grep", "lookup"),
}
_FILE_NAME = re.compile(r"[\w-]+\.[A-Za-z0-9]{1,8}$")
_WORDS = re.compile(r"[a-z]+")


def _meant(name: str, offered: set[str]) -> list[str]:
    """The offered tools an invented name may mean (by its words, or as a file name)."""
    low = name.lower()
    if _FILE_NAME.search(low):
        words = set(_WORDS.findall(low.rsplit(".", 1)[0]))
        verbs = [t for t, vs in _INTENTS.items() if t in offered and words & set(vs)]
        return verbs or [t for t in ("write_file", "read_file") if t in offered]
    words = set(_WORDS.findall(low))
    return [t for t, vs in _INTENTS.items() if t in offered and words & set(vs)]


def calls_for_invented_names(
    text: str, tools: list[dict[str, Any]], unknown: list[str]
) -> list[ToolCall]:
    """Calls read from ``text`` with each invented name in ``unknown`` taken as the one tool
    it plainly means; [] when that is not certain for every call found."""
    from smallcode.toolcalls.parser import parse_tool_calls

    schemas = {
        t["function"]["name"]: t["function"].get("parameters") or {}
        for t in tools
        if isinstance(t, dict) and isinstance(t.get("function"), dict)
    }
    out: list[ToolCall] = []
    for name in unknown[:3]:
        for target in _meant(name, set(schemas)):
            swapped = text.replace(f'"{name}"', f'"{target}"').replace(f"'{name}'", f"'{target}'")
            if swapped == text:
                continue
            params = schemas[target]
            required = set(params.get("required") or [])
            props = set((params.get("properties") or {}).keys())
            calls = [c for c in parse_tool_calls(swapped, tools) if c.name == target]
            fit = [
                c
                for c in calls
                if required <= set(c.arguments) <= props
                and not any("argument" in r for r in c.repairs)
                and not c.error
                and _content_fits(target, name, c.arguments)
            ]
            if fit and len(fit) == len(calls):
                for c in fit:
                    c.repairs.append(
                        f"tool name '{name}' is not a tool; its arguments are {target}'s"
                    )
                out.extend(fit)
                break
    return out


def _content_fits(target: str, name: str, args: dict[str, Any]) -> bool:
    """A file-name-like tool name writes only when there is content, reads only without, and
    only the file it names."""
    if not _FILE_NAME.search(name.lower()):
        return True
    if target == "write_file":
        return bool(str(args.get("content") or "").strip())
    if target == "read_file":  # the file the name says, not a placeholder ("<file-path>")
        path = str(args.get("path") or "").replace("\\", "/").rsplit("/", 1)[-1]
        return bool(path) and path.lower() in name.lower()
    return True
