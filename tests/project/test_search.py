"""Search on a real codebase: the source of ``rich`` (installed from PyPI) copied to a temp dir.

Behaviour queries say what code does without using the words of the definition's name; the
hit rates are printed (pytest -s) and held to a floor.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smallcode.project import embeddings
from smallcode.project.index import CodeIndex
from smallcode.project.search import find_rg, hybrid_search
from smallcode.project.vectors import embed_pending, pending_count
from tests.conftest import run_cli
from tests.project.behaviour_queries import RICH_QUERIES

rich = pytest.importorskip("rich")


@pytest.fixture(scope="module")
def rich_index(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("richsrc")
    shutil.copytree(
        Path(rich.__file__).parent, root / "rich", ignore=shutil.ignore_patterns("__pycache__")
    )
    index = CodeIndex(root)
    index.update()
    yield index
    index.close()


def _hit_rate(index: CodeIndex, use_embeddings: bool, k: int = 5) -> tuple[int, int, list[str]]:
    top1 = topk = 0
    misses = []
    for query, targets in RICH_QUERIES:
        hits = hybrid_search(index, query, k=k, use_embeddings=use_embeddings, update=False)
        names = [h.symbol for h in hits]
        ranks = [i for i, n in enumerate(names) if n in targets or n.split(".")[-1] in targets]
        topk += bool(ranks)
        top1 += bool(ranks and ranks[0] == 0)
        if not ranks:
            misses.append(query)
    return top1, topk, misses


def test_queries_do_not_name_their_targets() -> None:
    from smallcode.store.fts import query_terms, split_identifier

    for query, targets in RICH_QUERIES:
        words = set(query_terms(query))
        for target in targets:
            shared = words & {w for part in target.split(".") for w in split_identifier(part)}
            assert not shared, (query, target, shared)


def test_behaviour_queries_bm25_and_ripgrep(rich_index: CodeIndex) -> None:
    assert find_rg() is not None
    top1, top5, misses = _hit_rate(rich_index, use_embeddings=False)
    print(
        f"\nrich, BM25 + ripgrep: hit@1 {top1}/{len(RICH_QUERIES)}, "
        f"hit@5 {top5}/{len(RICH_QUERIES)}; misses: {misses}"
    )
    assert top5 >= 11


@pytest.mark.slow
@pytest.mark.skipif(not embeddings.available(), reason="smallcode[embeddings] not installed")
def test_behaviour_queries_with_embeddings(rich_index: CodeIndex) -> None:
    embedder = embeddings.get_embedder()
    assert embedder is not None
    embed_pending(rich_index, embedder)
    assert pending_count(rich_index) == 0
    top1, top5, misses = _hit_rate(rich_index, use_embeddings=True)
    print(
        f"\nrich, BM25 + ripgrep + MiniLM: hit@1 {top1}/{len(RICH_QUERIES)}, "
        f"hit@5 {top5}/{len(RICH_QUERIES)}; misses: {misses}"
    )
    assert top5 >= 11
    assert top1 >= 6
    # The vectors survive a re-index of an unchanged definition (keyed by content).
    rich_index.conn.execute("UPDATE files SET hash = 'x', mtime_ns = 0")
    rich_index.update()
    assert pending_count(rich_index) == 0


def test_exact_name_puts_the_definition_first(rich_index: CodeIndex) -> None:
    hits = hybrid_search(rich_index, "ConsoleOptions", k=5, update=False)
    assert (hits[0].symbol, hits[0].kind, hits[0].path) == (
        "ConsoleOptions",
        "class",
        "rich/console.py",
    )
    hits = hybrid_search(rich_index, "Console.export_html", k=3, update=False)
    assert hits[0].symbol == "Console.export_html"


def test_path_filter(rich_index: CodeIndex) -> None:
    hits = hybrid_search(rich_index, "render a table", k=10, path="rich/_win", update=False)
    assert hits and all(h.path.startswith("rich/_win") for h in hits)


def test_search_cli_json(rich_index: CodeIndex) -> None:
    proc = run_cli(
        ["search", "ask the user a yes or no question", "-k", "3", "--json", "--no-embed"],
        cwd=rich_index.root,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data) == 3
    assert all(set(d) == {"path", "line", "symbol", "score", "snippet"} for d in data)
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    assert "Confirm" in [d["symbol"] for d in data]
    proc = run_cli(["search", "Confirm", "--path", "rich", "-k", "2"], cwd=rich_index.root)
    assert proc.returncode == 0 and proc.stdout.startswith("rich/prompt.py:")
    proc = run_cli(["search", "x", "-k", "0"], cwd=rich_index.root)
    assert proc.returncode == 2 and "-k must be at least 1" in proc.stderr
