"""Core data types shared by every layer: messages, tool calls, stream chunks, usage.

This module imports nothing from the rest of the package; everything else may import it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass
class ToolCall:
    """One call the model asked for.

    ``arguments`` is always a dict (already repaired when it came from text or broken JSON).
    ``repairs`` lists what the parser or the repair step changed, in plain words.
    ``error``, when set, means the call could not be read faithfully (its text would have
    been lost or shortened): it must not run, and ``error`` is the result to give the model.
    """

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    repairs: list[str] = field(default_factory=list)
    raw_arguments: str = ""
    error: str = ""

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": json.dumps(self.arguments)},
        }


@dataclass
class Message:
    """One chat message in OpenAI shape. ``reasoning`` is kept apart and never sent back."""

    role: Role
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str = ""
    name: str = ""
    reasoning: str = ""
    # Free-form tags the harness uses (e.g. "bootstrap", "note", "summary", "evicted").
    meta: dict[str, Any] = field(default_factory=dict)

    def to_openai(self) -> dict[str, Any]:
        # Never send "content": null: llama.cpp's server rejects it.
        out: dict[str, Any] = {"role": self.role, "content": self.content or ""}
        if self.tool_calls:
            out["tool_calls"] = [tc.to_openai() for tc in self.tool_calls]
        if self.role == "tool":
            out["tool_call_id"] = self.tool_call_id
            if self.name:
                out["name"] = self.name
        return out

    def to_dict(self) -> dict[str, Any]:
        """Full serialisation (for sessions on disk), including reasoning and meta."""
        return {
            "role": self.role,
            "content": self.content,
            "tool_calls": [
                {"id": t.id, "name": t.name, "arguments": t.arguments} for t in self.tool_calls
            ],
            "tool_call_id": self.tool_call_id,
            "name": self.name,
            "reasoning": self.reasoning,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Message:
        return cls(
            role=d["role"],
            content=d.get("content") or "",
            tool_calls=[
                ToolCall(name=t["name"], arguments=t.get("arguments") or {}, id=t.get("id", ""))
                for t in d.get("tool_calls") or []
            ],
            tool_call_id=d.get("tool_call_id", ""),
            name=d.get("name", ""),
            reasoning=d.get("reasoning", ""),
            meta=d.get("meta") or {},
        )


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens the server reused from its KV cache, when reported
    # True when some counts are SmallCode's estimate (~4 characters per token) because the
    # server reported none (llama-cpp-python's server sends no usage when streaming).
    estimated: bool = False
    # Of the completion tokens, those spent reasoning, when the server says (OpenAI's
    # completion_tokens_details.reasoning_tokens: GPT-5 and o-series reason out of sight).
    reasoning_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens
        self.reasoning_tokens += other.reasoning_tokens
        self.estimated = self.estimated or other.estimated

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
        }
        if self.reasoning_tokens:
            d["reasoning_tokens"] = self.reasoning_tokens
        if self.estimated:
            d["estimated"] = True
        return d


# ---- stream chunks: what a Provider yields -------------------------------------------------


@dataclass
class TextDelta:
    text: str


@dataclass
class ReasoningDelta:
    text: str


@dataclass
class ToolCallDelta:
    """A piece of a native tool call. Fragments with the same ``index`` belong together."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class Finish:
    reason: str = "stop"  # stop | tool_calls | length | error
    usage: Usage | None = None
    # Set when the server cut the front of the prompt to fit its window (Ollama does so
    # silently): what was lost, in words for the user. The loop compacts before the next request.
    truncated: str = ""


@dataclass
class PromptProgress:
    """The server is still reading the prompt: ``done`` of ``total`` tokens (llama.cpp)."""

    done: int
    total: int


Chunk = TextDelta | ReasoningDelta | ToolCallDelta | Finish | PromptProgress


@dataclass
class ModelReply:
    """A whole reply, assembled from chunks."""

    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    usage: Usage = field(default_factory=Usage)
    truncated: str = ""  # the server cut the prompt (see Finish.truncated)


def tool_schema(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-style function schema."""
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }
