"""/contract: Definition-of-Done contracts from the REPL (create, list, status, activate, abort).

    /contract create Add f; f returns 2: `python -c "import app; assert app.f() == 2"`; tests pass: `pytest -q`

The text before the first ``;`` (outside backticks) is the title; each later part is one assertion, written like a
line of ``.smallcode/contract.md`` (a description, then an optional backticked command).
Contracts made here belong to the user: the model cannot replace them or skip their checks.
The contract tools join the model's tool list at the next task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.agent.contracts import ContractSession
    from smallcode.ui.repl import Repl

USAGE = (
    "Usage: `/contract create TITLE; CHECK; CHECK ...` where a CHECK is a description with an "
    "optional command in backticks (``tests pass: `pytest -q` ``); `/contract list`, "
    "`/contract status`, `/contract activate ID`, `/contract abort`. A `.smallcode/contract.md` "
    "with lines like ``- [ ] tests pass: `pytest -q` `` is the active contract too."
)


def session_of(ui: Repl) -> ContractSession | None:
    return ui.agent.ctx.contracts


@command("contract", "Definition-of-Done contract: create, list, status, activate, abort")
def cmd_contract(ui: Repl, arg: str) -> str:
    from smallcode.agent.contract_store import USER_FILE, USER_FILE_ID
    from smallcode.errors import ToolError

    session = session_of(ui)
    if session is None:
        return "Contracts are off (SMALLCODE_CONTRACT=false)."
    verb, _, rest = arg.strip().partition(" ")
    verb = verb.lower() or "status"
    try:
        if verb == "create":
            return _create(ui, session, rest)
        if verb == "list":
            return _list(session)
        if verb in ("status", "show"):
            session.refresh()
            text = session.status_text(detail=True)
            return f"```\n{text}\n```" if session.active else f"{text}\n\n{USAGE}"
        if verb == "activate":
            if not rest.strip():
                return (
                    "Give the contract id: `/contract activate ID` (`/contract list` shows them)."
                )
            c = session.activate(rest)
            return f'Contract "{c.title}" is active ({c.counts()}).{_joins(ui)}'
        if verb in ("abort", "clear"):
            aborted = session.abort()
            if aborted is None:
                return "No contract is active."
            kept = f" ({USER_FILE} stays: edit it to make it active again)"
            tail = kept if aborted.id == USER_FILE_ID else ""
            return f'Contract "{aborted.title}" aborted.' + tail
    except ToolError as exc:
        return f"contract: {exc}"
    return USAGE


def _create(ui: Repl, session: ContractSession, text: str) -> str:
    from smallcode.agent.contract_store import parse_assertion_text

    title, *parts = split_parts(text)
    items = [parse_assertion_text(p) for p in parts if p]
    if not title or not items:
        return USAGE
    c = session.create(title, items, owner="user", source="command")
    lines = [
        f"- {a.id} {a.description}" + (f": `{a.command}`" if a.command else " (no command)")
        for a in c.assertions
    ]
    return f'Contract "{c.title}" created and active:\n' + "\n".join(lines) + _joins(ui)


def split_parts(text: str) -> list[str]:
    """Split on ``;`` outside backticks (a command may hold its own ``;``)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == "`":
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _list(session: ContractSession) -> str:
    contracts = session.store.all()
    if not contracts:
        return "No contracts yet. " + USAGE
    active = session.active.id if session.active else ""
    rows = [
        f"- {'**' if c.id == active else ''}`{c.id}`{'** (active)' if c.id == active else ''}: "
        f'"{c.title}", {c.owner}, {c.status}, {c.counts()}'
        for c in contracts
    ]
    return "\n".join(rows)


def _joins(ui: Repl) -> str:
    if "contract_status" in ui.agent.registry:
        return ""
    return "\nThe contract tools join the model's tools with the next task."
