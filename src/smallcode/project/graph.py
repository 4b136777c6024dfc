"""The code graph: who calls a definition, what it calls, and the symbols around a query.

Calls are matched by name (no type inference), so a call to ``run`` links to every ``run``;
the output says how many definitions share a name when it is ambiguous.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from smallcode.project.index import CodeIndex
from smallcode.project.lookup import CODE_KINDS, definitions_exactly_named, definitions_named


@dataclass
class SymbolInfo:
    id: int
    name: str
    qualname: str
    kind: str
    path: str
    line: int
    end_line: int
    signature: str
    doc: str
    callers: list[tuple[str, str, int]] = field(default_factory=list)  # (caller, path, line)
    callees: list[tuple[str, str]] = field(default_factory=list)  # (name, "path:line" or "")
    same_name: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _info(row: sqlite3.Row) -> SymbolInfo:
    qual = f"{row['parent']}.{row['name']}" if row["parent"] else row["name"]
    return SymbolInfo(
        id=row["id"],
        name=row["name"],
        qualname=qual,
        kind=row["kind"],
        path=row["path"],
        line=row["line"],
        end_line=row["end_line"],
        signature=row["signature"],
        doc=row["doc"],
    )


def find_definitions(index: CodeIndex, symbol: str, limit: int = 20) -> list[SymbolInfo]:
    """Definitions named ``symbol`` (``name``, ``Parent.name`` or ``path:name``, the path
    relative to the project root: see project/lookup.py), exact case first."""
    text = symbol.strip().strip("`'\"").removesuffix("()")
    path = ""
    if ":" in text and not text.startswith(":"):
        path, _, text = text.rpartition(":")
    parent, _, name = text.rpartition(".") if "." in text else ("", "", text)
    rows = definitions_named(index.conn, name, parent, path, limit * 4)
    rows.sort(
        key=lambda r: (r["name"] != name, r["parent"] != parent, "test" in r["path"], r["path"])
    )
    return [_info(r) for r in rows[:limit]]


def callers_of(index: CodeIndex, name: str, limit: int = 15) -> list[tuple[str, str, int]]:
    rows = index.conn.execute(
        "SELECT c.line, f.path, s.name, s.parent, s.kind FROM calls c "
        "JOIN files f ON f.id = c.file_id LEFT JOIN symbols s ON s.id = c.symbol_id "
        "WHERE c.name = ? ORDER BY f.path, c.line LIMIT ?",
        (name, limit),
    )
    out = []
    for r in rows:
        if r["name"] is None:
            caller = "<module>"
        else:
            caller = f"{r['parent']}.{r['name']}" if r["parent"] else r["name"]
        out.append((caller, r["path"], r["line"]))
    return out


def callees_of(index: CodeIndex, symbol_id: int, limit: int = 20) -> list[tuple[str, str]]:
    names = [
        r[0]
        for r in index.conn.execute(
            "SELECT name FROM calls WHERE symbol_id = ? GROUP BY name ORDER BY min(line) LIMIT ?",
            (symbol_id, limit),
        )
    ]
    out = []
    for n in names:
        defs = definitions_exactly_named(index.conn, n, limit=2)
        where = f"{defs[0]['path']}:{defs[0]['line']}" if len(defs) == 1 else ""
        if len(defs) > 1:
            where = "several definitions"
        out.append((n, where))
    return out


def explain(index: CodeIndex, symbol: str) -> tuple[list[SymbolInfo], str]:
    """Describe ``symbol``: signature, location, doc, callers, callees. Returns (infos, text)."""
    defs = find_definitions(index, symbol)
    if not defs:
        return [], f"No definition named '{symbol}' in the index."
    main = defs[0]
    main.same_name = len(defs)
    main.callers = callers_of(index, main.name)
    main.callees = callees_of(index, main.id)
    lines = [
        f"{main.qualname} ({main.kind}) at {main.path}:{main.line}-{main.end_line}",
        f"signature: {main.signature}",
    ]
    if main.doc:
        lines.append("doc: " + " ".join(main.doc.split("\n\n")[0].split())[:300])
    if main.callers:
        lines.append(f"called from ({len(main.callers)} shown, matched by name):")
        lines += [f"  {c} at {p}:{ln}" for c, p, ln in main.callers]
    else:
        lines.append("called from: no call sites found")
    if main.callees:
        lines.append("calls: " + ", ".join(f"{n} ({w})" if w else n for n, w in main.callees))
    if len(defs) > 1:
        lines.append(f"other definitions named {main.name}:")
        lines += [f"  {d.qualname} ({d.kind}) at {d.path}:{d.line}" for d in defs[1:6]]
    return defs, "\n".join(lines)


def graph_search(index: CodeIndex, query: str, k: int = 5, use_embeddings: bool = True) -> str:
    """The best definitions for ``query`` with their callers and callees, as text."""
    from smallcode.project.search import hybrid_search

    hits = [
        h
        for h in hybrid_search(index, query, k=k * 2, use_embeddings=use_embeddings)
        if h.kind not in CODE_KINDS
    ][:k]
    if not hits:
        return "No matching definitions."
    blocks = []
    for h in hits:
        name = h.symbol.rsplit(".", 1)[-1]
        callers = callers_of(index, name, limit=5)
        callees = callees_of(index, h.symbol_id, limit=8)
        block = [f"{h.symbol} ({h.kind}) {h.path}:{h.line} - {h.snippet}"]
        if callers:
            block.append("  <- " + ", ".join(f"{c} ({p}:{ln})" for c, p, ln in callers))
        if callees:
            block.append("  -> " + ", ".join(n for n, _ in callees))
        blocks.append("\n".join(block))
    return "\n".join(blocks)
