"""Benchmark of the symbol index and hybrid search on a real codebase.

    python benchmarks/bench_index.py                 # pip's own source (~150K lines of Python)
    python benchmarks/bench_index.py --corpus DIR    # any folder
    python benchmarks/bench_index.py --json

Measures, on a copy of the corpus in a temp dir: a cold full index (in a fresh process, with
its peak memory), a no-op update, the re-index after one file changes, query latency (BM25 +
ripgrep; plus embeddings when smallcode[embeddings] is installed) and the embedding rate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "parse a version requirement with extras",
    "download a file and show a progress bar",
    "where are credentials for a private index looked up",
    "uninstall a package",
    "InstallRequirement",
    "cache the response of an http request",
    "check that a wheel file name is valid",
    "resolve dependency conflicts between candidates",
    "read configuration from environment variables",
    "build a wheel from a source tree",
]

COLD = """
import json, resource, sys, time
from smallcode.project.index import CodeIndex
t = time.perf_counter()
with CodeIndex(sys.argv[1]) as ix:
    s = ix.update()
    stats = ix.stats()
elapsed = time.perf_counter() - t
self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "files": stats["files"], "lines": stats["lines"],
                  "symbols": stats["symbols"], "peak_rss_mb": round(self_mb, 1),
                  "peak_rss_worker_mb": round(kids_mb, 1)}))
"""


def default_corpus() -> Path:
    import pip

    return Path(pip.__file__).parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="folder to index (default: the installed pip package)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--embed-seconds",
        type=float,
        default=10.0,
        help="how long to run the embedding model for its rate (0 = skip)",
    )
    args = ap.parse_args(argv)
    corpus = Path(args.corpus) if args.corpus else default_corpus()
    out: dict[str, object] = {"corpus": str(corpus)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        shutil.copytree(corpus, root / corpus.name, ignore=shutil.ignore_patterns("__pycache__"))
        proc = subprocess.run(
            [sys.executable, "-c", COLD, str(root)], capture_output=True, text=True, check=True
        )
        out["cold_index"] = json.loads(proc.stdout)

        from smallcode.project.index import CodeIndex
        from smallcode.project.search import hybrid_search

        with CodeIndex(root) as ix:
            t = time.perf_counter()
            ix.update()
            out["noop_update_s"] = round(time.perf_counter() - t, 4)

            target = max(root.rglob("*.py"), key=lambda p: p.stat().st_size)
            with target.open("a") as fh:
                fh.write("\n\ndef benchmark_added_function(x):\n    return x + 1\n")
            t = time.perf_counter()
            s = ix.update()
            out["one_file_changed_s"] = round(time.perf_counter() - t, 4)
            out["one_file_changed"] = {
                "file": target.relative_to(root).as_posix(),
                "bytes": target.stat().st_size,
                "changed": s.changed,
            }

            def timed(use_emb: bool, update: bool) -> list[float]:
                times = []
                for q in QUERIES:
                    t = time.perf_counter()
                    hybrid_search(ix, q, k=10, use_embeddings=use_emb, update=update)
                    times.append((time.perf_counter() - t) * 1000)
                return times

            timed(False, False)  # warm the page cache
            q = timed(False, False)
            out["query_ms_bm25_rg"] = {
                "median": round(statistics.median(q), 1),
                "max": round(max(q), 1),
            }
            q = timed(False, True)
            out["query_ms_with_update"] = {
                "median": round(statistics.median(q), 1),
                "max": round(max(q), 1),
            }
            out.update(_embedding_figures(ix, args.embed_seconds, timed))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print(out)
    return 0


def _embedding_figures(ix, seconds: float, timed) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from smallcode.project import embeddings
    from smallcode.project.vectors import embed_pending, pending_count

    if seconds <= 0 or not embeddings.available():
        return {"embeddings": "not installed or skipped"}
    t = time.perf_counter()
    embedder = embeddings.get_embedder()
    load_s = time.perf_counter() - t
    total = pending_count(ix)
    t = time.perf_counter()
    done = embed_pending(ix, embedder, max_seconds=seconds)
    rate = done / (time.perf_counter() - t)
    q = timed(True, False)
    return {
        "embeddings": {
            "model_load_s": round(load_s, 2),
            "symbols_to_embed": total,
            "per_second": round(rate, 1),
            "full_corpus_estimate_s": round(total / rate, 1) if rate else None,
            "query_ms_hybrid": {"median": round(statistics.median(q), 1), "max": round(max(q), 1)},
        }
    }


def _print(out: dict[str, object]) -> None:
    cold = out["cold_index"]
    assert isinstance(cold, dict)
    print(f"corpus: {out['corpus']}")
    print(f"  {cold['files']} files, {cold['lines']} lines, {cold['symbols']} definitions")
    print(
        f"cold full index:        {cold['seconds']:.2f} s  (peak RSS {cold['peak_rss_mb']} MB, "
        f"workers {cold['peak_rss_worker_mb']} MB)"
    )
    print(f"no-op update:           {out['noop_update_s'] * 1000:.0f} ms")
    print(
        f"one file changed:       {out['one_file_changed_s'] * 1000:.0f} ms  "
        f"({out['one_file_changed']})"
    )
    print(f"query (BM25 + rg):      {out['query_ms_bm25_rg']}")
    print(f"query incl. update:     {out['query_ms_with_update']}")
    print(f"embeddings:             {out['embeddings']}")


if __name__ == "__main__":
    sys.exit(main())
