"""Progress lines for non-interactive runs, written to a text stream (stderr).

One line per tool call when it ends. A call still running after ``ANNOUNCE_AFTER_S`` gets a
line saying so, and a command still running after ``TAIL_AFTER_S`` has its new output lines
shown as they come (``tool_output`` events, at most ``TAIL_MAX_LINES`` per call). A model that
keeps everyone waiting gets "waiting for the model (N s)" every SMALLCODE_WAIT_NOTICE seconds.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TextIO

from smallcode.agent.loop import describe_args
from smallcode.events import Event, EventBus

ANNOUNCE_AFTER_S = 1.0
TAIL_AFTER_S = 2.0
TAIL_MAX_LINES = 40


class ProgressPrinter:
    def __init__(self, stream: TextIO, color: bool = False) -> None:
        self.stream = stream
        self.color = color
        self._lock = threading.Lock()
        self._call = 0  # which tool call is running (0: none)
        self._started = 0.0
        self._label = ""
        self._pending: list[str] = []  # output lines before TAIL_AFTER_S
        self._partial = ""
        self._shown = 0
        self._timer: threading.Timer | None = None

    def attach(self, bus: EventBus) -> None:
        bus.on("tool_start", self._tool_start)
        bus.on("tool_output", self._tool_output)
        bus.on("tool_end", self._tool_end)
        bus.on("guard", self._guard)
        bus.on("retry", self._retry)
        bus.on("repair", self._repair)
        bus.on("notice", self._notice)
        bus.on("waiting", self._waiting)

    def _write(self, line: str) -> None:
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass

    # ------------------------------------------------------------------ tool calls

    def _tool_start(self, e: Event) -> None:
        d = e.data
        self._call += 1
        self._started = time.monotonic()
        self._label = f"{d.get('name')} {describe_args(d.get('args') or {})}".strip()
        self._pending, self._partial, self._shown = [], "", 0
        call = self._call
        self._timer = threading.Timer(ANNOUNCE_AFTER_S, self._announce, args=(call,))
        self._timer.daemon = True
        self._timer.start()

    def _announce(self, call: int) -> None:
        if call == self._call:
            self._write(f"  {self._label}  [running...]")

    def _tool_output(self, e: Event) -> None:
        if not self._call:
            return
        text = self._partial + str(e.data.get("text", ""))
        lines = text.split("\n")
        self._partial = lines.pop()[-2000:]
        lines = [ln for ln in lines if ln.strip()]
        if time.monotonic() - self._started < TAIL_AFTER_S:
            self._pending = (self._pending + lines)[-5:]
            return
        for line in [*self._pending, *lines]:
            self._show(line)
        self._pending = []

    def _show(self, line: str) -> None:
        self._shown += 1
        if self._shown <= TAIL_MAX_LINES:
            self._write(f"    | {line[:200]}")
        elif self._shown == TAIL_MAX_LINES + 1:
            self._write("    | ... (more output; the result has the head and tail)")

    def _tool_end(self, e: Event) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._call = 0
        d = e.data
        mark = tool_mark(d)
        line = f"  {d.get('name')} {describe_args(d.get('args') or {})}  [{mark}, {d.get('ms', 0):.0f} ms]"
        if not d.get("ok") and not d.get("rolled_back"):
            first = (d.get("output") or "").strip().splitlines()[:1]
            if first:
                line += f"\n    {first[0][:160]}"
        self._write(line)

    # ------------------------------------------------------------------ the rest

    def _waiting(self, e: Event) -> None:
        if e.data.get("progress"):  # a phase change for live displays, not a notice
            return
        phase = str(e.data.get("phase") or "waiting for the model")
        self._write(f"  {phase} ({e.data.get('seconds', 0)} s)")

    def _guard(self, e: Event) -> None:
        msg = str(e.data.get("message", "")).splitlines()[0][:160]
        self._write(f"  ! {e.data.get('guard')}: {msg}")

    def _retry(self, e: Event) -> None:
        d = e.data
        self._write(f"  ! retry {d.get('attempt')} in {d.get('wait_s', 0):.1f}s: {d.get('error')}")

    def _notice(self, e: Event) -> None:
        self._write(f"  {e.data.get('message')}")

    def _repair(self, e: Event) -> None:
        self._write(f"  ~ repaired {e.data.get('name')}: {'; '.join(e.data.get('repairs', []))}")


def tool_mark(d: dict[str, Any]) -> str:
    """How a finished call is marked: ok, failed, rolled back, or a command's exit code."""
    if d.get("rolled_back"):
        return "rolled back"
    if not d.get("ok"):
        return "failed"
    code = d.get("exit_code")
    return f"exit {code}" if code else "ok"
