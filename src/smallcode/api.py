"""The Python API.

    from smallcode import SmallCode

    agent = SmallCode(model="qwen2.5-coder-7b", base_url="http://localhost:1234/v1", cwd=".")
    agent.on("tool_start", lambda e: print("->", e["name"], e["args"]))
    result = agent.run("add a --verbose flag to cli.py")
    print(result.success, result.files_edited, result.response)

Settings not named here are passed as keyword arguments with the Settings field names
(e.g. ``max_turns=20``, ``context_window=16384``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.agent.result import RunResult, ToolCallRecord
from smallcode.config import Settings
from smallcode.events import EVENT_NAMES, Event, EventBus

if TYPE_CHECKING:
    from smallcode.agent.guards import Guard
    from smallcode.agent.loop import Agent
    from smallcode.llm.base import Provider
    from smallcode.tools.registry import Tool

__all__ = ["RunResult", "SmallCode", "ToolCallRecord"]


class SmallCode:
    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        cwd: str | Path | None = None,
        *,
        llm: Provider | None = None,
        tools: list[Any] | str | None = None,
        guards: list[Guard] | None = None,
        **settings: Any,
    ) -> None:
        """Configure an agent. ``llm`` may be any object implementing the Provider protocol
        (``smallcode.Provider``). ``tools``: extra tools for the model (typed functions, whose
        docstring describes them, ``@tool`` functions or Tools; a string is still the
        ``SMALLCODE_TOOLS`` setting); ``guards``: objects with
        ``name`` and ``observe(event) -> Intervention | None`` (see ``smallcode.Intervention``).
        """
        if isinstance(tools, str):  # the SMALLCODE_TOOLS setting (auto, core, all, groups)
            settings["tools"], tools = tools, None
        overrides = {"model": model, "base_url": base_url, **settings}
        self.settings = Settings.load(cwd, overrides)
        self.events = EventBus()
        self._llm = llm
        self._tools: list[Tool] = []
        self._guards = list(guards or [])
        if tools:
            from smallcode.plugins.host import as_tool

            self._tools = [as_tool(t) for t in tools]  # a bad one: TypeError now
        self._agent: Agent | None = None

    def on(self, event: str, callback: Callable[[dict[str, Any]], Any]) -> Callable[[], None]:
        """Subscribe to an event ('tool_start', 'tool_end', 'text', 'error', ... or '*').

        The callback receives the event's data as a dict (with its 'type'). Returns a function
        that unsubscribes.
        """
        if event != "*" and event not in EVENT_NAMES:
            raise ValueError(f"unknown event '{event}'; known: {', '.join(EVENT_NAMES)}")

        def relay(e: Event) -> None:
            callback({"type": e.type, **e.data})

        return self.events.on(event, relay)

    @property
    def agent(self) -> Agent:
        """The session's Agent, built on first use."""
        if self._agent is None:
            from smallcode.agent.session import build_agent

            self._agent = build_agent(
                self.settings,
                self.events,
                provider=self._llm,
                tools=self._tools,
                guards=self._guards,
            )
        return self._agent

    def run(self, task: str) -> RunResult:
        """Run one task to completion (the conversation continues on the next call)."""
        return self.agent.run(task)

    async def arun(self, task: str) -> RunResult:
        """Async ``run``: the agent works in a thread so the event loop stays free."""
        return await asyncio.to_thread(self.run, task)

    def cancel(self) -> None:
        if self._agent is not None:
            self._agent.cancel()

    def close(self) -> None:
        if self._agent is not None:
            from smallcode.agent.session import close_agent

            close_agent(self._agent)
            self._agent = None

    def __enter__(self) -> SmallCode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
