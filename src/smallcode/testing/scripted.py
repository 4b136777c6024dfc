"""A scripted model: a Provider that answers each request with the next reply of a script.

    from smallcode import SmallCode
    from smallcode.testing import ScriptedModel, text, tool

    model = ScriptedModel([tool("write_file", path="a.py", content="x = 1\\n"), text("Done.")])
    with SmallCode(cwd=tmp_path, llm=model) as agent:
        result = agent.run("create a.py")
    assert result.success and model.exhausted

Replies are streamed as the chunks a server would send (text, reasoning, native tool-call
fragments, a finish with usage), so the whole loop runs: parsing, repair, guards, tools.
A reply's ``content`` may hold calls written as text; ``tool_calls`` are native calls whose
``arguments`` may be a dict or the raw (even broken) JSON text. Replies are used in turn
order, whatever the request says: a changed prompt never breaks a script.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from smallcode.types import (
    Chunk,
    Finish,
    Message,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    Usage,
)

END_OF_SCRIPT = "(end of script)"


@dataclass
class ScriptedCall:
    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = ""

    def raw(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass
class ScriptedReply:
    content: str = ""
    tool_calls: list[ScriptedCall] = field(default_factory=list)
    reasoning: str = ""
    finish_reason: str = ""  # default: tool_calls with calls, else stop
    usage: dict[str, int] | None = None  # prompt/completion tokens to report (None: none)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ScriptedReply:
        """From a trace's ``model_reply`` record (store/traces.py)."""
        usage = record.get("usage") or None
        if usage and not (usage.get("prompt_tokens") or usage.get("completion_tokens")):
            usage = None
        return cls(
            content=record.get("content") or "",
            reasoning=record.get("reasoning") or "",
            tool_calls=[
                ScriptedCall(c.get("name", ""), c.get("arguments") or "", c.get("id", ""))
                for c in record.get("tool_calls") or []
            ],
            finish_reason=record.get("finish_reason") or "",
            usage=usage,
        )


def text(content: str, **kw: Any) -> ScriptedReply:
    """A reply with text only (an answer, or calls/edits written as text)."""
    return ScriptedReply(content=content, **kw)


def tool(name: str, _content: str = "", **arguments: Any) -> ScriptedReply:
    """A reply with one native tool call."""
    return ScriptedReply(content=_content, tool_calls=[ScriptedCall(name, arguments)])


def calls(*pairs: tuple[str, dict[str, Any] | str], content: str = "") -> ScriptedReply:
    """A reply with several native calls: ``calls(("read_file", {"path": "a"}), ...)``."""
    return ScriptedReply(content=content, tool_calls=[ScriptedCall(n, a) for n, a in pairs])


class ScriptedModel:
    """A :class:`smallcode.llm.base.Provider` that plays a script of replies."""

    def __init__(
        self,
        replies: list[ScriptedReply | str],
        *,
        model: str = "scripted-model",
        name: str = "scripted",
        window: int | None = 8192,
    ) -> None:
        self.replies = [text(r) if isinstance(r, str) else r for r in replies]
        self.model = model
        self.name = name
        self.window = window
        self.requests: list[dict[str, Any]] = []  # what the agent sent: messages, tool names
        self.overrun = 0  # requests after the script ended

    @property
    def used(self) -> int:
        return min(len(self.requests), len(self.replies))

    @property
    def exhausted(self) -> bool:
        """Every reply of the script was used."""
        return len(self.requests) >= len(self.replies)

    def context_window(self) -> int | None:
        return self.window

    def close(self) -> None:
        pass

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: Any = None,
    ) -> Iterator[Chunk]:
        n = len(self.requests)
        self.requests.append(
            {
                "messages": [m.to_openai() for m in messages],
                "tools": [t.get("function", {}).get("name", "") for t in tools or []],
            }
        )
        if n < len(self.replies):
            reply = self.replies[n]
        else:
            self.overrun += 1
            reply = text(END_OF_SCRIPT)
        return iter(_chunks(reply))


def _chunks(reply: ScriptedReply) -> list[Chunk]:
    out: list[Chunk] = []
    if reply.reasoning:
        out.append(ReasoningDelta(reply.reasoning))
    if reply.content:
        out.append(TextDelta(reply.content))
    for i, call in enumerate(reply.tool_calls):
        out.append(
            ToolCallDelta(i, id=call.id or f"call_{i}", name=call.name, arguments=call.raw())
        )
    reason = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
    usage = None
    if reply.usage:
        usage = Usage(
            prompt_tokens=int(reply.usage.get("prompt_tokens") or 0),
            completion_tokens=int(reply.usage.get("completion_tokens") or 0),
            cached_tokens=int(reply.usage.get("cached_tokens") or 0),
        )
    out.append(Finish(reason=reason, usage=usage))
    return out
