"""Calls that are not run: what the model is told instead.

Two kinds: arguments that could not be read at all (not JSON, not an object: the parser gives
no call, :func:`unreadable_reason` says why) and arguments whose text could not be read
without losing some (a refused call, :func:`refuse`). Each message names the tool, says what
was wrong and how to send the call again, in a few lines.
"""

from __future__ import annotations

import json
from typing import Any

from smallcode.toolcalls.jsonscan import loads_lenient
from smallcode.toolcalls.repair import json_type
from smallcode.toolcalls.schema import ToolIndex

MAX_SNIPPET = 40


def _snippet(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= MAX_SNIPPET else text[: MAX_SNIPPET - 3] + "..."


def unreadable_reason(index: ToolIndex, name: str, args: Any, *, repaired: bool) -> str:
    """Why ``args`` cannot be read as arguments of tool ``name`` ('' when they can).

    An object, nothing, a JSON string holding an object and a one-item list of an object
    can; so can a plain string for a tool with one parameter (its bare value), unless that
    string is a bare word that only JSON repair turned into one (``"arguments": invalid``).
    """
    if args is None or isinstance(args, dict):
        return ""
    if isinstance(args, list):
        if not args or (len(args) == 1 and isinstance(args[0], dict)):
            return ""
        return f"a list, not an object: {_snippet(args)}"
    if isinstance(args, str):
        s = args.strip()
        if not s:
            return ""
        if s[0] in "{[":
            loaded = loads_lenient(s)
            if loaded is not None and isinstance(loaded[0], dict):
                return ""
            if loaded is not None and isinstance(loaded[0], list):
                return unreadable_reason(index, name, loaded[0], repaired=repaired)
            return f"broken JSON: {_snippet(s)}"
        if repaired:
            return f"not JSON: {_snippet(s)}"
        required = index.required(name)
        order = index.param_order(name)
        if len(required) == 1 or len(order) == 1:
            return ""  # the bare value of the tool's only (required) parameter
        return f"text, not an object: {_snippet(s)}"
    return f"{json_type(args)} {_snippet(args)}, not an object"


def broken_message(index: ToolIndex, tool: str, reason: str) -> str:
    """What the model is told instead of running a call whose arguments could not be read."""
    params = index.param_order(tool)
    shown = ", ".join(f'"{p}": ...' for p in params[:4])
    example = f" such as {{{shown}}}" if params else " ({})"
    return (
        f"{tool}: the call was not run because its arguments could not be read ({reason})."
        f" Send it again with the arguments as one JSON object{example}."
    )


_JSON_TYPES = {"string", "integer", "number", "boolean", "array", "object", "null"}


def schema_echo(index: ToolIndex, tool: str, args: Any) -> str:
    """The error for a call whose arguments are the tool's parameter descriptions copied from
    its schema (``{"path": {"type": "string", "description": "..."}}``, a habit of very small
    models), or '' when at least one argument that is not an object holds a real value."""
    if not isinstance(args, dict) or not args:
        return ""
    props = index.properties(tool)
    echoed = []
    for key, value in args.items():
        schema = props.get(key) if isinstance(key, str) else None
        if not isinstance(value, dict) or not isinstance(schema, dict):
            return ""
        if schema.get("type") == "object" or value.get("type") not in _JSON_TYPES:
            return ""
        echoed.append(key)
    shown = ", ".join(f'"{k}": {_placeholder(props[k])}' for k in index.param_order(tool)[:3])
    return (
        f"{tool}: the call was not run: its arguments are the tool's parameter descriptions "
        f"(type, description), not values. Send it again with the real values, such as "
        f"{{{shown}}}."
    )


def _placeholder(schema: Any) -> str:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return {"integer": "1", "number": "1", "boolean": "true", "array": "[...]"}.get(
        str(kind), '"..."'
    )


def refuse(tool: str, fixed: dict[str, Any], lost: str) -> tuple[dict[str, Any], str]:
    """(arguments, error) for a call whose text could not be read without losing some.

    The argument that lost text is left out (all of them when unknown), so even a caller
    that ignores ``ToolCall.error`` gets the tool's missing-argument error, never a
    shortened value.
    """
    args = {k: v for k, v in fixed.items() if k != lost} if lost else {}
    return args, refusal_message(tool, lost)


def refusal_message(tool: str, arg: str) -> str:
    """What the model is told instead of running a call whose text could not be read."""
    what = f"the {arg} argument" if arg else "the arguments"
    msg = (
        f"{tool}: {what} could not be read (unescaped quotes inside the JSON string), so the"
        f" call was not run. Send the call again with {arg or 'every argument'} as a JSON"
        ' string in which every " and newline is escaped (\\" and \\n)'
    )
    if arg == "content" or tool == "write_file":
        msg += (
            ", or write the file's path alone on a line followed by the complete file in a"
            " fenced code block"
        )
    return msg + "."
