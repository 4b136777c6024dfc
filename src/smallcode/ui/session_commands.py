"""Slash commands about the session: /undo, /tokens, /budget, /stats, /sessions, /memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.ui.repl import Repl


@command("undo", "undo the agent's last file change (/undo N, /undo --list, --force)")
def _undo(ui: Repl, arg: str) -> str:
    from smallcode.ui.reports import history_text, undo_text

    words = arg.split()
    if "--list" in words:
        return f"```\n{history_text(ui.settings.cwd)}\n```"
    numbers = [w for w in words if w.isdigit()]
    n = int(numbers[0]) if numbers else 1
    return undo_text(ui.settings.cwd, n=n, force="--force" in words)


@command("tokens", "token usage of this session in detail")
def _tokens(ui: Repl, arg: str) -> str:
    from smallcode.ui.reports import tokens_report

    return f"```\n{tokens_report(ui.agent)}\n```"  # aligned columns: keep the lines


@command("budget", "how full the context window is")
def _budget(ui: Repl, arg: str) -> str:
    from smallcode.ui.reports import budget_report

    return f"```\n{budget_report(ui.agent)}\n```"


@command("stats", "session statistics: requests, tokens, tool calls, failures, prefix reuse")
def _stats(ui: Repl, arg: str) -> str:
    agent = ui.agent
    u = agent.usage
    ctx = agent.context
    side = f" (+{ctx.side_requests} side requests)" if ctx.side_requests else ""
    rows = [
        ("model requests", f"{ctx.requests}{side}"),
        ("prompt tokens", f"{u.prompt_tokens:,} ({u.cached_tokens:,} reused from the cache)"),
        ("completion tokens", f"{u.completion_tokens:,}"),
        ("prefix reuse", f"{ctx.prefix_reuse():.0%} of the prompt text repeats the request before"),
        ("compactions", str(ctx.compactions)),
        ("files created", ", ".join(sorted(agent.ctx.files_created)) or "none"),
        ("files edited", ", ".join(sorted(agent.ctx.files_edited)) or "none"),
    ]
    services = agent.services
    if services is not None:
        st = services.stats()
        if st:
            rows.append(
                (
                    "tool calls",
                    f"{st.get('calls', 0)} ({st.get('failures', 0)} failed, "
                    f"{st.get('repairs', 0)} repaired by the parser)",
                )
            )
        if services.session_id:
            rows.append(("session", services.session_id))
    if agent.escalation is not None:
        rows.append(("escalation", agent.escalation.describe().removeprefix("escalation: ")))
    return "**Session**\n\n" + "\n".join(f"- {k}: {v}" for k, v in rows)


@command("sessions", "list saved sessions; /sessions ID resumes one")
def _sessions(ui: Repl, arg: str) -> str:
    services = ui.agent.services
    if services is None:
        return "Sessions are not available."
    if arg:
        return services.resume(arg)
    items = services.list_sessions(20)
    if not items:
        return "No saved sessions in this project yet."
    lines = []
    for info in items:
        mark = " (current)" if info.id == services.session_id else ""
        lines.append(f"- `{info.id}` {info.title[:60]!r}, {info.messages} messages{mark}")
    return "**Sessions** (newest first; `/sessions ID` resumes)\n\n" + "\n".join(lines)


@command("memory", "what SmallCode remembers for this project and for you")
def _memory(ui: Repl, arg: str) -> str:
    from smallcode.store.memory import MemoryStore

    store = MemoryStore.open(ui.settings.cwd, data_dir=ui.settings.data_dir or None)
    try:
        items = store.entries()
    finally:
        store.close()
    if not items:
        return "No memories yet (the model saves them with memory_remember)."
    return "**Memory**\n\n" + "\n".join(f"- {m.line()}" for m in items[:50])
