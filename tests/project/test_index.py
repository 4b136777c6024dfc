from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from smallcode.project.files import iter_source_files
from smallcode.project.index import CodeIndex
from tests.conftest import make_git_repo


def _write(root: Path, rel: str, text: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_walk_honours_gitignore_and_skips_binary_large_and_vendored(tmp_path: Path) -> None:
    root = make_git_repo(tmp_path / "p")
    _write(root, ".gitignore", "generated/\n*.log.py\n")
    _write(root, "src/app.py", "def main():\n    pass\n")
    _write(root, "src/debug.log.py", "x = 1\n")
    _write(root, "generated/out.py", "x = 1\n")
    _write(root, "src/sub/.gitignore", "local_*.py\n")
    _write(root, "src/sub/local_cfg.py", "x = 1\n")
    _write(root, "src/sub/kept.py", "x = 1\n")
    _write(root, "node_modules/lib/index.js", "module.exports = 1\n")
    _write(root, "big.py", "x = 1\n" * 200_000)
    _write(root, "blob.py", b"\x00\x01binary")
    _write(root, "package-lock.json", "{}")
    _write(root, "image.png", b"\x89PNG")
    rels = sorted(f.rel for f in iter_source_files(root, max_bytes=100_000))
    assert "src/app.py" in rels and "src/sub/kept.py" in rels
    for gone in (
        "src/debug.log.py",
        "generated/out.py",
        "src/sub/local_cfg.py",
        "node_modules/lib/index.js",
        "big.py",
        "package-lock.json",
        "image.png",
    ):
        assert gone not in rels
    with CodeIndex(root, max_file_bytes=100_000) as ix:
        stats = ix.update()
        assert stats.skipped == 1  # blob.py: binary content
        paths = {r[0] for r in ix.conn.execute("SELECT path FROM files")}
        assert "blob.py" not in paths and "src/app.py" in paths


def test_incremental_update(tmp_path: Path) -> None:
    root = tmp_path / "p"
    for i in range(20):
        _write(root, f"m{i}.py", f"def f{i}():\n    return {i}\n")
    ix = CodeIndex(root)
    first = ix.update()
    assert (first.added, first.changed, first.removed) == (20, 0, 0)
    again = ix.update()
    assert again.touched == 0 and again.unchanged == 20
    gen = ix.generation()

    p = _write(root, "m3.py", "def renamed():\n    return 3\n")
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10_000_000))
    (root / "m4.py").unlink()
    _write(root, "new.py", "class Fresh:\n    pass\n")
    q = root / "m5.py"  # touched, same content: not re-parsed
    os.utime(q, ns=(q.stat().st_atime_ns, q.stat().st_mtime_ns + 10_000_000))
    s = ix.update()
    assert (s.added, s.changed, s.removed) == (1, 1, 1)
    assert ix.generation() != gen
    names = {r[0] for r in ix.conn.execute("SELECT name FROM symbols WHERE kind != 'module'")}
    assert "renamed" in names and "f3" not in names and "f4" not in names and "Fresh" in names
    fts = ix.conn.execute("SELECT count(*) FROM symbols_fts").fetchone()[0]
    assert fts == ix.conn.execute("SELECT count(*) FROM symbols").fetchone()[0]
    assert ix.update().touched == 0  # the touched file's new mtime was remembered
    ix.close()


def test_index_file_is_a_cache_that_can_be_deleted(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _write(root, "a.py", "def a():\n    pass\n")
    with CodeIndex(root) as ix:
        ix.update()
    for suffix in ("", "-wal", "-shm"):
        f = root / ".smallcode" / f"index.db{suffix}"
        if f.exists():
            f.unlink()
    with CodeIndex(root) as ix:
        assert ix.update().added == 1
    conn = sqlite3.connect(root / ".smallcode" / "index.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_stats_and_symbol_at(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _write(root, "api/server.go", "package api\n\nfunc Serve() {\n\tlisten()\n}\n")
    _write(root, "web/app.ts", "export function render(): void {\n  draw()\n}\n")
    with CodeIndex(root) as ix:
        ix.update()
        st = ix.stats()
        assert st["files"] == 2 and st["symbols"] == 2
        assert st["languages"] == {"go": 1, "typescript": 1}
        assert ix.stats("api")["files"] == 1
        row = ix.symbol_at("api/server.go", 4)
        assert row["name"] == "Serve"
        assert ix.symbol_at("api/server.go", 1)["kind"] == "module"
