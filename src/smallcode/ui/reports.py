"""Report text for the REPL: ``/tokens``, ``/budget`` and ``/undo``.

The core keeps the numbers (agent/budget.py, store/snapshots.py); this module only words them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from smallcode.agent.budget import tools_tokens

if TYPE_CHECKING:
    from smallcode.agent.budget import ContextBudget
    from smallcode.store.snapshots import Change, UndoResult
    from smallcode.types import Message, Usage


class _Session(Protocol):
    """What the reports read of an Agent."""

    context: ContextBudget
    usage: Usage
    messages: list[Message]

    def tool_schemas(self) -> list[dict[str, Any]]: ...


# ---------------------------------------------------------------- /tokens and /budget


def tokens_report(agent: _Session) -> str:
    """What ``/tokens`` shows: detailed usage of the session."""
    ctx = agent.context
    u = agent.usage
    cached = f"  ({u.cached_tokens:,} reused from the server's cache" + (
        f", {u.cached_tokens / u.prompt_tokens:.0%})" if u.prompt_tokens else ")"
    )
    lines = [
        f"Requests       {ctx.requests:>9,}"
        + (
            f"  (+{ctx.side_requests} side requests: summaries, typed prompt functions)"
            if ctx.side_requests
            else ""
        ),
        f"Prompt tokens  {u.prompt_tokens:>9,}" + (cached if u.cached_tokens else ""),
        f"Output tokens  {u.completion_tokens:>9,}",
        f"Prefix reuse   {ctx.prefix_reuse():>9.0%}  (share of the prompt text repeating the "
        "request before: what the server's cache can reuse)",
    ]
    if ctx.requests:
        lines.append(
            f"Last request   {ctx.last_prompt_tokens:>9,} prompt tokens reported "
            f"(estimated {ctx.last_estimate:,})"
        )
    if ctx.side_requests:
        s = ctx.side_usage
        lines.append(
            f"Side requests  {s.prompt_tokens:>9,} prompt + {s.completion_tokens:,} output tokens"
        )
    lines.append(f"Compactions    {ctx.compactions:>9,}")
    return "\n".join(lines)


def budget_report(agent: _Session) -> str:
    """What ``/budget`` shows: window usage with a bar."""
    return budget_text(agent.context, agent.messages, agent.tool_schemas())


def budget_text(
    budget: ContextBudget,
    messages: list[Message],
    tools: list[dict[str, Any]] | None = None,
    width: int = 30,
) -> str:
    """Window usage of ``messages`` and ``tools`` under ``budget``, with a bar."""
    limit = budget.budget()
    system = budget.estimate(messages[:1])
    schema = int(tools_tokens(tools) * budget.ratio)
    history = budget.estimate(messages[1:]) if len(messages) > 1 else 0
    used = system + schema + history
    share = used / limit if limit else 1.0
    filled = min(width, round(share * width))
    bar = "█" * filled + "░" * (width - filled)
    evicted = sum(1 for m in messages if m.meta.get("evicted"))
    settings = budget.settings
    lines = [
        f"Context window {budget.window:,} tokens: prompt budget {limit:,} "
        f"(output reserve {budget.output_reserve():,}, margin {budget.margin():,})",
        f"[{bar}] {share:.0%} used ({used:,} / {limit:,} tokens)",
        f"  system prompt  {system:>7,}",
        f"  tool schemas   {schema:>7,}  ({len(tools or [])} tools)",
        f"  history        {history:>7,}  ({max(0, len(messages) - 1)} messages"
        + (f", {evicted} evicted" if evicted else "")
        + ")",
        f"Compacts at {settings.compact_at:.0%} ({int(limit * settings.compact_at):,}"
        f" tokens) down to about {settings.compact_to:.0%}; "
        f"compactions so far: {budget.compactions}",
    ]
    if abs(budget.ratio - 1.0) > 0.005:
        lines.append(f"Estimates corrected by x{budget.ratio:.2f} from server-reported usage.")
    return "\n".join(lines)


# ---------------------------------------------------------------- /undo


def change_line(c: Change) -> str:
    """One recorded change, for ``/undo --list``."""
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(c.ts))
    what = "modified" if c.existed else "created"
    return f"#{c.id} {when} {c.tool} {what} {c.path} [{c.state}]"


def undo_line(r: UndoResult) -> str:
    """What undoing one change did."""
    if r.action == "skipped":
        return f"skipped {r.path}: {r.reason}"
    return f"{r.action} {r.path}" + (f" ({r.reason})" if r.reason else "")


def undo_text(root: Path | str, n: int = 1, *, force: bool = False) -> str:
    """What ``/undo [n] [--force]`` shows: undo the last n changes of the agent in ``root``."""
    from smallcode.store.db import StoreError
    from smallcode.store.snapshots import SnapshotStore, has_snapshots

    if not has_snapshots(root):
        return "Nothing to undo."
    try:
        store = SnapshotStore.open(root)
    except StoreError as exc:
        return f"undo: {exc}"
    try:
        results = store.undo(n, force=force)
    finally:
        store.close()
    if not results:
        return "Nothing to undo."
    return "\n".join(undo_line(r) for r in results)


def history_text(root: Path | str, limit: int = 20) -> str:
    """What ``/undo --list`` shows: the latest changes that can be undone, newest first."""
    from smallcode.store.db import StoreError
    from smallcode.store.snapshots import SnapshotStore, has_snapshots

    if not has_snapshots(root):
        return "No changes recorded."
    try:
        store = SnapshotStore.open(root)
    except StoreError as exc:
        return f"undo: {exc}"
    try:
        changes = store.history(limit)
    finally:
        store.close()
    return "\n".join(change_line(c) for c in changes) or "No changes recorded."
