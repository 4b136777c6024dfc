"""A .bone file the model writes is checked with the BoneScript compiler right after the write
(tools/bone.py); the diagnostics go to the model with the write's result. Without a compiler
the model is told once, per session, that the file was not checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.agent.guards.base import GuardEvent, Intervention, was_blocked

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent

WRITE_TOOLS = ("write_file", "patch")


class BoneWriteGuard:
    name = "bonescript"

    def __init__(self) -> None:
        self.told_missing = False

    def observe(self, event: GuardEvent) -> Intervention | None:
        call, result = event.call, event.result
        if event.kind != "after_call" or call is None or result is None:
            return None
        path = call.arguments.get("path")
        if call.name not in WRITE_TOOLS or not isinstance(path, str) or not path.endswith(".bone"):
            return None
        if not result.ok or was_blocked(event):
            return None
        from smallcode.errors import SmallCodeError, ToolError
        from smallcode.tools.bone import NO_COMPILER, check_file, find_compiler

        ctx = event.state.ctx
        if find_compiler(ctx.root) is None:
            if self.told_missing:
                return None
            self.told_missing = True
            return Intervention("note", f"{path} was not checked: {NO_COMPILER}.")
        try:
            return Intervention("note", check_file(ctx, path))
        except (ToolError, SmallCodeError, OSError) as exc:
            return Intervention("note", f"{path} could not be checked: {exc}")


def install(agent: Agent) -> None:
    agent.guards.guards.append(BoneWriteGuard())
