"""Directory plugins: Claude Code's layout and SmallCode's manifest, project and user scope.

    .smallcode/plugins/<name>/          project (runs only once the user trusted the folder)
    <user config>/plugins/<name>/       the user's

A plugin folder holds ``.claude-plugin/plugin.json`` (Claude Code: ``commands/*.md``,
``skills/<name>/SKILL.md``, ``hooks/hooks.json``, ``.mcp.json``, with path overrides in the
manifest) and/or ``smallcode-plugin.json`` with SmallCode's extra keys: ``providers``
(``[{name, module, factory}]``), ``prompts`` (``[{inject: "always"|<task type>, content}]``),
``permissions`` (shown when the plugin is enabled) and ``tools`` (a Python module, or a list,
whose ``@tool`` functions and pluggy hooks load in-process). Plugins are enabled unless a
settings file's ``enabledPlugins`` says ``false`` (a ``true`` from an untrusted project file
does not count), and ``SMALLCODE_PLUGINS=a,b`` limits which load.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.permissions.settingsfiles import read_json
from smallcode.plugins.locations import PLUGINS_DIR as PROJECT_DIR

CLAUDE_MANIFEST = ".claude-plugin/plugin.json"
OWN_MANIFEST = "smallcode-plugin.json"


@dataclass
class DirPlugin:
    name: str
    root: Path
    scope: str  # project | user
    manifest: dict[str, Any]
    trusted: bool = True
    enabled: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.enabled and self.trusted

    def _path(self, key: str, default: str) -> Path | None:
        value = self.manifest.get(key)
        rel = value[0] if isinstance(value, list) and value else value
        p = self.root / (rel if isinstance(rel, str) and rel else default)
        return p if p.exists() else None

    def hooks_block(self) -> tuple[Any, str] | None:
        inline = self.manifest.get("hooks")
        if isinstance(inline, dict):
            return inline, str(self.root / OWN_MANIFEST)
        path = self._path("hooks", "hooks/hooks.json")
        if path is None or not path.is_file():
            return None
        data = read_json(path, self.problems)
        return (data, str(path)) if data is not None else None

    def mcp_servers(self) -> tuple[dict[str, Any], str]:
        inline = self.manifest.get("mcpServers")
        if isinstance(inline, dict):
            return inline, str(self.root)
        path = self._path("mcpServers", ".mcp.json")
        if path is None or not path.is_file():
            return {}, ""
        data = read_json(path, self.problems) or {}
        servers = data.get("mcpServers", data)
        return (servers if isinstance(servers, dict) else {}), str(path)

    def skills_dir(self) -> Path | None:
        return self._path("skills", "skills")

    def commands(self) -> list[Path]:
        folder = self._path("commands", "commands")
        if folder is None or not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.md") if p.is_file())

    def python_modules(self) -> list[Path]:
        value = self.manifest.get("tools")
        items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        out = []
        for rel in items:
            p = (self.root / str(rel)).resolve()
            if p.is_file() and p.suffix == ".py" and self.root.resolve() in p.parents:
                out.append(p)
            else:
                self.problems.append(f"plugin {self.name}: tools module {rel!r} not found")
        return out

    def list_of(self, key: str) -> list[dict[str, Any]]:
        value = self.manifest.get(key)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    def permissions(self) -> dict[str, Any]:
        value = self.manifest.get("permissions")
        return value if isinstance(value, dict) else {}

    def summary(self) -> str:
        """What the plugin brings, in a few words (trust and enable questions)."""
        parts = []
        block = self.hooks_block()
        if block is not None:
            from smallcode.plugins.hook_config import count_hooks

            n = count_hooks(block[0])
            parts.append(f"{n} hook{'s' * (n != 1)}")
        servers, _ = self.mcp_servers()
        if servers:
            parts.append("MCP servers " + ", ".join(sorted(servers)))
        skills = self.skills_dir()
        if skills is not None:
            parts.append("skills")
        if self.commands():
            parts.append(f"{len(self.commands())} commands")
        if self.manifest.get("tools") or self.list_of("providers"):
            parts.append("Python code that runs in-process with your rights")
        if self.list_of("prompts"):
            parts.append("prompts")
        return ", ".join(parts) or "nothing SmallCode uses"


def user_dir() -> Path:
    from smallcode.config import user_config_dir

    return user_config_dir() / "plugins"


def scope_dir(root: Path, scope: str) -> Path:
    return root / PROJECT_DIR if scope == "project" else user_dir()


def read_plugin(folder: Path, scope: str) -> DirPlugin | None:
    """A plugin folder's manifests, merged (SmallCode's keys over Claude's); None if it has
    neither."""
    problems: list[str] = []
    manifest: dict[str, Any] = {}
    found = False
    for rel in (CLAUDE_MANIFEST, OWN_MANIFEST):
        path = folder / rel
        if path.is_file():
            found = True
            manifest.update(read_json(path, problems) or {})
    if not found:
        return None
    name = str(manifest.get("name") or folder.name).strip() or folder.name
    from smallcode import trust

    trusted = scope == "user" or trust.is_trusted(folder)
    return DirPlugin(name, folder, scope, manifest, trusted=trusted, problems=problems)


def allowed_names(setting: str) -> set[str] | None:
    """SMALLCODE_PLUGINS: None = all; an empty set = none."""
    raw = (setting or "").strip()
    if not raw:
        return None
    if raw.lower() in ("none", "off", "false", "0"):
        return set()
    return {n.strip() for n in raw.split(",") if n.strip()}


def enabled_map(root: Path) -> dict[str, bool]:
    """``enabledPlugins`` of the settings files: user, then project (later files win); a
    ``true`` counts only from a trusted file."""
    from smallcode.permissions import settingsfiles

    out: dict[str, bool] = {}
    for f in settingsfiles.load(root).files:
        value = f.data.get("enabledPlugins")
        if not isinstance(value, dict):
            continue
        for key, on in value.items():
            name = str(key).split("@", 1)[0]
            if on is False or (on is True and f.trusted):
                out[name] = bool(on)
    return out


def discover(root: Path, setting: str = "") -> list[DirPlugin]:
    """Every directory plugin of both scopes (project first), with enabled and trusted set."""
    allowed = allowed_names(setting)
    scopes = [(root / PROJECT_DIR, "project"), (user_dir(), "user")]
    if not any(d.is_dir() for d, _ in scopes):
        return []
    enabled = enabled_map(root)
    out: list[DirPlugin] = []
    seen: set[str] = set()
    for folder, scope in scopes:
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if not entry.is_dir() or entry.name.startswith("."):
                continue
            plugin = read_plugin(entry, scope)
            if plugin is None or plugin.name in seen:
                continue
            seen.add(plugin.name)
            plugin.enabled = enabled.get(plugin.name, True) and (
                allowed is None or plugin.name in allowed
            )
            out.append(plugin)
    return out


# ---------------------------------------------------------------------- managing


def set_enabled(root: Path, name: str, on: bool, scope: str) -> Path:
    """Write ``enabledPlugins[name]`` to the project's settings.local.json or the user's
    settings.json (a file we write stays trusted)."""
    from smallcode import trust
    from smallcode.permissions import settingsfiles

    if scope == "project":
        from smallcode.store.db import project_store_dir

        project_store_dir(root)
        path = root / settingsfiles.LOCAL_FILE
    else:
        path = settingsfiles.user_settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    was_trusted = scope == "user" or not path.exists() or trust.is_trusted(path)
    data = settingsfiles.read_json(path, []) or {}
    plugins = data.get("enabledPlugins")
    if not isinstance(plugins, dict):
        plugins = data["enabledPlugins"] = {}
    plugins[name] = on
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    if was_trusted and scope == "project":
        trust.trust(path)
    return path


class InstallError(Exception):
    pass


def install(source: Path, root: Path, scope: str) -> DirPlugin:
    """Copy a plugin folder into a scope; a project install is trusted as copied."""
    from smallcode import trust

    source = source.expanduser().resolve()
    if not source.is_dir():
        raise InstallError(f"no such folder: {source}")
    plugin = read_plugin(source, scope)
    if plugin is None:
        raise InstallError(
            f"{source} is not a plugin: it has neither {CLAUDE_MANIFEST} nor {OWN_MANIFEST}"
        )
    dest = scope_dir(root, scope) / plugin.name
    if dest.exists():
        raise InstallError(f"a plugin named {plugin.name} is already installed at {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    if scope == "project":
        trust.trust(dest)
    installed = read_plugin(dest, scope)
    assert installed is not None
    return installed
