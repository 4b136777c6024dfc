"""Definition-of-Done contracts: checks that must pass before a run may end as done.

A contract is a title and a list of assertions (a01, a02, ...), each with an optional shell
check. It comes from the model (``contract_create``), the user (``/contract create``) or the
user's ``.smallcode/contract.md``. Rules:

- **A pass is never taken on the model's word.** An assertion with a command is passed only
  when the harness itself runs the command (``run_check``) and it exits 0; the model's
  evidence is stored, shortened, and otherwise ignored. A claimed pass whose command fails is
  recorded as a fail with the real exit code and output. An assertion without a command may be
  passed on evidence and is recorded as unverified.
- **The done guard** (``ContractGuard``, a FinishCheck): when the model stops, the harness first
  re-runs the commands of pending and failed assertions (and of passes made stale by a later
  change), so a model that fixed the work need not call ``contract_assert_pass`` at all. Still
  unmet: one short note listing them, at most ``contract_max_reasks`` times per task, then the
  run ends with exit 1 and ``stop_reason: "contract_unmet"``.
- **A user's contract is the user's.** The model may not replace it (``contract_create`` is
  refused while it is active), may not skip its assertions, and its file tools may not write
  ``.smallcode/contract.md`` or ``.smallcode/contracts/``. A model's own unmet contract cannot be
  replaced either (no dodging by starting over); it may skip its own assertions, with a reason.
- **When offered**: tools and guard while a contract is active; the tools always with
  ``SMALLCODE_CONTRACT=true`` (``--contract``); nothing with ``false``. The tools join at session
  start or at the start of the next task (after ``/contract create``), never mid-task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.agent.contract_guard import GUARD, ContractGuard, clip_lines, last_error
from smallcode.agent.contract_store import (
    EVIDENCE_CHARS,
    USER_FILE,
    USER_FILE_ID,
    Assertion,
    CheckRun,
    Contract,
    ContractStore,
    make_assertions,
    normalize_id,
    now,
    parse_contract_md,
    run_check,
    state_phrase,
)
from smallcode.errors import ToolError

if TYPE_CHECKING:
    from pathlib import Path

    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult
    from smallcode.config import Settings
    from smallcode.events import EventBus

STATUSES = ("passed", "failed", "pending", "skipped")


class ContractSession:
    """The contracts of one agent session: the active contract (kept in memory and written
    through to the store after every change) and the operations on it."""

    def __init__(self, root: Path, settings: Settings, events: EventBus) -> None:
        self.root = root
        self.settings = settings
        self.events = events
        self.store = ContractStore(root)
        self.active: Contract | None = None
        self.changes = 0  # tool calls that may have changed the project (see ContractFileGuard)
        # Runs a check: (command, root, timeout) -> CheckRun. One swap point for permissions.
        self.runner: Callable[[str, Path, float], CheckRun] = run_check

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        """At session start and before each task: import ``.smallcode/contract.md`` when it is
        new or changed, then follow the active pointer. Within a task the contract in memory
        is the truth (what the model does to the files cannot change it)."""
        try:
            self._import_user_file()
            cid = self.store.active_id()
            if not cid:
                self.active = None
            elif self.active is None or self.active.id != cid:
                loaded = self.store.load(cid)
                self.active = loaded if loaded and loaded.status != "aborted" else None
                self._adopt(self.active)
        except OSError as exc:
            self.events.emit("notice", message=f"contract: {exc}")

    def _adopt(self, c: Contract | None) -> None:
        for a in c.assertions if c else []:
            a.at_change = self.changes  # a loaded pass stays good until the next change

    def _import_user_file(self) -> None:
        found = self.store.user_file_text()
        if found is None:
            if self.store.active_id() == USER_FILE_ID:  # the user removed the file
                self.store.set_active("")
                self.store.log(USER_FILE_ID, "removed")
            return
        text, sha = found
        old = self.store.load(USER_FILE_ID)
        if old is not None and old.file_sha == sha:
            return
        title, brief, items = parse_contract_md(text)
        if not items:
            self.events.emit("notice", message=f"contract: {USER_FILE} has no `- [ ]` lines")
            return
        c = Contract(
            USER_FILE_ID, title, brief, "user", "file", created=now(), file_sha=sha,
            assertions=make_assertions([(d, cmd) for d, cmd, _ in items]),
        )  # fmt: skip
        before = {(a.description, a.command): a for a in (old.assertions if old else [])}
        for a, (_d, _c, checked) in zip(c.assertions, items, strict=False):
            kept = before.get((a.description, a.command))
            if checked:
                a.status, a.by, a.evidence = "passed", "user", f"checked in {USER_FILE}"
            elif kept is not None and kept.status != "pending":
                a.status, a.verified, a.by, a.evidence = (
                    kept.status, kept.verified, kept.by, kept.evidence
                )  # fmt: skip
                a.exit_code, a.output, a.runs = kept.exit_code, kept.output, kept.runs
        self._adopt(c)
        c.settle()
        self.store.save(c)
        self.store.set_active(c.id)
        self.store.log(c.id, "import", file=USER_FILE, sha=sha, assertions=len(c.assertions))
        self.active = c
        self.events.emit(
            "notice", message=f"contract: {USER_FILE} is the active contract ({c.counts()})"
        )

    # ------------------------------------------------------------------ creating, switching

    def create(
        self,
        title: str,
        items: list[tuple[str, str]],
        brief: str = "",
        owner: str = "model",
        source: str = "tool",
    ) -> Contract:
        title = " ".join(title.split())[:120] or "contract"
        c = Contract(
            self.store.new_id(title), title, " ".join(brief.split())[:600], owner, source,
            created=now(), assertions=make_assertions(items),
        )  # fmt: skip
        self._adopt(c)
        self.store.save(c)
        self.store.set_active(c.id)
        self.store.log(c.id, "create", owner=owner, source=source, title=title)
        self.active = c
        return c

    def activate(self, ref: str) -> Contract:
        ref = ref.strip()
        found = [c for c in self.store.all() if c.id == ref] or [
            c for c in self.store.all() if c.id.startswith(ref) or ref.lower() in c.id.lower()
        ]
        if len(found) != 1:
            raise ToolError(
                f"no contract matches '{ref}'" if not found else f"'{ref}' matches several"
            )
        c = found[0]
        if c.status == "aborted":
            c.status = "active"
        c.settle()
        self._adopt(c)
        self.store.save(c)
        self.store.set_active(c.id)
        self.store.log(c.id, "activate")
        self.active = c
        return c

    def abort(self) -> Contract | None:
        c = self.active
        if c is None:
            return None
        c.status = "aborted"
        self.store.save(c)
        self.store.set_active("")
        self.store.log(c.id, "abort")
        self.active = None
        return c

    # ------------------------------------------------------------------ the model's calls

    def target(self, assertion_id: str) -> tuple[Contract, Assertion]:
        c = self.active
        if c is None:
            raise ToolError("no contract is active: create one with contract_create")
        a = c.get(normalize_id(assertion_id))
        if a is None:
            ids = ", ".join(x.id for x in c.assertions)
            raise ToolError(f"no assertion '{assertion_id}' in the contract; ids: {ids}")
        return c, a

    def check(self, a: Assertion, evidence: str = "", claim: str = "") -> CheckRun:
        """Run ``a``'s command now and record the real outcome."""
        run = self.runner(a.command, self.root, float(self.settings.verify_timeout))
        a.status = "passed" if run.ok else "failed"
        a.verified, a.by, a.exit_code, a.output = True, "harness", run.exit_code, run.output
        a.runs += 1
        a.at_change, a.updated = self.changes, now()
        if evidence:
            a.evidence = evidence
        if self.active is not None:
            self.store.log(
                self.active.id, "check", assertion=a.id, command=a.command,
                exit_code=run.exit_code, timed_out=run.timed_out, claim=claim,
                evidence=evidence, output=run.output,
            )  # fmt: skip
        code = "timed out" if run.timed_out else f"exit {run.exit_code}"
        self.events.emit(
            "guard", guard=GUARD, action="check", message=f"{a.id} {a.status}: {code} `{a.command}`"
        )
        return run

    def claim_pass(self, assertion_id: str, evidence: str, command: str) -> str:
        c, a = self.target(assertion_id)
        evidence = " ".join((evidence or "").split())[:EVIDENCE_CHARS]
        note = ""
        if command.strip() and not a.command:
            a.command = command.strip()  # the model names the check of an assertion without one
        elif command.strip() and command.strip() != a.command:
            note = " (its own command ran, not the one you gave)"
        if a.command:
            run = self.check(a, evidence, claim="pass")
            self._save(c)
            if run.ok:
                return f"{a.id} passed: the harness ran `{a.command}`{note}: exit 0.\n{self.line()}"
            code = "timed out" if run.timed_out else f"exited {run.exit_code}"
            raise ToolError(
                f"{a.id} is NOT passed: the harness ran `{a.command}`{note} and it {code}; "
                f"recorded as failed (your evidence is not accepted). Last lines:\n"
                f"{run.output or '(no output)'}\n{self.line()}"
            )
        if not evidence:
            raise ToolError(
                f"{a.id} has no command: give evidence (what you checked) or a command to run"
            )
        self._set(c, a, "passed", evidence, "pass")
        return f"{a.id} passed on your evidence (unverified: it has no command).\n{self.line()}"

    def claim_fail(self, assertion_id: str, evidence: str, command: str) -> str:
        c, a = self.target(assertion_id)
        if command.strip() and not a.command:
            a.command = command.strip()
        self._set(c, a, "failed", " ".join(evidence.split())[:EVIDENCE_CHARS], "fail")
        return f"{a.id} recorded as failed.\n{self.line()}"

    def skip(self, assertion_id: str, reason: str) -> str:
        c, a = self.target(assertion_id)
        if c.owner == "user":
            self.store.log(c.id, "refused", assertion=a.id, action="skip", reason=reason)
            raise ToolError(
                f"{a.id} is the user's check: it cannot be skipped. Make it pass, or say in "
                "your answer why it cannot be met."
            )
        reason = " ".join((reason or "").split())[:EVIDENCE_CHARS]
        if not reason:
            raise ToolError("give the reason this assertion does not apply")
        self._set(c, a, "skipped", reason, "skip")
        return f"{a.id} skipped.\n{self.line()}"

    def _set(self, c: Contract, a: Assertion, status: str, evidence: str, event: str) -> None:
        a.status, a.verified, a.by, a.evidence, a.updated = status, False, "model", evidence, now()
        self.store.log(c.id, event, assertion=a.id, evidence=evidence, command=a.command)
        self._save(c)

    def _save(self, c: Contract) -> None:
        c.settle()
        try:
            self.store.save(c)
        except OSError as exc:
            self.events.emit("error", message=f"contract: could not save {c.id}: {exc}")

    # ------------------------------------------------------------------ judging

    def recheck(self) -> None:
        """Run again the checks that could have changed: pending ones, failed ones (unless
        nothing changed since their last run) and passes older than the latest change."""
        c = self.active
        if c is None:
            return
        ran = False
        for a in c.assertions:
            if not a.command or a.status == "skipped" or (a.status == "passed" and not a.verified):
                continue
            stale = a.at_change < self.changes
            if a.status == "pending" or stale or (a.status == "failed" and not a.verified):
                self.check(a)
                ran = True
        if ran:
            self._save(c)

    def unmet(self) -> list[Assertion]:
        return self.active.unmet() if self.active is not None else []

    def line(self) -> str:
        """One line on the whole contract, for tool results."""
        c = self.active
        if c is None:
            return "No contract is active."
        left = ", ".join(f"{a.id} {a.status}" for a in c.unmet())
        return f"Contract: {c.counts()}" + (f"; unmet: {left}." if left else "; all met.")

    def task_note(self) -> str:
        """The unmet assertions, for the model before a task (empty when all are met)."""
        c = self.active
        if c is None or not c.unmet():
            return ""
        head = f'Contract "{c.title}" is active: the task is done only when these pass.'
        lines = [
            f"- {a.id} {a.description}"
            + (f": `{a.command}`" if a.command else " (no command: pass it with evidence)")
            for a in c.unmet()
        ]
        tail = "The harness runs each command itself when you finish."
        return clip_lines(head, lines, tail)

    def status_text(self, detail: bool = False) -> str:
        c = self.active
        if c is None:
            return "No contract is active."
        owner = "the user" if c.owner == "user" else "the model"
        lines = [f'Contract "{c.title}" ({c.id}, set by {owner}): {c.status}, {c.counts()}.']
        if detail and c.brief:
            lines.append(c.brief)
        for a in c.assertions:
            check = f" `{a.command}`" if a.command else ""
            lines.append(f"- {a.id} {a.description}{check}: {state_phrase(a)}")
            if a.status == "failed" and a.output:
                shown = a.output.splitlines()[-8:] if detail else [last_error(a.output)]
                lines += [f"    {s[:200]}" for s in shown]
        if any(not a.command and a.status == "pending" for a in c.assertions):
            lines.append("Assertions without a command pass on evidence, marked unverified.")
        return "\n".join(lines)

    def record(self) -> dict[str, Any]:
        c = self.active
        if c is None:
            return {"status": "none", "mode": self.settings.contract}
        counts = {s: sum(a.status == s for a in c.assertions) for s in STATUSES}
        return {
            "mode": self.settings.contract,
            "id": c.id,
            "title": c.title,
            "owner": c.owner,
            "source": c.source,
            "status": c.status,
            "counts": {**counts, "total": len(c.assertions)},
            "assertions": [a.to_dict() for a in c.assertions],
        }


