"""What the interactive UI shows while a turn runs: never a blank screen.

One rich ``Live`` region per turn (transient: it disappears when the turn ends) holds the
answer as it streams (rendered markdown, its newest lines when it is taller than the screen)
and, below it, a spinner with the phase and the elapsed time: waiting for the model, thinking,
writing, running a tool (with the tail of a command's output once it runs longer than
``TAIL_AFTER_S``). What is finished is printed above the region and stays: the answer text
when a tool starts or the turn ends, one line per tool call when it ends, guard notes, retries.

    view = TurnView(console); view.attach(bus)
    view.begin(); ... agent.run(task) ...; view.end()

``paused()`` stops the region while something else needs the terminal (a y/N question).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from smallcode.events import Event, EventBus

TAIL_AFTER_S = 2.0
TAIL_LINES = 6
_active: list[TurnView] = []


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@contextmanager
def paused() -> Iterator[None]:
    """Suspend the live region of the running turn (if any) while the caller uses the
    terminal, e.g. to ask a question; it comes back afterwards."""
    view = _active[-1] if _active else None
    if view is None:
        yield
        return
    view.suspend()
    try:
        yield
    finally:
        view.resume()


class TurnView:
    def __init__(self, console: Any, show_thinking: bool = False) -> None:
        self.console = console
        self.show_thinking = show_thinking
        self._lock = threading.RLock()
        self._live: Any = None
        self._spinner: Any = None
        self._buf = ""
        self._phase = "waiting for the model"
        self._turn_started = 0.0
        self._phase_started = 0.0
        self._tool: str | None = None
        self._tail: list[str] = []
        self._partial = ""
        self._suspended = False
        from smallcode.ui.thinking import ThinkSplitter

        self._splitter = ThinkSplitter()
        self._think = ""  # thinking not yet printed (SMALLCODE_SHOW_THINKING)

    # ------------------------------------------------------------------ wiring

    def attach(self, bus: EventBus) -> None:
        bus.on("turn_start", self._on_turn_start)
        bus.on("text", self._on_text)
        bus.on("reasoning", self._on_reasoning)
        bus.on("tool_start", self._on_tool_start)
        bus.on("tool_output", self._on_tool_output)
        bus.on("tool_end", self._on_tool_end)
        bus.on("guard", self._on_guard)
        bus.on("retry", self._on_retry)
        bus.on("notice", self._on_notice)
        bus.on("waiting", self._on_waiting)

    def begin(self) -> None:
        """The turn starts (before anything reaches the model): show the spinner."""
        from rich.live import Live
        from rich.spinner import Spinner

        with self._lock:
            now = time.monotonic()
            self._turn_started = self._phase_started = now
            self._phase = "waiting for the model"
            self._buf, self._tool, self._tail, self._partial = "", None, [], ""
            self._think = ""
            self._splitter.reset()
            self._spinner = Spinner("dots", style="cyan")
            self._live = Live(
                _Renderable(self),
                console=self.console,
                refresh_per_second=10,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
            _active.append(self)

    def end(self) -> None:
        """The turn is over: keep the answer on screen, remove the spinner."""
        with self._lock:
            for _, part in self._splitter.flush():
                self._buf += part
            self._flush_text()
            if self._live is not None:
                self._live.stop()
                self._live = None
            if self in _active:
                _active.remove(self)

    def suspend(self) -> None:
        with self._lock:
            if self._live is not None and not self._suspended:
                self._flush_text()
                self._live.stop()
                self._suspended = True

    def resume(self) -> None:
        with self._lock:
            if self._live is not None and self._suspended:
                self._live.start()
                self._suspended = False

    # ------------------------------------------------------------------ events

    def _set_phase(self, phase: str) -> None:
        if phase != self._phase:
            self._phase = phase
            self._phase_started = time.monotonic()

    def _on_turn_start(self, e: Event) -> None:
        with self._lock:
            self._set_phase("waiting for the model")

    def _on_waiting(self, e: Event) -> None:
        with self._lock:
            phase = str(e.data.get("phase") or "")
            if phase and phase != "writing":
                self._set_phase(phase)

    def _on_text(self, e: Event) -> None:
        with self._lock:
            for kind, part in self._splitter.feed(str(e.data.get("text", ""))):
                if kind == "thinking":  # <think> inline in the content
                    self._thinking(part)
                    continue
                self._flush_thinking()
                self._buf += part
                self._set_phase("writing")

    def _on_reasoning(self, e: Event) -> None:
        with self._lock:
            self._thinking(str(e.data.get("text", "")))

    def _thinking(self, text: str) -> None:
        self._set_phase("thinking")
        if self.show_thinking:
            self._think += text

    def _on_tool_start(self, e: Event) -> None:
        from smallcode.agent.loop import describe_args

        with self._lock:
            self._flush_text()
            args = describe_args(e.data.get("args") or {}, limit=70)
            self._tool = f"{e.data.get('name')} {args}".strip()
            self._tail, self._partial = [], ""
            self._set_phase(f"running {self._tool}")

    def _on_tool_output(self, e: Event) -> None:
        with self._lock:
            text = self._partial + str(e.data.get("text", ""))
            lines = text.split("\n")
            self._partial = lines.pop()[-500:]
            self._tail = [*self._tail, *(ln[-300:] for ln in lines if ln.strip())][-TAIL_LINES:]

    def _on_tool_end(self, e: Event) -> None:
        from smallcode.agent.loop import describe_args

        d = e.data
        with self._lock:
            self._tool, self._tail, self._partial = None, [], ""
            self._set_phase("waiting for the model")
            from smallcode.ui.progress import tool_mark

            state = tool_mark(d)
            mark = {"ok": "[green]✓[/]", "failed": "[red]✗[/]"}.get(state, f"[red]✗ {state}[/]")
            args = describe_args(d.get("args") or {}, limit=70)
            self._print(
                f"  {mark} [bold]{_esc(str(d.get('name')))}[/] [dim]{_esc(args)}  "
                f"{_duration(float(d.get('ms', 0) or 0) / 1000)}[/]"
            )
            if not d.get("ok"):
                first = (d.get("output") or "").strip().splitlines()[:1]
                if first:
                    self._print(f"    [red]{_esc(first[0][:150])}[/]")

    def _on_guard(self, e: Event) -> None:
        msg = str(e.data.get("message", "")).splitlines()[0][:150] if e.data.get("message") else ""
        with self._lock:
            self._print(f"  [yellow]! {_esc(str(e.data.get('guard')))}:[/] {_esc(msg)}")

    def _on_notice(self, e: Event) -> None:
        with self._lock:
            self._flush_text()
            self._print(f"[dim]{_esc(str(e.data.get('message', '')))}[/]")

    def _on_retry(self, e: Event) -> None:
        d = e.data
        with self._lock:
            self._buf = ""  # the partial answer of the failed try is dropped
            self._think = ""
            self._splitter.reset()
            self._print(
                f"  [yellow]! retrying in {float(d.get('wait_s') or 0):.1f} s "
                f"({d.get('attempt')}): {_esc(str(d.get('error')))}[/]"
            )

    # ------------------------------------------------------------------ output

    def _print(self, markup: str, **kw: Any) -> None:
        self.console.print(markup, highlight=False, **kw)

    def _flush_thinking(self) -> None:
        """Print the thinking so far as a dim block set apart from the answer by rules."""
        text, self._think = self._think.strip(), ""
        if not text:
            return
        from rich.rule import Rule
        from rich.text import Text

        self.console.print(Rule("thinking", style="dim", align="left"))
        self.console.print(Text(text, style="dim italic"))
        self.console.print(Rule(style="dim"))

    def _flush_text(self) -> None:
        """Print the streamed answer so far above the live region, for good."""
        self._flush_thinking()
        if not self._buf.strip():
            self._buf = ""
            return
        from rich.markdown import Markdown

        text, self._buf = self._buf, ""
        self.console.print(Markdown(text))

    def status_text(self) -> str:
        now = time.monotonic()
        took = _duration(now - self._turn_started)
        if self._tool is not None:
            return f"{_esc(self._phase)} [dim]· {_duration(now - self._phase_started)}[/]"
        return f"{_esc(self._phase)} [dim]· {took} · Ctrl-C stops[/]"

    def renderables(self) -> list[Any]:
        from rich.markdown import Markdown
        from rich.text import Text

        # No lock here: this runs in the Live refresh thread, and the event handlers print
        # (which waits for a refresh to finish) while holding theirs. Attributes are replaced,
        # never changed in place, so a frame sees a consistent value of each.
        out: list[Any] = []
        buf, spinner, tool, tail, partial, think = (
            self._buf,
            self._spinner,
            self._tool,
            self._tail,
            self._partial,
            self._think,
        )
        if think.strip():  # the newest thinking lines, dim, until the answer starts
            lines = think.strip().splitlines()[-TAIL_LINES:]
            out.append(Text("\n".join(lines), style="dim italic", overflow="ellipsis"))
        if buf.strip():
            out.append(_Tail(Markdown(buf)))
        if spinner is not None:
            spinner.update(text=Text.from_markup(self.status_text()))
            out.append(spinner)
        if tool is not None and time.monotonic() - self._phase_started >= TAIL_AFTER_S:
            lines = [*tail, *([partial] if partial.strip() else [])]
            for line in lines[-TAIL_LINES:]:
                out.append(Text("    │ " + line, style="dim", no_wrap=True, overflow="ellipsis"))
        return out


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


class _Renderable:
    """Re-rendered on every refresh of the live region: the current state of the view."""

    def __init__(self, view: TurnView) -> None:
        self.view = view

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        yield from self.view.renderables()


class _Tail:
    """A renderable cut to its last lines, so a long answer streams at the bottom of the
    screen instead of being cropped at the top."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.segment import Segment

        room = max(3, (options.size.height or 24) - TAIL_LINES - 3)
        lines = console.render_lines(self.inner, options.update(height=None), pad=False)
        for line in lines[-room:]:
            yield from line
            yield Segment.line()
