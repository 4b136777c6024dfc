"""Installing a session's extensions (plugins/) into the agent, once, before the first request.

``install_extensions(agent)`` (build_agent) loads hooks, MCP servers, skills and plugins. With
none declared it adds nothing: the prompt floor and start-up stay as they are. Otherwise:

- plugin tools and the ``skill`` tool join the tool list now; MCP tools at the first task,
  once the servers started in parallel are ready (then the list is fixed for the session);
- hooks run at their points (agent/extension_guards.py), ``UserPromptSubmit`` before each
  task (exit 2 refuses the task), ``SessionStart`` in the background at start (its context
  goes with the first task), ``PreCompact`` before a compaction, ``Notification`` when the
  user is asked for a permission, ``SessionEnd`` when the session closes;
- each task's context message gets the hooks' context, the skills catalog ranked for the task
  and the plugin prompts for its type, within their budgets;
- skills' ``allowed-tools`` become allow rules while the skill is in use (the task).
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING, Any

from smallcode.errors import ConfigError, SmallCodeError
from smallcode.types import Message

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult
    from smallcode.plugins.extensions import Extensions
    from smallcode.plugins.skills import Skill


class HookBlocked(SmallCodeError):
    """A UserPromptSubmit hook refused the task (exit 2 or decision block)."""


class ExtensionSession:
    def __init__(self, agent: Agent, ext: Extensions) -> None:
        self.agent = agent
        self.ext = ext
        self.session_uuid = str(uuid.uuid4())
        self.first = True
        self.start_context: list[str] = []
        self._start_thread: threading.Thread | None = None
        self.rules: list[Any] = []  # allow rules of skills in use this task
        self.pending_rules: list[Any] = []  # from /skill, for the next task
        self.closed = False

    @property
    def manager(self) -> Any:
        return self.agent.ctx.permissions

    def notify(self, text: str) -> None:
        self.agent.events.emit("notice", message=text)

    def common(self) -> dict[str, Any]:
        services = self.agent.services
        recorder = self.agent.ctx.trace_recorder
        path = getattr(recorder, "path", None)
        return {
            "session_id": getattr(services, "session_id", None) or self.session_uuid,
            "transcript_path": str(path) if path else "",
            "cwd": str(self.ext.root),
            "permission_mode": getattr(self.manager, "mode", "default"),
        }

    # ------------------------------------------------------------------ session start / end

    def start(self) -> None:
        runner = self.ext.hooks
        if runner is not None and runner.has("SessionStart"):

            def go() -> None:
                out = runner.run("SessionStart", {"source": "startup"}, ("startup",))
                self.start_context += out.context
                for line in out.notices:
                    self.notify(line)

            self._start_thread = threading.Thread(target=go, daemon=True, name="session-start")
            self._start_thread.start()
        if self.ext.host is not None:
            self.ext.host.session_start(self.agent.ctx)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        runner = self.ext.hooks
        if runner is not None and runner.has("SessionEnd"):
            out = runner.run("SessionEnd", {"reason": "other"}, ("other",))
            for line in out.notices:
                self.notify(line)
        if self.ext.host is not None:
            self.ext.host.session_end(self.agent.ctx)
        if self.ext.hub is not None:
            self.ext.hub.close()

    # ------------------------------------------------------------------ per task

    def before_task(self, agent: Agent, task: str) -> None:
        parts: list[str] = []
        if self.first:
            self.first = False
            if self._start_thread is not None:
                self._start_thread.join(30.0)
            parts += self.start_context
            self._add_mcp_tools()
        runner = self.ext.hooks
        if runner is not None and runner.has("UserPromptSubmit"):
            out = runner.run("UserPromptSubmit", {"prompt": task})
            for line in out.notices:
                self.notify(line)
            if out.blocked or out.stop:
                raise HookBlocked(
                    f"a UserPromptSubmit hook refused the task: {out.reason or out.stop_reason}"
                )
            parts += out.context
        parts += self._plugin_prompts(task)
        if self.ext.skills is not None:
            self.ext.skills.window = agent.context.window
            catalog = self.ext.skills.catalog(
                task, agent.context.window, agent.settings.skills_budget
            )
            if catalog:
                parts.append(catalog)
        self.rules, self.pending_rules = self.rules + self.pending_rules, []
        text = "\n\n".join(p.strip() for p in parts if p and p.strip())
        if text:
            _add_context(agent, text)

    def after_task(self, agent: Agent, result: RunResult) -> None:
        manager = self.manager
        if manager is not None:
            for rule in self.rules:
                if rule in manager.policy.allow:
                    manager.policy.allow.remove(rule)
        self.rules = []

    def _plugin_prompts(self, task: str) -> list[str]:
        from smallcode.agent import intent

        items: list[tuple[str, str]] = []
        if self.ext.host is not None:
            items += self.ext.host.prompts
        for p in self.ext.active_plugins():
            items += [
                (str(x.get("content") or ""), str(x.get("inject") or "always"))
                for x in p.list_of("prompts")
            ]
        if not items:
            return []
        kinds = {"always", "edit" if intent.wants_change(task) else "question"}
        if intent.mentions_tests(task):
            kinds.add("test")
        low = task.lower()
        budget = self.agent.settings.knowledge_max_tokens * 4
        out: list[str] = []
        for content, inject in items:
            inject = inject.lower()
            if content.strip() and (
                inject in kinds or (inject not in ("edit", "question", "test") and inject in low)
            ):
                if sum(len(x) for x in out) + len(content) > budget:
                    break
                out.append(content.strip())
        return out

    # ------------------------------------------------------------------ MCP

    def _add_mcp_tools(self) -> None:
        hub = self.ext.hub
        if hub is None:
            return
        hub.wait()
        if not hub.tools():
            return
        from smallcode.plugins.mcp_tools import direct_tools, search_tools

        agent = self.agent
        mode = hub.choose_mode(agent.context.window, agent.settings.mcp_budget)
        tools = direct_tools(hub) if mode == "direct" else search_tools(hub)
        denied = [r for r in self.manager.policy.deny if r.bare] if self.manager else []
        for t in tools:
            if not any(r.applies_to(t.name) for r in denied):
                agent.registry.add(t)
        if self.manager is not None:
            from smallcode.permissions.rules import parse_rule

            for st in hub.ready():
                for name in st.spec.auto_approve:
                    full = f"mcp__{st.spec.name}__{name}"
                    self.manager.policy.allow.append(
                        parse_rule(full, f"{st.spec.source} autoApprove")
                    )
        counts = ", ".join(f"{s.spec.name} ({len(s.tools)} tools)" for s in hub.ready())
        how = (
            "offered directly"
            if mode == "direct"
            else "behind mcp_search and mcp_call (over budget)"
        )
        self.notify(f"MCP: {counts}; {how}")

    # ------------------------------------------------------------------ skills

    def skill_rules(self, skill: Skill, by_user: bool) -> list[Any]:
        """The allow rules of a skill's ``allowed-tools`` (trusted sources only)."""
        if not skill.allowed_tools or self.manager is None:
            return []
        from smallcode import trust
        from smallcode.permissions.rules import RuleError, parse_rule

        if skill.scope == "project" and not by_user and not trust.is_trusted(skill.path):
            self.notify(
                f"allowed-tools of the project skill {skill.name} not applied: {skill.path} is not trusted"
            )
            return []
        rules = []
        for text in skill.allowed_tools:
            try:
                rules.append(parse_rule(text, f"skill:{skill.name}"))
            except RuleError:
                self.notify(f"skill {skill.name}: allowed-tools entry {text!r} is not a rule")
        return rules

    def on_model_load(self, skill: Skill) -> None:
        rules = self.skill_rules(skill, by_user=False)
        if rules:
            self.manager.policy.allow.extend(rules)
            self.rules += rules

    def activate_by_user(self, name: str, arguments: str = "") -> str:
        """``/skill NAME``: the body goes to the model as a message before the next task."""
        skills = self.ext.skills
        skill = skills.get(name) if skills is not None else None
        if skill is None or not skill.user_invocable:
            raise ConfigError(f"no skill named {name!r}")
        body = skills.body_message(skill, self.agent.context.window, arguments)  # type: ignore[union-attr]
        skills.loaded.add(skill.name)  # type: ignore[union-attr]
        self.agent.messages.append(
            Message(
                "user", f"Use this skill for the next task.\n\n{body}", meta={"kind": "context"}
            )
        )
        rules = self.skill_rules(skill, by_user=True)
        if rules:
            self.manager.policy.allow.extend(rules)
            self.pending_rules += rules
        return skill.name

    def pre_compact(self) -> None:
        runner = self.ext.hooks
        if runner is not None and runner.has("PreCompact"):
            out = runner.run(
                "PreCompact", {"trigger": "auto", "custom_instructions": ""}, ("auto",)
            )
            for line in out.notices:
                self.notify(line)


