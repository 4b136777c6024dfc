"""Progress lines for tool activity: one line per tool call, written to a text stream."""

from __future__ import annotations

from typing import TextIO

from smallcode.agent.loop import describe_args
from smallcode.events import Event, EventBus


class ProgressPrinter:
    def __init__(self, stream: TextIO, color: bool = False) -> None:
        self.stream = stream
        self.color = color

    def attach(self, bus: EventBus) -> None:
        bus.on("tool_end", self._tool_end)
        bus.on("guard", self._guard)
        bus.on("retry", self._retry)
        bus.on("repair", self._repair)
        bus.on("notice", self._notice)

    def _write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _tool_end(self, e: Event) -> None:
        d = e.data
        mark = "ok" if d.get("ok") else "failed"
        line = f"  {d.get('name')} {describe_args(d.get('args') or {})}  [{mark}, {d.get('ms', 0):.0f} ms]"
        if not d.get("ok"):
            first = (d.get("output") or "").strip().splitlines()[:1]
            if first:
                line += f"\n    {first[0][:160]}"
        self._write(line)

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
