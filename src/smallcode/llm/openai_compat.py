"""OpenAI-compatible chat completions over HTTP (SSE streaming): LM Studio, llama.cpp server,
vLLM, OpenRouter, OpenAI, DeepSeek and any custom endpoint.

One attempt per call to ``stream``; faults are classified (TransientError is retried by
``llm.base.complete``, ModelRequestError is not).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from smallcode.errors import ModelRequestError, TransientError
from smallcode.llm.base import RequestOptions
from smallcode.llm.httpcommon import (
    cancelled_by,
    make_client,
    retry_after_seconds,
    transport_errors,
)
from smallcode.llm.urls import api_base
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


def parse_usage(data: dict[str, Any]) -> Usage | None:
    usage = data.get("usage")
    timings = data.get("timings") or {}
    if not usage and not timings:
        return None
    usage = usage or {}
    details = usage.get("prompt_tokens_details") or {}
    cached = details.get("cached_tokens") or timings.get("cache_n") or 0
    out_details = usage.get("completion_tokens_details") or {}
    return Usage(
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        cached_tokens=int(cached),
        reasoning_tokens=int(out_details.get("reasoning_tokens") or 0),
    )


def from_resolved(
    resolved: Resolved, settings: Settings, on_notice: Notice | None = None
) -> OpenAICompatProvider:
    """The provider for a resolved OpenAI-compatible endpoint (the builder of every kind whose
    protocol is ``openai``); its context window is detected the way its kind says."""
    from smallcode.llm import kinds
    from smallcode.llm.detect import detect_context_window
    from smallcode.llm.factory import read_timeout

    kind = kinds.get(resolved.kind)
    provider = OpenAICompatProvider(
        resolved.base_url,
        resolved.model,
        resolved.api_key,
        name=resolved.kind,
        timeout=read_timeout(settings),
        extra_headers=dict(kind.headers) if kind and kind.headers else None,
        connect_timeout=settings.connect_timeout,
    )
    window = settings.context_window or detect_context_window(
        resolved.kind, provider.base_url, resolved.model, resolved.api_key
    )
    provider.set_context_window(window)
    return provider


class OpenAICompatProvider:
    """Provider for any /v1/chat/completions endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        name: str = "openai",
        timeout: float = 300.0,
        extra_headers: dict[str, str] | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.model = model
        self.base_url = api_base(base_url)
        headers = {"Content-Type": "application/json", **(extra_headers or {})}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = make_client(
            headers, timeout, connect=connect_timeout, pool=10.0, url=self.base_url
        )
        self._context_window: int | None = None

    # ------------------------------------------------------------------ Provider protocol

    def context_window(self) -> int | None:
        return self._context_window

    def set_context_window(self, tokens: int | None) -> None:
        self._context_window = tokens

    def close(self) -> None:
        self._client.close()

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None,
    ) -> dict[str, Any]:
        opts = options or RequestOptions()
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.to_openai() for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if tools:
            body["tools"] = tools
        if opts.temperature is not None:
            body["temperature"] = opts.temperature
        if opts.max_tokens:
            body["max_tokens"] = opts.max_tokens
        body.update(opts.extra_body)
        for key in [k for k, v in opts.extra_body.items() if v is None]:
            del body[key]  # an extra field set to None removes it (e.g. max_tokens for o3)
        return body

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None = None,
    ) -> Iterator[Chunk]:
        url = f"{self.base_url}/chat/completions"
        body = self.build_body(messages, tools, options)
        cancel = options.cancel if options is not None else None
        with (
            cancelled_by(cancel),
            transport_errors(url),
            self._client.stream("POST", url, json=body) as response,
        ):
            if response.status_code >= 400:
                response.read()
                raise classify_http_error(
                    response.status_code,
                    response.text,
                    url,
                    self.model,
                    retry_after_seconds(response.headers),
                )
            ctype = response.headers.get("content-type", "")
            if "text/event-stream" not in ctype and ctype.startswith("application/json"):
                # A server that ignored stream=true: one JSON document.
                response.read()
                yield from self._from_json(response.json())
                return
            yield from self._from_sse(response.iter_lines(), url)

    # ------------------------------------------------------------------ parsing

    def _from_sse(self, lines: Iterator[str], url: str) -> Iterator[Chunk]:
        finish_reason = ""
        usage: Usage | None = None
        done = False
        for line in lines:
            if not line or line.startswith(":") or not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                done = True
                break
            try:
                event = json.loads(data)
            except json.JSONDecodeError:
                continue
            if "error" in event and not event.get("choices"):
                err = event["error"]
                msg = err.get("message") if isinstance(err, dict) else str(err)
                raise TransientError(f"the model endpoint {url} reported an error: {msg}")
            usage = parse_usage(event) or usage
            for choice in event.get("choices") or []:
                delta = choice.get("delta") or choice.get("message") or {}
                yield from _delta_chunks(delta)
                if choice.get("finish_reason"):
                    finish_reason = choice["finish_reason"]
        if not done and not finish_reason:
            raise TransientError(f"the stream from {url} ended before the reply was complete")
        yield Finish(reason=_finish(finish_reason), usage=usage)

    def _from_json(self, data: dict[str, Any]) -> Iterator[Chunk]:
        finish_reason = "stop"
        for choice in data.get("choices") or []:
            yield from _delta_chunks(choice.get("message") or {})
            finish_reason = choice.get("finish_reason") or finish_reason
        yield Finish(reason=_finish(finish_reason), usage=parse_usage(data))


