"""Setting up a provider: list a server's models, validate with a tiny request, save settings.

Shared by the ``smallcode provider`` wizard, the ``/provider`` and ``/model`` commands and the
agent's ``configure_provider`` tool. Nothing here prints; secrets are only shown masked.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from smallcode.config import Settings, read_env_file, user_config_dir
from smallcode.errors import ConfigError, ModelRequestError, SmallCodeError
from smallcode.llm import detect, kinds
from smallcode.llm.factory import Resolved, build
from smallcode.llm.httpcommon import error_text, mask_secret
from smallcode.llm.urls import api_base, server_root

ENV_KEYS = {
    "provider": "SMALLCODE_PROVIDER",
    "base_url": "SMALLCODE_BASE_URL",
    "model": "SMALLCODE_MODEL",
    "api_key": "SMALLCODE_API_KEY",
}
PROBE_TOOL = {
    "type": "function",
    "function": {
        "name": "ping",
        "description": "Answer a ping.",
        "parameters": {"type": "object", "properties": {}},
    },
}


@dataclass
class Listing:
    models: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    windows: dict[str, int] = field(default_factory=dict)
    kind: str = ""
    error: str = ""


def default_url(kind: str) -> str:
    return kinds.default_url(kind)


def list_models(kind: str, base_url: str, api_key: str = "", timeout: float = 5.0) -> Listing:
    """The models a server offers (and which are loaded). Never raises: ``error`` says why not."""
    base_url = base_url or default_url(kind)
    if not base_url:
        return Listing(error="no URL given")
    record = kinds.get(kind)
    how = record.listing if record else "auto"
    if how == "auto" and detect.is_cloud_url(base_url):
        how = "cloud"
    if how == "anthropic":
        from smallcode.llm.anthropic import API_VERSION, api_root

        headers = {"x-api-key": api_key, "anthropic-version": API_VERSION}
        return _cloud_listing(f"{api_root(base_url)}/v1/models", headers, timeout)
    if how == "cloud":
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return _cloud_listing(f"{api_base(base_url)}/models", headers, timeout)
    if how == "none":
        return Listing(error=f"{kinds.label(kind)} has no server to list models from")
    ep = detect.identify(server_root(base_url), timeout=timeout)
    if ep is None:
        return Listing(error=f"nothing answers at {base_url}: is the server running?")
    return Listing(list(ep.models), list(ep.loaded), dict(ep.windows), ep.kind)


def _cloud_listing(url: str, headers: dict[str, str], timeout: float) -> Listing:
    try:
        status, data = detect.http_json(url, headers=headers, timeout=timeout)
    except OSError as exc:
        return Listing(error=f"cannot reach {url}: {type(exc).__name__}")
    if status != 200 or not isinstance(data, dict):
        body = data if isinstance(data, str) else __import__("json").dumps(data)
        hint = "; check the API key" if status in (401, 403) else ""
        return Listing(error=f"{url} answered HTTP {status}: {error_text(body)}{hint}")
    entries = [e for e in data.get("data") or [] if isinstance(e, dict)]
    windows = {str(e["id"]): int(e["context_length"]) for e in entries if e.get("context_length")}
    return Listing([str(e.get("id")) for e in entries], [], windows)


@dataclass
class Validation:
    ok: bool
    message: str
    reply: str = ""
    window: int | None = None
    seconds: float = 0.0
    tools: bool = True
    error: SmallCodeError | None = None

    def raise_error(self) -> None:
        """Raise the failure as the error the CLI maps to an exit code (2 or 3)."""
        if self.ok:
            return
        raise self.error or ModelRequestError(self.message)


def validate(settings: Settings, kind: str, base_url: str, model: str, api_key: str) -> Validation:
    """One tiny request (with one tiny tool attached) to prove URL, key, model and tools work."""
    from smallcode.llm.base import RequestOptions, complete
    from smallcode.types import Message

    start = time.monotonic()
    cfg = replace(settings, provider=kind, base_url=base_url, model=model, api_key=api_key)
    try:
        provider = build(Resolved(kind, base_url, model, api_key), cfg)
    except SmallCodeError as exc:
        return Validation(False, str(exc), error=exc)
    try:
        window = provider.context_window()
        messages = [Message("user", "Reply with the single word OK.")]
        opts = RequestOptions(temperature=0, max_tokens=8)
        try:
            reply = complete(provider, messages, [PROBE_TOOL], opts, max_retries=1)
            tools = True
        except ModelRequestError as exc:
            if "tool" not in str(exc).lower():
                raise
            # It works, but not with tools: say so plainly (the agent needs tools).
            reply = complete(provider, messages, None, opts, max_retries=1)
            tools = False
        text = (reply.content or ("(a tool call)" if reply.tool_calls else "")).strip()
        took = time.monotonic() - start
        msg = f"{kinds.label(kind)} answered in {took:.1f} s"
        if not tools:
            msg += f"; model '{model}' does not support tools: pick a model with tool support"
        return Validation(tools, msg, text[:80], window, took, tools)
    except SmallCodeError as exc:
        return Validation(False, str(exc), seconds=time.monotonic() - start, error=exc)
    finally:
        provider.close()


# ---------------------------------------------------------------------- saving


def env_path(scope: str, cwd: Path) -> Path:
    if scope == "project":
        return cwd / ".env"
    if scope == "user":
        return user_config_dir() / ".env"
    raise ConfigError(f"save where? '{scope}' is not 'project' or 'user'")


def write_env(path: Path, updates: dict[str, str]) -> Path:
    """Set KEY=value lines in a .env file (others kept, in order); atomic; 0600 with secrets."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pending = dict(updates)
    out: list[str] = []
    for line in lines:
        key = line.split("=", 1)[0].strip().removeprefix("export ").strip()
        if key in pending:
            value = pending.pop(key)
            if value != "":
                out.append(f"{key}={_quote(value)}")
            continue
        out.append(line)
    out += [f"{k}={_quote(v)}" for k, v in pending.items() if v != ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(out) + "\n", encoding="utf-8")
    if any("KEY" in k for k in updates) or (path.exists() and (path.stat().st_mode & 0o077) == 0):
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def _quote(value: str) -> str:
    if any(c in value for c in " #'\"\\$") or value != value.strip():
        return "'" + value.replace("'", "") + "'"
    return value


