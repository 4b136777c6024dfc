"""The interface of checks that run when the model stops (no tool call in its reply).

The completion check (agent/completion.py) is built in. Workflows (a Definition-of-Done
contract, a TODO plan, the TDD harness) add a FinishCheck to ``Agent.finish_checks``: when the
model stops, each may send it back with a note, or end the run with its own stop reason. Each
check bounds its own notes (for example at most 2, then stop), so the loop stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from smallcode.agent.guards import RunState


@dataclass
class FinishVerdict:
    """A check's answer to "the model stopped": a note to go on, or a stop with a reason."""

    message: str
    stop: bool = False
    stop_reason: str = ""  # e.g. "contract_unmet"; set when stop is True


class FinishCheck(Protocol):
    name: str

    def on_stop(self, state: RunState) -> FinishVerdict | None:
        """None when this check has nothing against ending the run."""
        ...

    def record(self) -> dict[str, Any]:
        """The workflow's state for RunResult.workflows (JSON-ready)."""
        ...
