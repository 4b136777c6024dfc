"""Guards: small objects with one interface that watch the run and may intervene.

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
- ``stop``      end the run (exit 1) with the message as the reason
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from smallcode.types import ToolCall

if TYPE_CHECKING:
    from smallcode.agent.normalize import NormalizedReply
    from smallcode.config import Settings
    from smallcode.tools.registry import ToolContext, ToolResult
    from smallcode.types import Message

Action = Literal["note", "block", "retry", "continue", "stop"]


@dataclass
class CallRecord:
    turn: int
    name: str
    arguments: dict[str, Any]
    ok: bool
    output: str


@dataclass
class RunState:
    """What guards may look at: the task, progress so far, and the session's tool context."""

    task: str
    settings: Settings
    ctx: ToolContext
    messages: list[Message]
    turn: int = 0
    calls: list[CallRecord] = field(default_factory=list)
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

    SEVERITY: ClassVar[dict[str, int]] = {"note": 0, "continue": 1, "block": 2, "retry": 3, "stop": 4}

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
                iv = None
            if iv is not None:
                iv.guard = iv.guard or g.name
                found.append(iv)
        if not found:
            return None
        top = max(found, key=lambda iv: self.SEVERITY[iv.action])
        if top.action == "note":
            top = Intervention("note", "\n".join(iv.message for iv in found), top.guard)
        return top
