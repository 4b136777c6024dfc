"""Finding the user's model server and learning its real context window.

* :func:`probe_local` asks the usual local ports (the kinds marked ``probe`` in
  :mod:`smallcode.llm.kinds`: LM Studio :1234, Ollama :11434, llama.cpp :8080) in parallel,
  within a hard deadline (default 0.6 s in total), what they are and which models they serve.
  ``SMALLCODE_PROBE_URLS`` (comma-separated roots) replaces the defaults.
* :func:`detect_context_window` asks one server for a model's window the way that server
  reports it: LM Studio ``/api/v0/models``, llama.cpp ``/props`` (``n_ctx``), vLLM
  ``/v1/models`` (``max_model_len``), Ollama ``/api/show``, OpenRouter's model list
  (``context_length``); cloud APIs without such a route use a small table. Which way is
  each kind's ``window`` strategy.

Local requests use the standard library's http.client (no import cost, exact timeouts, no
proxy surprises on loopback).
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from smallcode.llm import kinds
from smallcode.llm.urls import api_base, host_matches, is_loopback, server_root
from smallcode.llm.urls import port as url_port

DEFAULT_PROBE_URLS = kinds.probe_urls()
PORT_KINDS = kinds.port_kinds()
HOST_KINDS = kinds.cloud_hosts()

# Windows of cloud models whose APIs do not report one (prefix match, longest first).
KNOWN_WINDOWS = {
    "claude-": 200_000,
    "gpt-4o": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-5": 400_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "deepseek-chat": 128_000,
    "deepseek-reasoner": 128_000,
}


@dataclass
class Endpoint:
    """A server found by probing."""

    kind: str  # lmstudio | ollama | llamacpp | vllm | openai
    root: str  # scheme://host:port
    models: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)  # models in memory right now, if known
    windows: dict[str, int] = field(default_factory=dict)  # model -> context window, if known
    ms: float = 0.0

    @property
    def base_url(self) -> str:
        """What SMALLCODE_BASE_URL should be for this server."""
        kind = kinds.get(self.kind)
        return self.root + (kind.api_path if kind else "/v1")

    def best_model(self) -> str:
        """The loaded model, else the only model, else the first listed."""
        for m in self.loaded:
            if m in self.models or not self.models:
                return m
        return self.models[0] if self.models else ""


def guess_kind(base_url: str) -> str:
    """Server kind from a URL: known cloud hosts and the usual local ports; else 'openai'."""
    for host, kind in HOST_KINDS.items():
        if host_matches(base_url, (host,)):
            return kind
    port = url_port(base_url)
    if port in PORT_KINDS:
        return PORT_KINDS[port]
    return kinds.FALLBACK_KIND


def is_cloud_url(base_url: str) -> bool:
    """True for the known cloud APIs (they need a key and have no local info routes)."""
    return host_matches(base_url, tuple(HOST_KINDS))


def probe_urls(raw: str = "") -> list[str]:
    raw = raw or os.environ.get("SMALLCODE_PROBE_URLS", "")
    if raw.strip().lower() in ("none", "off", "0"):
        return []
    urls = [u.strip() for u in raw.split(",") if u.strip()]
    return [server_root(u) for u in urls] or list(DEFAULT_PROBE_URLS)


# ---------------------------------------------------------------------- tiny HTTP


def http_json(
    url: str,
    *,
    method: str = "GET",
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 2.0,
) -> tuple[int, Any]:
    """(status, parsed JSON or text). Raises OSError (incl. timeouts) when unreachable."""
    parts = urlsplit(url)
    conn_cls = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = conn_cls(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read(4_000_000).decode("utf-8", "replace")
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, raw
    except http.client.HTTPException as exc:
        raise OSError(str(exc)) from None
    finally:
        conn.close()


def _get(url: str, timeout: float, headers: dict[str, str] | None = None) -> Any | None:
    try:
        status, data = http_json(url, timeout=timeout, headers=headers)
    except OSError:
        return None
    return data if status == 200 else None


# ---------------------------------------------------------------------- probing


def identify(root: str, timeout: float = 0.3) -> Endpoint | None:
    """What kind of server answers at ``root`` and what it serves; None when nothing does."""
    start = time.perf_counter()
    tags = _get(f"{root}/api/tags", timeout)
    if isinstance(tags, dict) and isinstance(tags.get("models"), list):
        ep = Endpoint("ollama", root, [m.get("name") or m.get("model", "") for m in tags["models"]])
        ps = _get(f"{root}/api/ps", timeout)
        for m in (ps or {}).get("models") or []:
            name = m.get("name") or m.get("model", "")
            ep.loaded.append(name)
            if m.get("context_length"):
                ep.windows[name] = int(m["context_length"])
        ep.ms = (time.perf_counter() - start) * 1000
        return ep
    models = _get(f"{root}/v1/models", timeout)
    if not isinstance(models, dict) or not isinstance(models.get("data"), list):
        return None
    data = [m for m in models["data"] if isinstance(m, dict)]
    ep = Endpoint("openai", root, [str(m.get("id", "")) for m in data])
    lms = _get(f"{root}/api/v0/models", timeout)
    props = None if lms else _get(f"{root}/props", timeout)
    if isinstance(lms, dict) and isinstance(lms.get("data"), list):
        ep.kind = "lmstudio"
        llms = [m for m in lms["data"] if m.get("type", "llm") in ("llm", "vlm")]
        ep.models = [m["id"] for m in llms] or ep.models
        for m in llms:
            window = _lmstudio_window(m)
            if window:
                ep.windows[m["id"]] = window
            if m.get("state") == "loaded":
                ep.loaded.append(m["id"])
    elif isinstance(props, dict):
        ep.kind = "llamacpp"
        ep.loaded = list(ep.models[:1])
        n_ctx = _props_window(props)
        if n_ctx and ep.models:
            ep.windows[ep.models[0]] = n_ctx
    elif any("max_model_len" in m for m in data):
        ep.kind = "vllm"
        ep.loaded = list(ep.models)
        ep.windows = {str(m["id"]): int(m["max_model_len"]) for m in data if m.get("max_model_len")}
    else:
        ep.windows = {str(m["id"]): w for m in data if (w := _model_entry_window(m))}
        if len(ep.models) == 1:
            ep.loaded = list(ep.models)
    ep.ms = (time.perf_counter() - start) * 1000
    return ep


def probe_local(
    urls: list[str] | None = None, timeout: float = 0.3, deadline: float = 0.6
) -> list[Endpoint]:
    """Probe several roots in parallel; whatever has not answered by ``deadline`` s is skipped."""
    roots = probe_urls() if urls is None else [server_root(u) for u in urls]
    found: dict[str, Endpoint] = {}
    lock = threading.Lock()

    def run(root: str) -> None:
        ep = identify(root, timeout)
        if ep is not None:
            with lock:
                found[root] = ep

    threads = [threading.Thread(target=run, args=(r,), daemon=True) for r in roots]
    end = time.monotonic() + deadline
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    with lock:
        return [found[r] for r in roots if r in found]


def pick_endpoint(endpoints: list[Endpoint]) -> tuple[Endpoint, str] | None:
    """The first endpoint with a loaded model, else the first with any model."""
    for ep in endpoints:
        if ep.loaded and ep.best_model():
            return ep, ep.best_model()
    for ep in endpoints:
        if ep.models:
            return ep, ep.best_model()
    return None


# ---------------------------------------------------------------------- context windows


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def _lmstudio_window(entry: dict[str, Any]) -> int | None:
    return _int(entry.get("loaded_context_length")) or _int(entry.get("max_context_length"))


def _props_window(props: dict[str, Any]) -> int | None:
    settings = props.get("default_generation_settings") or {}
    return _int(settings.get("n_ctx")) or _int(props.get("n_ctx"))


def _model_entry_window(entry: dict[str, Any]) -> int | None:
    for key in ("max_model_len", "context_length", "context_window", "max_context_length"):
        if _int(entry.get(key)):
            return _int(entry.get(key))
    meta = entry.get("meta") or {}
    return _int(meta.get("n_ctx")) or _int(meta.get("n_ctx_train"))


def known_window(model: str) -> int | None:
    name = model.lower().split("/")[-1]
    for prefix in sorted(KNOWN_WINDOWS, key=len, reverse=True):
        if name.startswith(prefix):
            return KNOWN_WINDOWS[prefix]
    return None


def _find(entries: list[dict[str, Any]], model: str) -> dict[str, Any] | None:
    for e in entries:
        if e.get("id") == model:
            return e
    tail = model.split("/")[-1]
    for e in entries:
        if str(e.get("id", "")).split("/")[-1] == tail:
            return e
    return entries[0] if len(entries) == 1 else None


def detect_context_window(
    kind: str, base_url: str, model: str, api_key: str = "", timeout: float = 3.0
) -> int | None:
    """The window the server gives ``model``, or None when it does not say.

    How depends on the kind's ``window`` strategy (llm/kinds.py); an unknown kind (a plugin's)
    is asked like a plain OpenAI-compatible server.
    """
    root = server_root(base_url)
    record = kinds.get(kind or guess_kind(base_url))
    strategy = record.window if record else "server"
    routes = record.window_routes if record else ()
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    if strategy == "ollama":
        try:
            status, show = http_json(
                f"{root}/api/show", method="POST", body={"model": model}, timeout=timeout
            )
        except OSError:
            return None
        if status != 200 or not isinstance(show, dict):
            return None
        from smallcode.llm.ollama import trained_context

        return trained_context(show)
    if strategy == "table" and not is_loopback(root):
        return known_window(model)
    if strategy == "listing":
        listing = _get(f"{api_base(base_url)}/models", timeout, headers)
        entry = (
            _find((listing or {}).get("data") or [], model) if isinstance(listing, dict) else None
        )
        return _int(entry.get("context_length")) if entry else known_window(model)
    # A server: ask its own info routes first (the most specific), then its model list.
    for route in routes:
        window = _ROUTES[route](root, model, timeout, headers)
        if window:
            return window
    listing = _get(f"{api_base(base_url)}/models", timeout, headers)
    if isinstance(listing, dict) and isinstance(listing.get("data"), list):
        entry = _find(listing["data"], model)
        if entry and _model_entry_window(entry):
            return _model_entry_window(entry)
        if entry and entry.get("owned_by") == "me" and not is_cloud_url(base_url):
            return overflow_window(base_url, model, headers)
    return known_window(model)


def _lmstudio_route(root: str, model: str, timeout: float, headers: dict[str, str]) -> int | None:
    """LM Studio's /api/v0/models: the loaded (else the maximum) context length."""
    lms = _get(f"{root}/api/v0/models", timeout, headers)
    if isinstance(lms, dict) and isinstance(lms.get("data"), list):
        entry = _find(lms["data"], model)
        if entry:
            return _lmstudio_window(entry)
    return None


