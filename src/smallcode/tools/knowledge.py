"""Tools that know the project: hybrid code search, the code graph, the projects in a workspace.

Not core tools: offered when the task calls for finding code. The index lives in
``.smallcode/index.db`` and is brought up to date (changed files only) before each search.
"""

from __future__ import annotations

import time
from typing import Any

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool

_INDEX_KEY = "code_index"
_UPDATED_KEY = "code_index_updated"
# A search right after another reuses the index without re-walking the tree.
_FRESH_S = 2.0


def code_index(ctx: ToolContext, update: bool = True) -> Any:
    """The session's CodeIndex (opened once, kept in ``ctx.extras``), brought up to date."""
    from smallcode.project.index import CodeIndex

    index = ctx.extras.get(_INDEX_KEY)
    if index is None:
        max_bytes = int(getattr(ctx.settings, "index_max_file_bytes", 512_000) or 512_000)
        index = CodeIndex(ctx.root, max_file_bytes=max_bytes)
        ctx.extras[_INDEX_KEY] = index
    now = time.monotonic()
    if update and now - ctx.extras.get(_UPDATED_KEY, -1e9) > _FRESH_S:
        index.update()
        ctx.extras[_UPDATED_KEY] = time.monotonic()
    return index


def _use_embeddings(ctx: ToolContext, index: Any) -> bool:
    from smallcode.project import embeddings

    if not embeddings.enabled(ctx.settings):
        return False
    from smallcode.project.commands import top_up_embeddings

    budget = float(getattr(ctx.settings, "embed_budget", 8.0))
    top_up_embeddings(index, budget)
    return True


def _subfolder(ctx: ToolContext, path: str | None) -> str:
    if not path or path.strip() in (".", "./", ""):
        return ""
    resolved = ctx.resolve(path)
    if not resolved.exists():
        raise ToolError(f"folder not found: {path}")
    return ctx.rel(resolved)


@tool(read_only=True, core=False)
def hybrid_search(ctx: ToolContext, query: str, path: str | None = None) -> str:
    """Find code by what it does or by name; returns ranked definitions as file:line.

    Args:
        query: What the code does in plain words (e.g. "retry failed downloads") or a name.
        path: Only search below this folder (relative to the project root).
    """
    from smallcode.project.search import format_hits
    from smallcode.project.search import hybrid_search as search

    if not query or not query.strip():
        raise ToolError("query is empty: say what the code does or give a name")
    index = code_index(ctx)
    under = _subfolder(ctx, path)
    hits = search(
        index, query, k=8, path=under, use_embeddings=_use_embeddings(ctx, index), update=False
    )
    return format_hits(hits)


@tool(read_only=True, core=False)
def graph_search(ctx: ToolContext, query: str) -> str:
    """Find the definitions that match a query, with who calls them and what they call.

    Args:
        query: What the code does, or a name.
    """
    from smallcode.project.graph import graph_search as run

    if not query or not query.strip():
        raise ToolError("query is empty")
    index = code_index(ctx)
    return run(index, query, k=5, use_embeddings=_use_embeddings(ctx, index))


@tool(read_only=True, core=False)
def explain_symbol(ctx: ToolContext, symbol: str) -> str:
    """Show a function or class: signature, location, doc, callers and callees.

    Args:
        symbol: Its name, e.g. "parse_config" or "Config.load".
    """
    from smallcode.project.graph import explain

    if not symbol or not symbol.strip():
        raise ToolError("symbol is empty: give a function, class or method name")
    defs, text = explain(code_index(ctx), symbol)
    if not defs:
        raise ToolError(text + " Try hybrid_search to find it by what it does.")
    return text


@tool(read_only=True, core=False)
def list_projects(ctx: ToolContext) -> str:
    """List the projects in this workspace with their files, symbols, lines and languages."""
    from smallcode.project.bootstrap import find_subprojects, summarize_project

    index = code_index(ctx)
    rows = [(".", summarize_project(ctx.root, ctx.settings).runtime or "folder")]
    rows += [(rel, d.ecosystem) for rel, d in find_subprojects(ctx.root)]
    lines = []
    for rel, kind in rows:
        st = index.stats("" if rel == "." else rel)
        langs = ", ".join(f"{k} {v}" for k, v in list(st["languages"].items())[:5])
        lines.append(
            f"{rel}: {kind}; {st['files']} files, {st['symbols']} symbols, "
            f"{st['lines']} lines ({langs or 'no indexed files'})"
        )
    return "\n".join(lines)


KNOWLEDGE_TOOLS = (hybrid_search, graph_search, explain_symbol, list_projects)


def close_knowledge(ctx: ToolContext) -> None:
    """Close the index and memory connections the knowledge and memory tools opened."""
    for key in (_INDEX_KEY, "memory_store"):
        item = ctx.extras.pop(key, None)
        if item is not None:
            item.close()
