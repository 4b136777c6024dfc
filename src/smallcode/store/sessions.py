"""Saved conversations: every session's messages, listable and resumable.

Messages are stored one row each as ``Message.to_dict()`` JSON, in order. ``save`` writes the
whole list (rows past the new end are removed, so compaction that shortens history is fine);
``append`` adds messages cheaply after each turn.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from smallcode.store.db import ProjectStore, Transaction
from smallcode.types import Message


@dataclass
class SessionInfo:
    id: str
    created: float
    updated: float
    title: str
    model: str
    cwd: str
    messages: int
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class SavedSession:
    info: SessionInfo
    messages: list[Message]


def new_session_id() -> str:
    """Sortable by time: ``20250101-120000-ab12cd``."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


class SessionStore(ProjectStore):
    def create(
        self,
        title: str = "",
        model: str = "",
        cwd: str = "",
        meta: dict[str, Any] | None = None,
        session_id: str | None = None,
    ) -> str:
        sid = session_id or new_session_id()
        now = time.time()
        with Transaction(self.conn):
            self.conn.execute(
                "INSERT INTO sessions(id, created, updated, title, model, cwd, meta) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sid, now, now, title[:200], model, cwd, json.dumps(meta or {})),
            )
        return sid

    def update_info(
        self,
        session_id: str,
        *,
        title: str | None = None,
        model: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        sets: list[str] = ["updated=?"]
        params: list[str | float] = [time.time()]
        if title is not None:
            sets.append("title=?")
            params.append(title[:200])
        if model is not None:
            sets.append("model=?")
            params.append(model)
        if meta is not None:
            sets.append("meta=?")
            params.append(json.dumps(meta))
        with Transaction(self.conn):
            self.conn.execute(
                f"UPDATE sessions SET {', '.join(sets)} WHERE id=?", (*params, session_id)
            )

    def save(self, session_id: str, messages: list[Message]) -> None:
        """Store the whole conversation (creating the session row when it is new)."""
        now = time.time()
        rows = [(session_id, i, json.dumps(m.to_dict())) for i, m in enumerate(messages)]
        with Transaction(self.conn):
            self.conn.execute(
                "INSERT INTO sessions(id, created, updated, title) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET updated=excluded.updated",
                (session_id, now, now, _title_from(messages)),
            )
            self.conn.execute(
                "UPDATE sessions SET title=? WHERE id=? AND title=''",
                (_title_from(messages), session_id),
            )
            self.conn.executemany(
                "INSERT OR REPLACE INTO session_messages(session_id, seq, message) "
                "VALUES (?, ?, ?)",
                rows,
            )
            self.conn.execute(
                "DELETE FROM session_messages WHERE session_id=? AND seq>=?",
                (session_id, len(messages)),
            )

    def append(self, session_id: str, messages: list[Message]) -> None:
        """Add messages after the ones already stored."""
        if not messages:
            return
        with Transaction(self.conn):
            start = self.conn.execute(
                "SELECT coalesce(max(seq) + 1, 0) FROM session_messages WHERE session_id=?",
                (session_id,),
            ).fetchone()[0]
            self.conn.executemany(
                "INSERT INTO session_messages(session_id, seq, message) VALUES (?, ?, ?)",
                [(session_id, start + i, json.dumps(m.to_dict())) for i, m in enumerate(messages)],
            )
            self.conn.execute("UPDATE sessions SET updated=? WHERE id=?", (time.time(), session_id))

    def list(self, limit: int = 20) -> list[SessionInfo]:
        """Sessions, most recently updated first."""
        rows = self.conn.execute(
            "SELECT s.*, (SELECT count(*) FROM session_messages m WHERE m.session_id = s.id) "
            "AS n FROM sessions s ORDER BY s.updated DESC, s.rowid DESC LIMIT ?",
            (limit,),
        )
        return [_info(r) for r in rows]

    def load(self, session_id: str) -> SavedSession | None:
        row = self.conn.execute(
            "SELECT s.*, (SELECT count(*) FROM session_messages m WHERE m.session_id = s.id) "
            "AS n FROM sessions s WHERE s.id=?",
            (session_id,),
        ).fetchone()
        if row is None:
            # Accept a unique prefix of an id, as users type short ones.
            matches = self.conn.execute(
                "SELECT id FROM sessions WHERE id LIKE ? LIMIT 2", (session_id + "%",)
            ).fetchall()
            if len(matches) != 1:
                return None
            return self.load(matches[0][0])
        msgs = self.conn.execute(
            "SELECT message FROM session_messages WHERE session_id=? ORDER BY seq",
            (row["id"],),
        )
        return SavedSession(_info(row), [Message.from_dict(json.loads(m[0])) for m in msgs])

    def latest(self) -> SavedSession | None:
        infos = self.list(limit=1)
        return self.load(infos[0].id) if infos else None

    def delete(self, session_id: str) -> bool:
        with Transaction(self.conn):
            self.conn.execute("DELETE FROM session_messages WHERE session_id=?", (session_id,))
            cur = self.conn.execute("DELETE FROM sessions WHERE id=?", (session_id,))
        return cur.rowcount > 0


def _title_from(messages: list[Message]) -> str:
    for m in messages:
        if m.role == "user" and m.content.strip() and not m.meta:
            return " ".join(m.content.split())[:80]
    return ""


def _info(row: sqlite3.Row) -> SessionInfo:
    try:
        meta = json.loads(row["meta"] or "{}")
    except ValueError:
        meta = {}
    return SessionInfo(
        id=row["id"],
        created=row["created"],
        updated=row["updated"],
        title=row["title"],
        model=row["model"],
        cwd=row["cwd"],
        messages=row["n"],
        meta=meta,
    )
