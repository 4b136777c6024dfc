"""MCP server declarations: the ``mcpServers`` files users already have.

Read, highest precedence first (the first declaration of a name wins, Claude Code's order):

    .smallcode/mcp.json          project (SmallCode's own file)
    .mcp.json                    project (Claude Code's)
    <user config>/mcp.json       the user's (~/.config/smallcode/mcp.json)
    plugins                      a plugin's .mcp.json or manifest ``mcpServers``

Each entry: ``command``/``args``/``env``/``cwd`` (stdio) or ``url``/``headers`` (``type``
``http``; ``sse`` is read but not supported), plus the Codex and Cline extras
``startup_timeout_sec``, ``tool_timeout_sec``, ``enabled_tools``, ``disabled_tools``,
``enabled``/``disabled``, ``autoApprove`` and ``bearer_token_env_var``. ``${VAR}`` and
``${VAR:-default}`` expand in command, args, env, cwd, url and headers; a variable that is
unset and has no default leaves the server out, named in a notice. A project file's servers
start only once the user trusted that file (trust.py).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.plugins.locations import MCP_PROJECT_FILES as PROJECT_FILES

USER_FILE = "mcp.json"
DEFAULT_STARTUP_TIMEOUT = 10.0
DEFAULT_TOOL_TIMEOUT = 60.0
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass
class ServerSpec:
    name: str
    transport: str  # stdio | http | sse
    source: str  # the file that declared it
    scope: str = "user"  # project | user | plugin
    trusted: bool = True
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = ""
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT
    tool_timeout: float = DEFAULT_TOOL_TIMEOUT
    enabled_tools: list[str] | None = None
    disabled_tools: list[str] = field(default_factory=list)
    auto_approve: list[str] = field(default_factory=list)
    enabled: bool = True
    plugin: str = ""
    problem: str = ""  # why it cannot start ("" when it can)

    def describe(self) -> str:
        if self.transport == "stdio":
            return " ".join([self.command, *self.args])
        return self.url

    def wants(self, tool: str) -> bool:
        if self.enabled_tools is not None and tool not in self.enabled_tools:
            return False
        return tool not in self.disabled_tools


@dataclass
class McpConfig:
    servers: list[ServerSpec] = field(default_factory=list)  # to start, in precedence order
    skipped: list[ServerSpec] = field(default_factory=list)  # untrusted, disabled, broken
    problems: list[str] = field(default_factory=list)

    def untrusted_files(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for s in self.skipped:
            if not s.trusted:
                out.setdefault(s.source, []).append(s.name)
        return out


def user_file() -> Path:
    from smallcode.config import user_config_dir

    return user_config_dir() / USER_FILE


def read_servers(path: Path, problems: list[str]) -> dict[str, Any]:
    """The ``mcpServers`` object of one file ({} when absent or broken)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(f"{path}: ignored, not valid JSON ({exc})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: ignored, not a JSON object")
        return {}
    servers = data.get("mcpServers", data.get("servers"))
    if servers is None:
        return {}
    if not isinstance(servers, dict):
        problems.append(f"{path}: mcpServers is not an object")
        return {}
    return servers


