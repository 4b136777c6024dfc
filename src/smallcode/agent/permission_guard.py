"""The permission guard: every tool call passes the permission check before it runs.

``install_permissions(agent, confirm)`` (called by build_agent) sets up the session's
PermissionManager (permissions/manager.py): the rules of the settings files, the mode, the
sandbox the shell starts in. The guard blocks what is denied, with a message the model can act
on, masks secrets echoed in any tool's output, and the run's result lists the denials
(``permission_denials``). Commands the harness runs for the model are routed too: contract
checks pass the same check and run in the sandbox; test runs and script smoke runs (chosen by
the harness, not written by the model) run in the sandbox without asking.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.agent.guards import GuardEvent, Intervention
from smallcode.permissions.manager import ApprovalRequest, PermissionManager
from smallcode.permissions.sandbox import register, unregister
from smallcode.types import ToolCall

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult

GUARD = "permissions"


class PermissionGuard:
    name = GUARD

    def __init__(self, manager: PermissionManager, read_only: Callable[[str], bool]) -> None:
        self.manager = manager
        self.read_only = read_only
        # PreToolUse hooks and plugins (agent/extensions.py): run first, so that their allow
        # can skip a prompt and their deny blocks; the rules still decide after them.
        self.pre_tool_use: Callable[[ToolCall], tuple[str, str] | None] | None = None

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if call is None:
            return None
        if event.kind == "before_call":
            hint = ""
            if self.pre_tool_use is not None:
                verdict = self.pre_tool_use(call)
                if verdict is not None and verdict[0] in ("deny", "stop"):
                    return Intervention("block" if verdict[0] == "deny" else "stop", verdict[1])
                hint = verdict[0] if verdict is not None else ""
            d = self.manager.check(
                call.name, call.arguments, call.id, self.read_only(call.name), hint=hint
            )
            if d.action == "deny":
                return Intervention("block", model_message(call.name, call.arguments, d.reason))
            return None
        if event.kind == "after_call" and event.result is not None and self.manager.mask:
            # masked in place, before the loop caps it, shows it, records or logs it
            event.result.output = self.manager.mask(event.result.output)
        return None


def model_message(tool: str, args: dict[str, Any], reason: str) -> str:
    what = f"`{str(args.get('command'))[:200]}`" if tool == "bash" else tool
    if "nobody to ask" in reason:
        return (
            f"Not run: {what} {reason.replace('; nobody to ask', '')}, and this run cannot "
            "ask the user. Do not retry it: finish the task without it, or say in your answer "
            "what the user should allow."
        )
    if reason.startswith("the user declined"):
        return f"Not run: {reason}. Do not retry it; continue another way or ask the user."
    return f"Not allowed: {what}: {reason}. Do not retry it; continue another way."


def chooser(confirm: Any) -> Callable[[ApprovalRequest], str] | None:
    """The REPL's y/a/n prompt (``confirm.choose``), or a plain yes/no ``confirm``."""
    if confirm is None:
        return None
    choose = getattr(confirm, "choose", None)
    if callable(choose):
        return choose

    def ask(req: ApprovalRequest) -> str:
        return "yes" if confirm(f"Allow {req.subject}? ({req.reason})") else "no"

    return ask


def install_permissions(agent: Agent, confirm: Any = None) -> PermissionManager:
    ctx = agent.ctx
    manager = PermissionManager(agent.settings, agent.events, chooser(confirm))
    ctx.permissions = manager
    ctx.sandbox = manager.sandbox
    ctx.secret_mask = manager.mask
    register(manager.sandbox)

    def shell_cwd() -> Path:
        shell = ctx.shell
        cwd = getattr(shell, "cwd", None)
        return cwd if isinstance(cwd, Path) else ctx.root

    manager.shell_cwd = shell_cwd

    def read_only(name: str) -> bool:
        t = agent.registry.get(name)
        return t is not None and t.read_only

    agent.guards.guards.insert(0, PermissionGuard(manager, read_only))
    for f in manager.files.untrusted():
        agent.events.emit(
            "notice",
            message=f"ignored {', '.join(f.held)} from {f.path}: the file is not trusted (run "
            "`smallcode trust` to apply it)",
        )
    for problem in manager.files.problems:
        agent.events.emit("notice", message=f"permissions: {problem}")
    _route_contract_checks(agent, manager)
    if manager.mode == "bypassPermissions":
        agent.events.emit(
            "notice",
            message="permissions: bypassPermissions: every tool call runs without asking "
            f"(sandbox: {manager.sandbox.kind})",
        )

    def before_task(agent: Agent, task: str) -> None:
        manager.start_run()
        for name in manager.policy.denied_tools():
            agent.registry.remove(name)  # a bare tool name in deny: the model never sees it

    def after_task(agent: Agent, result: RunResult) -> None:
        result.permission_denials = list(manager.denials)
        result.permissions = {
            "mode": manager.mode,
            "sandbox": manager.sandbox.kind,
            "prompts": manager.prompts,
        }

    agent.task_hooks.append(before_task)
    agent.end_hooks.insert(0, after_task)
    return manager


def _route_contract_checks(agent: Agent, manager: PermissionManager) -> None:
    """A contract check is a command the model may have written: same check, same sandbox."""
    session = agent.ctx.contracts
    if session is None:
        return
    from smallcode.agent.contract_store import CheckRun

    run = session.runner

    def checked(command: str, root: Path, timeout: float) -> CheckRun:
        d = manager.check("bash", {"command": command}, "contract-check")
        if d.action != "allow":
            return CheckRun(command, None, f"not run: {d.reason}")
        manager.take_outside(command)  # checks stay in the sandbox
        return run(command, root, timeout)

    session.runner = checked


def close_permissions(agent: Agent) -> None:
    manager = agent.ctx.permissions
    if isinstance(manager, PermissionManager):
        unregister(manager.sandbox)


def trust_notices(settings: Any) -> list[str]:
    """One line per untrusted project file whose settings were not applied."""
    lines = []
    for path, names in (getattr(settings, "untrusted", None) or {}).items():
        lines.append(
            f"ignored {', '.join(names)} from {path}: the file is not trusted (run "
            "`smallcode trust` to apply it)"
        )
    return lines
