"""Memory tools: remember decisions, workflows, gotchas, conventions and context across sessions.

Project memories live in ``.smallcode/smallcode.db``; user memories (scope "user") in the
user's store and apply to every project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool

if TYPE_CHECKING:
    from smallcode.store.memory import MemoryStore

_KEY = "memory_store"


def memory_store(ctx: ToolContext) -> MemoryStore:
    """The session's MemoryStore (project + user), opened once and kept in ``ctx.extras``."""
    from smallcode.store.memory import MemoryStore

    store = ctx.extras.get(_KEY)
    if not isinstance(store, MemoryStore):
        store = MemoryStore.open(ctx.root, data_dir=getattr(ctx.settings, "data_dir", "") or None)
        ctx.extras[_KEY] = store
    return store


@tool(read_only=False, core=False)
def memory_remember(
    ctx: ToolContext,
    type: Literal["decision", "workflow", "gotcha", "convention", "context"],
    title: str,
    content: str,
    tags: list[str] | None = None,
    scope: Literal["project", "user"] = "project",
) -> str:
    """Remember something for later sessions (same type and title updates it).

    Args:
        type: decision, workflow, gotcha, convention or context.
        title: A short name for it.
        content: What to remember, in one or two sentences.
        tags: Keywords that help find it later.
        scope: project (default) or user (applies to every project).
    """
    try:
        m = memory_store(ctx).remember(type, title, content, tags, scope=scope)
    except ValueError as exc:
        raise ToolError(str(exc)) from None
    return f"Remembered {m.ref}: ({m.type}) {m.title}"


@tool(read_only=True, core=False)
def memory_load(ctx: ToolContext, task: str) -> str:
    """Recall what earlier sessions remembered that is relevant to a task.

    Args:
        task: The task or topic.
    """
    from smallcode.store.memory import format_memories

    budget = int(getattr(ctx.settings, "memory_max_tokens", 600) or 600)
    found = memory_store(ctx).load(task, budget)
    return format_memories(found) or "Nothing remembered about that."


@tool(read_only=True, core=False)
def memory_list(ctx: ToolContext, type: str | None = None) -> str:
    """List remembered notes, newest first.

    Args:
        type: Only this type (decision, workflow, gotcha, convention, context).
    """
    items = memory_store(ctx).entries(type=type or None, limit=50)
    if not items:
        return "No memories yet."
    return "\n".join(f"{m.ref} ({m.type}, {m.scope}) {m.title}: {m.content[:120]}" for m in items)


@tool(read_only=False, core=False)
def memory_forget(ctx: ToolContext, ref: str) -> str:
    """Forget a remembered note.

    Args:
        ref: Its ref from memory_list (e.g. p3) or its exact title.
    """
    gone = memory_store(ctx).forget(ref)
    if not gone:
        raise ToolError(f"no memory '{ref}': see memory_list for refs")
    return "Forgot " + ", ".join(f"{m.ref} {m.title}" for m in gone)


MEMORY_TOOLS = (memory_remember, memory_load, memory_list, memory_forget)