def expand(text: str, env: Mapping[str, str], missing: list[str]) -> str:
    """``${VAR}`` and ``${VAR:-default}``; unset variables without a default go to missing."""

    def sub(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        value = env.get(name)
        if value:
            return value
        if default is not None:
            return default
        if value is None:
            missing.append(name)
        return ""

    return _VAR.sub(sub, text)


def parse_server(
    name: str,
    raw: Any,
    source: str,
    *,
    scope: str,
    trusted: bool,
    env: Mapping[str, str] | None = None,
    plugin: str = "",
) -> ServerSpec | str:
    """One declaration -> a ServerSpec, or a message saying why it is not one."""
    if not isinstance(raw, dict):
        return f"{source}: MCP server {name!r} is not an object"
    env = os.environ if env is None else env
    missing: list[str] = []
    kind = str(raw.get("type") or raw.get("transport") or "").lower()
    url = raw.get("url") or raw.get("httpUrl") or raw.get("serverUrl") or ""
    command = raw.get("command") or ""
    if not kind:
        kind = "http" if url and not command else "stdio"
    kind = {"streamable_http": "http", "streamable-http": "http", "streamablehttp": "http"}.get(
        kind, kind
    )
    if kind not in ("stdio", "http", "sse"):
        return f"{source}: MCP server {name!r} has an unknown type {kind!r}"
    spec = ServerSpec(name, kind, source, scope, trusted, plugin=plugin)
    if kind == "stdio":
        if not isinstance(command, str) or not command.strip():
            return f"{source}: MCP server {name!r} has no command"
        spec.command = expand(command, env, missing)
        spec.args = [expand(str(a), env, missing) for a in raw.get("args") or []]
        spec.cwd = expand(str(raw.get("cwd") or ""), env, missing)
    else:
        if not isinstance(url, str) or not url.strip():
            return f"{source}: MCP server {name!r} has no url"
        spec.url = expand(url, env, missing)
        headers = raw.get("headers") or {}
        if isinstance(headers, dict):
            spec.headers = {str(k): expand(str(v), env, missing) for k, v in headers.items()}
        token_var = raw.get("bearer_token_env_var")
        if isinstance(token_var, str) and token_var:
            if env.get(token_var):
                spec.headers.setdefault("Authorization", f"Bearer {env[token_var]}")
            else:
                missing.append(token_var)
    server_env = raw.get("env") or {}
    if isinstance(server_env, dict):
        spec.env = {str(k): expand(str(v), env, missing) for k, v in server_env.items()}
    spec.startup_timeout = _seconds(raw.get("startup_timeout_sec"), DEFAULT_STARTUP_TIMEOUT)
    spec.tool_timeout = _seconds(raw.get("tool_timeout_sec"), DEFAULT_TOOL_TIMEOUT)
    enabled_tools = raw.get("enabled_tools")
    if isinstance(enabled_tools, list):
        spec.enabled_tools = [str(t) for t in enabled_tools]
    spec.disabled_tools = [str(t) for t in raw.get("disabled_tools") or []]
    spec.auto_approve = [str(t) for t in raw.get("autoApprove") or []]
    spec.enabled = raw.get("disabled") is not True and raw.get("enabled") is not False
    if missing:
        names = ", ".join(f"${{{v}}}" for v in dict.fromkeys(missing))
        spec.problem = f"needs {names}, which is not set"
    elif kind == "sse":
        spec.problem = "the sse transport is not supported: use the server's streamable HTTP url"
    return spec


def _seconds(value: Any, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return default


def load(
    root: Path,
    plugin_servers: list[tuple[str, dict[str, Any], str, bool, Path]] | None = None,
) -> McpConfig:
    """Every declared server, in precedence order. ``plugin_servers``: (plugin, servers,
    source, trusted, plugin_root) for each enabled plugin that declares some."""
    from smallcode import trust

    out = McpConfig()
    layers: list[tuple[Path, str, bool, str, Path | None]] = []
    for rel in PROJECT_FILES:
        path = root / rel
        if path.is_file():
            layers.append((path, "project", trust.is_trusted(path), "", None))
    layers.append((user_file(), "user", True, "", None))
    taken: set[str] = set()
    for path, scope, trusted, plugin, plugin_root in layers:
        servers = read_servers(path, out.problems)
        _add(out, servers, str(path), scope, trusted, plugin, plugin_root, taken)
    for plugin, servers, source, trusted, plugin_root in plugin_servers or []:
        _add(out, servers, source, "plugin", trusted, plugin, plugin_root, taken)
    return out


def _add(
    out: McpConfig,
    servers: dict[str, Any],
    source: str,
    scope: str,
    trusted: bool,
    plugin: str,
    plugin_root: Path | None,
    taken: set[str],
) -> None:
    env: Mapping[str, str] = os.environ
    if plugin_root is not None:
        env = {**os.environ, "CLAUDE_PLUGIN_ROOT": str(plugin_root)}
        env["SMALLCODE_PLUGIN_ROOT"] = str(plugin_root)
    for name, raw in servers.items():
        spec = parse_server(
            str(name), raw, source, scope=scope, trusted=trusted, env=env, plugin=plugin
        )
        if isinstance(spec, str):
            out.problems.append(spec)
            continue
        if spec.name in taken:
            continue
        if not spec.trusted or not spec.enabled or spec.problem:
            out.skipped.append(spec)
            continue
        taken.add(spec.name)
        out.servers.append(spec)


def declared(root: Path) -> bool:
    """Cheap: does any MCP file exist (no parsing)?"""
    return any((root / rel).is_file() for rel in PROJECT_FILES) or user_file().is_file()