def _props_route(root: str, model: str, timeout: float, headers: dict[str, str]) -> int | None:
    """llama.cpp's /props: ``n_ctx``."""
    props = _get(f"{root}/props", timeout, headers)
    return _props_window(props) if isinstance(props, dict) else None


# The info routes a kind's ``window_routes`` may name (kinds.WINDOW_ROUTES).
_ROUTES = {"lmstudio": _lmstudio_route, "props": _props_route}


OVERFLOW_TOKENS = 140_000


def overflow_window(base_url: str, model: str, headers: dict[str, str] | None = None) -> int | None:
    """Learn the window of a llama-cpp-python server (no info route) from its refusal.

    That server checks the prompt length before evaluating anything, so a prompt far longer
    than any window it could have is refused at once (about 0.25 s here) with "maximum
    context length is N". Only used for servers that look like llama-cpp-python's.
    """
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "x " * OVERFLOW_TOKENS}],
        "max_tokens": 1,
        "stream": False,
    }
    try:
        status, data = http_json(
            f"{api_base(base_url)}/chat/completions",
            method="POST",
            body=body,
            headers=headers,
            timeout=5.0,
        )
    except OSError:
        return None
    if status != 400:
        return None
    import json as _json

    return window_from_error(data if isinstance(data, str) else _json.dumps(data))


_WINDOW_IN_ERROR = (
    r"exceed(?:s)? context window of (\d+)",  # llama-cpp-python
    r"maximum context length is (\d+)",  # vLLM, OpenAI
    r"context length of only (\d+)",  # LM Studio
    r"\"n_ctx\"\s*:\s*(\d+)",  # llama.cpp server (exceed_context_size_error)
    r"n_ctx[ =:]+(\d+)",
)


def window_from_error(text: str) -> int | None:
    """The context window a server names in its "prompt too long" error, or None.

    Servers that do not report their window up front (llama-cpp-python's server) still say it
    when a prompt does not fit; the loop can learn it from there, shrink and retry.
    """
    import re

    for pattern in _WINDOW_IN_ERROR:
        m = re.search(pattern, text or "", re.IGNORECASE)
        if m:
            return int(m.group(1))
    return None