def _add_context(agent: Agent, text: str) -> None:
    """Into this task's context message when one was just added, else a new one."""
    last = agent.messages[-1] if agent.messages else None
    if last is not None and last.role == "user" and last.meta.get("kind") == "context":
        last.content = f"{last.content}\n\n{text}"
        return
    agent.messages.append(
        Message("user", f"Context for the next task:\n{text}", meta={"kind": "context"})
    )


# ---------------------------------------------------------------------- install


def install_extensions(agent: Agent) -> ExtensionSession | None:
    from smallcode.plugins.locations import anything_declared

    manager = agent.ctx.permissions
    if not anything_declared(agent.settings.cwd, getattr(manager, "files", None)):
        return None  # a few stat calls: nothing of plugins/ is imported
    client = agent.settings.mcp_client.strip().lower()
    if client not in ("auto", "builtin", "sdk"):
        raise ConfigError(
            f"SMALLCODE_MCP_CLIENT={agent.settings.mcp_client!r} is not valid: expected auto, "
            "builtin or sdk"
        )
    from smallcode.plugins.extensions import load

    ext = load(
        agent.settings,
        getattr(manager, "files", None),
        getattr(manager, "sandbox", None),
        agent.events,
    )
    for line in ext.notices:
        agent.events.emit("notice", message=line)
    for problem in ext.problems:
        agent.events.emit("notice", message=f"extensions: {problem}")
    if ext.empty:
        return None
    session = ExtensionSession(agent, ext)
    agent.ctx.extensions = session
    if ext.hooks is not None:
        ext.hooks.common = session.common
    _wire(agent, session)
    session.start()
    return session


