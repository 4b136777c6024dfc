"""The interactive terminal UI: prompt_toolkit for input, rich for streamed markdown output.

While a turn runs, ui/activity.py shows the answer, a spinner with the phase and elapsed time,
and each tool call. Ctrl-C stops the turn (the model request is cut at once, llm/waiting.py);
a second Ctrl-C within ``EXIT_WINDOW_S`` seconds leaves SmallCode.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from smallcode.config import Settings
from smallcode.events import EventBus
from smallcode.ui import commands
from smallcode.ui.activity import TurnView, paused

EXIT_WINDOW_S = 2.0


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class Repl:
    def __init__(self, settings: Settings, agent: Any, console: Any, events: EventBus) -> None:
        self.settings = settings
        self.agent = agent
        self.console = console
        self.events = events
        self.view = TurnView(console, settings.show_thinking)
        self.view.attach(events)
        self.router = agent.ctx.router
        self._last_interrupt = float("-inf")

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
        self.view.begin()
        previous = self._catch_interrupts()
        try:
            result = self.agent.run(text)
        finally:
            self.view.end()
            self._restore_interrupts(previous)
        changed = self.agent.ctx.provider_changed
        self.agent.ctx.provider_changed = None
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

    # ------------------------------------------------------------------ Ctrl-C

    def _on_sigint(self, signum: int, frame: Any) -> None:
        """Ctrl-C during a turn: stop it (the waiting request notices within ~50 ms); a second
        one within EXIT_WINDOW_S leaves SmallCode."""
        now = time.monotonic()
        if now - self._last_interrupt < EXIT_WINDOW_S:
            raise SystemExit(130)
        self._last_interrupt = now
        self.agent.cancel()
        raise KeyboardInterrupt

    def _catch_interrupts(self) -> Any:
        try:
            return signal.signal(signal.SIGINT, self._on_sigint)
        except ValueError:  # not the main thread
            return None

    def _restore_interrupts(self, previous: Any) -> None:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

    def _interrupted_at_prompt(self) -> bool:
        """Ctrl-C at the prompt clears the line; twice within EXIT_WINDOW_S, it exits."""
        now = time.monotonic()
        if now - self._last_interrupt < EXIT_WINDOW_S:
            return True
        self._last_interrupt = now
        self.console.print("[dim](Ctrl-C again to exit, or Ctrl-D)[/]")
        return False

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
                if self._interrupted_at_prompt():
                    return 130
                continue
            except EOFError:
                return 0
            if not line:
                continue
            try:
                self.handle(line)
            except SystemExit as exc:
                return int(exc.code or 0)
            except KeyboardInterrupt:
                self._last_interrupt = time.monotonic()
                self.view.end()
                self.console.print("[yellow]Stopped.[/]")


class TerminalConfirm:
    """``confirm(question) -> bool``, asked in the terminal (default: no); ``choose`` asks
    y/a/n for permission approvals (agent/permission_guard.py looks for it)."""

    def __init__(self, console: Any) -> None:
        from smallcode.ui.approvals import make_chooser

        self.choose = make_chooser(console)

    def __call__(self, question: str) -> bool:
        from prompt_toolkit import prompt

        try:
            with paused():  # the turn's live region would draw over the question
                answer = prompt(f"{question} [y/N] ")
        except (EOFError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in ("y", "yes")


def ask_yes_no(console: Any) -> TerminalConfirm:
    """A confirm(question) -> bool callback that asks in the terminal, with y/a/n approvals."""
    return TerminalConfirm(console)


def run_repl(overrides: dict[str, Any], cwd: str | None = None, resume: bool = False) -> int:
    from rich.console import Console

    from smallcode.agent.session import build_agent, close_agent
    from smallcode.ui import (  # noqa: F401  (registers commands)
        approvals,
        contract_commands,
        extension_commands,
        insight_commands,
        plan_commands,
        provider_wizard,
        session_commands,
        tdd_commands,
        trace_commands,
    )

    provider_wizard.register_commands()
    settings = Settings.load(cwd, overrides)
    console = Console(highlight=False)
    if approvals.trust_at_start(console, settings.cwd):  # the project's own .env / settings
        settings = Settings.load(cwd, overrides)
    events = EventBus()
    for warning in settings.warnings:
        console.print(f"[yellow]warning:[/] {_esc(warning)}")
    notices = events.on(
        "notice", lambda e: console.print(f"[dim]{_esc(str(e.data.get('message')))}[/]")
    )
    agent = build_agent(settings, events, confirm=ask_yes_no(console))
    extension_commands.register_session_commands(agent)  # plugins' commands
    try:
        if resume:
            from smallcode.agent.session import resume_latest

            console.print(f"[dim]{resume_latest(agent)}[/]")
        notices()  # from here on the turn view shows notices
        return Repl(settings, agent, console, events).loop()
    finally:
        close_agent(agent)
