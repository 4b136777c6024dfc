"""``smallcode summary`` and ``smallcode search``: project knowledge from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from smallcode.cliparser import Parser
from smallcode.errors import EXIT_NOT_DONE, EXIT_OK, EXIT_USAGE, ConfigError, SmallCodeError


def _settings(root: Path) -> Any:
    from smallcode.config import Settings

    return Settings.load(root)


def _folder(raw: str | None) -> Path:
    path = Path(raw or ".").expanduser()
    if not path.is_dir():
        raise ConfigError(f"not a folder: {raw}")
    return path.resolve()


def summary_main(argv: list[str]) -> int:
    parser = Parser(
        prog="smallcode summary",
        description="Show what SmallCode detects about a project: runtime, package manager, "
        "framework, entry point, build and test commands.",
    )
    parser.add_argument("--path", metavar="DIR", help="project folder (default: current folder)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    try:
        root = _folder(args.path)
        from smallcode.project.bootstrap import DETECTED_FIELDS, summarize_project

        summary = summarize_project(root, _settings(root))
    except SmallCodeError as exc:
        print(f"smallcode summary: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_NOT_DONE)
    if args.json:
        keys = (*DETECTED_FIELDS, "text")
        print(json.dumps({k: getattr(summary, k) for k in keys}, indent=2))
    else:
        print(summary.text)
    return EXIT_OK


def search_main(argv: list[str]) -> int:
    parser = Parser(
        prog="smallcode search",
        description="Find code by what it does or by name (ripgrep + BM25 over the symbol "
        "index + local embeddings when installed). Builds or updates .smallcode/index.db.",
    )
    parser.add_argument("query", nargs="+", help="what the code does, or a name")
    parser.add_argument(
        "--path",
        metavar="DIR",
        help="folder to search: inside the current project it narrows the search; "
        "elsewhere it is the project (default: current folder)",
    )
    parser.add_argument("-k", type=int, default=10, metavar="N", help="results (default 10)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--no-embed", action="store_true", help="BM25 and ripgrep only")
    args = parser.parse_args(argv)
    if args.k < 1:
        print("smallcode search: -k must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    query = " ".join(args.query).strip()
    if not query:
        print("smallcode search: the query is empty", file=sys.stderr)
        return EXIT_USAGE
    try:
        cwd = Path.cwd().resolve()
        target = _folder(args.path)
        if target == cwd or cwd in target.parents:
            root, under = cwd, target.relative_to(cwd).as_posix()
        else:
            root, under = target, ""
        settings = _settings(root)
        hits = run_search(
            root,
            settings,
            query,
            args.k,
            under,
            embed=not args.no_embed,
            on_notice=lambda text: print(f"smallcode search: {text}", file=sys.stderr),
        )
    except SmallCodeError as exc:
        print(f"smallcode search: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_NOT_DONE)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], indent=2))
        return EXIT_OK
    if not hits:
        print("No matches.")
        return EXIT_NOT_DONE
    for h in hits:
        print(f"{h.path}:{h.line}  {h.symbol}  ({h.kind}, {h.score:.3f})")
        print(f"    {h.snippet}")
    return EXIT_OK


def _why(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    name = getattr(exc, "filename", None)
    return f"{name}: {text}" if name else str(text)


def run_search(
    root: Path,
    settings: Any,
    query: str,
    k: int,
    under: str = "",
    embed: bool = True,
    on_notice: Any = None,
) -> list:
    """Update the index, top up embeddings within the budget, and search. Where the index
    cannot be stored (``.smallcode/`` cannot be created) it is built in memory, and
    ``on_notice`` hears why."""
    from smallcode.project import embeddings
    from smallcode.project.index import CodeIndex
    from smallcode.project.search import hybrid_search
    from smallcode.store.db import StoreError

    max_bytes = int(getattr(settings, "index_max_file_bytes", 512_000) or 512_000)
    try:
        index = CodeIndex(root, max_file_bytes=max_bytes)
    except (OSError, StoreError) as exc:  # .smallcode/ cannot be created: index in memory
        if on_notice is not None:
            on_notice(f"no index written ({_why(exc)}): searching without saving one")
        index = CodeIndex(root, max_file_bytes=max_bytes, in_memory=True)
    with index:
        index.update()
        use_emb = embed and embeddings.enabled(settings)
        if use_emb:
            top_up_embeddings(index, float(getattr(settings, "embed_budget", 8.0)))
        return hybrid_search(index, query, k=k, path=under, use_embeddings=use_emb, update=False)


def top_up_embeddings(index: Any, budget_s: float) -> int:
    """Embed not yet embedded symbols for at most ``budget_s`` seconds (0 = none)."""
    if budget_s <= 0:
        return 0
    from smallcode.project.embeddings import get_embedder
    from smallcode.project.vectors import embed_pending

    embedder = get_embedder()
    if embedder is None:
        return 0
    return embed_pending(index, embedder, max_seconds=budget_s)
