"""The one Protocol between the agent loop and every wire protocol.

A provider turns a list of messages (+ tool schemas) into a stream of typed chunks
(:mod:`smallcode.types`). Retries, SSE/NDJSON parsing and server quirks live in the provider;
the loop only sees chunks. ``collect`` assembles a stream into a ModelReply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from smallcode.llm.waiting import CancelToken, WaitPolicy, watched
from smallcode.types import (
    Chunk,
    Finish,
    Message,
    ModelReply,
    ReasoningDelta,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)


@dataclass
class RequestOptions:
    temperature: float | None = None
    max_tokens: int | None = None
    # Provider-specific extra body fields (e.g. chat_template_kwargs, reasoning_effort).
    extra_body: dict[str, Any] = field(default_factory=dict)
    # Set when the caller stops waiting (llm/waiting.py): providers cut their HTTP stream or
    # stop generating. None when the caller cannot cancel.
    cancel: CancelToken | None = None


@runtime_checkable
class Provider(Protocol):
    """What the loop needs from a model endpoint."""

    name: str  # e.g. "openai", "ollama", "anthropic", "embedded"
    model: str

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None = None,
    ) -> Iterator[Chunk]:
        """Yield chunks; the last one is a Finish. Raises EndpointError / ModelRequestError."""
        ...

    def context_window(self) -> int | None:
        """The server's context window in tokens, or None when it cannot be detected."""
        ...

    def close(self) -> None: ...


def collect(
    chunks: Iterable[Chunk],
    on_text: Callable[[str], None] | None = None,
    on_reasoning: Callable[[str], None] | None = None,
) -> ModelReply:
    """Assemble a chunk stream into one reply; native tool-call fragments are joined by index.

    Arguments are left as the raw string in ``ToolCall.raw_arguments``; decoding and repair
    are the caller's job (the forgiving parser), so a broken string is never lost.
    """
    reply = ModelReply()
    text: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, ToolCallDelta] = {}
    order: list[int] = []
    finished = False
    for chunk in chunks:
        if isinstance(chunk, TextDelta):
            text.append(chunk.text)
            if on_text:
                on_text(chunk.text)
        elif isinstance(chunk, ReasoningDelta):
            reasoning.append(chunk.text)
            if on_reasoning:
                on_reasoning(chunk.text)
        elif isinstance(chunk, ToolCallDelta):
            acc = calls.get(chunk.index)
            if acc is None:
                acc = calls[chunk.index] = ToolCallDelta(index=chunk.index)
                order.append(chunk.index)
            if chunk.id:
                acc.id = chunk.id
            if chunk.name:
                # Some servers repeat the full name on each fragment; others send it once.
                acc.name = (
                    chunk.name if not acc.name or chunk.name.startswith(acc.name) else acc.name
                )
            acc.arguments += chunk.arguments
        elif isinstance(chunk, Finish):
            finished = True
            reply.finish_reason = chunk.reason
            reply.truncated = chunk.truncated
            if chunk.usage:
                reply.usage = chunk.usage
    if not finished:
        reply.finish_reason = "error"
    reply.content = "".join(text)
    reply.reasoning = "".join(reasoning)
    for i in order:
        d = calls[i]
        reply.tool_calls.append(
            ToolCall(name=d.name, arguments={}, id=d.id, raw_arguments=d.arguments)
        )
    if reply.usage is None:
        reply.usage = Usage()
    return reply


def complete(
    provider: Provider,
    messages: list[Message],
    tools: list[dict[str, Any]] | None,
    options: RequestOptions | None = None,
    *,
    max_retries: int = 3,
    backoff_s: float = 1.0,
    retry_after_max_s: float = 120.0,
    on_text: Callable[[str], None] | None = None,
    on_reasoning: Callable[[str], None] | None = None,
    on_retry: Callable[[int, str, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    wait: WaitPolicy | None = None,
) -> ModelReply:
    """One model request with bounded retries on transient faults (5xx, 429, resets, cut
    streams).

    A server's ``Retry-After`` is honoured (capped at ``retry_after_max_s``); otherwise the
    wait doubles from ``backoff_s``, with jitter. ``on_retry(attempt, error, wait_s)`` is called
    before each new try so a UI can discard the partial text it showed. After the last try the
    TransientError propagates (exit 3). With ``wait`` the stream runs under its timeouts and
    can be stopped at once (llm/waiting.py).
    """
    from dataclasses import replace

    from smallcode.errors import TransientError

    base = options or RequestOptions()

    def start(token: CancelToken) -> Iterator[Chunk]:
        return provider.stream(messages, tools, replace(base, cancel=token))

    attempt = 0
    while True:
        attempt += 1
        try:
            if wait is None:
                stream = provider.stream(messages, tools, options)
            else:
                stream = watched(start, wait)
            if should_stop is not None:
                stream = _until(stream, should_stop)
            return collect(stream, on_text=on_text, on_reasoning=on_reasoning)
        except TransientError as exc:
            if attempt >= max(1, max_retries):
                raise
            pause = retry_wait(attempt, backoff_s, exc.retry_after, retry_after_max_s)
            if on_retry:
                on_retry(attempt, str(exc), pause)
            _sleep(pause, wait.should_cancel if wait is not None else None)


def retry_wait(
    attempt: int, backoff_s: float, retry_after: float | None, cap_s: float = 120.0
) -> float:
    """Seconds before try ``attempt + 1``: the server's Retry-After (capped, plus a little
    jitter so clients that were told the same do not return together), else exponential
    backoff with jitter (half fixed, half random)."""
    import random

    if retry_after is not None and retry_after >= 0:
        wait = min(retry_after, cap_s)
        return wait + random.uniform(0, min(1.0, 0.1 * wait + 0.05))
    step = backoff_s * (2 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)


def _sleep(seconds: float, should_cancel: Callable[[], bool] | None) -> None:
    import time

    from smallcode.llm.waiting import Interrupted

    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if should_cancel is not None and should_cancel():
            raise Interrupted()
        time.sleep(min(left, 0.1))


def _until(stream: Iterator[Chunk], should_stop: Callable[[], bool]) -> Iterator[Chunk]:
    """Stop consuming a stream early (e.g. a thinking budget ran out); ends with Finish."""
    for chunk in stream:
        yield chunk
        if isinstance(chunk, Finish):
            return
        if should_stop():
            close = getattr(stream, "close", None)
            if close:
                close()
            yield Finish(reason="budget")
            return
