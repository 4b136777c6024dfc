"""The symbol index: ``<root>/.smallcode/index.db`` (SQLite, FTS5).

One row per definition (functions, classes, methods, ...) with its span, signature and doc;
call sites; and an FTS5 table over what the code says about itself, one column each: the
name split into words, the docstring and comments, the context (file path and enclosing
class), the parameters, the words of its string literals (messages), the names of what it
calls, and the identifiers of its body. Updated incrementally: a file is re-read
only when its size or modification time changed, and re-parsed only when its content hash did.
The index is a cache: deleting the file only costs a rebuild.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from smallcode.project.files import DEFAULT_MAX_BYTES, SourceFile, is_binary, iter_source_files
from smallcode.project.symbols import FileSymbols, extract
from smallcode.store.db import Transaction, connect, project_store_dir
from smallcode.store.fts import identifier_words

INDEX_DB = "index.db"
BATCH_FILES = 200
# Below this many changed files a pool costs more than it saves.
PARALLEL_MIN_FILES = 150
EMBED_KINDS = ("function", "method", "class", "interface", "type", "enum", "impl", "section")

INDEX_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        lang TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        hash TEXT NOT NULL,
        lines INTEGER NOT NULL,
        parsed INTEGER NOT NULL
    );
    CREATE TABLE symbols (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent TEXT NOT NULL,
        line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        signature TEXT NOT NULL,
        doc TEXT NOT NULL,
        embed_hash TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX symbols_file ON symbols(file_id, line);
    CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
    CREATE TABLE calls (
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        symbol_id INTEGER,
        name TEXT NOT NULL,
        line INTEGER NOT NULL
    );
    CREATE INDEX calls_name ON calls(name);
    CREATE INDEX calls_symbol ON calls(symbol_id);
    CREATE INDEX calls_file ON calls(file_id);
    CREATE VIRTUAL TABLE symbols_fts USING fts5(
        name, doc, body, path, tokenize='porter unicode61', detail='column'
    );
    CREATE TABLE vectors (hash TEXT PRIMARY KEY, vec BLOB NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # v2: more of what code says about itself, each in its own column (the files are read
    # again on the next update: the index is a cache)
    """
    DROP TABLE symbols_fts;
    CREATE VIRTUAL TABLE symbols_fts USING fts5(
        name, doc, context, params, strings, calls, body,
        tokenize='porter unicode61', detail='column'
    );
    DELETE FROM calls;
    DELETE FROM symbols;
    DELETE FROM files;
    """,
)
# bm25() weights of the symbols_fts columns, in order
FTS_WEIGHTS = (10.0, 4.0, 1.5, 2.0, 2.0, 1.0, 1.0)


@dataclass
class UpdateStats:
    files: int = 0  # indexable files seen
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0  # binary or unreadable
    seconds: float = 0.0

    @property
    def touched(self) -> int:
        return self.added + self.changed + self.removed


def index_path(root: Path) -> Path:
    return project_store_dir(root) / INDEX_DB


def _parse_one(item: tuple[str, str, str]) -> tuple[str, str, int, FileSymbols | None]:
    """Read, hash and parse one file (runs in a worker process for big updates)."""
    path, rel, lang = item
    try:
        data = Path(path).read_bytes()
    except OSError:
        return rel, "", 0, None
    if is_binary(data):
        return rel, "", 0, None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return rel, digest, data.count(b"\n") + 1, extract(data, lang, rel)


class CodeIndex:
    """The index of one project. Safe to use from several processes at once."""

    def __init__(
        self, root: Path, max_file_bytes: int = DEFAULT_MAX_BYTES, *, in_memory: bool = False
    ) -> None:
        """``in_memory``: an index for this process only (nothing is written to the project),
        for folders where ``.smallcode/`` cannot be created."""
        self.root = Path(root).resolve()
        self.max_file_bytes = max_file_bytes
        where = Path(":memory:") if in_memory else index_path(self.root)
        self.conn: sqlite3.Connection = connect(where, INDEX_MIGRATIONS)
        self._vector_cache: tuple[str, object] | None = None
        # (generation, symbol count, {term: how many definitions hold it}) for search
        self._term_counts: tuple[str, int, dict[str, int]] | None = None
        # (generation, {path: its definitions' spans}) for mapping ripgrep lines
        self._span_cache: tuple[str, dict[str, list[tuple[int, int, int, bool]]]] | None = None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CodeIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ updating

    def update(self, workers: int | None = None) -> UpdateStats:
        """Bring the index up to date with the files on disk."""
        start = time.perf_counter()
        stats = UpdateStats()
        known = {
            row["path"]: row
            for row in self.conn.execute("SELECT id, path, size, mtime_ns, hash FROM files")
        }
        todo: list[SourceFile] = []
        present: set[str] = set()
        for f in iter_source_files(self.root, self.max_file_bytes):
            stats.files += 1
            present.add(f.rel)
            row = known.get(f.rel)
            if row is not None and row["size"] == f.size and row["mtime_ns"] == f.mtime_ns:
                stats.unchanged += 1
                continue
            todo.append(f)
        gone = [known[p]["id"] for p in known if p not in present]
        if gone:
            with Transaction(self.conn):
                for fid in gone:
                    self._delete_file(fid)
            stats.removed = len(gone)

        by_rel = {f.rel: f for f in todo}
        results = self._parse_all(todo, workers)
        batch: list[tuple[SourceFile, str, int, FileSymbols]] = []
        for rel, digest, lines, syms in results:
            f = by_rel[rel]
            row = known.get(rel)
            if syms is None:
                stats.skipped += 1
                if row is not None:
                    with Transaction(self.conn):
                        self._delete_file(row["id"])
                continue
            if row is not None and row["hash"] == digest:
                # Touched but unchanged: remember the new mtime so it is not re-read.
                self.conn.execute(
                    "UPDATE files SET mtime_ns=?, size=? WHERE id=?",
                    (f.mtime_ns, f.size, row["id"]),
                )
                stats.unchanged += 1
                continue
            if row is None:
                stats.added += 1
            else:
                stats.changed += 1
            batch.append((f, digest, lines, syms))
            if len(batch) >= BATCH_FILES:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        if stats.touched:
            self._bump_generation()
        stats.seconds = time.perf_counter() - start
        return stats

    def _parse_all(
        self, todo: list[SourceFile], workers: int | None
    ) -> Iterable[tuple[str, str, int, FileSymbols | None]]:
        items = [(str(f.path), f.rel, f.lang) for f in todo]
        if workers is None:
            import os

            workers = min(4, os.cpu_count() or 1)
        if workers > 1 and len(items) >= PARALLEL_MIN_FILES:
            from concurrent.futures import ProcessPoolExecutor  # costs 20 ms to import

            try:
                pool = ProcessPoolExecutor(max_workers=workers)
            except (OSError, ValueError):
                pool = None
            if pool is not None:
                with pool:
                    yield from pool.map(_parse_one, items, chunksize=16)
                return
        for item in items:
            yield _parse_one(item)

    def _write(self, batch: list[tuple[SourceFile, str, int, FileSymbols]]) -> None:
        with Transaction(self.conn):
            for f, digest, lines, syms in batch:
                old = self.conn.execute("SELECT id FROM files WHERE path=?", (f.rel,)).fetchone()
                if old is not None:
                    self._delete_file(old["id"])
                cur = self.conn.execute(
                    "INSERT INTO files(path, lang, size, mtime_ns, hash, lines, parsed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (f.rel, f.lang, f.size, f.mtime_ns, digest, lines, int(syms.parsed)),
                )
                fid = cur.lastrowid
                ids: list[int] = []
                for s in syms.symbols:
                    embed_hash = ""
                    if s.kind in EMBED_KINDS or (s.kind == "module" and s.doc):
                        embed_hash = hashlib.sha1(s.embed_text().encode()).hexdigest()[:20]
                    cur = self.conn.execute(
                        "INSERT INTO symbols(file_id, name, kind, parent, line, end_line, "
                        "signature, doc, embed_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            fid,
                            s.name,
                            s.kind,
                            s.parent,
                            s.line,
                            s.end_line,
                            s.signature,
                            s.doc,
                            embed_hash,
                        ),
                    )
                    sid = int(cur.lastrowid or 0)
                    ids.append(sid)
                    self.conn.execute(
                        "INSERT INTO symbols_fts(rowid, name, doc, context, params, strings, "
                        "calls, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            sid,
                            identifier_words(s.name)
                            if s.kind not in ("section", "chunk")
                            else s.name,
                            (s.doc + "\n" + s.comments).strip(),
                            s.context_words(f.rel),
                            s.params,
                            s.strings,
                            s.calls,
                            s.body,
                        ),
                    )
                self.conn.executemany(
                    "INSERT INTO calls(file_id, symbol_id, name, line) VALUES (?, ?, ?, ?)",
                    [
                        (fid, ids[c.owner] if c.owner >= 0 else None, c.name, c.line)
                        for c in syms.calls
                    ],
                )

    def _delete_file(self, file_id: int) -> None:
        self.conn.execute(
            "DELETE FROM symbols_fts WHERE rowid IN (SELECT id FROM symbols WHERE file_id=?)",
            (file_id,),
        )
        self.conn.execute("DELETE FROM calls WHERE file_id=?", (file_id,))
        self.conn.execute("DELETE FROM symbols WHERE file_id=?", (file_id,))
        self.conn.execute("DELETE FROM files WHERE id=?", (file_id,))

    def _bump_generation(self) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def term_counts(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        """How many definitions there are, and how many hold each of ``terms`` (counted once
        per index generation: a count costs far less than ranking the rows)."""
        gen = self.generation()
        if self._term_counts is None or self._term_counts[0] != gen:
            total = self.conn.execute("SELECT count(*) FROM symbols_fts").fetchone()[0]
            self._term_counts = (gen, int(total), {})
        _, total, counts = self._term_counts
        for t in terms:
            if t not in counts:
                try:
                    counts[t] = self.conn.execute(
                        "SELECT count(*) FROM symbols_fts WHERE symbols_fts MATCH ?", (f'"{t}"',)
                    ).fetchone()[0]
                except sqlite3.OperationalError:  # a term FTS5 cannot take
                    counts[t] = 0
        return total, {t: counts[t] for t in terms}

    def generation(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return row[0] if row else "0"

    # ------------------------------------------------------------------ facts

    def stats(self, under: str = "") -> dict[str, object]:
        """Files, symbols, lines and languages (of the whole index, or below ``under``)."""
        like = (under.rstrip("/") + "/%") if under else "%"
        row = self.conn.execute(
            "SELECT count(*) AS files, coalesce(sum(lines), 0) AS lines FROM files "
            "WHERE path LIKE ?",
            (like,),
        ).fetchone()
        symbols = self.conn.execute(
            "SELECT count(*) FROM symbols s JOIN files f ON f.id = s.file_id "
            "WHERE f.path LIKE ? AND s.kind NOT IN ('module', 'chunk', 'section')",
            (like,),
        ).fetchone()[0]
        langs = {
            r["lang"]: r["n"]
            for r in self.conn.execute(
                "SELECT lang, count(*) AS n FROM files WHERE path LIKE ? GROUP BY lang "
                "ORDER BY n DESC",
                (like,),
            )
        }
        return {
            "files": row["files"],
            "lines": row["lines"],
            "symbols": symbols,
            "languages": langs,
        }

    def symbol_at(self, path: str, line: int) -> sqlite3.Row | None:
        """The innermost definition of ``path`` that spans ``line`` (the module if none)."""
        return self.conn.execute(
            "SELECT s.*, f.path FROM symbols s JOIN files f ON f.id = s.file_id "
            "WHERE f.path=? AND s.line<=? AND s.end_line>=? "
            "ORDER BY (s.kind = 'module'), (s.end_line - s.line) LIMIT 1",
            (path, line, line),
        ).fetchone()
