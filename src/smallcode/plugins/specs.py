"""The pluggy hook specifications of SmallCode plugins (``@hookimpl`` implements them).

Every argument is optional for an implementation: pluggy passes only those it names.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("smallcode")
hookimpl = pluggy.HookimplMarker("smallcode")


@hookspec
def register_tools(register: Any) -> None:
    """Call ``register(tool)`` for each tool: a typed function (its docstring describes it),
    a function taking the ToolContext first, a ``@smallcode.tools.registry.tool`` function or a
    ``Tool``. Plugin tools join the session's tool list at its start."""


@hookspec
def register_providers(register: Any) -> None:
    """Call ``register(name, factory)``; ``factory(settings)`` returns an object implementing
    the Provider protocol (``smallcode.Provider``). ``-p NAME`` chooses it."""


@hookspec
def register_commands(register: Any) -> None:
    """Call ``register(name, help, func)``; ``func(repl, arg) -> str | None`` becomes the REPL
    command ``/name``."""


@hookspec
def register_prompts(register: Any) -> None:
    """Call ``register(content, inject="always")``: text added to a task's context when
    ``inject`` is ``always``, or a task type (``edit``, ``question``, ``test``) or a word the
    task contains. It shares the knowledge budget (SMALLCODE_KNOWLEDGE_MAX_TOKENS)."""


@hookspec
def pre_tool_use(call: Any, ctx: Any) -> Any:
    """Before a tool call runs (``call.name``, ``call.arguments``). Return None (no opinion),
    a string (deny, with that reason for the model), False (deny), or
    ``smallcode.plugins.ToolDecision(action, reason)`` with allow, ask or deny. Deny wins over
    every allow, and a deny rule of the settings still wins over a plugin's allow."""


@hookspec
def post_tool_use(call: Any, result: Any, ctx: Any) -> Any:
    """After a tool call ran (``result.ok``, ``result.output``); a returned string is added
    to the result for the model."""


@hookspec
def session_start(ctx: Any) -> None:
    """A session started (``ctx.root``, ``ctx.settings``)."""


@hookspec
def session_end(ctx: Any) -> None:
    """A session ended."""