def _wire(agent: Agent, session: ExtensionSession) -> None:
    from smallcode.agent.extension_guards import PostToolUseGuard, StopHookCheck, make_pre_tool_use

    ext = session.ext
    if ext.host is not None:
        for t in ext.host.tools:
            if t.name not in agent.registry:
                agent.registry.add(t)
    if ext.skills is not None:
        marker = 'Skill "{}" ('

        def in_history(name: str) -> bool:
            head = marker.format(name)
            return any(head in m.content for m in agent.messages if m.role in ("tool", "user"))

        ext.skills.in_history = in_history
        if ext.skills.offered():
            agent.registry.add(ext.skills.tool(on_load=session.on_model_load))
    notes: dict[str, str] = {}
    guard = next((g for g in agent.guards.guards if getattr(g, "name", "") == "permissions"), None)
    if guard is not None and (
        ext.host is not None or (ext.hooks is not None and ext.hooks.has("PreToolUse"))
    ):
        guard.pre_tool_use = make_pre_tool_use(ext, agent.ctx, session.notify, notes)  # type: ignore[attr-defined]
    if ext.host is not None or (
        ext.hooks is not None and (ext.hooks.has("PostToolUse") or ext.hooks.has("PreToolUse"))
    ):
        agent.guards.add(PostToolUseGuard(ext, agent.ctx, session.notify, notes))
    if ext.hooks is not None and ext.hooks.has("Stop"):
        agent.finish_checks.append(StopHookCheck(ext, session.notify))
    agent.task_hooks.append(session.before_task)
    agent.end_hooks.append(session.after_task)
    agent.context.before_compact.append(session.pre_compact)
    manager = session.manager
    if (
        ext.hooks is not None
        and ext.hooks.has("Notification")
        and manager is not None
        and manager.ask is not None
    ):
        ask = manager.ask
        runner = ext.hooks

        def asking(req: Any) -> str:
            payload = {
                "message": f"SmallCode needs your permission to use {req.tool}",
                "notification_type": "permission_prompt",
            }
            threading.Thread(
                target=runner.run,
                args=("Notification", payload, ("permission_prompt",)),
                daemon=True,
            ).start()
            return ask(req)

        manager.ask = asking


def close_extensions(agent: Agent) -> None:
    session = agent.ctx.extensions
    if isinstance(session, ExtensionSession):
        session.close()
