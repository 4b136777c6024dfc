"""What one session loads: hooks, MCP servers, skills, plugins (agent/extensions.py wires it).

Nothing is imported or started when nothing is declared: the default prompt and start-up
stay as they are. A project's hooks, MCP servers and plugins apply only once the user trusted
the file or folder that declares them; the rest is skipped with one notice each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.plugins import manifest, mcp_config
from smallcode.plugins.hook_config import HookCommand, parse_hooks

if TYPE_CHECKING:
    from smallcode.events import EventBus
    from smallcode.permissions.sandbox import Sandbox
    from smallcode.permissions.settingsfiles import PermissionSettings
    from smallcode.plugins.hooks import HookRunner
    from smallcode.plugins.host import PluginHost
    from smallcode.plugins.mcp_hub import McpHub
    from smallcode.plugins.skill_catalog import SkillSet

TRUST_HINT = "run `smallcode trust` to apply it"


@dataclass
class Extensions:
    root: Path
    plugins: list[manifest.DirPlugin] = field(default_factory=list)
    hooks: HookRunner | None = None
    hub: McpHub | None = None
    skills: SkillSet | None = None
    host: PluginHost | None = None
    notices: list[str] = field(default_factory=list)  # one line each, for the user
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.plugins or self.hooks or self.hub or self.skills or self.host)

    def active_plugins(self) -> list[manifest.DirPlugin]:
        return [p for p in self.plugins if p.active]


def load(
    settings: Any,
    files: PermissionSettings | None,
    sandbox: Sandbox | None,
    events: EventBus | None = None,
) -> Extensions:
    root = Path(settings.cwd)
    ext = Extensions(root)
    ext.plugins = manifest.discover(root, getattr(settings, "plugins", ""))
    active = ext.active_plugins()
    for p in ext.plugins:
        ext.problems += p.problems
        if p.enabled and not p.trusted:
            ext.notices.append(
                f"skipped the project plugin {p.name} ({p.summary()}): its folder is not "
                f"trusted ({TRUST_HINT})"
            )
    _load_hooks(ext, settings, files, sandbox, events, active)
    _load_mcp(ext, settings, events, active)
    _load_skills(ext, active)
    _load_host(ext, settings, active)
    return ext


def _load_hooks(
    ext: Extensions,
    settings: Any,
    files: PermissionSettings | None,
    sandbox: Sandbox | None,
    events: EventBus | None,
    active: list[manifest.DirPlugin],
) -> None:
    hooks: list[HookCommand] = []
    for f in files.files if files is not None else []:
        block = f.data.get("hooks")
        if block is None or not f.trusted:
            continue  # an untrusted file's hooks are reported with its other held settings
        hooks += parse_hooks(block, str(f.path), ext.problems, scope=f.scope)
    for p in active:
        found = p.hooks_block()
        if found is not None:
            hooks += parse_hooks(
                found[0], found[1], ext.problems, scope="plugin", plugin_root=p.root, plugin=p.name
            )
    if not hooks:
        return
    from smallcode.plugins.hooks import HookRunner

    ext.hooks = HookRunner(
        hooks,
        ext.root,
        sandbox=sandbox,
        timeout=float(getattr(settings, "hook_timeout", 60.0) or 60.0),
        events=events,
    )


def _load_mcp(
    ext: Extensions, settings: Any, events: EventBus | None, active: list[manifest.DirPlugin]
) -> None:
    plugin_servers = []
    for p in active:
        servers, source = p.mcp_servers()
        if servers:
            plugin_servers.append((p.name, servers, source, True, p.root))
    if not plugin_servers and not mcp_config.declared(ext.root):
        return
    config = mcp_config.load(ext.root, plugin_servers)
    ext.problems += config.problems
    for source, names in config.untrusted_files().items():
        ext.notices.append(
            f"skipped MCP server{'s' * (len(names) > 1)} {', '.join(names)} of {source}: the "
            f"file is not trusted ({TRUST_HINT})"
        )
    for spec in config.skipped:
        if spec.trusted and spec.enabled and spec.problem:
            ext.notices.append(f"MCP server {spec.name} left out: {spec.problem}")
    if not config.servers and not config.skipped:
        return
    from smallcode.plugins.mcp_hub import McpHub

    ext.hub = McpHub(
        config, ext.root, client=getattr(settings, "mcp_client", "auto"), events=events
    )
    ext.hub.start()


def _load_skills(ext: Extensions, active: list[manifest.DirPlugin]) -> None:
    from smallcode.plugins import skills

    dirs = [(p.name, d) for p in active if (d := p.skills_dir()) is not None]
    found = skills.discover(ext.root, dirs)
    if not found:
        return
    for s in found:
        ext.problems += [f"skill {s.name} ({s.path}): {why}" for why in s.problems]
    from smallcode.plugins.skill_catalog import SkillSet

    ext.skills = SkillSet(found, ext.root)


def _load_host(ext: Extensions, settings: Any, active: list[manifest.DirPlugin]) -> None:
    from smallcode.plugins import entrypoints

    allowed = manifest.allowed_names(getattr(settings, "plugins", ""))
    eps = [(n, v) for n, v in entrypoints.find() if allowed is None or n in allowed]
    if not eps and not any(p.manifest.get("tools") or p.list_of("providers") for p in active):
        return  # no Python plugin: pluggy is not even imported
    from smallcode.plugins.host import load_host

    ext.host = load_host(eps, active)
    if ext.host is not None:
        ext.problems += ext.host.problems
