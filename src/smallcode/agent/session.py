"""Assembling a session: settings -> provider, tools, system prompt, guards -> Agent."""

from __future__ import annotations

from smallcode.agent.compaction import make_summarizer
from smallcode.agent.context import ContextManager
from smallcode.agent.guards import GuardSet, build_default_guards
from smallcode.agent.loop import Agent
from smallcode.config import Settings
from smallcode.events import EventBus
from smallcode.llm.base import Provider
from smallcode.prompts import load_prompt
from smallcode.tools import ToolContext, core_registry
from smallcode.tools.registry import ToolRegistry


def build_system_prompt(settings: Settings) -> str:
    """The fixed prefix of every request in the session: no dates, no counters."""
    return load_prompt("system.md")


def build_registry(settings: Settings) -> ToolRegistry:
    return core_registry()


def build_guards(
    settings: Settings,
    registry: ToolRegistry | None = None,
    ctx: ToolContext | None = None,
    context: ContextManager | None = None,
) -> GuardSet:
    """The guards switched on in settings (see agent/guards/); ctx and context share state."""
    return build_default_guards(
        settings,
        registry=registry,
        ctx=ctx,
        limit_chars=context.result_limit_chars if context is not None else None,
        output_tokens=context.output_reserve if context is not None else None,
    )


def build_agent(
    settings: Settings,
    events: EventBus | None = None,
    provider: Provider | None = None,
) -> Agent:
    from smallcode.llm.factory import make_provider

    events = events or EventBus()
    provider = provider or make_provider(settings)
    ctx = ToolContext(root=settings.cwd, settings=settings, events=events)
    registry = build_registry(settings)
    context = ContextManager(settings, provider.context_window(), events=events)
    # Compaction summaries use the session's own model (one request, rarely).
    context.summarizer = make_summarizer(provider, settings, context)
    return Agent(
        settings,
        provider,
        registry,
        ctx,
        build_system_prompt(settings),
        events=events,
        guards=build_guards(settings, registry, ctx, context),
        context=context,
    )


def close_agent(agent: Agent) -> None:
    shell = agent.ctx.extras.get("shell")
    if shell is not None:
        shell.close()
    snapshots = agent.ctx.extras.get("snapshot_guard")
    if snapshots is not None:
        snapshots.close()
    agent.provider.close()
