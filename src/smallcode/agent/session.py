"""Assembling a session: settings -> provider, tools, system prompt, guards -> Agent."""

from __future__ import annotations

from smallcode.agent.context import ContextManager
from smallcode.agent.guards import GuardSet
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


def build_guards(settings: Settings) -> GuardSet:
    return GuardSet()


def build_agent(
    settings: Settings,
    events: EventBus | None = None,
    provider: Provider | None = None,
) -> Agent:
    from smallcode.llm.factory import make_provider

    events = events or EventBus()
    provider = provider or make_provider(settings)
    ctx = ToolContext(root=settings.cwd, settings=settings, events=events)
    return Agent(
        settings,
        provider,
        build_registry(settings),
        ctx,
        build_system_prompt(settings),
        events=events,
        guards=build_guards(settings),
        context=ContextManager(settings, provider.context_window()),
    )


def close_agent(agent: Agent) -> None:
    shell = agent.ctx.extras.get("shell")
    if shell is not None:
        shell.close()
    agent.provider.close()
