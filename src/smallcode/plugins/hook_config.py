"""Command hooks as configured: Claude Code's ``hooks`` block, from settings files and plugins.

    "hooks": {"PreToolUse": [{"matcher": "Edit|Write",
                              "hooks": [{"type": "command", "command": "...", "timeout": 60}]}]}

A plugin's ``hooks/hooks.json`` holds the same block, alone or under a ``"hooks"`` key, and its
commands may use ``${CLAUDE_PLUGIN_ROOT}``. Matchers: absent, ``""`` or ``*`` match all; a
plain name or ``A|B`` list matches exactly (Claude's name or ours); anything else is a regular
expression matched against the whole name. Only ``type: command`` hooks run; others are
reported and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVENTS = (
    "PreToolUse",
    "PostToolUse",
    "UserPromptSubmit",
    "Stop",
    "SessionStart",
    "SessionEnd",
    "PreCompact",
    "Notification",
)
# Events whose matcher is compared with something (tool name, source, trigger, type).
MATCHED = {"PreToolUse", "PostToolUse", "SessionStart", "SessionEnd", "PreCompact", "Notification"}
_PLAIN = re.compile(r"^[A-Za-z0-9_\-|. ]*$")


@dataclass(frozen=True)
class HookCommand:
    event: str
    matcher: str
    command: str
    timeout: float | None  # seconds; None: the default (SMALLCODE_HOOK_TIMEOUT)
    source: str  # the file it came from
    scope: str = "user"  # user | project | plugin
    plugin_root: Path | None = None
    plugin: str = ""

    def matches(self, *values: str) -> bool:
        return matcher_matches(self.matcher, values)

    @property
    def label(self) -> str:
        where = f"plugin {self.plugin}" if self.plugin else self.source
        return f"{self.event} hook `{_short(self.command)}` ({where})"


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def matcher_matches(matcher: str, values: tuple[str, ...] | list[str]) -> bool:
    m = (matcher or "").strip()
    if m in ("", "*"):
        return True
    if _PLAIN.match(m) and not any(c in m for c in ".*+?[](){}^$\\"):
        wanted = {w.strip() for w in m.split("|") if w.strip()}
        return any(v in wanted for v in values)
    try:
        pattern = re.compile(m)
    except re.error:
        return any(v == m for v in values)
    return any(pattern.fullmatch(v) for v in values)


def parse_hooks(
    block: Any,
    source: str,
    problems: list[str],
    *,
    scope: str = "user",
    plugin_root: Path | None = None,
    plugin: str = "",
) -> list[HookCommand]:
    """The command hooks of one ``hooks`` block; what is malformed goes to ``problems``."""
    if isinstance(block, dict) and isinstance(block.get("hooks"), dict):
        block = block["hooks"]  # a plugin's hooks.json: {"description": ..., "hooks": {...}}
    if not isinstance(block, dict):
        if block is not None:
            problems.append(f"{source}: hooks is not an object")
        return []
    out: list[HookCommand] = []
    for event, groups in block.items():
        if event not in EVENTS:
            if event != "description":
                problems.append(f"{source}: hook event {event!r} is not supported (ignored)")
            continue
        if not isinstance(groups, list):
            problems.append(f"{source}: hooks.{event} is not a list")
            continue
        for group in groups:
            if not isinstance(group, dict):
                problems.append(f"{source}: an entry of hooks.{event} is not an object")
                continue
            matcher = group.get("matcher") or ""
            if not isinstance(matcher, str):
                problems.append(f"{source}: hooks.{event} has a matcher that is not a string")
                continue
            for h in group.get("hooks") or []:
                hook = _one(h, event, matcher, source, problems, scope, plugin_root, plugin)
                if hook is not None:
                    out.append(hook)
    return out


def _one(
    h: Any,
    event: str,
    matcher: str,
    source: str,
    problems: list[str],
    scope: str,
    plugin_root: Path | None,
    plugin: str,
) -> HookCommand | None:
    if not isinstance(h, dict):
        problems.append(f"{source}: a hook of {event} is not an object")
        return None
    kind = h.get("type", "command")
    command = h.get("command")
    if kind != "command":
        problems.append(f"{source}: {event} hook of type {kind!r} is not supported (skipped)")
        return None
    if not isinstance(command, str) or not command.strip():
        problems.append(f"{source}: a {event} hook has no command")
        return None
    timeout = h.get("timeout")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        timeout = None
    if plugin_root is not None:
        for var in ("${CLAUDE_PLUGIN_ROOT}", "${SMALLCODE_PLUGIN_ROOT}"):
            command = command.replace(var, str(plugin_root))
    return HookCommand(event, matcher, command, timeout, source, scope, plugin_root, plugin)


def count_hooks(block: Any) -> int:
    """How many command hooks a block declares (for trust questions)."""
    return len(parse_hooks(block, "", []))
