"""Symbol lookups shared by the code graph (graph.py) and code search (search.py).

One rule for a ``path`` filter everywhere: a path relative to the project root, as every tool
takes and shows paths, that the file's path starts with (``shop/pricing.py``, the folder
``shop`` or ``shop/``, or a prefix such as ``rich/_win``). ``_`` and ``%`` in it mean
themselves, not SQL wildcards. (The graph used to match the text anywhere in the path, so
``a.py`` also found ``data.py``.)
"""

from __future__ import annotations

import sqlite3
from typing import Any

# Index entries that are not definitions: a file's module entry, text chunks, doc sections.
CODE_KINDS = ("module", "chunk", "section")
_NOT_CODE = "s.kind NOT IN (" + ", ".join(f"'{k}'" for k in CODE_KINDS) + ")"


def normalize_path(path: str) -> str:
    """``./src/`` -> ``src``; ``.``, ``./`` and ``/`` -> '' (the whole project)."""
    path = (path or "").strip()
    if path.startswith("./"):
        path = path[2:]
    return path.strip("/") if path not in (".", "") else ""


def path_clause(path: str, column: str = "f.path") -> tuple[str, list[Any]]:
    """`` AND <column> LIKE ? ESCAPE '\\'`` and its parameter limiting rows to ``path``
    ('' and no parameter when ``path`` is the whole project)."""
    path = normalize_path(path)
    if not path:
        return "", []
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f" AND {column} LIKE ? ESCAPE '\\'", [escaped + "%"]


def definitions_named(
    conn: sqlite3.Connection, name: str, parent: str = "", path: str = "", limit: int = 50
) -> list[sqlite3.Row]:
    """Definitions called ``name`` (any case), under ``parent`` (its last part) and ``path``
    when given, as rows of ``symbols`` plus the file's ``path``; callers rank them."""
    sql = (
        "SELECT s.*, f.path FROM symbols s JOIN files f ON f.id = s.file_id "
        f"WHERE s.name = ? COLLATE NOCASE AND {_NOT_CODE}"
    )
    params: list[Any] = [name]
    if parent:
        sql += " AND s.parent = ? COLLATE NOCASE"
        params.append(parent.rsplit(".", 1)[-1])
    clause, extra = path_clause(path)
    return conn.execute(sql + clause + " LIMIT ?", (*params, *extra, limit)).fetchall()


def definitions_exactly_named(
    conn: sqlite3.Connection, name: str, limit: int = 2
) -> list[sqlite3.Row]:
    """Definitions called exactly ``name`` (case kept): the targets of a call to it."""
    sql = (
        "SELECT s.*, f.path FROM symbols s JOIN files f ON f.id = s.file_id "
        f"WHERE s.name = ? AND {_NOT_CODE} LIMIT ?"
    )
    return conn.execute(sql, (name, limit)).fetchall()