def _delta_chunks(delta: dict[str, Any]) -> Iterator[Chunk]:
    reasoning = delta.get("reasoning_content") or delta.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        yield ReasoningDelta(reasoning)
    content = delta.get("content")
    if isinstance(content, str) and content:
        yield TextDelta(content)
    for i, tc in enumerate(delta.get("tool_calls") or []):
        fn = tc.get("function") or {}
        args = fn.get("arguments")
        if args is not None and not isinstance(args, str):
            args = json.dumps(args)  # some servers send an object instead of a string
        yield ToolCallDelta(
            index=int(tc.get("index", i)),
            id=tc.get("id") or "",
            name=fn.get("name") or "",
            arguments=args or "",
        )


def _finish(reason: str) -> str:
    return {"function_call": "tool_calls", "eos": "stop", "": "stop"}.get(reason, reason)


def classify_http_error(
    status: int, body: str, url: str, model: str, retry_after: float | None = None
) -> Exception:
    """Turn an HTTP error into a retryable or a user-facing error with a clear message."""
    detail = _error_message(body)
    if status >= 500 or status == 429:
        return TransientError(
            f"the model endpoint {url} answered HTTP {status}: {detail}", retry_after
        )
    if status in (401, 403):
        return ModelRequestError(
            f"the model endpoint {url} refused the API key (HTTP {status}): set SMALLCODE_API_KEY",
            status,
            body,
        )
    low = detail.lower()
    if "tool" in low and ("support" in low or "enable-auto-tool-choice" in low):
        hint = (
            "start vLLM with --enable-auto-tool-choice --tool-call-parser NAME"
            if "enable-auto-tool-choice" in low
            else "pick a model with tool support (e.g. qwen2.5-coder, qwen3) with SMALLCODE_MODEL"
        )
        return ModelRequestError(
            f"model '{model}' cannot take tools here ({detail}): {hint}", status, body
        )
    from smallcode.llm.detect import window_from_error

    window = window_from_error(detail)
    if window:
        return ModelRequestError(
            f"the request does not fit the model's context window of {window} tokens: "
            f"set SMALLCODE_CONTEXT_WINDOW={window} (or less) or shorten the task",
            status,
            body,
        )
    if status == 404 or ("model" in detail.lower() and "not" in detail.lower()):
        return ModelRequestError(
            f"model '{model}' or endpoint {url} not found (HTTP {status}: {detail}): "
            "check SMALLCODE_MODEL and SMALLCODE_BASE_URL",
            status,
            body,
        )
    return ModelRequestError(
        f"the model endpoint {url} rejected the request (HTTP {status}): {detail}", status, body
    )


# For other providers that read OpenAI-shaped chunks (the in-process llama.cpp engine).
delta_chunks = _delta_chunks
finish_reason = _finish


def _error_message(body: str) -> str:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return body.strip().splitlines()[0][:200] if body.strip() else "no details"
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, dict):
        return str(err.get("message") or err.get("detail") or err)[:200]
    return str(err)[:200]
