"""BM25 ranking of a few short documents (skills, MCP tools) against a task.

The project's own BM25: SQLite FTS5's ``bm25()`` over an in-memory table, with the task
turned into terms the way the code index and the memory store do it (store/fts.py:
identifiers split, stopwords dropped). Column weights favour names over descriptions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from smallcode.store.fts import identifier_words, query_terms


def bm25_rank(
    docs: Sequence[tuple[str, str]], query: str, weights: tuple[float, float] = (3.0, 1.0)
) -> list[tuple[int, float]]:
    """(index, score) of the documents that match ``query``, best first (higher is better).

    Each document is (name, text). Documents that share no term with the query are left out.
    """
    terms = query_terms(query, limit=32)
    if not docs or not terms:
        return []
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE d USING fts5(name, body, tokenize='porter unicode61')")
        conn.executemany(
            "INSERT INTO d(rowid, name, body) VALUES (?, ?, ?)",
            [
                (i, f"{name} {identifier_words(name)}", f"{text} {identifier_words(text)}")
                for i, (name, text) in enumerate(docs)
            ],
        )
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = conn.execute(
            f"SELECT rowid, bm25(d, {weights[0]}, {weights[1]}) AS r FROM d WHERE d MATCH ? "
            "ORDER BY r, rowid",
            (match,),
        ).fetchall()
    except sqlite3.OperationalError:  # a term FTS5 cannot take, or no FTS5 at all
        return _fallback(docs, terms)
    finally:
        conn.close()
    return [(int(i), -float(r)) for i, r in rows]


def _fallback(docs: Sequence[tuple[str, str]], terms: list[str]) -> list[tuple[int, float]]:
    """Term overlap, for an SQLite without FTS5."""
    scored = []
    for i, (name, text) in enumerate(docs):
        words = set(query_terms(f"{name} {name} {text}", limit=400))
        score = float(sum(1 for t in terms if t in words))
        if score:
            scored.append((i, score))
    return sorted(scored, key=lambda x: (-x[1], x[0]))
