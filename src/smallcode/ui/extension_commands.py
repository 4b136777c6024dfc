"""``/mcp``, ``/skill``, ``/plugin`` and ``/hooks``, and the commands plugins bring.

    /mcp                         servers, their state, tools and what their schemas cost
    /skill list | NAME [TASK]    list skills; use one for the next task (or run TASK with it)
    /plugin list | enable NAME | disable NAME | install PATH [--scope project|user]
    /hooks                       the command hooks in force

A Claude plugin's ``commands/*.md`` become ``/<plugin>:<command> [ARGS]`` (the file's text,
``$ARGUMENTS`` replaced, runs as a task); a plugin's ``register_commands`` add their own.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.ui.commands import COMMANDS, Command, command

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl


def _session(ui: Repl) -> Any:
    return ui.agent.ctx.extensions


# ---------------------------------------------------------------------- /mcp


@command("mcp", "MCP servers: state, tools and the tokens their schemas cost")
def _mcp(ui: Repl, arg: str) -> str:
    session = _session(ui)
    hub = session.ext.hub if session is not None else None
    if hub is None:
        return (
            "No MCP server is declared. Add one to `.mcp.json`, `.smallcode/mcp.json` or "
            "`mcp.json` in your SmallCode config folder (`mcpServers`, as in Claude Code)."
        )
    lines = ["**MCP servers**"]
    if hub.mode:
        how = (
            "each tool offered directly"
            if hub.mode == "direct"
            else "behind `mcp_search` and `mcp_call` (the schemas exceed the budget)"
        )
        cost = sum(t.tokens for t in hub.tools())
        lines.append(f"Tools: {how}; schemas {cost:,} tokens, budget {hub.budget_tokens:,}.")
    else:
        lines.append("Tools join the session at the first task.")
    for row in hub.status():
        head = f"- `{row['name']}` {row['state']} · {row['transport']} · {row['scope']}"
        if row["state"] in ("ready", "closed"):
            head += f" · {len(row['tools'])} tools, {row['tokens']:,} tokens · {row['ms']:,} ms"
        if row["error"]:
            head += f" · {row['error']}"
        lines.append(head + f" ({row['source']})")
    for t in hub.tools():
        lines.append(f"  - `{t.full}` {t.tokens} tokens: {t.description[:80]}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- /skill


@command("skill", "skills: /skill list, /skill NAME [TASK] uses one", aliases=("skills",))
def _skill(ui: Repl, arg: str) -> str | None:
    session = _session(ui)
    skills = session.ext.skills if session is not None else None
    words = arg.split(maxsplit=1)
    if skills is None:
        return (
            "No skills found. Put `SKILL.md` folders in `.smallcode/skills`, `.claude/skills`, "
            "`.agents/skills` or the same folders in your home / SmallCode config."
        )
    if not words or words[0] == "list":
        rows = ["**Skills**"]
        for s in sorted(skills.skills.values(), key=lambda s: s.name):
            flags = [] if s.model_invocable else ["only by /skill"]
            if s.allowed_tools:
                flags.append("allows " + " ".join(s.allowed_tools))
            extra = f" ({'; '.join(flags)})" if flags else ""
            rows.append(f"- `{s.name}` [{s.scope}]{extra}: {s.description[:100]}")
        return "\n".join(rows)
    from smallcode.errors import SmallCodeError

    task = words[1] if len(words) > 1 else ""
    try:
        name = session.activate_by_user(words[0], task)
    except SmallCodeError as exc:
        return f"{exc}. `/skill list` shows them."
    if task:
        ui.console.print(f"[dim]Using the skill {name}.[/]")
        ui.run_task(task)
        return None
    return f"The skill **{name}** goes to the model with your next task."


# ---------------------------------------------------------------------- /hooks


@command("hooks", "the command hooks in force (settings files and plugins)")
def _hooks(ui: Repl, arg: str) -> str:
    session = _session(ui)
    runner = session.ext.hooks if session is not None else None
    if runner is None:
        return "No hooks. They go in the `hooks` block of `.smallcode/settings.json` (Claude Code's format)."
    lines = ["**Hooks**"]
    for h in runner.hooks:
        matcher = f" `{h.matcher}`" if h.matcher else ""
        timeout = f", {h.timeout:g}s" if h.timeout else ""
        lines.append(f"- {h.event}{matcher}: `{h.command}` ({h.plugin or h.source}{timeout})")
    return "\n".join(lines)


# ---------------------------------------------------------------------- /plugin


@command(
    "plugin",
    "plugins: /plugin list|enable NAME|disable NAME|install PATH --scope S",
    aliases=("plugins",),
)
def _plugin(ui: Repl, arg: str) -> str:
    from smallcode.plugins import manifest

    try:
        words = shlex.split(arg)
    except ValueError as exc:
        return f"Cannot read the arguments: {exc}."
    root = Path(ui.settings.cwd)
    if not words or words[0] == "list":
        return _plugin_list(ui, root)
    sub, rest = words[0], words[1:]
    scope = ""
    if "--scope" in rest:
        i = rest.index("--scope")
        scope = rest[i + 1] if i + 1 < len(rest) else ""
        rest = rest[:i] + rest[i + 2 :]
        if scope not in ("project", "user"):
            return "`--scope` is `project` or `user`."
    if sub in ("enable", "disable") and len(rest) == 1:
        found = next((p for p in manifest.discover(root) if p.name == rest[0]), None)
        if found is None:
            return f"No plugin named `{rest[0]}`. `/plugin list` shows them."
        path = manifest.set_enabled(root, found.name, sub == "enable", scope or found.scope)
        text = f"Plugin **{found.name}** {sub}d ({path}); this applies from the next session."
        if sub == "enable":
            text += "\n\n" + _what(found)
        return text
    if sub == "install" and len(rest) == 1:
        try:
            p = manifest.install(Path(rest[0]), root, scope or "project")
        except (manifest.InstallError, OSError) as exc:
            return f"Not installed: {exc}."
        return f"Installed **{p.name}** in {p.root}; it loads from the next session.\n\n" + _what(p)
    return "Use `/plugin list`, `/plugin enable NAME`, `/plugin disable NAME` or `/plugin install PATH --scope project|user`."


def _what(p: Any) -> str:
    lines = [f"It brings: {p.summary()}."]
    perms = p.permissions()
    if perms:
        lines.append("It asks for: " + ", ".join(f"{k} {v}" for k, v in perms.items()) + ".")
    if "Python code" in p.summary():
        lines.append(
            "Its Python code runs inside SmallCode with your rights: no sandbox confines it."
        )
    return " ".join(lines)


def _plugin_list(ui: Repl, root: Path) -> str:
    from smallcode.plugins import entrypoints, manifest

    rows = ["**Plugins**"]
    for p in manifest.discover(root, ui.settings.plugins):
        state = "enabled" if p.enabled else "disabled"
        if not p.trusted:
            state += ", not trusted (`smallcode trust`)"
        rows.append(f"- `{p.name}` [{p.scope}, {state}]: {p.summary()}")
    allowed = manifest.allowed_names(ui.settings.plugins)
    for name, value in entrypoints.find():
        state = "loaded" if allowed is None or name in allowed else "not loaded (SMALLCODE_PLUGINS)"
        rows.append(f"- `{name}` [global, {state}]: {value}")
    if len(rows) == 1:
        rows.append(
            "None. Put plugin folders in `.smallcode/plugins/` or your SmallCode config's "
            "`plugins/`, or `/plugin install PATH`."
        )
    return "\n".join(rows)


# ---------------------------------------------------------------------- plugin commands


def register_session_commands(agent: Any) -> list[str]:
    """Commands of the session's plugins: markdown commands and ``register_commands``."""
    session = agent.ctx.extensions
    if session is None:
        return []
    added: list[str] = []
    host = session.ext.host
    for name, help_text, func in host.commands if host is not None else []:
        if name.lower() not in COMMANDS:
            COMMANDS[name.lower()] = Command(name.lower(), help_text, func)
            added.append(name)
    for p in session.ext.active_plugins():
        for path in p.commands():
            name = f"{p.name}:{path.stem}".lower()
            if name not in COMMANDS:
                COMMANDS[name] = Command(name, _first_line(path), _markdown_command(path))
                added.append(name)
    return added


def _first_line(path: Path) -> str:
    from smallcode.plugins.skills import parse_frontmatter, read_text, split_frontmatter

    front, body = split_frontmatter(read_text(path))
    desc = parse_frontmatter(front, []).get("description")
    if isinstance(desc, str) and desc.strip():
        return desc.strip()[:80]
    return next((x.strip("# ").strip() for x in body.splitlines() if x.strip()), path.stem)[:80]


def _markdown_command(path: Path) -> Any:
    def run(ui: Repl, arg: str) -> None:
        from smallcode.plugins.skills import read_text, split_frontmatter

        body = split_frontmatter(read_text(path))[1].strip()
        task = (
            body.replace("$ARGUMENTS", arg) if "$ARGUMENTS" in body else f"{body}\n\n{arg}".strip()
        )
        ui.run_task(task)

    return run
