"""Trust decay (tools that keep failing) and adaptive retry temperature.

Both keep session state that the loop reads from the ToolContext:

- ``ctx.tool_trust``: the TrustDecay object; ``Agent.tool_schemas()`` passes the
  registry's schemas through ``arrange`` (demoted tools last, removed tools left out). The list
  only changes when a tool is demoted or removed, so the prompt prefix stays stable otherwise.
- ``ctx.temperature``: the temperature for the next request (None = the base).
"""

from __future__ import annotations

from typing import Any

from smallcode.agent.guards.base import GuardEvent, Intervention, was_blocked


class TrustDecay:
    """A tool failing ``demote_at`` times in a row is listed last; ``remove_at``, removed."""

    name = "trust"

    def __init__(self, demote_at: int = 3, remove_at: int = 5) -> None:
        self.demote_at = demote_at
        self.remove_at = remove_at
        self.fails: dict[str, int] = {}
        self.demoted: list[str] = []
        self.removed: set[str] = set()

    def arrange(self, schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def name(s: dict[str, Any]) -> str:
            return str(s.get("function", {}).get("name", s.get("name", "")))

        kept = [s for s in schemas if name(s) not in self.removed]
        if not self.demoted:
            return kept
        first = [s for s in kept if name(s) not in self.demoted]
        last = sorted(
            (s for s in kept if name(s) in self.demoted), key=lambda s: self.demoted.index(name(s))
        )
        return first + last

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if call is None:
            return None
        if event.kind == "before_call" and call.name in self.removed:
            return Intervention(
                "block",
                f"Error: {call.name} is no longer available in this session (it failed "
                f"{self.remove_at} times in a row). Use other tools.",
            )
        if event.kind != "after_call" or event.result is None or was_blocked(event):
            return None
        from smallcode.tools.shell import exit_code_of

        if event.result.ok and not exit_code_of(call.name, event.result.output):
            self.fails[call.name] = 0
            return None  # a bash command that exits non-zero is a failure too
        n = self.fails[call.name] = self.fails.get(call.name, 0) + 1
        if n == self.remove_at:
            self.removed.add(call.name)
            event.state.ctx.events.emit(
                "guard", guard=self.name, action="remove", message=f"{call.name} removed"
            )
            return Intervention(
                "note",
                f"{call.name} failed {n} times in a row and is removed for this session. "
                "Reach the goal with the other tools.",
            )
        if n == self.demote_at:
            if call.name not in self.demoted:
                self.demoted.append(call.name)
            return Intervention(
                "note",
                f"{call.name} failed {n} times in a row. Check its parameters against its "
                "description and the error above, or use another tool.",
            )
        return None


class TemperatureAdapter:
    """Raise the temperature a little after each failure; back to the base after a success."""

    name = "temperature"

    def __init__(self, base: float, step: float = 0.15, max_raise: float = 0.45) -> None:
        self.base = base
        self.step = step
        self.max_raise = max_raise
        self.failures = 0

    def current(self) -> float:
        return round(min(1.0, self.base + min(self.max_raise, self.step * self.failures)), 3)

    def observe(self, event: GuardEvent) -> Intervention | None:
        failed: bool | None = None
        if event.kind == "reply" and event.reply is not None:
            r = event.reply
            if r.finish_reason == "length" or (r.unknown_tools and not r.calls):
                failed = True
            elif not r.calls:
                failed = False  # a plain answer: the next task starts at the base again
        elif event.kind == "after_call" and event.result is not None and not was_blocked(event):
            failed = not event.result.ok
        if failed is None:
            return None
        before = self.current()
        self.failures = self.failures + 1 if failed else 0
        now = self.current()
        event.state.ctx.temperature = None if now == self.base else now
        if now != before:
            why = "after a failure" if failed else "after a success"
            event.state.ctx.events.emit(
                "guard",
                guard=self.name,
                action="adjust",
                message=f"temperature {before:g} -> {now:g} {why}",
            )
        return None
