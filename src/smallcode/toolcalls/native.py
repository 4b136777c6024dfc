"""Repair of NATIVE tool calls (the server's ``tool_calls``), whose arguments string may be
broken JSON, JSON encoded twice, or use the wrong key names, and whose name may be misspelled.
Arguments that cannot be read at all come back as a call refused with ``ToolCall.error`` (the
call has an id the model's next turn must answer).
"""

from __future__ import annotations

from typing import Any

from smallcode.toolcalls.jsonscan import decode_arguments, loads_lenient
from smallcode.toolcalls.readings import judged_by, lossy
from smallcode.toolcalls.refusals import broken_message, refuse, schema_echo, unreadable_reason
from smallcode.toolcalls.repair import SchemaJudge, repair_with_index
from smallcode.toolcalls.schema import ToolIndex
from smallcode.types import ToolCall


def _raw_to_args(raw: str, notes: list[str]) -> Any:
    s = raw.strip()
    if not s:
        return {}
    loaded = loads_lenient(s)
    if loaded is None:
        return s  # not JSON at all: maybe the bare value of a one-parameter tool
    value, repaired = loaded
    if repaired:
        notes.append("repaired broken JSON in the arguments")
    if isinstance(value, str):
        decoded = decode_arguments(value, [])
        if isinstance(decoded, dict | list):
            notes.append("decoded arguments encoded twice as JSON")
        value = decoded
    return value


def repair_native_call(call: ToolCall, tools: list[dict[str, Any]]) -> ToolCall | None:
    """The call with a known tool name and repaired ``arguments``, or None for unknown tools.

    ``call.raw_arguments`` (the string the server sent) is decoded when present; otherwise
    ``call.arguments`` is used. Name fixes ("readFile" -> "read_file") and argument fixes
    are appended to ``repairs``. Never raises.
    """
    try:
        index = ToolIndex(tools)
        resolved = index.resolve(call.name)
        if resolved is None:
            return None
        name, note = resolved
        notes = list(call.repairs)
        if note:
            notes.append(note)
        raw = call.raw_arguments
        with judged_by(SchemaJudge(index, tool=name)):
            if isinstance(raw, str) and raw.strip():
                args: Any = _raw_to_args(raw, notes)
            else:
                args = decode_arguments(call.arguments, notes)
        repaired = "repaired broken JSON in the arguments" in notes
        reason = unreadable_reason(index, name, args, repaired=repaired)
        if reason:  # nothing to run: the loop answers the call with this error
            error = broken_message(index, name, reason)
            return ToolCall(
                name=name,
                arguments={},
                id=call.id,
                repairs=[*notes, f"refused: {error}"],
                raw_arguments=call.raw_arguments,
                error=error,
            )
        echo = schema_echo(index, name, args)
        if echo:
            return ToolCall(
                name=name,
                arguments={},
                id=call.id,
                repairs=[*notes, f"refused: {echo}"],
                raw_arguments=call.raw_arguments,
                error=echo,
            )
        lost = lossy(args)
        fixed, repairs = repair_with_index(index, name, args)
        error = ""
        if lost is not None:  # the arguments could not be read without losing text
            fixed, error = refuse(name, fixed, lost)
            repairs.append(f"refused: {error}")
        return ToolCall(
            name=name,
            arguments=fixed,
            id=call.id,
            repairs=notes + repairs,
            raw_arguments=call.raw_arguments,
            error=error,
        )
    except Exception:
        return None
