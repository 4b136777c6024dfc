"""SQLite connections for SmallCode's stores: WAL, busy timeout, schema versions, migrations.

Two files exist: one per project (``<root>/.smallcode/smallcode.db``) and one per user (in
the platformdirs user data dir, or ``SMALLCODE_DATA_DIR``). Both carry the same schema, so
memory can be project- or user-scoped with the same code.

Several SmallCode processes may use one file at once. WAL lets readers and a writer work
side by side; the busy timeout makes a second writer wait instead of failing; migrations run
inside ``BEGIN IMMEDIATE`` and re-check the version, so two processes opening a new file at
the same moment apply each step exactly once.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from smallcode.errors import SmallCodeError

_T = TypeVar("_T")

BUSY_TIMEOUT_MS = 30_000
PROJECT_DIR = ".smallcode"
PROJECT_DB = "smallcode.db"
USER_DB = "user.db"


class StoreError(SmallCodeError):
    """A store file cannot be opened or is newer than this SmallCode understands."""


def connect(path: Path, migrations: Sequence[str] = ()) -> sqlite3.Connection:
    """Open (creating if needed) a SQLite file with WAL and a busy timeout, then migrate it.

    ``migrations[i]`` is the SQL script that brings the schema from version i to i + 1;
    ``PRAGMA user_version`` holds the version. Scripts must not contain transaction control.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # autocommit; explicit BEGIN where a transaction is needed
            check_same_thread=False,
        )
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(conn, migrations, path)
    return conn


def migrate(conn: sqlite3.Connection, migrations: Sequence[str], path: Path | str = "") -> int:
    """Apply the missing migrations, each in its own immediate transaction. Returns the version."""
    target = len(migrations)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > target:
        raise StoreError(
            f"{path} has schema version {version}, newer than this SmallCode ({target}): "
            "upgrade SmallCode"
        )
    while version < target:
        _retry_locked(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < target:
                for statement in _statements(migrations[version]):
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit on its own).

    Pieces are joined at each ``;`` until SQLite says the statement is complete, so a
    trigger's ``BEGIN ...; ...; END;`` stays whole.
    """
    out: list[str] = []
    buf = ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n\t;"):
                out.append(buf.strip())
            buf = ""
    if buf.strip(" \n\t;"):
        out.append(buf.strip())
    return out


def _retry_locked(op: Callable[[], _T], tries: int = 50) -> _T | None:
    """Run ``op``, retrying briefly on 'database is locked' (journal-mode switches ignore the
    busy handler on some SQLite builds)."""
    for attempt in range(tries):
        try:
            return op()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if attempt == tries - 1:
                raise
            time.sleep(0.05 + 0.01 * attempt)
    return None


class Transaction:
    """``with Transaction(conn): ...`` runs the block in ``BEGIN IMMEDIATE`` ... ``COMMIT``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        _retry_locked(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        return self.conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")


# ---------------------------------------------------------------- where the files live


def project_store_dir(root: Path) -> Path:
    """``<root>/.smallcode``, created with a ``.gitignore`` so its databases stay out of git."""
    d = Path(root) / PROJECT_DIR
    d.mkdir(parents=True, exist_ok=True)
    ignore = d / ".gitignore"
    if not ignore.exists():
        try:
            ignore.write_text(
                "# SmallCode's local state (databases, index); settings.json is shared\n"
                "*\n!settings.json\n"
            )
        except OSError:
            pass
    return d


def project_db_path(root: Path) -> Path:
    return project_store_dir(root) / PROJECT_DB


def user_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The per-user data dir: ``override``, else ``SMALLCODE_DATA_DIR``, else platformdirs."""
    if override:
        return Path(override)
    env = os.environ.get("SMALLCODE_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir as _udd

    return Path(_udd("smallcode"))


def user_db_path(override: str | os.PathLike[str] | None = None) -> Path:
    return user_data_dir(override) / USER_DB


# The schema shared by the project and the user file. Append new migrations; never edit old ones.
MIGRATIONS: tuple[str, ...] = (
    # 1: memory, evidence, sessions
    """
    CREATE TABLE memories (
        id INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        updated REAL NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX memories_type_title ON memories(type, title);
    CREATE VIRTUAL TABLE memories_fts USING fts5(
        title, content, tags, content='memories', content_rowid='id',
        tokenize='porter unicode61'
    );
    CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts(rowid, title, content, tags)
        VALUES (new.id, new.title, new.content, new.tags);
    END;
    CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, title, content, tags)
        VALUES ('delete', old.id, old.title, old.content, old.tags);
    END;
    CREATE TRIGGER memories_au AFTER UPDATE OF title, content, tags ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, title, content, tags)
        VALUES ('delete', old.id, old.title, old.content, old.tags);
        INSERT INTO memories_fts(rowid, title, content, tags)
        VALUES (new.id, new.title, new.content, new.tags);
    END;

    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        ts REAL NOT NULL,
        task TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        tool TEXT NOT NULL DEFAULT '',
        args_digest TEXT NOT NULL DEFAULT '',
        args_summary TEXT NOT NULL DEFAULT '',
        ok INTEGER,
        ms REAL,
        error TEXT NOT NULL DEFAULT '',
        repairs TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX evidence_session ON evidence(session_id);
    CREATE VIRTUAL TABLE evidence_fts USING fts5(
        task, tool, args_summary, error, repairs, content='evidence', content_rowid='id',
        tokenize='porter unicode61'
    );
    CREATE TRIGGER evidence_ai AFTER INSERT ON evidence BEGIN
        INSERT INTO evidence_fts(rowid, task, tool, args_summary, error, repairs)
        VALUES (new.id, new.task, new.tool, new.args_summary, new.error, new.repairs);
    END;
    CREATE TRIGGER evidence_ad AFTER DELETE ON evidence BEGIN
        INSERT INTO evidence_fts(evidence_fts, rowid, task, tool, args_summary, error, repairs)
        VALUES ('delete', old.id, old.task, old.tool, old.args_summary, old.error, old.repairs);
    END;

    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        cwd TEXT NOT NULL DEFAULT '',
        meta TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE session_messages (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    CREATE INDEX sessions_updated ON sessions(updated);
    """,
)


def open_project_db(root: Path) -> sqlite3.Connection:
    """The project's store (memory, evidence, sessions), migrated to the current schema."""
    return connect(project_db_path(root), MIGRATIONS)


def open_user_db(override: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """The user's store (user-scoped memory), migrated to the current schema."""
    return connect(user_db_path(override), MIGRATIONS)


class ProjectStore:
    """A store kept in the project's database: one connection, opened for a project root."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, root: Path) -> Self:
        return cls(open_project_db(root))

    def close(self) -> None:
        self.conn.close()
