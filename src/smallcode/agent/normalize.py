"""Turning a raw ModelReply into what the loop acts on: visible text, reasoning, tool calls.

Native calls have their argument strings repaired (broken or double-encoded JSON, wrong key
names); replies without native calls go through the forgiving text parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smallcode.types import ModelReply, ToolCall, Usage


@dataclass
class NormalizedReply:
    content: str  # visible text (reasoning removed)
    reasoning: str
    calls: list[ToolCall]
    native: bool  # calls came from the server's tool_calls (else parsed from text)
    finish_reason: str
    usage: Usage
    raw_content: str = ""
    unknown_tools: list[str] = field(default_factory=list)
    # calls to known tools whose arguments could not be read: not run; what to tell the model
    call_errors: list[str] = field(default_factory=list)


def normalize_reply(reply: ModelReply, tools: list[dict[str, Any]]) -> NormalizedReply:
    from smallcode.toolcalls import (
        extract_calls_with_reasoning,
        repair_native_call,
        split_reasoning,
        strip_tool_call_text,
        tool_call_errors,
        unknown_tool_names,
    )

    visible, inline_reasoning = split_reasoning(reply.content)
    reasoning = "\n".join(p for p in (reply.reasoning, inline_reasoning) if p)
    unknown: list[str] = []
    errors: list[str] = []
    if reply.tool_calls:
        calls: list[ToolCall] = []
        for raw in reply.tool_calls:
            fixed = repair_native_call(raw, tools)
            if fixed is None:
                unknown.append(raw.name)
            else:
                calls.append(fixed)
        native = True
    else:
        calls = extract_calls_with_reasoning(reply.content, reply.reasoning, tools)
        native = False
        if calls:
            # What the user sees is the prose around the calls, not the call text itself.
            visible = strip_tool_call_text(visible, tools)
        elif tools:
            unknown = unknown_tool_names(reply.content, tools)
            errors = tool_call_errors(visible, tools)
            if unknown and not errors:
                from smallcode.toolcalls.invented import calls_for_invented_names

                calls = calls_for_invented_names(reply.content, tools, unknown)
                if calls:  # an invented name that plainly means one tool, with its arguments
                    unknown = []
    return NormalizedReply(
        content=visible.strip(),
        reasoning=reasoning,
        calls=calls,
        native=native,
        finish_reason=reply.finish_reason,
        usage=reply.usage,
        raw_content=reply.content,
        unknown_tools=unknown,
        call_errors=errors,
    )


def final_answer(reply: NormalizedReply) -> str:
    """The answer to show: visible text, or one recovered from the reasoning when empty."""
    if reply.content:
        return reply.content
    if reply.reasoning:
        from smallcode.toolcalls import recover_visible_answer

        return recover_visible_answer(reply.content, reply.reasoning)
    return ""
