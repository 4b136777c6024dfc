"""Reply quality: empty turns, blank or invented tool names, duplicate calls, announced actions
without a call, and replies cut off by the output limit. Every nudge is bounded."""

from __future__ import annotations

import re
from collections.abc import Callable

from smallcode.agent.guards.base import GuardEvent, Intervention, RunScoped, call_key

_ANNOUNCE = re.compile(
    r"^(?:ok(?:ay)?[,.!]?\s*|now[,]?\s*|next[,]?\s*|first[,]?\s*)?"
    r"(?:i'll|i will|let me|let's|i'm going to|i am going to)\s+(?!know\b)"
    r"(?:\w+\s+){0,2}?"
    r"(?:read|create|write|check|look|open|run|edit|update|fix|add|modify|patch|search|find|"
    r"implement|test|inspect|list|examine|view|change|make|start)\b",
    re.IGNORECASE,
)
_TEXT_CALL = re.compile(r"<tool_call|<function[=\s]|\"name\"\s*:|\[TOOL_CALLS\]|<\|tool", re.I)


def announces_action(text: str) -> bool:
    """'Let me read the file.' as the last line, with no call: the model meant to act."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return bool(lines) and len(text) < 800 and bool(_ANNOUNCE.match(lines[-1]))


class QualityMonitor(RunScoped):
    """Bounded nudges for replies a small model gets wrong; stops when they do not help."""

    name = "quality"

    def __init__(
        self,
        tool_names: Callable[[], list[str]],
        max_bad_replies: int = 3,
        max_announce_nudges: int = 2,
    ) -> None:
        self.tool_names = tool_names
        self.max_bad_replies = max_bad_replies
        self.max_announce_nudges = max_announce_nudges
        self.reset()

    def reset(self) -> None:
        self.bad_in_a_row = 0
        self.announce_nudges = 0
        self.reply_keys: set[str] = set()

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        if event.kind == "reply":
            self.reply_keys = set()
            return self._reply(event)
        if event.kind == "before_call" and event.call is not None:
            key = call_key(event.call.name, event.call.arguments)
            if key in self.reply_keys:
                return Intervention(
                    "block",
                    "Skipped: the same call appears twice in your reply; it ran once above.",
                    ok=True,
                )
            self.reply_keys.add(key)
        return None

    def _reply(self, event: GuardEvent) -> Intervention | None:
        reply = event.reply
        if reply is None:
            return None
        if reply.calls:
            self.bad_in_a_row = 0
            return None
        message = ""
        if reply.unknown_tools:
            valid = ", ".join(self.tool_names())
            blank = [n for n in reply.unknown_tools if not n.strip()]
            named = sorted({n for n in reply.unknown_tools if n.strip()})
            parts = []
            if blank:
                parts.append("a tool call had an empty name")
            if named:
                parts.append(f"unknown tool(s) {', '.join(named)}")
            message = f"Error: {'; '.join(parts)}. Valid tools: {valid}. Call one of these."
            hint = _code_not_tool(named, event.state.task, event.state.edit_format)
            if event.state.edit_format != "tools" and named and not blank:
                # In a text edit format the way to write files instead: the tool list invites
                # another call (the 0.5B model then "read" files it had been shown).
                message = hint.strip() or _write_as_text(named, event.state.task) or message
            else:
                message += hint
            action = "retry"
        elif not reply.content.strip() and not reply.reasoning.strip():
            message = (
                "Your reply was empty. Continue the task: call a tool, or if the task is done, "
                "reply with a short summary of what you did."
            )
            action = "continue"
        elif (
            announces_action(reply.content)
            and reply.finish_reason != "length"
            and self.announce_nudges < self.max_announce_nudges
        ):
            self.announce_nudges += 1
            return Intervention(
                "continue",
                "You said what you will do but did not call a tool. Make the tool call now; "
                "if the task is already done, reply with a short summary instead.",
            )
        else:
            self.bad_in_a_row = 0
            return None
        self.bad_in_a_row += 1
        if self.bad_in_a_row >= self.max_bad_replies:
            return Intervention(
                "stop",
                f"{self.bad_in_a_row} unusable replies in a row (empty or calling tools that do "
                "not exist); stopped.",
            )
        return Intervention(action, message)  # type: ignore[arg-type]


class TruncationGuard(RunScoped):
    """finish_reason "length": never apply a cut-off tool call; ask for smaller parts."""

    name = "truncation"

    def __init__(self, output_tokens: Callable[[], int], max_in_a_row: int = 3) -> None:
        self.output_tokens = output_tokens
        self.max_in_a_row = max_in_a_row
        self.reset()

    def reset(self) -> None:
        self.in_a_row = 0
        self.text_continues = 0

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        reply = event.reply
        if event.kind != "reply" or reply is None:
            return None
        if reply.finish_reason != "length":
            self.in_a_row = 0
            return None
        self.in_a_row += 1
        partial_call = bool(reply.calls or reply.unknown_tools) or bool(
            _TEXT_CALL.search(reply.raw_content or reply.content)
        )
        if self.in_a_row >= self.max_in_a_row:
            return Intervention(
                "stop",
                f"{self.in_a_row} replies in a row were cut off at the output limit; stopped.",
            )
        if partial_call:
            names = sorted({c.name for c in reply.calls} | set(reply.unknown_tools)) or ["tool"]
            # Keep the cut-off call out of history: it would mislead the model and eat context.
            reply.content = f"(my reply was cut off at the output limit in a {names[0]} call)"
            reply.raw_content = reply.content
            reply.calls = []
            tokens = self.output_tokens()
            lines = max(20, tokens * 3 // 40)  # ~3.5 chars/token, ~40 chars/line, with slack
            return Intervention(
                "retry",
                f"Your last reply hit the output limit (~{tokens} tokens) in the middle of a "
                f"{names[0]} call, so it was cut off and NOT applied. Write large files in parts: "
                f"first write_file with a skeleton of at most ~{lines} lines, then add the rest "
                "with patch calls (or more files), one part per call.",
            )
        if self.text_continues >= 2:
            return None  # let the run end with what it has
        self.text_continues += 1
        return Intervention(
            "continue",
            "Your reply was cut off at the output limit. Continue exactly where it stopped, "
            "briefly.",
        )


def _code_not_tool(names: list[str], task: str, edit_format: str = "tools") -> str:
    """A small model "calls" the function the task asks it to write (``add`` for "write
    add(a, b)"): say that it is code to write, and where, instead of only listing tools. In a
    text edit format the way to write it is the one the system prompt shows: the file's name
    on a line and its content in a fenced block."""
    import re

    from smallcode.agent.intent import is_test_file, named_files

    files = [f for f in named_files(task) if not is_test_file(f)]
    modules = {f.rsplit("/", 1)[-1].rsplit(".", 1)[0]: f for f in files}
    modules.update({f.rsplit("/", 1)[-1]: f for f in files})  # "count_lines.sh" as a name
    where = f" in {files[0]}" if len(files) == 1 else ""
    as_text = edit_format != "tools"
    for n in names:
        if n in modules:
            if as_text:
                return (
                    f" {n} is not a tool: it is the file {modules[n]} the task asks for. Reply "
                    f"with the line {modules[n]} and below it the complete content of "
                    f"{modules[n]} in a fenced code block."
                )
            return (
                f" {n} is not a tool: it is the file {modules[n]}. Write the code the task asks "
                "for into it with write_file(path, content), or change it with patch."
            )
        if re.search(rf"(?<![\w.]){re.escape(n)}\s*\(|`{re.escape(n)}`", task):
            if as_text and len(files) == 1:
                return (
                    f" {n} is not a tool: it is code the task asks you to write{where}. Reply "
                    f"with the line {files[0]} and below it the complete content of {files[0]} "
                    "in a fenced code block."
                )
            return (
                f" {n} is not a tool: it is code the task asks you to write{where}. Write the "
                "whole file with write_file(path, content), or change it with patch."
            )
    return ""


def _write_as_text(names: list[str], task: str) -> str:
    """The note for a model asked for text edits that calls a tool that does not exist, when
    the task asks for a change: how to write a file in that format, and which files."""
    from smallcode.agent.intent import named_files, wants_change

    if not wants_change(task):
        return ""
    files = named_files(task)
    return (
        f"{', '.join(names)} is not a tool. To create or change a file, reply with its path "
        "alone on a line and below it the complete new content of the file in a fenced code "
        "block" + (f" (the files of this task: {', '.join(files[:6])})." if files else ".")
    )
