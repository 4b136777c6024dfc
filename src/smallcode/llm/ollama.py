"""Ollama through its native ``/api/chat`` (NDJSON streaming, tools, ``options.num_ctx``).

Why native and not Ollama's OpenAI-compatible route: that route ignores ``num_ctx`` and runs
with Ollama's small default window. Two rules keep Ollama fast and honest:

* ``num_ctx`` is chosen ONCE per provider (= per session) and sent unchanged with every
  request. Any change of load options makes Ollama reload the model, which often costs more
  than the generation itself.
* Ollama cuts an over-long prompt from the front without an error. The only sign is a
  ``prompt_eval_count`` smaller than what was sent. After each reply the provider compares the
  two; when the prompt was cut, :attr:`OllamaProvider.truncation` holds a :class:`Truncation`
  (otherwise it is ``None``) and ``on_truncation`` is called, so the loop can compact and warn.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smallcode.errors import EndpointError, ModelRequestError, TransientError
from smallcode.llm.base import RequestOptions
from smallcode.llm.httpcommon import (
    cancelled_by,
    connect_error,
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

DEFAULT_CAP = 32768  # without a user setting, never ask for more than this
MIN_CTX = 2048
LOADED_GOOD_ENOUGH = 8192  # reuse the window of an already loaded model when at least this


@dataclass
class Truncation:
    """Ollama evaluated fewer prompt tokens than were sent: the prompt lost its front."""

    sent_estimate: int
    evaluated: int
    num_ctx: int

    def message(self) -> str:
        return (
            f"Ollama cut the prompt: about {self.sent_estimate} tokens sent, "
            f"{self.evaluated} evaluated (num_ctx={self.num_ctx}); the oldest context was lost"
        )


def estimate_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> int:
    """chars/4 over what is sent (within -6 % .. +22 % of real counts for these models)."""
    chars = 0
    for m in messages:
        chars += len(m.get("content") or "") + 16  # role markers and template glue
        for tc in m.get("tool_calls") or []:
            chars += len(json.dumps(tc.get("function", tc)))
    if tools:
        chars += len(json.dumps(tools))
    return chars // 4


def is_truncated(sent_estimate: int, evaluated: int | None, num_ctx: int) -> bool:
    """True when the server evaluated clearly fewer tokens than sent AND the prompt could not fit.

    The second condition keeps KV-cache reuse (fewer tokens evaluated on some servers) from
    looking like truncation: front-cutting only happens to prompts near or over num_ctx.
    """
    if evaluated is None or evaluated <= 0 or sent_estimate < 64:
        return False
    return evaluated < 0.75 * sent_estimate and sent_estimate > 0.85 * num_ctx


def available_memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def kv_bytes_per_token(model_info: dict[str, Any]) -> int | None:
    """f16 K+V cache bytes per token from /api/show's model_info, or None when unknown."""
    arch = model_info.get("general.architecture")
    if not arch:
        return None

    def get(key: str) -> int | None:
        v = model_info.get(f"{arch}.{key}")
        return int(v) if isinstance(v, int | float) and v > 0 else None

    layers = get("block_count")
    heads = get("attention.head_count")
    kv_heads = get("attention.head_count_kv") or heads
    head_dim = get("attention.key_length")
    if head_dim is None:
        emb = get("embedding_length")
        head_dim = emb // heads if emb and heads else None
    if not (layers and kv_heads and head_dim):
        return None
    return 2 * layers * kv_heads * head_dim * 2


def trained_context(show: dict[str, Any]) -> int | None:
    info = show.get("model_info") or {}
    arch = info.get("general.architecture")
    for key, value in info.items():
        if key.endswith(".context_length") and (arch is None or key.startswith(f"{arch}.")):
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
    return None


