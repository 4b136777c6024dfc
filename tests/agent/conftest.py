"""Helpers for guard and context tests: a RunState over a real temp project, replies, calls,
and a runner that drives the real agent against the fake OpenAI server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode
from smallcode.agent.guards import GuardEvent, RunState
from smallcode.agent.normalize import NormalizedReply
from smallcode.agent.result import RunResult
from smallcode.config import Settings
from smallcode.tools.registry import ToolContext, ToolResult
from smallcode.types import Message, ToolCall, Usage
from tests.fakes.openai_server import FakeOpenAIServer, Policy


def make_state(root: Path, task: str = "fix the bug in app.py", **settings: Any) -> RunState:
    s = Settings.load(root, settings)
    ctx = ToolContext(root=root, settings=s)
    return RunState(task=task, settings=s, ctx=ctx, messages=[Message("system", "sys")])


def reply(
    content: str = "",
    calls: list[ToolCall] | None = None,
    *,
    finish: str = "stop",
    unknown: list[str] | None = None,
    reasoning: str = "",
) -> NormalizedReply:
    return NormalizedReply(
        content=content,
        reasoning=reasoning,
        calls=list(calls or []),
        native=True,
        finish_reason=finish,
        usage=Usage(),
        raw_content=content,
        unknown_tools=list(unknown or []),
    )


def call(name: str, **args: Any) -> ToolCall:
    return ToolCall(name, args, id=f"c_{name}")


def before(state: RunState, c: ToolCall) -> GuardEvent:
    return GuardEvent("before_call", state, reply=reply(calls=[c]), call=c)


def after(state: RunState, c: ToolCall, ok: bool = True, output: str = "ok") -> GuardEvent:
    return GuardEvent(
        "after_call", state, reply=reply(calls=[c]), call=c, result=ToolResult(c.name, ok, output)
    )


def on_reply(state: RunState, r: NormalizedReply) -> GuardEvent:
    return GuardEvent("reply", state, reply=r)


class Run:
    """The outcome of one agent run against the fake server."""

    def __init__(
        self, result: RunResult, srv: FakeOpenAIServer, events: list[dict[str, Any]], sc: SmallCode
    ) -> None:
        self.result = result
        self.srv = srv
        self.events = events
        self.sc = sc

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.srv.requests

    def guard_events(self, guard: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events
            if e["type"] == "guard" and (guard is None or e["guard"] == guard)
        ]

    def last_content(self, n: int) -> str:
        """The last message of request ``n`` (what the model saw last)."""
        return self.srv.requests[n]["messages"][-1]["content"]

    def request_text(self, n: int) -> str:
        return json.dumps(self.srv.requests[n]["messages"])


@pytest.fixture
def run_agent(project: Path, fake_server: Callable[..., FakeOpenAIServer]) -> Callable[..., Run]:
    opened: list[SmallCode] = []

    def go(policy: Policy, task: str = "do the task", *, n_ctx: int = 8192, **settings: Any) -> Run:
        srv = fake_server(policy, n_ctx=n_ctx)
        sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project, **settings)
        opened.append(sc)
        events: list[dict[str, Any]] = []
        sc.on("*", events.append)
        result = sc.run(task)
        return Run(result, srv, events, sc)

    yield go
    for sc in opened:
        sc.close()
