"""Two real SmallCode processes on one project: no lost writes, no corruption."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from smallcode.store.db import open_project_db
    from smallcode.store.evidence import EvidenceStore
    from smallcode.store.memory import MemoryStore
    from smallcode.store.sessions import SessionStore
    from smallcode.types import Message

    root, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    go = root / "go"
    while not go.exists():
        time.sleep(0.005)
    mem = MemoryStore(open_project_db(root))   # each store with its own connection,
    ev = EvidenceStore(open_project_db(root))  # as separate parts of a session would
    sessions = SessionStore(open_project_db(root))
    sid = sessions.create(title=name)
    for i in range(n):
        mem.remember("context", f"{name} note {i}", f"written by {name} number {i}")
        ev.record_tool(sid, "bash", {"i": i}, i % 3 != 0, 1.0, "exit 1", task=f"task of {name}")
        sessions.append(sid, [Message("user", f"{name} message {i}")])
    print("done", name)
    """
)


def _start(root: Path, name: str, n: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), name, str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_write_one_store_at_once(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    n = 150
    procs = [_start(root, "alpha", n), _start(root, "beta", n)]
    time.sleep(0.3)  # both are importing / waiting; the store file does not exist yet
    (root / "go").touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.startswith("done")
    conn = sqlite3.connect(root / ".smallcode" / "smallcode.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO memories_fts(memories_fts) VALUES ('integrity-check')")
    conn.execute("INSERT INTO evidence_fts(evidence_fts) VALUES ('integrity-check')")
    assert conn.execute("SELECT count(*) FROM memories").fetchone()[0] == 2 * n
    assert conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 2 * n
    rows = conn.execute(
        "SELECT s.title, count(m.seq), max(m.seq) FROM sessions s "
        "JOIN session_messages m ON m.session_id = s.id GROUP BY s.id ORDER BY s.title"
    ).fetchall()
    assert rows == [("alpha", n, n - 1), ("beta", n, n - 1)]
    # Both FTS indexes answer for rows of both writers.
    hits = conn.execute(
        "SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'alpha OR beta'"
    ).fetchone()[0]
    assert hits == 2 * n


INDEXER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from smallcode.project.index import CodeIndex
    root = Path(sys.argv[1])
    while not (root / "go").exists():
        time.sleep(0.005)
    with CodeIndex(root) as ix:
        s = ix.update(workers=1)
        print(s.files)
    """
)


def test_two_processes_index_one_project_at_once(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    for i in range(120):
        p = root / f"pkg{i % 6}" / f"mod{i}.py"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(
            f'def handler_{i}(x):\n    """Handle case {i}."""\n    return helper(x) + {i}\n'
        )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", INDEXER, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.3)
    (root / "go").touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "120"
    conn = sqlite3.connect(root / ".smallcode" / "index.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM files").fetchone()[0] == 120
    # One definition per file plus its module entry: nothing doubled by the race.
    assert conn.execute("SELECT count(*) FROM symbols WHERE kind='function'").fetchone()[0] == 120
    assert conn.execute("SELECT count(*) FROM symbols_fts").fetchone()[0] == 240
    assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 120
