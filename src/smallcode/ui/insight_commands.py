"""Slash commands that look inside the session: /cognition (typed prompt functions),
/evidence (what was tried across sessions) and /profile (the model as SmallCode sees it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl


@command("cognition", "typed prompt functions: tier and model, calls, cache hits, failures")
def _cognition(ui: Repl, arg: str) -> str:
    cognition = ui.agent.ctx.cognition
    if cognition is None:
        return "Typed prompt functions are not set up in this session."
    return f"```\n{cognition_table(cognition.rows())}\n```"


def cognition_table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'function':<10} {'tier':<5} {'model':<26} {'calls':>5} {'rule':>5} {'cache':>5} "
        f"{'reqs':>5} {'fail':>5} {'mean':>9}"
    )
    lines = [head]
    for r in rows:
        mean = f"{r['mean_ms']:.0f} ms" if r["mean_ms"] is not None else "-"
        lines.append(
            f"{r['function']:<10} {r['tier']:<5} {str(r['model'])[:26]:<26} {r['calls']:>5} "
            f"{r['rule']:>5} {r['cache_hits']:>5} {r['requests']:>5} {r['failures']:>5} "
            f"{mean:>9}"
        )
    lines.append(
        "rule: answered by word rules, no request; fail: requests that gave nothing usable "
        "(the deterministic fallback answered)"
    )
    return "\n".join(lines)


@command("evidence", "search what was tried, worked and failed across sessions: /evidence QUERY")
def _evidence(ui: Repl, arg: str) -> str:
    from smallcode.store.evidence_cli import _open, search_lines

    words = arg.split()
    failures = "--failures" in words
    query = " ".join(w for w in words if w != "--failures").strip()
    if not query:
        return "Usage: `/evidence QUERY` (add `--failures` for failed calls only)."
    store = _open(ui.settings.cwd)
    if store is None:
        return "Nothing recorded in this project yet."
    try:
        lines = search_lines(store, query, 20, failures)
    finally:
        store.close()
    if not lines:
        return f"No evidence matches {query!r}."
    return "```\n" + "\n".join(lines) + "\n```"


def profile_lines(agent: Any, router: Any) -> list[str]:
    """The detected model profile and how requests are routed (not the provider status)."""
    from smallcode.llm.profile import detect_profile

    provider = agent.provider
    profile = detect_profile(provider.model)
    native = getattr(getattr(agent, "ctx", None), "native_calls", None)
    if native is None:
        seen = "not seen yet (no tool call so far)"
    elif native["native"] and not native["text"]:
        seen = f"yes ({native['native']} replies with native tool_calls)"
    elif native["native"]:
        seen = f"mixed ({native['native']} native, {native['text']} written as text)"
    else:
        seen = f"no: calls come as text, parsed ({native['text']} replies)"
    lines = [
        *profile.lines(),
        f"edit format: {getattr(agent, 'edit_format', 'tools')}",
        f"native tool calls: {seen}",
    ]
    if router is not None:
        lines.append(f"routing: {router.mode}")
        lines += router.describe()
    return lines