# ---------------------------------------------------------------------- installing


def add_context(agent: Agent, text: str) -> None:
    """Tell the model about the contract with the task: joined to the session's "context for
    the next task" message when one was just added, else a message of its own."""
    from smallcode.types import Message

    if not text:
        return
    last = agent.messages[-1] if agent.messages else None
    if last is not None and last.role == "user" and last.meta.get("kind") == "context":
        last.content = f"{last.content}\n\n{text}"
    else:
        agent.messages.append(Message("user", text, meta={"kind": "context", "guard": GUARD}))


def install(agent: Agent) -> None:
    """Called once per session by build_agent (agent/workflows.py)."""
    settings = agent.settings
    if settings.contract == "false":
        return
    from smallcode.agent.contract_guard import ContractFileGuard
    from smallcode.agent.contract_tools import add_tools

    session = ContractSession(agent.ctx.root, settings, agent.events)
    agent.ctx.contracts = session
    session.refresh()
    guard = ContractGuard(session, settings.contract_max_reasks)
    agent.finish_checks.append(guard)

    def read_only(name: str) -> bool:
        t = agent.registry.get(name)
        return t is not None and t.read_only

    agent.guards.add(ContractFileGuard(session, read_only))
    if settings.contract == "true" or session.active is not None:
        add_tools(agent.registry)

    def before_task(agent: Agent, task: str) -> None:
        session.refresh()
        if session.active is not None:
            add_tools(agent.registry)  # a contract made between tasks: the tools join now
            add_context(agent, session.task_note())

    def after_task(agent: Agent, result: RunResult) -> None:
        result.workflows[GUARD] = guard.record()  # also when the run ended another way

    agent.task_hooks.append(before_task)
    agent.end_hooks.append(after_task)
