"""Evidence log: what each session tried, what worked and what failed.

Every tool call is one row (tool, a digest and short summary of its arguments, outcome, ms,
the error text when it failed); every parser repair is one row. Rows carry the session's task,
so :meth:`EvidenceStore.relevant_failures` can offer a later session with a similar task the
failures met last time. Everything is FTS5-searchable.

The loop does not call this module: :class:`EvidenceRecorder` subscribes to its events.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smallcode.store.db import ProjectStore, Transaction
from smallcode.store.fts import fts_or_query

MAX_ERROR_CHARS = 400
MAX_SUMMARY_CHARS = 240


@dataclass
class Evidence:
    id: int
    session_id: str
    ts: float
    task: str
    kind: str  # tool | repair | outcome
    tool: str
    args_digest: str
    args_summary: str
    ok: bool | None
    ms: float | None
    error: str
    repairs: str

    def line(self) -> str:
        if self.kind == "repair":
            return f"- {self.tool}: the call needed repair ({self.repairs})"
        if self.kind == "outcome":
            state = {True: "finished", False: "did not finish", None: "finished, unverified"}[
                self.ok
            ]
            return f"- task '{_clip(self.task, 80)}' {state}: {self.error or 'no detail'}"
        args = f"({self.args_summary})" if self.args_summary else "()"
        return f"- {self.tool}{args} failed: {_clip(self.error, 200)}"

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def args_digest(args: Any) -> str:
    """A short stable digest of a call's arguments (same arguments, same digest)."""
    try:
        text = json.dumps(args, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(args)
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:16]


def args_summary(args: Any) -> str:
    """``path=src/app.py, line=3``: each value clipped, the whole line bounded."""
    if not isinstance(args, dict):
        return _clip(str(args), MAX_SUMMARY_CHARS)
    parts = []
    for key, value in args.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        parts.append(f"{key}={_clip(' '.join(str(text).split()), 60)}")
    return _clip(", ".join(parts), MAX_SUMMARY_CHARS)


def _clip(text: str, n: int) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 3] + "..."


class EvidenceStore(ProjectStore):
    def _insert(self, **row: Any) -> int:
        row.setdefault("ts", time.time())
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with Transaction(self.conn):
            cur = self.conn.execute(
                f"INSERT INTO evidence({cols}) VALUES ({marks})", tuple(row.values())
            )
        return int(cur.lastrowid or 0)

    def record_tool(
        self,
        session_id: str,
        tool: str,
        args: Any,
        ok: bool,
        ms: float | None = None,
        output: str = "",
        task: str = "",
    ) -> int:
        """One tool call; the output is kept only when the call failed (as its error text)."""
        return self._insert(
            session_id=session_id,
            task=task,
            kind="tool",
            tool=tool,
            args_digest=args_digest(args),
            args_summary=args_summary(args),
            ok=1 if ok else 0,
            ms=ms,
            error="" if ok else _clip((output or "").strip(), MAX_ERROR_CHARS),
        )

    def record_repair(self, session_id: str, tool: str, repairs: list[str], task: str = "") -> int:
        return self._insert(
            session_id=session_id,
            task=task,
            kind="repair",
            tool=tool,
            repairs="; ".join(str(r) for r in repairs),
        )

    def record_outcome(self, session_id: str, task: str, ok: bool | None, note: str = "") -> int:
        """How the session's task ended: done with its checks held (True), not done (False),
        or done with no check to say (None); and why."""
        return self._insert(
            session_id=session_id,
            task=task,
            kind="outcome",
            ok=None if ok is None else (1 if ok else 0),
            error=_clip(note, MAX_ERROR_CHARS),
        )

    # ------------------------------------------------------------------ reading

    def session(self, session_id: str) -> list[Evidence]:
        rows = self.conn.execute(
            "SELECT * FROM evidence WHERE session_id=? ORDER BY id", (session_id,)
        )
        return [_evidence(r) for r in rows]

    def stats(self, session_id: str) -> dict[str, int]:
        row = self.conn.execute(
            "SELECT sum(kind='tool') AS calls, sum(kind='tool' AND ok=0) AS failures, "
            "sum(kind='repair') AS repairs FROM evidence WHERE session_id=?",
            (session_id,),
        ).fetchone()
        return {k: int(row[k] or 0) for k in ("calls", "failures", "repairs")}

    def search(self, query: str, limit: int = 20, failures_only: bool = False) -> list[Evidence]:
        """Rows matching ``query`` across all sessions, best first."""
        match = fts_or_query(query)
        if not match:
            return []
        where = " AND (e.ok = 0 OR e.kind = 'repair')" if failures_only else ""
        rows = self.conn.execute(
            "SELECT e.*, bm25(evidence_fts, 3.0, 1.0, 1.0, 1.5, 0.5) AS score "
            "FROM evidence_fts JOIN evidence e ON e.id = evidence_fts.rowid "
            f"WHERE evidence_fts MATCH ?{where} ORDER BY score LIMIT ?",
            (match, limit),
        )
        return [_evidence(r) for r in rows]

    def relevant_failures(
        self, task: str, limit: int = 5, exclude_session: str | None = None
    ) -> list[Evidence]:
        """Past failures (failed calls, repairs, unfinished tasks) from sessions whose task or
        errors resemble ``task``; one per distinct call or error, best first."""
        out: list[Evidence] = []
        seen: set[str] = set()
        for ev in self.search(task, limit=limit * 8, failures_only=True):
            if exclude_session and ev.session_id == exclude_session:
                continue
            key = f"{ev.kind}:{ev.tool}:{ev.args_digest}:{ev.error[:80]}:{ev.repairs[:80]}"
            if key in seen:
                continue
            seen.add(key)
            out.append(ev)
            if len(out) >= limit:
                break
        return out


