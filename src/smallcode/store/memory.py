"""Long-lived memory: decisions, workflows, gotchas, conventions and context notes.

Project-scoped memories live in the project's store, user-scoped ones in the user's store;
:class:`MemoryStore` reads both. ``load(task, max_tokens)`` returns the memories relevant to
a task (FTS5 BM25 over title, content and tags), best first, within a token budget.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from smallcode.store.db import Transaction, open_project_db, open_user_db
from smallcode.store.fts import estimate_tokens, fts_or_query

MEMORY_TYPES = ("decision", "workflow", "gotcha", "convention", "context")
Scope = Literal["project", "user"]
_PREFIX = {"project": "p", "user": "u"}


@dataclass
class Memory:
    id: int
    scope: str
    type: str
    title: str
    content: str
    tags: list[str] = field(default_factory=list)
    created: float = 0.0
    updated: float = 0.0
    uses: int = 0

    @property
    def ref(self) -> str:
        """A handle unique across both stores, e.g. ``p3`` or ``u12``."""
        return f"{_PREFIX.get(self.scope, 'p')}{self.id}"

    def line(self) -> str:
        tags = f" [{', '.join(self.tags)}]" if self.tags else ""
        return f"- ({self.type}) {self.title}: {self.content}{tags}"

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "scope": self.scope,
            "type": self.type,
            "title": self.title,
            "content": self.content,
            "tags": self.tags,
            "created": self.created,
            "updated": self.updated,
            "uses": self.uses,
        }


def normalize_tags(tags: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if not tags:
        return []
    items = tags.replace(";", ",").split(",") if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for t in items:
        t = str(t).strip().lower()
        if t and t not in out:
            out.append(t)
    return out


class MemoryStore:
    """Memories of one project plus the user's own; either connection may be absent."""

    def __init__(
        self,
        project: sqlite3.Connection | None = None,
        user: sqlite3.Connection | None = None,
    ) -> None:
        self._conns: dict[str, sqlite3.Connection] = {}
        if project is not None:
            self._conns["project"] = project
        if user is not None:
            self._conns["user"] = user

    @classmethod
    def open(
        cls, root: Path | None, *, data_dir: str | None = None, user: bool = True
    ) -> MemoryStore:
        """Open the project's store (when ``root`` is given) and the user's (when ``user``)."""
        return cls(
            open_project_db(root) if root is not None else None,
            open_user_db(data_dir) if user else None,
        )

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def _conn(self, scope: str) -> sqlite3.Connection:
        if scope not in ("project", "user"):
            raise ValueError(f"unknown memory scope '{scope}': use project or user")
        conn = self._conns.get(scope)
        if conn is None:
            raise ValueError(f"no {scope} store is open")
        return conn

    # ------------------------------------------------------------------ writing

    def remember(
        self,
        type: str,
        title: str,
        content: str,
        tags: str | list[str] | None = None,
        scope: Scope = "project",
    ) -> Memory:
        """Store a memory; one with the same type and title is updated instead of duplicated."""
        type = (type or "").strip().lower()
        if type not in MEMORY_TYPES:
            raise ValueError(f"unknown memory type '{type}': use one of {', '.join(MEMORY_TYPES)}")
        title, content = (title or "").strip(), (content or "").strip()
        if not title or not content:
            raise ValueError("a memory needs a title and content")
        tag_text = ",".join(normalize_tags(tags))
        now = time.time()
        conn = self._conn(scope)
        with Transaction(conn):
            conn.execute(
                "INSERT INTO memories(type, title, content, tags, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(type, title) DO UPDATE SET "
                "content=excluded.content, tags=excluded.tags, updated=excluded.updated",
                (type, title, content, tag_text, now, now),
            )
            row = conn.execute(
                "SELECT * FROM memories WHERE type=? AND title=?", (type, title)
            ).fetchone()
        return _memory(row, scope)

    def forget(self, ref: str | int) -> list[Memory]:
        """Delete by ref (``p3``, ``u12``), bare id (project first) or exact title."""
        found = self.find(ref)
        for m in found:
            conn = self._conn(m.scope)
            with Transaction(conn):
                conn.execute("DELETE FROM memories WHERE id=?", (m.id,))
        return found

    def find(self, ref: str | int) -> list[Memory]:
        text = str(ref).strip()
        if not text:
            return []
        if text[0] in "pu" and text[1:].isdigit():
            scope = "project" if text[0] == "p" else "user"
            return self._by_id(scope, int(text[1:]))
        if text.isdigit():
            for scope in self._conns:
                hit = self._by_id(scope, int(text))
                if hit:
                    return hit
            return []
        out: list[Memory] = []
        for scope, conn in self._conns.items():
            rows = conn.execute("SELECT * FROM memories WHERE title=? COLLATE NOCASE", (text,))
            out.extend(_memory(r, scope) for r in rows)
        return out

    def _by_id(self, scope: str, mid: int) -> list[Memory]:
        conn = self._conns.get(scope)
        if conn is None:
            return []
        row = conn.execute("SELECT * FROM memories WHERE id=?", (mid,)).fetchone()
        return [_memory(row, scope)] if row else []

    # ------------------------------------------------------------------ reading

    def entries(
        self, type: str | None = None, scope: str | None = None, limit: int = 100
    ) -> list[Memory]:
        """The stored memories, newest first (optionally of one type or one scope)."""
        out: list[Memory] = []
        for sc, conn in self._conns.items():
            if scope and sc != scope:
                continue
            sql = "SELECT * FROM memories"
            params: list[object] = []
            if type:
                sql += " WHERE type=?"
                params.append(type)
            sql += " ORDER BY updated DESC LIMIT ?"
            params.append(limit)
            out.extend(_memory(r, sc) for r in conn.execute(sql, params))
        out.sort(key=lambda m: m.updated, reverse=True)
        return out[:limit]

    def search(self, query: str, limit: int = 20) -> list[Memory]:
        """Memories matching ``query``, best first (BM25, title weighted highest)."""
        match = fts_or_query(query)
        if not match:
            return []
        scored: list[tuple[float, Memory]] = []
        for scope, conn in self._conns.items():
            rows = conn.execute(
                "SELECT m.*, bm25(memories_fts, 4.0, 1.0, 2.0) AS score FROM memories_fts "
                "JOIN memories m ON m.id = memories_fts.rowid "
                "WHERE memories_fts MATCH ? ORDER BY score LIMIT ?",
                (match, limit),
            )
            scored.extend((r["score"], _memory(r, scope)) for r in rows)
        scored.sort(key=lambda x: x[0])
        return [m for _, m in scored[:limit]]

    def load(self, task: str, max_tokens: int = 800) -> list[Memory]:
        """The memories relevant to ``task`` within ``max_tokens``: matches first, then
        conventions (they apply to any task), each memory whole or not at all."""
        chosen: list[Memory] = []
        keys: set[tuple[str, int]] = set()
        used = 0
        candidates = self.search(task, limit=50) + self.entries(type="convention", limit=20)
        for m in candidates:
            if (m.scope, m.id) in keys:
                continue
            cost = estimate_tokens(m.line()) + 1
            if used + cost > max_tokens:
                continue
            chosen.append(m)
            keys.add((m.scope, m.id))
            used += cost
        self._mark_used(chosen)
        return chosen

    def _mark_used(self, memories: list[Memory]) -> None:
        for m in memories:
            conn = self._conns.get(m.scope)
            if conn is None:
                continue
            try:
                conn.execute("UPDATE memories SET uses = uses + 1 WHERE id=?", (m.id,))
            except sqlite3.OperationalError:
                pass  # a busy store must not stop the session from starting

    def count(self) -> int:
        return sum(
            c.execute("SELECT count(*) FROM memories").fetchone()[0] for c in self._conns.values()
        )


def format_memories(memories: list[Memory]) -> str:
    """The block injected into the prompt ('' when there is nothing)."""
    if not memories:
        return ""
    return "Memory from earlier sessions:\n" + "\n".join(m.line() for m in memories)


def _memory(row: sqlite3.Row, scope: str) -> Memory:
    return Memory(
        id=row["id"],
        scope=scope,
        type=row["type"],
        title=row["title"],
        content=row["content"],
        tags=[t for t in row["tags"].split(",") if t],
        created=row["created"],
        updated=row["updated"],
        uses=row["uses"],
    )
