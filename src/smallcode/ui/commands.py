"""Slash commands of the interactive UI: a small registry so each feature adds its own.

A command is ``func(ui, arg: str) -> str | None``: it returns text to show (markdown) or None.
``ui`` is the running Repl (agent, console, settings). Raising SystemExit leaves the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl

CommandFunc = Callable[["Repl", str], "str | None"]


@dataclass
class Command:
    name: str
    help: str
    func: CommandFunc
    aliases: tuple[str, ...] = ()


COMMANDS: dict[str, Command] = {}


def command(
    name: str, help: str, aliases: tuple[str, ...] = ()
) -> Callable[[CommandFunc], CommandFunc]:
    def wrap(func: CommandFunc) -> CommandFunc:
        cmd = Command(name, help, func, aliases)
        for key in (name, *aliases):
            COMMANDS[key] = cmd
        return func

    return wrap


def dispatch(ui: Repl, line: str) -> str | None:
    name, _, arg = line.strip().partition(" ")
    cmd = COMMANDS.get(name.lstrip("/").lower())
    if cmd is None:
        return f"Unknown command `{name}`. Type `/help` for the list."
    return cmd.func(ui, arg.strip())


def names() -> list[str]:
    return sorted({f"/{k}" for k in COMMANDS})


@command("help", "show the commands", aliases=("?",))
def _help(ui: Repl, arg: str) -> str:
    seen: set[str] = set()
    rows = []
    for cmd in sorted(COMMANDS.values(), key=lambda c: c.name):
        if cmd.name in seen:
            continue
        seen.add(cmd.name)
        alias = "".join(f", /{a}" for a in cmd.aliases)
        rows.append(f"- `/{cmd.name}`{alias}: {cmd.help}")
    keys = "Ctrl-C stops the current turn; Ctrl-D exits."
    return "**Commands**\n\n" + "\n".join(rows) + f"\n\n{keys}"


@command("quit", "leave SmallCode", aliases=("q", "exit"))
def _quit(ui: Repl, arg: str) -> str | None:
    raise SystemExit(0)


@command("clear", "start a new conversation (the model forgets this one)")
def _clear(ui: Repl, arg: str) -> str:
    from smallcode.agent.session import clear_conversation

    clear_conversation(ui.agent)
    return "Conversation cleared (the system prompt and project context stay)."


@command("version", "show the version, Python and the platform", aliases=("v",))
def _version(ui: Repl, arg: str) -> str:
    return version_text()


def version_text() -> str:
    import platform

    from smallcode import __version__

    py = f"{platform.python_implementation()} {platform.python_version()}"
    return f"SmallCode {__version__} · Python {py} · {platform.platform(terse=True)}"


def describe(value: Any) -> str:
    return str(value) if value not in (None, "") else "(not set)"