def format_failures(rows: list[Evidence]) -> str:
    """The block offered to the model ('' when there is nothing)."""
    if not rows:
        return ""
    return "Past attempts at similar tasks that failed (avoid repeating them):\n" + "\n".join(
        r.line() for r in rows
    )


def _evidence(row: sqlite3.Row) -> Evidence:
    return Evidence(
        id=row["id"],
        session_id=row["session_id"],
        ts=row["ts"],
        task=row["task"],
        kind=row["kind"],
        tool=row["tool"],
        args_digest=row["args_digest"],
        args_summary=row["args_summary"],
        ok=None if row["ok"] is None else bool(row["ok"]),
        ms=row["ms"],
        error=row["error"],
        repairs=row["repairs"],
    )


class EvidenceRecorder:
    """Records a session's ``tool_end`` and ``repair`` events into an :class:`EvidenceStore`.

    ``EvidenceRecorder(store, session_id, task).attach(bus)`` is all the loop needs; arguments
    come from ``tool_end`` when it carries them, else from the matching ``tool_start``.
    Recording never raises into the loop: a failed write is counted in ``errors``.
    """

    def __init__(self, store: EvidenceStore, session_id: str, task: str = "") -> None:
        self.store = store
        self.session_id = session_id
        self.task = task
        self.errors = 0
        self._args_by_id: dict[str, Any] = {}
        self._offs: list[Callable[[], None]] = []

    def set_task(self, task: str) -> None:
        """The task later rows are filed under (a new user message in the same session)."""
        self.task = task

    def attach(self, bus: Any) -> EvidenceRecorder:
        self._offs = [
            bus.on("tool_start", self._on_tool_start),
            bus.on("tool_end", self._on_tool_end),
            bus.on("repair", self._on_repair),
        ]
        return self

    def detach(self) -> None:
        for off in self._offs:
            off()
        self._offs = []

    def record_outcome(self, ok: bool | None, note: str = "") -> None:
        self._safely(lambda: self.store.record_outcome(self.session_id, self.task, ok, note))

    def _on_tool_start(self, event: Any) -> None:
        call_id = event.data.get("id") or ""
        if call_id:
            self._args_by_id[call_id] = event.data.get("args")

    def _on_tool_end(self, event: Any) -> None:
        d = event.data
        args = d.get("args")
        if args is None:
            args = self._args_by_id.pop(d.get("id") or "", None)
        # a bash command that exited non-zero (or timed out) failed, whatever the tool said
        ok = bool(d.get("ok")) and not d.get("exit_code") and not d.get("rolled_back")
        self._safely(
            lambda: self.store.record_tool(
                self.session_id,
                str(d.get("name", "")),
                args if args is not None else {},
                ok,
                d.get("ms"),
                str(d.get("output") or ""),
                self.task,
            )
        )

    def _on_repair(self, event: Any) -> None:
        d = event.data
        repairs = d.get("repairs") or []
        if isinstance(repairs, str):
            repairs = [repairs]
        if repairs:
            self._safely(
                lambda: self.store.record_repair(
                    self.session_id, str(d.get("name", "")), list(repairs), self.task
                )
            )

    def _safely(self, op: Callable[[], Any]) -> None:
        try:
            op()
        except (sqlite3.Error, ValueError, TypeError):
            self.errors += 1
