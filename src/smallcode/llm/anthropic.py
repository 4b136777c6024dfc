"""Anthropic Messages API (``POST /v1/messages``, SSE streaming, tools).

Used for cloud escalation and by users with an Anthropic key. Converts SmallCode's
OpenAI-shaped history: system messages go to the top-level ``system`` field, assistant tool
calls become ``tool_use`` blocks, tool results become ``tool_result`` blocks in a user turn,
and consecutive turns of one role are merged (the API wants user/assistant alternation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from typing import TYPE_CHECKING, Any

from smallcode.errors import EndpointError, ModelRequestError, TransientError
from smallcode.llm.base import RequestOptions
from smallcode.llm.httpcommon import (
    cancelled_by,
    error_text,
    make_client,
    open_stream,
    stream_cut,
)
from smallcode.llm.kinds import default_url
from smallcode.llm.urls import server_root
from smallcode.types import (
    Chunk,
    Finish,
    Message,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    Usage,
)

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.llm.factory import Notice, Resolved

DEFAULT_URL = default_url("anthropic")
API_VERSION = "2023-06-01"
DEFAULT_WINDOW = 200_000

_STOP = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
}


def to_anthropic(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """(system text, messages) in the Messages API shape."""
    system: list[str] = []
    out: list[dict[str, Any]] = []

    def push(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": list(blocks)})

    for m in messages:
        if m.role == "system":
            if not out:
                system.append(m.content)
            else:  # a note added mid-conversation: keep it where it is, as user text
                push("user", [{"type": "text", "text": m.content}])
        elif m.role == "user":
            push("user", [{"type": "text", "text": m.content or "(empty)"}])
        elif m.role == "assistant":
            blocks: list[dict[str, Any]] = []
            if m.content:
                blocks.append({"type": "text", "text": m.content})
            for i, tc in enumerate(m.tool_calls):
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": tc.id or f"toolu_{len(out)}_{i}",
                        "name": tc.name,
                        "input": tc.arguments or {},
                    }
                )
            push("assistant", blocks or [{"type": "text", "text": "(no answer)"}])
        elif m.role == "tool":
            push(
                "user",
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": m.tool_call_id,
                        "content": m.content or "(no output)",
                    }
                ],
            )
    if out and out[0]["role"] != "user":
        out.insert(0, {"role": "user", "content": [{"type": "text", "text": "(start)"}]})
    return "\n\n".join(s for s in system if s), out


def to_anthropic_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in tools:
        fn = t.get("function", t)
        out.append(
            {
                "name": fn["name"],
                "description": fn.get("description", ""),
                "input_schema": fn.get("parameters") or {"type": "object", "properties": {}},
            }
        )
    return out


def api_root(base_url: str) -> str:
    """The URL below which ``/v1/messages`` and ``/v1/models`` live (a given ``/v1`` dropped)."""
    return server_root(base_url, ("/v1",))


def from_resolved(
    resolved: Resolved, settings: Settings, on_notice: Notice | None = None
) -> AnthropicProvider:
    """The Anthropic provider for a resolved endpoint (the ``anthropic`` kind's builder)."""
    from smallcode.llm.factory import read_timeout

    return AnthropicProvider(
        resolved.model,
        resolved.api_key,
        base_url=resolved.base_url,
        timeout=read_timeout(settings),
        max_tokens=settings.max_output_tokens,
        context_window=settings.context_window,
    )


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        model: str,
        api_key: str,
        *,
        base_url: str = "",
        timeout: float = 300.0,
        max_tokens: int = 4096,
        context_window: int = 0,
        temperature: float | None = None,
    ) -> None:
        self.base_url = api_root(base_url or DEFAULT_URL)
        self.model = model
        self.api_key = api_key
        self.max_tokens = max_tokens
        self.window = context_window
        self.temperature = temperature
        headers = {
            "x-api-key": api_key,
            "anthropic-version": API_VERSION,
            "content-type": "application/json",
        }
        self._client = make_client(headers, timeout)

    def context_window(self) -> int | None:
        return self.window or DEFAULT_WINDOW

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None,
    ) -> dict[str, Any]:
        opts = options or RequestOptions()
        system, msgs = to_anthropic(messages)
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": opts.max_tokens or self.max_tokens,
            "messages": msgs,
            "stream": True,
        }
        if system:
            body["system"] = system
        if tools:
            body["tools"] = to_anthropic_tools(tools)
        temperature = opts.temperature if opts.temperature is not None else self.temperature
        if temperature is not None:
            body["temperature"] = temperature
        body.update(opts.extra_body or {})
        return body

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None = None,
    ) -> Iterator[Chunk]:
        if not self.api_key:
            raise ModelRequestError(
                "no Anthropic API key: set SMALLCODE_API_KEY (or SMALLCODE_ESCALATION_API_KEY "
                "for escalation) or run `smallcode provider`",
                401,
            )
        body = self.build_body(messages, tools, options)
        url = f"{self.base_url}/v1/messages"

        def send() -> Any:
            return self._client.send(
                self._client.build_request("POST", url, json=body), stream=True
            )

        cancel = options.cancel if options is not None else None
        with (
            cancelled_by(cancel),
            closing(open_stream(send, url=url, model=self.model, kind="anthropic")) as resp,
        ):
            yield from self._read(resp)

    def _read(self, resp: Any) -> Iterator[Chunk]:
        usage = Usage()
        reason = "stop"
        tool_index: dict[int, int] = {}  # content block index -> tool call index
        event = ""
        with stream_cut("Anthropic", EndpointError):
            for line in resp.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                    continue
                if not line.startswith("data:"):
                    continue
                try:
                    data = json.loads(line[5:].strip())
                except ValueError:
                    continue
                kind = data.get("type") or event
                if kind == "message_start":
                    u = (data.get("message") or {}).get("usage") or {}
                    usage.prompt_tokens = int(u.get("input_tokens") or 0) + int(
                        u.get("cache_read_input_tokens") or 0
                    )
                    usage.cached_tokens = int(u.get("cache_read_input_tokens") or 0)
                    usage.completion_tokens = int(u.get("output_tokens") or 0)
                elif kind == "content_block_start":
                    block = data.get("content_block") or {}
                    if block.get("type") == "tool_use":
                        i = tool_index[data.get("index", 0)] = len(tool_index)
                        yield ToolCallDelta(index=i, id=block.get("id", ""), name=block["name"])
                    elif block.get("type") == "text" and block.get("text"):
                        yield TextDelta(block["text"])
                elif kind == "content_block_delta":
                    delta = data.get("delta") or {}
                    dtype = delta.get("type")
                    if dtype == "text_delta":
                        yield TextDelta(delta.get("text", ""))
                    elif dtype == "thinking_delta":
                        yield ReasoningDelta(delta.get("thinking", ""))
                    elif dtype == "input_json_delta":
                        i = tool_index.get(data.get("index", 0), 0)
                        yield ToolCallDelta(index=i, arguments=delta.get("partial_json", ""))
                elif kind == "message_delta":
                    stop = (data.get("delta") or {}).get("stop_reason")
                    if stop:
                        reason = _STOP.get(stop, "stop")
                    u = data.get("usage") or {}
                    if u.get("output_tokens") is not None:
                        usage.completion_tokens = int(u["output_tokens"])
                elif kind == "message_stop":
                    yield Finish(reason=reason, usage=usage)
                    return
                elif kind == "error":
                    err = data.get("error") or {}
                    raise TransientError(
                        f"Anthropic stream error ({err.get('type', 'error')}): "
                        f"{error_text(json.dumps(data))}; try again later"
                    )
        raise TransientError("Anthropic stream ended without message_stop; try again")

    def close(self) -> None:
        self._client.close()
