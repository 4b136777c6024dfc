"""Typed events: the one channel from the core to the outside (CLI, TUI, API, traces, stores).

The core never prints. It calls ``bus.emit("tool_start", name=..., args=...)``; listeners
subscribe with ``bus.on("tool_start", callback)`` or ``bus.on("*", callback)`` for all.

Event names and their data:
- ``turn_start``   {turn}
- ``text``         {text}                 streamed answer text
- ``reasoning``    {text}                 streamed reasoning (shown only when asked)
- ``tool_start``   {name, args, id}
- ``tool_end``     {name, ms, ok, id, output}
- ``repair``       {name, repairs}        what the parser fixed in a call
- ``guard``        {guard, action, message}
- ``retry``        {attempt, error, wait_s}
- ``usage``        {prompt_tokens, completion_tokens, cached_tokens}
- ``compaction``   {before_tokens, after_tokens}
- ``error``        {message}
- ``notice``       {message}              e.g. "found LM Studio at ..., using model ..."
- ``tests``        {report, filter, path, source}  a test run (verify TestReport.to_dict())
- ``done``         {result}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EVENT_NAMES = (
    "turn_start",
    "text",
    "reasoning",
    "tool_start",
    "tool_end",
    "repair",
    "guard",
    "retry",
    "usage",
    "compaction",
    "error",
    "notice",
    "tests",
    "done",
)


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
        event = Event(event_type, data)
        for cb in (*self._listeners.get(event_type, ()), *self._listeners.get("*", ())):
            try:
                cb(event)
            except Exception:  # a broken listener must never break the agent
                pass
