"""The interactive terminal UI: prompt_toolkit for input, rich for streamed markdown output."""

from __future__ import annotations

import time
from typing import Any

from smallcode.config import Settings
from smallcode.events import Event, EventBus
from smallcode.ui import commands


class StreamView:
    """Renders streamed answer text as live markdown and tool calls as one line each."""

    def __init__(self, console: Any, show_thinking: bool = False) -> None:
        self.console = console
        self.show_thinking = show_thinking
        self._live: Any = None
        self._buf = ""

    def attach(self, bus: EventBus) -> None:
        bus.on("text", self._text)
        bus.on("reasoning", self._reasoning)
        bus.on("tool_start", self._tool_start)
        bus.on("tool_end", self._tool_end)
        bus.on("guard", self._guard)
        bus.on("retry", self._retry)
        bus.on("notice", self._notice)

    def _text(self, e: Event) -> None:
        from rich.live import Live
        from rich.markdown import Markdown

        self._buf += e.data.get("text", "")
        if self._live is None:
            self._live = Live(console=self.console, refresh_per_second=12, transient=False)
            self._live.start()
        self._live.update(Markdown(self._buf))

    def _reasoning(self, e: Event) -> None:
        if self.show_thinking:
            self.console.print(e.data.get("text", ""), style="dim italic", end="")

    def flush(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        self._buf = ""

    def _tool_start(self, e: Event) -> None:
        self.flush()  # the text so far stays on screen; tool lines follow it

    def _tool_end(self, e: Event) -> None:
        from smallcode.agent.loop import describe_args

        d = e.data
        mark = "[green]✓[/]" if d.get("ok") else "[red]✗[/]"
        args = describe_args(d.get("args") or {}, limit=70)
        self.console.print(
            f"  {mark} [bold]{d.get('name')}[/] [dim]{_esc(args)}  {d.get('ms', 0):.0f} ms[/]",
            highlight=False,
        )
        if not d.get("ok"):
            first = (d.get("output") or "").strip().splitlines()[:1]
            if first:
                self.console.print(f"    [red]{_esc(first[0][:150])}[/]", highlight=False)

    def _guard(self, e: Event) -> None:
        msg = str(e.data.get("message", "")).splitlines()[0][:150]
        self.console.print(f"  [yellow]! {e.data.get('guard')}:[/] {_esc(msg)}", highlight=False)

    def _notice(self, e: Event) -> None:
        self.flush()
        self.console.print(f"[dim]{_esc(str(e.data.get('message', '')))}[/]", highlight=False)

    def _retry(self, e: Event) -> None:
        self.flush()
        d = e.data
        self.console.print(
            f"  [yellow]! retrying ({d.get('attempt')}): {_esc(str(d.get('error')))}[/]"
        )


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class Repl:
    def __init__(self, settings: Settings, agent: Any, console: Any, events: EventBus) -> None:
        self.settings = settings
        self.agent = agent
        self.console = console
        self.events = events
        self.view = StreamView(console, settings.show_thinking)
        self.view.attach(events)
        self.router = agent.ctx.extras.get("router")

    def banner(self) -> None:
        from smallcode import __version__

        p = self.agent.provider
        window = self.agent.context.window
        self.console.print(
            f"[bold]SmallCode {__version__}[/] · model [cyan]{_esc(p.model)}[/] "
            f"({p.name}, {window} tokens) · {_esc(str(self.settings.cwd))}\n"
            "[dim]Type a task, /help for commands, Ctrl-D to quit.[/]",
            highlight=False,
        )

    def run_task(self, text: str) -> None:
        started = time.monotonic()
        try:
            result = self.agent.run(text)
        finally:
            self.view.flush()
        changed = self.agent.ctx.extras.pop("provider_changed", None)
        if changed:
            self.console.print(
                f"[dim]Provider settings saved ({_esc(str(changed.get('model')))}); they apply "
                "from the next session.[/]"
            )
        secs = time.monotonic() - started
        u = result.usage
        status = (
            f"{result.turns} requests · {u.prompt_tokens:,} in / {u.completion_tokens:,} out "
            f"tokens · {secs:.1f}s"
        )
        if result.success:
            if not result.response.strip():
                self.console.print("[dim](no answer text)[/]")
            self.console.print(f"[dim]{status}[/]")
        elif result.stop_reason == "interrupted":
            self.console.print(f"[yellow]Stopped.[/] [dim]{status}[/]")
        else:
            self.console.print(
                f"[red]{_esc(result.error or result.stop_reason)}[/] [dim]{status}[/]"
            )

    def handle(self, line: str) -> None:
        if line.startswith("/"):
            out = commands.dispatch(self, line)
            if out:
                from rich.markdown import Markdown

                self.console.print(Markdown(out))
            return
        self.run_task(line)

    def loop(self) -> int:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter
        from prompt_toolkit.history import FileHistory

        from smallcode.config import user_config_dir

        history_dir = user_config_dir()
        history_dir.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(
            history=FileHistory(str(history_dir / "history")),
            completer=WordCompleter(commands.names(), sentence=True),
            complete_while_typing=False,
        )
        self.banner()
        while True:
            try:
                line = session.prompt("› ").strip()
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                return 0
            if not line:
                continue
            try:
                self.handle(line)
            except SystemExit as exc:
                return int(exc.code or 0)
            except KeyboardInterrupt:
                self.view.flush()
                self.console.print("[yellow]Stopped.[/]")


def ask_yes_no(console: Any) -> Any:
    """A confirm(question) -> bool callback that asks in the terminal (default: no)."""

    def confirm(question: str) -> bool:
        from prompt_toolkit import prompt

        try:
            answer = prompt(f"{question} [y/N] ")
        except (EOFError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in ("y", "yes")

    return confirm


def run_repl(overrides: dict[str, Any], cwd: str | None = None, resume: bool = False) -> int:
    from rich.console import Console

    from smallcode.agent.session import build_agent, close_agent
    from smallcode.ui import (  # noqa: F401  (registers commands)
        contract_commands,
        plan_commands,
        provider_wizard,
        session_commands,
        tdd_commands,
    )

    provider_wizard.register_commands()
    settings = Settings.load(cwd, overrides)
    console = Console(highlight=False)
    events = EventBus()
    events.on("notice", lambda e: console.print(f"[dim]{_esc(str(e.data.get('message')))}[/]"))
    agent = build_agent(settings, events, confirm=ask_yes_no(console))
    try:
        if resume:
            from smallcode.agent.session import resume_latest

            console.print(f"[dim]{resume_latest(agent)}[/]")
        return Repl(settings, agent, console, events).loop()
    finally:
        close_agent(agent)
