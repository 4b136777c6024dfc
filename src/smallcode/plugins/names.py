"""Tool names and inputs as Claude Code's hooks and MCP expect them.

Hook scripts written for Claude Code read ``tool_name`` (``Bash``, ``Edit``, ``Write`` ...)
and ``tool_input`` in Claude's shape (``file_path``, ``old_string`` ...). SmallCode's tools are
named and shaped differently, so a hook's stdin carries both: Claude's name and input (with
our own argument names kept alongside), and ``smallcode_tool_name`` / ``smallcode_tool_input``.
An ``updatedInput`` a hook returns in Claude's shape is mapped back.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

# SmallCode tool -> Claude Code tool (section 0 of the wave-2 notes).
CLAUDE_NAMES = {
    "bash": "Bash",
    "read_file": "Read",
    "write_file": "Write",
    "patch": "Edit",
    "search": "Grep",
    "find_files": "Glob",
    "web_fetch": "WebFetch",
    "web_search": "WebSearch",
    "todo_write": "TodoWrite",
}

# Per tool: our argument -> Claude's argument.
_ARG_NAMES: dict[str, dict[str, str]] = {
    "read_file": {"path": "file_path", "start_line": "offset"},
    "write_file": {"path": "file_path"},
    "patch": {"path": "file_path", "old_str": "old_string", "new_str": "new_string"},
}
_PATH_ARGS = {"read_file", "write_file", "patch"}


def claude_name(tool: str) -> str:
    return CLAUDE_NAMES.get(tool, tool)


def names_of(tool: str) -> tuple[str, ...]:
    """The names a matcher may use for a tool: Claude's and ours."""
    other = CLAUDE_NAMES.get(tool)
    return (other, tool) if other else (tool,)


def claude_input(tool: str, args: dict[str, Any], root: Path) -> dict[str, Any]:
    """``args`` in Claude's shape; our own names stay too (a hook may read either)."""
    out = dict(args)
    for ours, theirs in _ARG_NAMES.get(tool, {}).items():
        if ours in args:
            out[theirs] = args[ours]
    if tool in _PATH_ARGS and isinstance(args.get("path"), str):
        p = Path(args["path"]).expanduser()
        out["file_path"] = str(p if p.is_absolute() else (root / p))
    if tool == "read_file" and isinstance(args.get("end_line"), int):
        start = args.get("start_line") if isinstance(args.get("start_line"), int) else 1
        out["limit"] = max(1, args["end_line"] - start + 1)
    if tool == "bash" and isinstance(args.get("timeout"), int | float):
        out["timeout"] = int(args["timeout"] * 1000)  # Claude's Bash timeout is in ms
    return out


def from_claude_input(tool: str, updated: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """A hook's ``updatedInput`` back in our argument names (unknown keys dropped)."""
    names = {theirs: ours for ours, theirs in _ARG_NAMES.get(tool, {}).items()}
    out: dict[str, Any] = {}
    for key, value in updated.items():
        if key == "timeout" and tool == "bash" and isinstance(value, int | float):
            out["timeout"] = value / 1000 if value > 1000 else value
            continue
        if key in ("limit",):
            continue
        ours = names.get(key, key)
        if ours in before or key in before or ours in names.values():
            out[ours] = value
    return out or dict(before)


# ---------------------------------------------------------------------- MCP tool names

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
MAX_TOOL_NAME = 64  # OpenAI's limit for function names; many servers enforce it


def mcp_tool_name(server: str, tool: str) -> str:
    """``mcp__<server>__<tool>`` with unsafe characters as ``_``; a name longer than 64
    characters is shortened with a stable hash so it stays unique."""
    name = f"mcp__{_UNSAFE.sub('_', server)}__{_UNSAFE.sub('_', tool)}"
    if len(name) <= MAX_TOOL_NAME:
        return name
    tag = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: MAX_TOOL_NAME - 7]}_{tag}"


def safe_server_name(name: str) -> str:
    return _UNSAFE.sub("_", name)
