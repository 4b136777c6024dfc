"""Typed events: the one channel from the core to the outside (CLI, TUI, API, traces, stores).

The core never prints. It calls ``bus.emit("tool_start", name=..., args=...)``; listeners
subscribe with ``bus.on("tool_start", callback)`` or ``bus.on("*", callback)`` for all.

Event names and their data:
- ``turn_start``   {turn}
- ``text``         {text}                 streamed answer text
- ``reasoning``    {text}                 streamed reasoning (shown only when asked)
- ``tool_start``   {name, args, id}
- ``tool_output``  {text}                 a piece of a running tool's output as it comes (bash)
- ``tool_end``     {name, ms, ok, id, output}
- ``repair``       {name, repairs}        what the parser fixed in a call
- ``guard``        {guard, action, message}
- ``retry``        {attempt, error, wait_s}
- ``waiting``      {seconds, phase}        no reply for a while (every SMALLCODE_WAIT_NOTICE s);
                   {phase, progress: True}  the phase changed ("processing the prompt 40%")
- ``usage``        {prompt_tokens, completion_tokens, cached_tokens}
- ``compaction``   {before_tokens, after_tokens}
- ``error``        {message}
- ``notice``       {message}              e.g. "found LM Studio at ..., using model ..."
- ``tests``        {report, filter, path, source}  a test run (verify TestReport.to_dict())
- ``model_reply``  {content, reasoning, tool_calls: [{id, name, arguments (raw text)}],
                   finish_reason, usage, ms}   one model request's raw reply (traces, replay)
- ``parsed``       {calls: [{id, name, arguments, repairs, error?}], native, unknown_tools,
                   tools}                      what the reply was read as, the tools offered
- ``permission``   {tool, action, reason, asked, sandboxed}  a permission decision (allow, ask
                   answered, deny); ``asked`` when the user was prompted
- ``hook``         {event, command, source, exit_code, ms, blocked}  a command hook ran
                   (exit_code None: timed out or could not start)
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
    "tool_output",
    "tool_end",
    "repair",
    "guard",
    "retry",
    "waiting",
    "usage",
    "compaction",
    "error",
    "notice",
    "tests",
    "model_reply",
    "parsed",
    "permission",
    "hook",
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
