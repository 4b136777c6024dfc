"""Embedding vectors of indexed symbols, stored in the index by the hash of the embedded text.

Vectors are keyed by content, not by symbol id, so a re-indexed file whose definitions did not
change keeps its vectors. Computing them is slow next to indexing (about 100 short texts a
second on one core), so it is done apart, within a time budget, and search uses whatever
vectors exist.
"""

from __future__ import annotations

import time
from typing import Any

from smallcode.project.index import CodeIndex
from smallcode.store.db import Transaction


def pending_count(index: CodeIndex) -> int:
    return index.conn.execute(
        "SELECT count(DISTINCT s.embed_hash) FROM symbols s LEFT JOIN vectors v "
        "ON v.hash = s.embed_hash WHERE s.embed_hash != '' AND v.hash IS NULL"
    ).fetchone()[0]


def embed_pending(
    index: CodeIndex, embedder: Any, max_seconds: float | None = None, batch: int = 64
) -> int:
    """Compute missing vectors, best documented symbols first; stop after ``max_seconds``.

    Returns how many vectors were added.
    """
    import numpy as np

    from smallcode.project.symbols import Symbol

    start = time.perf_counter()
    done = 0
    while True:
        rows = index.conn.execute(
            "SELECT s.embed_hash, s.name, s.kind, s.parent, s.signature, s.doc FROM symbols s "
            "LEFT JOIN vectors v ON v.hash = s.embed_hash "
            "WHERE s.embed_hash != '' AND v.hash IS NULL "
            "GROUP BY s.embed_hash ORDER BY (s.doc = ''), s.id LIMIT ?",
            (batch,),
        ).fetchall()
        if not rows:
            break
        texts = [
            Symbol(
                name=r["name"],
                kind=r["kind"],
                line=0,
                end_line=0,
                parent=r["parent"],
                signature=r["signature"],
                doc=r["doc"],
            ).embed_text()
            for r in rows
        ]
        vecs = embedder.embed(texts)
        blobs = [np.asarray(v, dtype=np.float16).tobytes() for v in vecs]
        with Transaction(index.conn):
            index.conn.executemany(
                "INSERT OR REPLACE INTO vectors(hash, vec) VALUES (?, ?)",
                [(r["embed_hash"], b) for r, b in zip(rows, blobs, strict=True)],
            )
        done += len(rows)
        if max_seconds is not None and time.perf_counter() - start >= max_seconds:
            break
    if done:
        index._bump_generation()
    return done


def prune_vectors(index: CodeIndex) -> int:
    """Drop vectors no symbol uses any more."""
    with Transaction(index.conn):
        cur = index.conn.execute(
            "DELETE FROM vectors WHERE hash NOT IN (SELECT embed_hash FROM symbols)"
        )
    return cur.rowcount


def vector_matrix(index: CodeIndex) -> tuple[Any, Any]:
    """(symbol ids, float32 matrix of their vectors), cached until the index changes."""
    import numpy as np

    gen = index.generation()
    cached = index._vector_cache
    if cached is not None and cached[0] == gen:
        return cached[1]  # type: ignore[return-value]
    rows = index.conn.execute(
        "SELECT s.id, v.vec FROM symbols s JOIN vectors v ON v.hash = s.embed_hash"
    ).fetchall()
    if rows:
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1)
        mat = mat.astype(np.float32)
    else:
        ids, mat = np.zeros(0, dtype=np.int64), np.zeros((0, 384), dtype=np.float32)
    index._vector_cache = (gen, (ids, mat))
    return ids, mat


def nearest(index: CodeIndex, query_vec: Any, k: int = 100) -> list[tuple[int, float]]:
    """The ``k`` symbols whose vectors are closest to ``query_vec`` (cosine), best first."""
    import numpy as np

    ids, mat = vector_matrix(index)
    if len(ids) == 0:
        return []
    sims = mat @ np.asarray(query_vec, dtype=np.float32)
    k = min(k, len(ids))
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top])]
    return [(int(ids[i]), float(sims[i])) for i in top]
