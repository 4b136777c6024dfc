"""Assembling a session: settings -> provider, tools, system prompt, guards -> Agent."""

from __future__ import annotations

from collections.abc import Callable

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
    confirm: Callable[[str], bool] | None = None,
) -> Agent:
    """A ready Agent for the project in ``settings.cwd``.

    ``confirm(question) -> bool`` asks the user (interactive UI); without it, actions that need
    consent (cloud escalation, provider changes by the model) follow the settings alone.
    """
    from smallcode.agent.services import SessionServices
    from smallcode.agent.toolset import check_tools_setting
    from smallcode.llm.factory import make_provider
    from smallcode.llm.router import Router

    registry = build_registry(settings)
    check_tools_setting(settings.tools, registry.names())  # a bad value: exit 2 before anything
    events = events or EventBus()
    from smallcode.agent.permission_guard import install_permissions, trust_notices

    for line in trust_notices(settings):  # an untrusted project .env: what was not applied
        events.emit("notice", message=line)
    provider = provider or make_provider(
        settings, on_notice=lambda text: events.emit("notice", message=text)
    )
    ctx = ToolContext(root=settings.cwd, settings=settings, events=events)
    from smallcode.fsio import clean_temp

    clean_temp(settings.cwd)  # temp files of writes cut short by a kill (.smallcode/tmp)
    context = ContextManager(settings, provider.context_window(), events=events)
    router = Router(settings, provider)
    router.escalation.confirm = confirm
    # Compaction summaries go to the FAST tier when one is configured (one request, rarely).
    context.summarizer = make_summarizer(router.provider_for("side"), settings, context)
    ctx.extras.update(provider=provider, router=router, confirm=confirm)
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
    )
    agent.edit_format = edit_format
    agent.escalation = router.escalation if router.escalation.enabled else None
    agent.services = SessionServices(agent)
    from smallcode.agent.workflows import install_workflows

    install_workflows(agent)
    install_permissions(agent, confirm)  # rules, modes, the sandbox; checks every call
    from smallcode.agent.trace_recorder import install_tracing

    install_tracing(agent)  # .smallcode/traces/<id>.jsonl (SMALLCODE_TRACE_KEEP)
    return agent


def resume_latest(agent: Agent, ref: str | None = None) -> str:
    """Continue the latest saved conversation of this project (or the one ``ref`` names)."""
    return agent.services.resume(ref)


def close_agent(agent: Agent) -> None:
    from smallcode.tools.knowledge import close_knowledge

    if agent.services is not None:
        agent.services.close()
    close_knowledge(agent.ctx)
    shell = agent.ctx.extras.get("shell")
    if shell is not None:
        shell.close()
    from smallcode.agent.permission_guard import close_permissions

    close_permissions(agent)
    snapshots = agent.ctx.extras.get("snapshot_guard")
    if snapshots is not None:
        snapshots.close()
    router = agent.ctx.extras.get("router")
    if router is not None:
        router.close()
    agent.provider.close()
