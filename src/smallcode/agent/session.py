"""Assembling a session: settings -> provider, tools, system prompt, guards -> Agent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smallcode.agent.budget import ContextBudget
from smallcode.agent.compaction import make_summarizer
from smallcode.agent.guards import Guard, GuardSet, build_default_guards
from smallcode.agent.loop import Agent
from smallcode.config import Settings
from smallcode.events import EventBus
from smallcode.llm.base import Provider
from smallcode.prompts import load_prompt
from smallcode.tools import ToolContext, core_registry
from smallcode.tools.registry import Tool, ToolRegistry


def build_system_prompt(settings: Settings, edit_format: str = "tools") -> str:
    """The fixed prefix of every request in the session: no dates, no counters.

    ``edit_format`` (agent/editformat.py) picks the editing rules. The project summary and
    instruction files (AGENTS.md, ...) follow the base prompt.
    """
    from smallcode.agent.editformat import system_prompt_for

    base = system_prompt_for(load_prompt("system.md"), edit_format)
    from smallcode.project.context import project_prefix

    try:
        project = project_prefix(settings.cwd, settings)
    except OSError:
        project = ""
    return f"{base}\n\n{project}" if project else base


def build_registry(settings: Settings) -> ToolRegistry:
    """The core tools, plus the web tools when browsing is on and the BoneScript tools when
    the project has a .bone file and the compiler is found (fixed for the session)."""
    registry = core_registry()
    from smallcode.tools.web import web_tools

    for t in web_tools(settings)[0]:
        registry.add(t)
    from smallcode.tools.bone import bone_tools

    for t in bone_tools(settings.cwd)[0]:
        registry.add(t)
    return registry


def build_guards(
    settings: Settings,
    registry: ToolRegistry | None = None,
    ctx: ToolContext | None = None,
    context: ContextBudget | None = None,
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
    confirm: Callable[[str], bool] | None = None,
    *,
    tools: list[Tool] | None = None,
    guards: list[Guard] | None = None,
) -> Agent:
    """A ready Agent for the project in ``settings.cwd``.

    ``confirm(question) -> bool`` asks the user (interactive UI); without it, actions that need
    consent (cloud escalation, provider changes by the model) follow the settings alone.
    ``tools`` and ``guards`` are added to the built-in ones (``SmallCode(tools=, guards=)``).
    """
    from smallcode.agent.services import SessionServices
    from smallcode.agent.toolset import check_tools_setting
    from smallcode.llm.factory import make_provider
    from smallcode.llm.router import Router
    from smallcode.logs import configure_logging

    configure_logging(settings.debug)  # SMALLCODE_DEBUG: what the agent survived, on stderr
    registry = build_registry(settings)
    check_tools_setting(settings.tools, registry.names())  # a bad value: exit 2 before anything
    events = events or EventBus()
    from smallcode.agent.permission_guard import install_permissions, trust_notices

    for line in trust_notices(settings):  # an untrusted project .env: what was not applied
        events.emit("notice", message=line)
    from smallcode.tools.web import web_tools

    web_note = web_tools(settings)[1]
    if web_note:
        events.emit("notice", message=web_note)
    from smallcode.plugins.providers import plugin_provider

    provider = (
        provider
        or plugin_provider(settings)
        or make_provider(settings, on_notice=lambda text: events.emit("notice", message=text))
    )
    from smallcode.fsio import clean_temp

    clean_temp(settings.cwd)  # temp files of writes cut short by a kill (.smallcode/tmp)
    router = Router(settings, provider)
    router.escalation.confirm = confirm
    provider = router.provider_for("main")  # the MEDIUM tier where set, else the main model
    context = ContextBudget(settings, provider.context_window(), events=events)
    # Side work (compaction summaries, titles, typed prompt functions) goes to the FAST tier
    # when one is configured (agent/cognition); the main model otherwise.
    from smallcode.cognition import install_cognition

    cognition = install_cognition(settings, router, context, events)
    context.summarizer = make_summarizer(router.provider_for("side"), settings, context, cognition)
    ctx = ToolContext(
        root=settings.cwd,
        settings=settings,
        events=events,
        provider=provider,
        router=router,
        confirm=confirm,
        cognition=cognition,
    )
    from smallcode.agent.editformat import initial_format

    edit_format = initial_format(settings.edit_format, provider.model)
    agent = Agent(
        settings,
        provider,
        registry,
        ctx,
        build_system_prompt(settings, edit_format),
        events=events,
        guards=build_guards(settings, registry, ctx, context),
        context=context,
        escalation=router.escalation if router.escalation.enabled else None,
        edit_format=edit_format,
    )
    events.on("parsed", lambda e: _count_calls(ctx, e.data))  # native or text (/profile)
    agent.services = SessionServices(agent)
    from smallcode.agent.workflows import install_workflows

    install_workflows(agent)
    from smallcode.agent import bone_guard

    bone_guard.install(agent)  # .bone writes are checked by the compiler (or said unchecked)
    install_permissions(agent, confirm)  # rules, modes, the sandbox; checks every call
    from smallcode.agent.extensions import install_extensions

    install_extensions(agent)  # hooks, MCP servers, skills, plugins (nothing when none)
    from smallcode.agent.trace_recorder import install_tracing

    install_tracing(agent)  # .smallcode/traces/<id>.jsonl (SMALLCODE_TRACE_KEEP)
    for t in tools or []:  # last: the caller's tools and guards win over same-named ones
        registry.add(t)
    for g in guards or []:
        agent.guards.add(g)
    return agent


def _count_calls(ctx: ToolContext, data: dict[str, Any]) -> None:
    if data.get("calls"):
        if ctx.native_calls is None:
            ctx.native_calls = {"native": 0, "text": 0}
        ctx.native_calls["native" if data.get("native") else "text"] += 1


def clear_conversation(agent: Agent) -> None:
    """``/clear``: forget the conversation but keep the session's prefix (the system prompt
    and the pinned project messages after it), so the server's cache of that prefix is reused.
    The next task starts a new saved session; the cleared one stays in ``/sessions``."""
    from smallcode.agent.compaction import is_pinned

    keep = 1
    while keep < len(agent.messages) and is_pinned(agent.messages[keep]):
        keep += 1
    agent.messages[:] = agent.messages[:keep]
    agent.ctx.files_read.clear()  # the model no longer has what it read
    if agent.services is not None:
        agent.services.session_id = None


def resume_latest(agent: Agent, ref: str | None = None) -> str:
    """Continue the latest saved conversation of this project (or the one ``ref`` names)."""
    if agent.services is None:
        return "No saved sessions (no session services)."
    return agent.services.resume(ref)


def close_agent(agent: Agent) -> None:
    from smallcode.tools.knowledge import close_knowledge

    if agent.services is not None:
        agent.services.close()
    close_knowledge(agent.ctx)
    if agent.ctx.shell is not None:
        agent.ctx.shell.close()
    from smallcode.agent.extensions import close_extensions
    from smallcode.agent.permission_guard import close_permissions

    close_extensions(agent)  # SessionEnd hooks, MCP servers stopped
    close_permissions(agent)
    if agent.ctx.snapshot_guard is not None:
        agent.ctx.snapshot_guard.close()
    router = agent.ctx.router
    closed: list[object] = []
    if router is not None:
        closed = [*router._built.values()]  # the tiers (MEDIUM may be agent.provider)
        router.close()
        if router.main is not agent.provider and router.main not in closed:
            router.main.close()
    if agent.provider not in closed:
        agent.provider.close()
