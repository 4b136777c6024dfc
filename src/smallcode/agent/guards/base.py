"""Guards: the interface and the GuardSet that runs them (one module per guard beside this).

A guard's ``observe(event)`` sees one GuardEvent and returns an Intervention or None:

- ``reply``        a model reply arrived (before its calls run)
- ``before_call``  a tool call is about to run
- ``after_call``   a tool call ran (``result`` is set)

Interventions:
- ``note``      add the message for the model (to the tool result, or as a new message)
- ``block``     do not run the call; its result is the message (``ok`` says if that is a success,
                e.g. a de-duplicated read returning the earlier result)
- ``retry``     discard the reply (do not run its calls) and ask again with the message
- ``continue``  the reply had no calls but the run must not end: add the message and go on
- ``finish``    the work looks done but the model keeps calling tools: do not run the call;
                ask once more with no tools offered, for a short summary that ends the run
- ``stop``      end the run (exit 1) with the message as the reason
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from smallcode.types import ToolCall

if TYPE_CHECKING:
    from smallcode.agent.completion import CompletionCheck
    from smallcode.agent.normalize import NormalizedReply
    from smallcode.config import Settings
    from smallcode.tools.registry import ToolContext, ToolResult
    from smallcode.types import Message

Action = Literal["note", "block", "retry", "continue", "finish", "stop"]

log = logging.getLogger(__name__)


@dataclass
class CallRecord:
    turn: int
    name: str
    arguments: dict[str, Any]
    ok: bool
    output: str


@dataclass
class RunState:
    """One run (one user task): what guards may look at (the task, progress so far, the
    session's tool context) and the loop's own bookkeeping of the run."""

    task: str
    settings: Settings
    ctx: ToolContext
    messages: list[Message]
    turn: int = 0
    calls: list[CallRecord] = field(default_factory=list)
    # The completion check of this run (agent/completion.py), when verification is on.
    completion: CompletionCheck | None = None
    verify_reasks: int = 0  # how often the completion check sent the model back
    unknown_tool_notes: int = 0  # corrections of calls to tools that do not exist
    text_edit_noted: bool = False  # the model was asked once to write an edit properly
    text_edit_problems: str = ""  # edits written as text that could not be applied
    edit_format: str = "tools"  # how the model is asked to edit (agent/editformat.py)
    # The call of the current before_call event when a guard blocked it (not run).
    blocked_call: ToolCall | None = None
    # Free for guards added from outside the package (``SmallCode(guards=...)``).
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class GuardEvent:
    kind: Literal["reply", "before_call", "after_call"]
    state: RunState
    reply: NormalizedReply | None = None
    call: ToolCall | None = None
    result: ToolResult | None = None


@dataclass
class Intervention:
    action: Action
    message: str
    guard: str = ""
    ok: bool = False


class Guard(Protocol):
    name: str

    def observe(self, event: GuardEvent) -> Intervention | None: ...


class GuardSet:
    """Runs every guard on each event; the most severe intervention wins, notes are joined."""

    SEVERITY: ClassVar[dict[str, int]] = {
        "note": 0,
        "continue": 1,
        "finish": 2,
        "block": 3,
        "retry": 4,
        "stop": 5,
    }

    def __init__(self, guards: list[Guard] | None = None) -> None:
        self.guards: list[Guard] = list(guards or [])

    def add(self, guard: Guard) -> None:
        self.guards.append(guard)

    def observe(self, event: GuardEvent) -> Intervention | None:
        found: list[Intervention] = []
        for g in self.guards:
            try:
                iv = g.observe(event)
            except Exception:  # a guard bug must never break the run
                log.warning("guard %r failed on a %s event", g.name, event.kind, exc_info=True)
                iv = None
            if iv is not None:
                iv.guard = iv.guard or g.name
                found.append(iv)
        if not found:
            top = None
        else:
            top = max(found, key=lambda iv: self.SEVERITY[iv.action])
            if top.action == "note":
                top = Intervention("note", "\n".join(iv.message for iv in found), top.guard)
        if event.kind == "before_call" and event.call is not None:
            # after_call guards (trust decay, temperature) must know a call was never run.
            blocked = top is not None and top.action in ("block", "finish", "stop")
            event.state.blocked_call = event.call if blocked else None
        return top


def was_blocked(event: GuardEvent) -> bool:
    """True when the call in an after_call event was blocked by a guard (not run)."""
    return event.call is not None and event.state.blocked_call is event.call


def call_key(name: str, arguments: dict[str, Any]) -> str:
    """A stable identity for a call: name + canonical JSON of its arguments."""
    try:
        args = json.dumps(arguments, sort_keys=True, default=str)
    except (TypeError, ValueError):
        args = repr(sorted(arguments.items()))
    return f"{name}:{args}"


def describe_call(name: str, arguments: dict[str, Any], limit: int = 120) -> str:
    """name(k=v, ...) for messages to the model, long values shortened."""
    parts = []
    for k, v in arguments.items():
        if isinstance(v, str):
            parts.append(f"{k}={(v if len(v) <= 40 else v[:40] + '...')!r}")
        else:
            parts.append(f"{k}={json.dumps(v, default=str)[:40]}")
    text = f"{name}({', '.join(parts)})"
    return text if len(text) <= limit else text[: limit - 4] + "...)"


class RunScoped:
    """Mixin for guards whose counters start fresh with each run (each user task)."""

    _run_state: RunState | None = None

    def fresh(self, state: RunState) -> bool:
        """True (once) when ``state`` belongs to a new run; the guard then resets itself."""
        if state is self._run_state:
            return False
        self._run_state = state
        self.reset()
        return True

    def reset(self) -> None:  # pragma: no cover - overridden
        pass
