"""/trace (list, view, export, test) and /eval (list or run eval suites) in the REPL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl


@command("trace", "session traces: list, view ID, export ID --format traj|jsonl|md, test ID")
def cmd_trace(ui: Repl, arg: str) -> str:
    from smallcode.traces.cli import repl_text

    return repl_text(Path(ui.settings.cwd), arg)


@command("eval", "eval suites: list .smallcode/evals, or run one (/eval FILE)")
def cmd_eval(ui: Repl, arg: str) -> str:
    from smallcode.evals.cli import repl_text

    return repl_text(Path(ui.settings.cwd), arg, ui.settings)
