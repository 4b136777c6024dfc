"""The contract guards: the done guard (a FinishCheck) and the guard on contract files.

``ContractGuard``: when the model stops, re-run what may have changed, then either let the run
end (every assertion passed or skipped) or send one short note listing the unmet assertions, at
most ``contract_max_reasks`` per task, after which the run ends as ``contract_unmet``.

``ContractFileGuard``: the model's file tools and shell commands may not change
``.smallcode/contract.md`` or ``.smallcode/contracts/`` (only the contract_* tools do), and each
call that may change the project is counted so an older pass is checked again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.agent.contract_store import CONTRACTS_DIR, USER_FILE
from smallcode.agent.finish import FinishVerdict
from smallcode.agent.guards.base import GuardEvent, Intervention, was_blocked

if TYPE_CHECKING:
    from smallcode.agent.contracts import ContractSession
    from smallcode.agent.guards import RunState

NOTE_LIMIT = 800
GUARD = "contract"
# Tool names whose calls are the contract's own (not changes to the project).
CONTRACT_TOOLS = (
    "contract_create",
    "contract_status",
    "contract_assert_pass",
    "contract_assert_fail",
    "contract_assert_skip",
)


def last_error(output: str) -> str:
    """The line of a check's output that says most about the failure: the last error-like line
    (a traceback ends with the exception), else the last line."""
    from smallcode.verify.textutil import strip_ansi

    lines = [s.strip() for s in strip_ansi(output).splitlines() if s.strip()]
    errorish = [s for s in lines if _ERRORISH.search(s)]
    found = (errorish or lines or [""])[-1]
    return found if len(found) <= 160 else found[:157] + "..."


_ERRORISH = re.compile(
    r"(?i)(error|exception|assert|fail|traceback|cannot|not found|no such|invalid|panic)"
)


def unmet_lines(session: ContractSession) -> list[str]:
    lines = []
    for a in session.unmet():
        if a.status == "failed" and a.command:
            code = "timed out" if a.exit_code is None else f"exit {a.exit_code}"
            err = last_error(a.output)
            lines.append(f"- {a.id} failed: {a.description} ({code}: {err})")
        elif a.command:
            lines.append(f"- {a.id} {a.status}: {a.description}")
        else:
            lines.append(
                f"- {a.id} {a.status}: {a.description} (no command: contract_assert_pass with "
                "evidence)"
            )
    return lines


def clip_lines(head: str, lines: list[str], tail: str, limit: int = NOTE_LIMIT) -> str:
    """``head``, as many of ``lines`` as fit (each cut), "+N more", ``tail``: <= limit chars."""
    room = limit - len(head) - len(tail) - 20
    kept: list[str] = []
    for i, line in enumerate(lines):
        line = line if len(line) <= 200 else line[:197] + "..."
        if len(line) + 1 > room:
            kept.append(f"(+{len(lines) - i} more)")
            break
        kept.append(line)
        room -= len(line) + 1
    return "\n".join([head, *kept, tail])[:limit]


class ContractGuard:
    """The done guard: a stop with unmet assertions gets a note, at most ``limit`` per task."""

    name = GUARD

    def __init__(self, session: ContractSession, limit: int) -> None:
        self.session = session
        self.limit = max(0, limit)
        self.notes = 0
        self._state: RunState | None = None

    def on_stop(self, state: RunState) -> FinishVerdict | None:
        if state is not self._state:  # a new task: its own notes
            self._state, self.notes = state, 0
        s = self.session
        if s.active is None or s.active.status == "aborted":
            return None
        s.recheck()
        unmet = s.unmet()
        c = s.active
        if not unmet:
            self.session.events.emit(
                "guard", guard=GUARD, action="note", message=f'contract "{c.title}" met'
            )
            return None
        lines = unmet_lines(s)
        if self.notes >= self.limit:
            ids = ", ".join(f"{a.id} {a.status}" for a in unmet)
            s.store.log(c.id, "unmet", notes=self.notes, unmet=[a.id for a in unmet])
            return FinishVerdict(
                f'contract "{c.title}" not met: {ids}'[:300],
                stop=True,
                stop_reason="contract_unmet",
            )
        self.notes += 1
        s.store.log(c.id, "note", n=self.notes, unmet=[a.id for a in unmet])
        head = (
            f'The contract "{c.title}" is not met (note {self.notes} of {self.limit}; then the '
            "run ends as not done):"
        )
        tail = "Fix the work, then finish: the harness re-runs each check itself."
        return FinishVerdict(clip_lines(head, lines, tail))

    def record(self) -> dict[str, Any]:
        return {**self.session.record(), "notes": self.notes, "max_notes": self.limit}


# ---------------------------------------------------------------------- the file guard

_READERS = re.compile(r"^\s*(?:cat|head|tail|ls|grep|rg|wc|less|more|stat|file|diff|find|jq)\b")
_PATH_ARGS = ("path", "paths", "file", "files", "target", "destination")


def protected(path: str, root: Path) -> bool:
    """True for ``.smallcode/contract.md`` and anything under ``.smallcode/contracts``."""
    try:
        p = Path(path.strip()).expanduser()
        p = (p if p.is_absolute() else root / p).resolve()
        rel = p.relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return False
    return rel in (USER_FILE, CONTRACTS_DIR) or rel.startswith(CONTRACTS_DIR + "/")


class ContractFileGuard:
    """Blocks the model's writes to contract files (its file tools, and shell commands that
    name them and do more than read), and counts the calls that may change the project so a
    pass recorded before a later change is checked again."""

    name = "contract"

    def __init__(self, session: ContractSession, read_only: Callable[[str], bool]) -> None:
        self.session = session
        self.read_only = read_only

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if call is None or call.name in CONTRACT_TOOLS:
            return None
        if event.kind == "before_call" and self._touches_contract(call.name, call.arguments):
            return Intervention(
                "block",
                f"Error: {USER_FILE} and {CONTRACTS_DIR}/ hold the contract; only the contract_* "
                "tools change it. Make the checks pass instead.",
                self.name,
            )
        if event.kind == "after_call" and not was_blocked(event) and not self.read_only(call.name):
            self.session.changes += 1
        return None

    def _touches_contract(self, name: str, args: dict[str, Any]) -> bool:
        if self.read_only(name):
            return False
        root = self.session.root
        command = args.get("command")
        if isinstance(command, str) and ".smallcode/contract" in command:
            return not _READERS.match(command) or ">" in command or "|" in command
        for key in _PATH_ARGS:
            value = args.get(key)
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and protected(v, root) for v in values):
                return True
        return False