def modelfile_num_ctx(show: dict[str, Any]) -> int | None:
    for line in str(show.get("parameters") or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "num_ctx" and parts[1].isdigit():
            return int(parts[1])
    return None


def choose_num_ctx(
    *,
    trained: int | None,
    user_setting: int = 0,
    modelfile: int | None = None,
    loaded: int | None = None,
    kv_per_token: int | None = None,
    free_memory: int | None = None,
    cap: int = DEFAULT_CAP,
) -> int:
    """The one num_ctx for a session.

    Order: the user's setting (capped by the trained context) wins; else the Modelfile's
    num_ctx; else the window of the already loaded model when it is large enough (no reload);
    else min(trained, cap). Without a user setting the result is also capped so the KV cache
    takes at most half of the free memory.
    """
    if user_setting > 0:
        n = min(user_setting, trained) if trained else user_setting
        return max(n, 256)
    if modelfile:
        n = modelfile
    elif loaded and loaded >= LOADED_GOOD_ENOUGH:
        n = loaded
    else:
        n = min(trained or cap, cap)
    if trained:
        n = min(n, trained)
    if kv_per_token and free_memory:
        by_memory = int(free_memory * 0.5 // kv_per_token)
        if by_memory < n:
            n = max(MIN_CTX, by_memory // 1024 * 1024)
    return max(n, MIN_CTX if not trained else min(MIN_CTX, trained))


def _keep_alive(value: str) -> str | int:
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return text or "30m"


def to_ollama_messages(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        item: dict[str, Any] = {"role": m.role, "content": m.content or ""}
        if m.role == "assistant" and m.tool_calls:
            item["tool_calls"] = [
                {"function": {"name": tc.name, "arguments": tc.arguments or {}}}
                for tc in m.tool_calls
            ]
        if m.role == "tool" and m.name:
            item["tool_name"] = m.name
        out.append(item)
    return out


def from_resolved(
    resolved: Resolved, settings: Settings, on_notice: Notice | None = None
) -> OllamaProvider:
    """The Ollama provider for a resolved endpoint (the ``ollama`` kind's builder)."""
    from smallcode.llm.factory import read_timeout

    return OllamaProvider(
        resolved.base_url,
        resolved.model,
        api_key=resolved.api_key,
        timeout=read_timeout(settings),
        context_window=settings.context_window,
        keep_alive=settings.ollama_keep_alive,
        cap=settings.ollama_num_ctx_cap,
    )


class OllamaProvider:
    """Provider for Ollama's native API. One instance per session (num_ctx is fixed in it)."""

    name = "ollama"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 300.0,
        context_window: int = 0,
        keep_alive: str = "30m",
        cap: int = DEFAULT_CAP,
        temperature: float | None = None,
        on_truncation: Callable[[Truncation], None] | None = None,
    ) -> None:
        self.base_url = server_root(base_url or default_url("ollama"))
        self.model = model
        self.timeout = timeout
        self.user_window = context_window
        self.keep_alive = _keep_alive(keep_alive)
        self.cap = cap
        self.temperature = temperature
        self.on_truncation = on_truncation
        self.truncation: Truncation | None = None
        self.requests_sent = 0
        self._num_ctx: int | None = None
        self._show: dict[str, Any] | None = None
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = make_client(headers, timeout, url=self.base_url)

    # ------------------------------------------------------------------ model info

    def show(self) -> dict[str, Any]:
        """``/api/show`` for the model (cached). Raises a clear error when the model is missing."""
        if self._show is None:
            import httpx2 as httpx

            url = f"{self.base_url}/api/show"
            try:
                resp = self._client.post(url, json={"model": self.model}, timeout=15.0)
            except httpx.TransportError as exc:
                raise connect_error(url, exc) from None
            if resp.status_code == 404:
                raise ModelRequestError(
                    f"model '{self.model}' not found on Ollama at {self.base_url}: pull it with "
                    f"`ollama pull {self.model}` or pick one from `ollama list`",
                    404,
                    resp.text,
                )
            if resp.status_code >= 400:
                raise EndpointError(
                    f"Ollama /api/show failed ({resp.status_code}): {error_text(resp.text)}"
                )
            self._show = resp.json()
        return self._show

    def _loaded_context(self) -> int | None:
        """The window of this model if Ollama already has it loaded (/api/ps), else None."""
        try:
            resp = self._client.get(f"{self.base_url}/api/ps", timeout=5.0)
            if resp.status_code != 200:
                return None
            for m in resp.json().get("models") or []:
                if m.get("name") == self.model or m.get("model") == self.model:
                    ctx = m.get("context_length")
                    return int(ctx) if ctx else None
        except Exception:
            return None
        return None

    @property
    def num_ctx(self) -> int:
        """The session's num_ctx: decided on first use, never changed afterwards."""
        if self._num_ctx is None:
            show = self.show()
            self._num_ctx = choose_num_ctx(
                trained=trained_context(show),
                user_setting=self.user_window,
                modelfile=modelfile_num_ctx(show),
                loaded=None if self.user_window else self._loaded_context(),
                kv_per_token=kv_bytes_per_token(show.get("model_info") or {}),
                free_memory=available_memory_bytes(),
                cap=self.cap,
            )
        return self._num_ctx

    def context_window(self) -> int | None:
        return self.num_ctx

    def capabilities(self) -> list[str]:
        """Ollama 0.6+ lists e.g. ["completion", "tools", "thinking"]; [] when not reported."""
        return list(self.show().get("capabilities") or [])

    # ------------------------------------------------------------------ chat

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None,
    ) -> dict[str, Any]:
        opts = options or RequestOptions()
        model_options: dict[str, Any] = {"num_ctx": self.num_ctx}
        temperature = opts.temperature if opts.temperature is not None else self.temperature
        if temperature is not None:
            model_options["temperature"] = temperature
        if opts.max_tokens:
            model_options["num_predict"] = opts.max_tokens
        body: dict[str, Any] = {
            "model": self.model,
            "messages": to_ollama_messages(messages),
            "stream": True,
            "keep_alive": self.keep_alive,
        }
        if tools:
            body["tools"] = tools
        for key, value in (opts.extra_body or {}).items():
            if key == "options" and isinstance(value, dict):
                model_options.update({k: v for k, v in value.items() if k != "num_ctx"})
            elif key not in ("model", "messages", "stream"):
                body[key] = value
        model_options["num_ctx"] = self.num_ctx  # fixed per session, whatever extra_body said
        body["options"] = model_options
        return body

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None = None,
    ) -> Iterator[Chunk]:
        body = self.build_body(messages, tools, options)
        sent = estimate_tokens(body["messages"], tools)
        self.truncation = None
        url = f"{self.base_url}/api/chat"

        def send() -> Any:
            req = self._client.build_request("POST", url, json=body)
            return self._client.send(req, stream=True)

        def final(status: int, text: str) -> BaseException | None:
            if "no user query found" in text.lower():
                self._note_truncation(sent, 0)
                return ModelRequestError(
                    f"Ollama dropped the task from the prompt (num_ctx={self.num_ctx} is too "
                    "small for it): raise SMALLCODE_CONTEXT_WINDOW or shorten the context",
                    status,
                    text,
                    truncated=self.truncation.message() if self.truncation is not None else "",
                )
            return None

        self.requests_sent += 1
        cancel = options.cancel if options is not None else None
        with (
            cancelled_by(cancel),
            closing(
                open_stream(send, url=url, model=self.model, kind="ollama", final=final)
            ) as resp,
        ):
            yield from self._read(resp, sent)

    def _read(self, resp: Any, sent: int) -> Iterator[Chunk]:
        counter = itertools.count()
        saw_call = False
        with stream_cut("Ollama"):
            for line in resp.iter_lines():
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if data.get("error"):
                    raise TransientError(f"Ollama error: {error_text(json.dumps(data))}")
                msg = data.get("message") or {}
                if msg.get("thinking"):
                    yield ReasoningDelta(msg["thinking"])
                if msg.get("content"):
                    yield TextDelta(msg["content"])
                for tc in msg.get("tool_calls") or []:
                    fn = tc.get("function") or {}
                    args = fn.get("arguments", {})
                    i = next(counter)
                    saw_call = True
                    yield ToolCallDelta(
                        index=i,
                        id=tc.get("id") or f"call_{i}",
                        name=fn.get("name", ""),
                        arguments=args if isinstance(args, str) else json.dumps(args),
                    )
                if data.get("done"):
                    evaluated = data.get("prompt_eval_count")
                    usage = Usage(
                        prompt_tokens=int(evaluated or 0),
                        completion_tokens=int(data.get("eval_count") or 0),
                    )
                    if is_truncated(sent, evaluated, self.num_ctx):
                        self._note_truncation(sent, int(evaluated))
                    reason = data.get("done_reason") or "stop"
                    if saw_call:
                        reason = "tool_calls"
                    elif reason not in ("stop", "length"):
                        reason = "stop"
                    cut = self.truncation.message() if self.truncation is not None else ""
                    yield Finish(reason=reason, usage=usage, truncated=cut)
                    return
        raise TransientError("Ollama stream ended without a final message; try again")

    def _note_truncation(self, sent: int, evaluated: int) -> None:
        self.truncation = Truncation(sent, evaluated, self.num_ctx)
        if self.on_truncation:
            try:
                self.on_truncation(self.truncation)
            except Exception:
                pass

    def close(self) -> None:
        self._client.close()
