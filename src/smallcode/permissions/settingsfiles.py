"""The settings files: ``permissions`` and ``sandbox`` blocks, shaped like Claude Code's.

Files (highest precedence first, below the command line and SMALLCODE_* variables):

    .smallcode/settings.local.json   project, personal (git-ignored; "always" answers go here)
    .claude/settings.local.json      Claude Code's, same role
    .smallcode/settings.json         project, committed
    .claude/settings.json            Claude Code's, same role
    <user config>/settings.json      the user's own (~/.config/smallcode/settings.json)

Rule lists are joined across files (a deny anywhere denies); ``defaultMode``, ``sandbox.mode``
and ``sandbox.network`` come from the highest file that sets them. A project file's
relaxations (allow rules, excluded commands, a looser mode, sandbox off, network on) apply
only once the user trusted that file (trust.py); its restrictions always apply.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode import trust
from smallcode.permissions.rules import Rule, parse_rules

LOCAL_FILE = ".smallcode/settings.local.json"
PROJECT_FILES = (  # lowest first
    ".claude/settings.json",
    ".smallcode/settings.json",
    ".claude/settings.local.json",
    LOCAL_FILE,
)
STRICT_MODES = ("default", "plan")


@dataclass
class SettingsFile:
    path: Path
    scope: str  # user | project
    data: dict[str, Any]
    trusted: bool
    held: list[str] = field(default_factory=list)  # relaxations not applied (untrusted)


@dataclass
class PermissionSettings:
    allow: list[Rule] = field(default_factory=list)
    ask: list[Rule] = field(default_factory=list)
    deny: list[Rule] = field(default_factory=list)
    default_mode: str = ""
    sandbox_mode: str = ""
    sandbox_network: bool | None = None
    excluded: list[str] = field(default_factory=list)
    files: list[SettingsFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def untrusted(self) -> list[SettingsFile]:
        return [f for f in self.files if f.held]


def user_settings_path() -> Path:
    from smallcode.config import user_config_dir

    return user_config_dir() / "settings.json"


def read_json(path: Path, problems: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(f"{path}: ignored, not valid JSON ({exc})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: ignored, not a JSON object")
        return None
    return data


def load(root: Path) -> PermissionSettings:
    out = PermissionSettings()
    layers: list[tuple[Path, str]] = [(user_settings_path(), "user")]
    layers += [(root / rel, "project") for rel in PROJECT_FILES]
    for path, scope in layers:
        data = read_json(path, out.problems)
        if data is None:
            continue
        trusted = scope == "user" or trust.is_trusted(path)
        f = SettingsFile(path, scope, data, trusted)
        out.files.append(f)
        _apply(out, f)
    return out


def _apply(out: PermissionSettings, f: SettingsFile) -> None:
    src = str(f.path)
    perms = f.data.get("permissions")
    if isinstance(perms, dict):
        for key in ("deny", "ask", "allow"):
            items = perms.get(key) or []
            if not isinstance(items, list):
                out.problems.append(f"{src}: permissions.{key} is not a list")
                continue
            if key == "allow" and not f.trusted:
                f.held += [f"allow {r}" for r in items if isinstance(r, str)]
                continue
            rules, bad = parse_rules(items, src)
            getattr(out, key).extend(rules)
            out.problems.extend(bad)
        mode = perms.get("defaultMode")
        if isinstance(mode, str) and mode:
            if f.trusted or mode in STRICT_MODES:
                out.default_mode = mode
            else:
                f.held.append(f"defaultMode {mode}")
    hooks = f.data.get("hooks")
    if hooks and not f.trusted:  # commands: they run only from a trusted file (plugins/hooks.py)
        from smallcode.plugins.hook_config import count_hooks

        n = count_hooks(hooks)
        f.held.append(f"hooks ({n} command{'s' * (n != 1)})")
    sandbox = f.data.get("sandbox")
    if isinstance(sandbox, dict):
        mode = sandbox.get("mode")
        if isinstance(mode, str) and mode:
            if f.trusted or mode != "off":
                out.sandbox_mode = mode
            else:
                f.held.append("sandbox.mode off")
        enabled = sandbox.get("enabled")  # Claude Code's switch
        if enabled is False and not mode:
            if f.trusted:
                out.sandbox_mode = "off"
            else:
                f.held.append("sandbox.enabled false")
        network = sandbox.get("network")
        if isinstance(network, bool):
            if f.trusted or not network:
                out.sandbox_network = network
            else:
                f.held.append("sandbox.network true")
        excluded = sandbox.get("excludedCommands") or []
        if isinstance(excluded, list):
            texts = [e for e in excluded if isinstance(e, str)]
            if f.trusted:
                out.excluded += texts
            else:
                f.held += [f"sandbox.excludedCommands {e}" for e in texts]


# ---------------------------------------------------------------------- writing


def remember(
    root: Path, allow: list[str] | tuple[str, ...] = (), excluded: list[str] | tuple[str, ...] = ()
) -> Path:
    """Add rules to ``.smallcode/settings.local.json`` (an "always" answer) and trust it."""
    from smallcode.store.db import project_store_dir

    project_store_dir(root)  # .smallcode with its .gitignore: the local file stays out of git
    path = root / LOCAL_FILE
    was_trusted = not path.exists() or trust.is_trusted(path)
    data = read_json(path, []) or {}
    perms = data.setdefault("permissions", {})
    have = perms.setdefault("allow", [])
    have += [r for r in allow if r not in have]
    if excluded:
        box = data.setdefault("sandbox", {})
        ex = box.setdefault("excludedCommands", [])
        ex += [e for e in excluded if e not in ex]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    if was_trusted:  # the user wrote it through us; changes made by others stay untrusted
        trust.trust(path)
    return path