def env_is_ignored(cwd: Path) -> bool | None:
    """Whether git ignores the project's .env (None when cwd is not a git work tree)."""
    try:
        proc = subprocess.run(
            ["git", "check-ignore", "-q", ".env"], cwd=cwd, capture_output=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode == 0:
        return True
    if proc.returncode == 1:
        return False
    return None


def save(
    scope: str, cwd: Path, kind: str, base_url: str, model: str, api_key: str = ""
) -> tuple[Path, list[str]]:
    """Write the provider settings; returns the file and lines to show (secrets masked)."""
    updates = {
        "SMALLCODE_PROVIDER": kind,
        "SMALLCODE_BASE_URL": base_url,
        "SMALLCODE_MODEL": model,
    }
    if api_key:
        updates["SMALLCODE_API_KEY"] = api_key
    from smallcode import trust

    target = env_path(scope, cwd)
    foreign = [k for k in read_env_file(target) if k in trust.SENSITIVE_ENV and k not in updates]
    clean = not target.exists() or trust.is_trusted(target) or not foreign
    path = write_env(target, updates)
    if scope == "project" and clean:  # the user's own choice: applies in later runs too
        trust.trust(path)
    shown = [f"{k}={mask_secret(v) if 'KEY' in k else v}" for k, v in updates.items()]
    notes = []
    if scope == "project" and api_key and env_is_ignored(cwd) is False:
        notes.append(
            "warning: .env holds your API key and git does not ignore it: add .env to .gitignore"
        )
    return path, shown + notes


def describe_settings(settings: Settings) -> list[str]:
    """Configured provider settings, secrets masked (for status displays)."""
    s = settings
    return [
        f"provider: {s.provider or '(auto)'}",
        f"base URL: {s.base_url or '(auto: probe localhost)'}",
        f"model: {s.model or '(auto: the loaded model)'}",
        f"API key: {mask_secret(s.api_key)}",
        f"context window setting: {s.context_window or 'detect from the server'}",
    ]


def status_lines(settings: Settings, provider: Any = None, router: Any = None) -> list[str]:
    """Endpoint, model, detected window, tiers, escalation: for `provider status` and /profile."""
    lines = []
    if provider is not None:
        window = provider.context_window()
        lines.append(f"active: {kinds.label(provider.name)} · {provider.model}")
        url = getattr(provider, "base_url", "") or getattr(provider, "path", "")
        if url:
            lines.append(f"endpoint: {url}")
        shown = f"{window:,} tokens" if window else "unknown (8,192 assumed)"
        lines.append(f"context window: {shown}")
        if provider.name == "ollama" and window:  # Ollama's window is the num_ctx it was given
            lines.append(f"ollama num_ctx (fixed for the session): {window}")
    configured = describe_settings(settings)
    if provider is not None and not settings.context_window:  # shown once, as detected
        configured = [c for c in configured if not c.startswith("context window setting:")]
    lines += configured
    if router is not None:
        lines += router.describe()
        return lines
    for t in ("fast", "medium", "strong"):
        model, url = getattr(settings, f"model_{t}"), getattr(settings, f"base_url_{t}")
        where = (
            f"{model or '(loaded)'} @ {url or 'main endpoint'}" if model or url else "main model"
        )
        lines.append(f"{t.upper()}: {where}")
    from smallcode.llm.router import escalation_off_line

    lines.append(
        f"escalation: on ({settings.escalation_provider})"
        if settings.escalation
        else escalation_off_line()
    )
    return lines


# The wizard's menu: (kind, line), from the kind records (llm/kinds.py).
KIND_MENU = kinds.menu()


def needs_key(kind: str, base_url: str) -> bool:
    """Cloud APIs need a key; a local or custom server may (the user can still give one)."""
    return detect.is_cloud_url(base_url)
