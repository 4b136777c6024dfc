"""Typed events: the one channel from the core to the outside (CLI, TUI, API, traces, stores).

The core never prints. It calls ``bus.emit("tool_start", name=..., args=...)``; listeners
subscribe with ``bus.on("tool_start", callback)`` or ``bus.on("*", callback)`` for all.

Every event name and its fields are declared once, in ``EVENTS`` below (a test checks that
every ``emit`` in the package names a declared event with declared fields). To add an event:
add an ``EventSpec`` here, then emit it. An event the registry does not know is still
delivered, and logged as a warning (shown with ``SMALLCODE_DEBUG=1``).

A listener that raises never breaks the agent: the error is logged the same way.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventSpec:
    """One kind of event: its name, the fields every emit gives, the fields some give."""

    name: str
    doc: str
    fields: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def allows(self, keys: Any) -> bool:
        return set(keys) <= {*self.fields, *self.optional}


_SPECS = (
    EventSpec("turn_start", "a model request starts (1-based)", ("turn",)),
    EventSpec("text", "streamed answer text", ("text",)),
    EventSpec("reasoning", "streamed reasoning (shown only when asked)", ("text",)),
    EventSpec("tool_start", "a tool call starts", ("name", "args", "id")),
    EventSpec("tool_output", "a piece of a running tool's output as it comes (bash)", ("text",)),
    EventSpec(
        "tool_end",
        "a tool call ended; exit_code: a command that ran but failed (bash's [exit code: N]); "
        "rolled_back: the change was undone right after",
        ("name", "ms", "ok", "id", "output"),
        ("args", "exit_code", "rolled_back"),
    ),
    EventSpec("repair", "what the parser fixed in a call", ("name", "repairs")),
    EventSpec(
        "guard",
        "a guard, check or workflow noted, blocked, retried, continued, finished or stopped",
        ("guard", "action", "message"),
    ),
    EventSpec("retry", "a transport retry of a model request", ("attempt", "error", "wait_s")),
    EventSpec(
        "waiting",
        "no reply for a while (every SMALLCODE_WAIT_NOTICE s); with progress=True: the phase "
        'changed ("processing the prompt 40%")',
        ("phase",),
        ("seconds", "progress"),
    ),
    EventSpec(
        "usage",
        "the token usage of one model request (types.Usage.to_dict())",
        ("prompt_tokens", "completion_tokens", "cached_tokens"),
        ("reasoning_tokens", "estimated"),
    ),
    EventSpec("compaction", "history was compacted", ("before_tokens", "after_tokens"), ("how",)),
    EventSpec("error", "an error the run reports", ("message",), ("exit_code",)),
    EventSpec("notice", 'e.g. "found LM Studio at ..., using model ..."', ("message",)),
    EventSpec(
        "tests", "a test run (verify TestReport.to_dict())", ("report", "filter", "path", "source")
    ),
    EventSpec(
        "model_reply",
        "one model request's raw reply (traces, replay); tool_calls: [{id, name, arguments "
        "(raw text)}]",
        ("content", "reasoning", "tool_calls", "finish_reason", "usage", "ms"),
    ),
    EventSpec(
        "parsed",
        "what the reply was read as, and the tools offered; calls: [{id, name, arguments, "
        "repairs, error?}]",
        ("calls", "native", "unknown_tools", "tools"),
    ),
    EventSpec(
        "permission",
        "a permission decision (allow, ask answered, deny); asked: the user was prompted",
        ("tool", "action", "reason", "asked", "sandboxed"),
    ),
    EventSpec(
        "hook",
        "a command hook ran (exit_code None: timed out or could not start)",
        ("event", "command", "source", "exit_code", "ms", "blocked"),
    ),
    EventSpec("done", "the run ended (agent.result.RunResult)", ("result",)),
)

EVENTS: dict[str, EventSpec] = {spec.name: spec for spec in _SPECS}
EVENT_NAMES = tuple(EVENTS)


@dataclass
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)

    def on(self, event_type: str, callback: Listener) -> Callable[[], None]:
        """Subscribe; returns a function that unsubscribes."""
        self._listeners[event_type].append(callback)

        def off() -> None:
            if callback in self._listeners[event_type]:
                self._listeners[event_type].remove(callback)

        return off

    def emit(self, event_type: str, **data: Any) -> None:
        spec = EVENTS.get(event_type)
        if spec is None or not spec.allows(data):
            log.warning("event %r does not match its declaration: %s", event_type, sorted(data))
        event = Event(event_type, data)
        for cb in (*self._listeners.get(event_type, ()), *self._listeners.get("*", ())):
            try:
                cb(event)
            except Exception:  # a broken listener must never break the agent
                log.warning("a listener of %r failed: %r", event_type, cb, exc_info=True)
