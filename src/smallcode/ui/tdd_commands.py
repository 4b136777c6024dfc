"""/tdd: show the TDD phase and the last test summary; /tdd on|off switches the harness (its
tools join or leave at the start of the next task, so the prompt prefix stays stable)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl


@command("tdd", "TDD harness: phase and last tests; /tdd on|off")
def _tdd(ui: Repl, arg: str) -> str:
    word = arg.strip().lower()
    settings = ui.agent.settings
    harness = ui.agent.ctx.tdd
    if word in ("on", "off"):
        if word == "on" and settings.test_disable:
            return "TDD needs tests, and SMALLCODE_TEST_DISABLE is set: TDD stays off."
        settings.tdd = word == "on"
        now = harness is not None and harness.active == settings.tdd
        when = "now" if now else "from the next task"
        return f"TDD is {word} {when}."
    if word:
        return "Usage: `/tdd` (phase and last tests), `/tdd on`, `/tdd off`."
    state = "on" if settings.tdd else "off"
    if harness is None:
        return f"TDD is {state}."
    pending = " (changes at the next task)" if harness.active != settings.tdd else ""
    return f"TDD is {state}{pending}.\n\n```\n{harness.describe()}\n```"
