from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from smallcode.store.db import (
    MIGRATIONS,
    StoreError,
    Transaction,
    connect,
    open_project_db,
    open_user_db,
    project_db_path,
    user_db_path,
)


def test_project_db_is_wal_with_busy_timeout_and_current_schema(tmp_path: Path) -> None:
    conn = open_project_db(tmp_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"memories", "evidence", "sessions", "session_messages"} <= tables
    assert project_db_path(tmp_path) == tmp_path / ".smallcode" / "smallcode.db"
    # The state folder keeps itself out of git.
    ignored = (tmp_path / ".smallcode" / ".gitignore").read_text().splitlines()
    assert "*" in ignored and "!settings.json" in ignored  # the project's shared rules


def test_user_db_lives_in_smallcode_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMALLCODE_DATA_DIR", str(tmp_path / "data"))
    conn = open_user_db()
    conn.close()
    assert user_db_path() == tmp_path / "data" / "user.db"
    assert (tmp_path / "data" / "user.db").is_file()


def test_migrations_apply_in_order_and_only_once(tmp_path: Path) -> None:
    steps = (
        "CREATE TABLE a (x INTEGER);",
        "ALTER TABLE a ADD COLUMN y TEXT; CREATE INDEX a_y ON a(y);",
    )
    db = tmp_path / "m.db"
    conn = connect(db, steps[:1])
    conn.execute("INSERT INTO a(x) VALUES (1)")
    conn.close()
    conn = connect(db, steps)  # upgrade: only step 2 runs
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert [tuple(r) for r in conn.execute("SELECT x, y FROM a")] == [(1, None)]
    conn.close()
    conn = connect(db, steps)  # nothing to do
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    with pytest.raises(sqlite3.OperationalError):
        connect(db, ("CREATE TABLE ok (x); CREATE TABLE broken (;",))
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "ok" not in names


def test_newer_schema_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(StoreError, match="newer than this SmallCode"):
        connect(db, MIGRATIONS)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    conn = connect(tmp_path / "t.db", ("CREATE TABLE t (x);",))
    with pytest.raises(RuntimeError), Transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    with Transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
    assert [tuple(r) for r in conn.execute("SELECT x FROM t")] == [(2,)]
