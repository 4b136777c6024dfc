"""The embedded provider: a GGUF model run in-process by llama-cpp-python (no server at all).

Install with ``pip install 'smallcode[embedded]'``. The model's own chat template (from the
GGUF header) renders messages and tool schemas; ``tool_choice`` stays "auto", so the model
writes tool calls as text (Qwen2.5-Coder: a JSON object, sometimes fenced) and the loop's
forgiving parser turns them into calls. (``chatml-function-calling`` is broken in 0.3.36.)

The window is fixed when the model loads: ``SMALLCODE_CONTEXT_WINDOW`` when set, else the
trained context capped at 8192 tokens (memory and speed on a CPU).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError, EndpointError
from smallcode.llm.base import RequestOptions
from smallcode.llm.gguf import GGUFError, context_length, read_metadata
from smallcode.types import Chunk, Finish, Message, TextDelta, Usage

DEFAULT_CAP = 8192
INSTALL_HINT = "install it with: pip install 'smallcode[embedded]' (builds llama-cpp-python)"


def llama_cpp_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def _for_template(m: Message) -> dict[str, Any]:
    """OpenAI shape, but tool-call arguments as objects: chat templates render them with tojson."""
    out = m.to_openai()
    for tc, call in zip(out.get("tool_calls") or [], m.tool_calls, strict=False):
        tc["function"]["arguments"] = call.arguments or {}
    return out


class EmbeddedProvider:
    name = "embedded"

    def __init__(
        self,
        model_path: str | Path,
        *,
        context_window: int = 0,
        threads: int = 0,
        temperature: float | None = None,
        max_output_tokens: int = 1024,
    ) -> None:
        self.path = Path(model_path).expanduser()
        if not self.path.is_file():
            raise ConfigError(f"model file not found: {self.path} (check SMALLCODE_MODEL)")
        try:
            self.meta = read_metadata(self.path)
        except (GGUFError, OSError) as exc:
            raise ConfigError(f"cannot use {self.path.name} as a model: {exc}") from None
        self.model = self.path.name
        trained = context_length(self.meta)
        if context_window:
            self.n_ctx = min(context_window, trained) if trained else context_window
        else:
            self.n_ctx = min(trained or DEFAULT_CAP, DEFAULT_CAP)
        self.threads = threads or os.cpu_count() or 2
        self.temperature = temperature
        self.max_output_tokens = max_output_tokens
        self._llm: Any = None
        self._lock = threading.Lock()

    @property
    def title(self) -> str:
        return str(self.meta.get("general.name") or self.model)

    def context_window(self) -> int | None:
        return self.n_ctx

    def load(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigError(
                    f"the embedded model needs llama-cpp-python: {INSTALL_HINT}"
                ) from None
            try:
                self._llm = Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise EndpointError(f"llama.cpp could not load {self.path.name}: {exc}") from None
        return self._llm

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None = None,
    ) -> Iterator[Chunk]:
        opts = options or RequestOptions()
        llm = self.load()
        kwargs: dict[str, Any] = {
            "messages": [_for_template(m) for m in messages],
            "stream": True,
            "max_tokens": opts.max_tokens or self.max_output_tokens,
        }
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = "auto"
        temperature = opts.temperature if opts.temperature is not None else self.temperature
        if temperature is not None:
            kwargs["temperature"] = temperature
        for key, value in (opts.extra_body or {}).items():
            if key in ("top_p", "top_k", "min_p", "repeat_penalty", "stop", "seed"):
                kwargs[key] = value
        with self._lock:  # one llama context: one request at a time
            produced = 0
            reason = "stop"
            try:
                for chunk in llm.create_chat_completion(**kwargs):
                    choice = (chunk.get("choices") or [{}])[0]
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        produced += 1
                        yield TextDelta(text)
                    if choice.get("finish_reason"):
                        reason = "length" if choice["finish_reason"] == "length" else "stop"
            except ValueError as exc:  # e.g. "Requested tokens (n) exceed context window of m"
                raise EndpointError(f"embedded model: {exc}; shorten the context") from None
            in_context = int(getattr(llm, "n_tokens", 0) or 0)
            usage = Usage(prompt_tokens=max(0, in_context - produced), completion_tokens=produced)
            yield Finish(reason=reason, usage=usage)

    def close(self) -> None:
        llm, self._llm = self._llm, None
        if llm is not None:
            try:
                llm.close()
            except Exception:
                pass
