"""The forgiving tool-call parser.

Small local models often write their calls as text: fenced JSON, Qwen3-Coder XML, python
lists between markers, calls inside their reasoning, with wrong key names or broken JSON.
This package turns any of those into :class:`smallcode.types.ToolCall` objects repaired
against the tool schemas, and never raises on any input.

    parse_tool_calls(text, tools) -> list[ToolCall]
    repair_native_call(call, tools) -> ToolCall | None
    repair_arguments(name, args, tools) -> (args, repairs)
    split_reasoning(text) -> (visible, reasoning)
    extract_calls_with_reasoning(content, reasoning, tools) -> list[ToolCall]
    recover_visible_answer(content, reasoning) -> str
    unknown_tool_names(text, tools) -> list[str]   (call-shaped text naming no known tool)
    tool_call_errors(text, tools) -> list[str]     (calls not run: arguments unreadable)
"""

from smallcode.toolcalls.native import repair_native_call
from smallcode.toolcalls.parser import (
    FoundCall,
    find_tool_calls,
    parse_tool_calls,
    strip_tool_call_text,
    tool_call_errors,
)
from smallcode.toolcalls.reasoning import (
    extract_calls_with_reasoning,
    recover_visible_answer,
    split_reasoning,
)
from smallcode.toolcalls.repair import repair_arguments
from smallcode.toolcalls.unknown import unknown_tool_names

__all__ = [
    "FoundCall",
    "extract_calls_with_reasoning",
    "find_tool_calls",
    "parse_tool_calls",
    "recover_visible_answer",
    "repair_arguments",
    "repair_native_call",
    "split_reasoning",
    "strip_tool_call_text",
    "tool_call_errors",
    "unknown_tool_names",
]
