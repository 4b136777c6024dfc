"""Hooks and plugins at the points of the loop: before and after a call, and at the stop.

- ``PreToolUse``: command hooks and plugins' ``pre_tool_use`` run inside the permission guard,
  before the rules: a block (exit 2, deny) stops the call with the hook's words for the model;
  an allow skips a prompt the defaults would show; an ask prompts. Deny rules still win.
- ``PostToolUse``: hooks see the result; exit 2 or ``decision: block`` sends their reason to
  the model with the result, ``additionalContext`` too (a guard, ``after_call``).
- ``Stop``: a FinishCheck; a hook that blocks sends the model back to work with its reason, at
  most ``MAX_STOP_BLOCKS`` times per task, then the run ends as ``stop_hook``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.agent.finish import FinishVerdict
from smallcode.agent.guards import GuardEvent, Intervention, RunState
from smallcode.agent.guards.base import was_blocked
from smallcode.plugins.names import claude_input, claude_name, from_claude_input, names_of
from smallcode.types import ToolCall

if TYPE_CHECKING:
    from smallcode.plugins.extensions import Extensions

MAX_STOP_BLOCKS = 3
GUARD = "hooks"


def _target(ext: Extensions, call: ToolCall) -> tuple[str, dict[str, Any]]:
    """The tool a call really runs: ``mcp_call`` stands for an ``mcp__`` tool."""
    if call.name == "mcp_call" and ext.hub is not None:
        t = ext.hub.find(
            str(call.arguments.get("server") or ""), str(call.arguments.get("tool") or "")
        )
        args = call.arguments.get("arguments")
        if t is not None:
            return t.full, args if isinstance(args, dict) else {}
    return call.name, call.arguments


def tool_payload(ext: Extensions, call: ToolCall) -> dict[str, Any]:
    name, args = _target(ext, call)
    return {
        "tool_name": claude_name(name),
        "smallcode_tool_name": name,
        "tool_input": claude_input(name, args, ext.root),
        "smallcode_tool_input": dict(args),
        "tool_use_id": call.id,
    }


def make_pre_tool_use(
    ext: Extensions, ctx: Any, notify: Callable[[str], None], notes: dict[str, str]
) -> Callable[[ToolCall], tuple[str, str] | None]:
    """The PermissionGuard's ``pre_tool_use``: (action, message) or None."""

    def pre(call: ToolCall) -> tuple[str, str] | None:
        verdict: tuple[str, str] | None = None
        if ext.host is not None:
            d = ext.host.pre_tool_use(call, ctx)
            if d is not None:
                if d.action == "deny":
                    return "deny", f"Blocked by a plugin: {d.reason or 'refused'}"
                verdict = (d.action, d.reason)
        runner = ext.hooks
        if runner is None or not runner.has("PreToolUse"):
            return verdict
        name, _ = _target(ext, call)
        outcome = runner.run("PreToolUse", tool_payload(ext, call), names_of(name))
        for line in outcome.notices:
            notify(line)
        if outcome.stop:
            return "stop", outcome.stop_reason
        if outcome.blocked:
            return "deny", f"Blocked by a PreToolUse hook: {outcome.reason}"
        if outcome.updated_input and call.name != "mcp_call":
            call.arguments = from_claude_input(call.name, outcome.updated_input, call.arguments)
        if outcome.context:
            notes[call.id] = "\n".join(outcome.context)
        if outcome.permission and (verdict is None or outcome.permission == "ask"):
            verdict = (outcome.permission, outcome.permission_reason)
        return verdict

    return pre


class PostToolUseGuard:
    """``after_call``: PostToolUse hooks, plugins' ``post_tool_use``, PreToolUse context."""

    name = GUARD

    def __init__(
        self,
        ext: Extensions,
        ctx: Any,
        notify: Callable[[str], None],
        notes: dict[str, str],
    ) -> None:
        self.ext = ext
        self.ctx = ctx
        self.notify = notify
        self.notes = notes

    def observe(self, event: GuardEvent) -> Intervention | None:
        call, res = event.call, event.result
        if event.kind != "after_call" or call is None or res is None or was_blocked(event):
            if call is not None:
                self.notes.pop(call.id, None)
            return None
        lines: list[str] = []
        pre = self.notes.pop(call.id, "")
        if pre:
            lines.append(pre)
        if self.ext.host is not None:
            lines += self.ext.host.post_tool_use(call, res, self.ctx)
        runner = self.ext.hooks
        if runner is not None and runner.has("PostToolUse"):
            payload = tool_payload(self.ext, call)
            payload["tool_response"] = _response(payload, res)
            name = payload["smallcode_tool_name"]
            outcome = runner.run("PostToolUse", payload, names_of(name))
            for line in outcome.notices:
                self.notify(line)
            if outcome.stop:
                return Intervention("stop", outcome.stop_reason)
            if outcome.blocked:
                lines.append(f"PostToolUse hook: {outcome.reason}")
            lines += outcome.context
        text = "\n".join(x for x in lines if x.strip())
        return Intervention("note", text) if text else None


def _response(payload: dict[str, Any], res: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"success": bool(res.ok), "output": res.output}
    path = payload["tool_input"].get("file_path")
    if path:
        out["filePath"] = path
    if payload["smallcode_tool_name"] == "bash":
        out["stdout"] = res.output
    return out


class StopHookCheck:
    """The ``Stop`` hooks as a FinishCheck."""

    name = "stop_hook"

    def __init__(self, ext: Extensions, notify: Callable[[str], None]) -> None:
        self.ext = ext
        self.notify = notify
        self.blocks = 0
        self._state: RunState | None = None

    def on_stop(self, state: RunState) -> FinishVerdict | None:
        if state is not self._state:
            self._state, self.blocks = state, 0
        runner = self.ext.hooks
        if runner is None:
            return None
        last = next((m.content for m in reversed(state.messages) if m.role == "assistant"), "")
        outcome = runner.run(
            "Stop", {"stop_hook_active": self.blocks > 0, "last_assistant_message": last}
        )
        for line in outcome.notices:
            self.notify(line)
        if not outcome.blocked or outcome.stop:
            return None
        self.blocks += 1
        if self.blocks > MAX_STOP_BLOCKS:
            return FinishVerdict(
                f"a Stop hook kept the task open {MAX_STOP_BLOCKS} times: {outcome.reason}",
                stop=True,
                stop_reason="stop_hook",
            )
        return FinishVerdict(f"A Stop hook says the task is not finished: {outcome.reason}")

    def record(self) -> dict[str, Any]:
        return {"blocks": self.blocks}
