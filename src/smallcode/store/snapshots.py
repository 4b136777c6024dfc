"""File snapshots taken before every agent write or patch, for ``/undo`` (git-independent).

They live in ``<root>/.smallcode/snapshots.db`` (SQLite): one row per change with the bytes
the file had before (or a note that it did not exist) and, once the change succeeded, a hash of
what was written. ``undo(n)`` walks back the last ``n`` changes: a file that existed gets its
old bytes back, a file the agent created is deleted. A file changed since the agent wrote it
is left alone unless ``force`` is given.

    store = SnapshotStore.open(root)
    cid = store.record("src/app.py", "patch")  # before writing
    ...write...
    store.confirm(cid)                          # after a successful write (or discard(cid))
    store.undo(1)                               # what /undo does

The REPL's words for them are in ui/reports.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from smallcode.fsio import atomic_write
from smallcode.store.db import PROJECT_DIR, StoreError, Transaction, connect, project_store_dir

SNAPSHOT_DB = "snapshots.db"
KEEP_CHANGES = 500
MAX_SNAPSHOT_BYTES = 10 * 1024 * 1024

MIGRATIONS = (
    """
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session TEXT NOT NULL,
        ts REAL NOT NULL,
        path TEXT NOT NULL,
        tool TEXT NOT NULL,
        existed INTEGER NOT NULL,
        content BLOB,
        mode INTEGER,
        after_hash TEXT,
        state TEXT NOT NULL DEFAULT 'pending'
    );
    CREATE INDEX changes_state ON changes(state, id);
    """,
)


@dataclass
class Change:
    id: int
    session: str
    ts: float
    path: str
    tool: str
    existed: bool
    state: str  # pending | applied | undone


@dataclass
class UndoResult:
    change_id: int
    path: str
    action: str  # restored | deleted | skipped
    reason: str = ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SnapshotStore:
    def __init__(self, root: Path, conn: sqlite3.Connection, session: str | None = None) -> None:
        self.root = Path(root).resolve()
        self.conn = conn
        self.session = session or uuid.uuid4().hex[:12]

    @classmethod
    def open(cls, root: Path | str, session: str | None = None) -> SnapshotStore:
        root = Path(root).resolve()
        conn = connect(project_store_dir(root) / SNAPSHOT_DB, MIGRATIONS)
        store = cls(root, conn, session)
        store.prune()
        return store

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------------ recording

    def _abs(self, rel: str) -> Path:
        return (self.root / rel).resolve()

    def record(self, rel_path: str, tool: str) -> int:
        """Snapshot a file before it changes; returns the change id."""
        target = self._abs(rel_path)
        existed = target.is_file()
        content: bytes | None = None
        mode: int | None = None
        if existed:
            if target.stat().st_size > MAX_SNAPSHOT_BYTES:
                raise StoreError(f"{rel_path} is too large to snapshot")
            content = target.read_bytes()
            mode = target.stat().st_mode & 0o7777
        with Transaction(self.conn) as c:
            cur = c.execute(
                "INSERT INTO changes (session, ts, path, tool, existed, content, mode) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.session, time.time(), rel_path, tool, int(existed), content, mode),
            )
        return int(cur.lastrowid or 0)

    def confirm(self, change_id: int) -> None:
        """The write succeeded: remember what it wrote (to detect later outside edits)."""
        row = self.conn.execute("SELECT path FROM changes WHERE id = ?", (change_id,)).fetchone()
        if row is None:
            return
        target = self._abs(row["path"])
        after = _sha(target.read_bytes()) if target.is_file() else None
        self.conn.execute(
            "UPDATE changes SET after_hash = ?, state = 'applied' WHERE id = ?",
            (after, change_id),
        )

    def discard(self, change_id: int) -> None:
        """The write did not happen: forget its snapshot."""
        self.conn.execute("DELETE FROM changes WHERE id = ?", (change_id,))

    def prune(self, keep: int = KEEP_CHANGES) -> None:
        self.conn.execute(
            "DELETE FROM changes WHERE id NOT IN (SELECT id FROM changes ORDER BY id DESC LIMIT ?)",
            (keep,),
        )

    # ------------------------------------------------------------------ reading

    def history(self, limit: int = 20, include_undone: bool = False) -> list[Change]:
        where = "" if include_undone else "WHERE state != 'undone'"
        rows = self.conn.execute(
            f"SELECT id, session, ts, path, tool, existed, state FROM changes {where} "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            Change(
                r["id"], r["session"], r["ts"], r["path"], r["tool"], bool(r["existed"]), r["state"]
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ undo

    def undo(
        self, n: int = 1, *, session: str | None = None, force: bool = False
    ) -> list[UndoResult]:
        """Undo the last ``n`` changes (newest first). Stops at the first one it must skip."""
        sql = "SELECT * FROM changes WHERE state != 'undone'"
        args: list[object] = []
        if session:
            sql += " AND session = ?"
            args.append(session)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(max(1, n))
        results: list[UndoResult] = []
        for row in self.conn.execute(sql, args).fetchall():
            res = self._undo_row(row, force)
            results.append(res)
            if res.action == "skipped":
                break
        return results

    def rollback(self, change_id: int) -> UndoResult:
        """Undo one specific change (auto-rollback after a failed validation)."""
        row = self.conn.execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        if row is None:
            return UndoResult(change_id, "?", "skipped", "no such snapshot")
        return self._undo_row(row, force=True)

    def _undo_row(self, row: sqlite3.Row, force: bool) -> UndoResult:
        rel = row["path"]
        target = self._abs(rel)
        current = target.read_bytes() if target.is_file() else None
        expected = row["after_hash"]
        if not force and current is not None and expected and _sha(current) != expected:
            return UndoResult(
                row["id"], rel, "skipped", "changed since SmallCode wrote it (use --force)"
            )
        if row["existed"]:
            atomic_write(target, row["content"] or b"", row["mode"], root=self.root)
            action = "restored"
        else:
            if target.is_file():
                target.unlink()
            action = "deleted"
        self.conn.execute("UPDATE changes SET state = 'undone' WHERE id = ?", (row["id"],))
        return UndoResult(row["id"], rel, action, f"{row['tool']} undone")


def has_snapshots(root: Path | str) -> bool:
    """True when ``root`` has a snapshot store (without creating one)."""
    return (Path(root) / PROJECT_DIR / SNAPSHOT_DB).is_file()
