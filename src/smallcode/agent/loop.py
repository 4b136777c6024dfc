"""The agent loop: ask the model, run its tool calls, feed the results back, until it answers.

Bounded by max_turns and a wall-clock limit. Guards observe each reply and call and may
intervene (see guards.py). The loop never prints: it emits events.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from smallcode.agent.asking import AskingMixin
from smallcode.agent.context import ContextManager
from smallcode.agent.guards import CallRecord, GuardEvent, GuardSet, Intervention, RunState
from smallcode.agent.normalize import NormalizedReply, final_answer
from smallcode.agent.result import RunResult, ToolCallRecord
from smallcode.config import Settings
from smallcode.errors import SmallCodeError
from smallcode.events import EventBus
from smallcode.llm.base import Provider
from smallcode.tools.registry import ToolContext, ToolRegistry, ToolResult
from smallcode.types import Message, ToolCall, Usage

# Ends the tool results of models that write calls as text: small models otherwise repeat
# a finished step instead of answering.
TEXT_RESULTS_HINT = "If the task is done, answer with a short summary (no tool call)."


class Agent(AskingMixin):
    """One conversation with one model over one project. ``run`` may be called repeatedly."""

    def __init__(
        self,
        settings: Settings,
        provider: Provider,
        registry: ToolRegistry,
        ctx: ToolContext,
        system_prompt: str,
        *,
        events: EventBus | None = None,
        guards: GuardSet | None = None,
        context: ContextManager | None = None,
        messages: list[Message] | None = None,
    ) -> None:
        self.settings = settings
        self.provider = provider
        self.registry = registry
        self.ctx = ctx
        self.events = events or ctx.events
        self.guards = guards or GuardSet()
        self.context = context or ContextManager(settings, provider.context_window())
        self.messages: list[Message] = messages or [Message("system", system_prompt)]
        self.usage = Usage()
        self._cancel = threading.Event()
        self.retry_backoff_s = settings.retry_backoff
        # Extra request body fields for the whole session (e.g. provider-specific options).
        self.request_extra: dict[str, Any] = {}
        # Session services (memory, evidence, sessions, tool choice) hook in here:
        # task hooks run before the task message is added, end hooks after the run.
        self.task_hooks: list[Callable[[Agent, str], None]] = []
        self.end_hooks: list[Callable[[Agent, RunResult], None]] = []
        # Opt-in cloud escalation (llm.router.Escalation) when the local model hard-fails.
        self.escalation: Any = None
        self.services: Any = None  # agent.services.SessionServices, set by build_agent
        self._escalated: Provider | None = None

    def cancel(self) -> None:
        """Ask a running ``run`` to stop after the current step (thread-safe)."""
        self._cancel.set()

    def tool_schemas(self) -> list[dict[str, Any]]:
        schemas = self.registry.schemas()
        trust = self.ctx.extras.get("tool_trust")  # trust decay: demoted last, removed gone
        return trust.arrange(schemas) if trust is not None else schemas

    def run(self, task: str) -> RunResult:
        self._cancel.clear()
        started = time.monotonic()
        result = RunResult()
        state = RunState(task=task, settings=self.settings, ctx=self.ctx, messages=self.messages)
        files_before = (set(self.ctx.files_created), set(self.ctx.files_edited))
        try:
            self._run_hooks(self.task_hooks, task)
            self.messages.append(Message("user", task))
            self._loop(state, result, started)
            if self._hard_failure(result):
                self._escalate(state, result, started)
        except KeyboardInterrupt:
            result.stop_reason = "interrupted"
            result.error = "interrupted by the user"
            self._close_open_calls()
        except SmallCodeError as exc:
            result.stop_reason = "error"
            result.error = str(exc)
            self.events.emit("error", message=str(exc), exit_code=exc.exit_code)
            result.exit_code = exc.exit_code
        result.duration_s = round(time.monotonic() - started, 3)
        result.success = result.stop_reason == "done"
        if result.success:
            result.exit_code = 0
        elif result.stop_reason == "interrupted":
            result.exit_code = 130
        elif result.stop_reason != "error":
            result.exit_code = 1
        result.files_created = sorted(self.ctx.files_created - files_before[0])
        result.files_edited = sorted(
            (self.ctx.files_edited - files_before[1]) - set(result.files_created)
        )
        result.prefix_reuse = round(self.context.prefix_reuse(), 3)
        result.requests = self.context.requests
        self._run_hooks(self.end_hooks, result)
        self.events.emit("done", result=result)
        return result

    def _run_hooks(self, hooks: list[Callable[[Agent, Any], None]], arg: Any) -> None:
        for hook in hooks:
            try:
                hook(self, arg)
            except (KeyboardInterrupt, SmallCodeError):
                raise
            except Exception as exc:  # a broken service must not break the run
                self.events.emit("error", message=f"{getattr(hook, '__name__', 'hook')}: {exc}")

    # ------------------------------------------------------------------ escalation

    def _hard_failure(self, result: RunResult) -> bool:
        return (
            self.escalation is not None
            and self._escalated is None
            and (result.stop_reason == "max_turns" or result.stop_reason.startswith("guard:"))
        )

    def _escalate(self, state: RunState, result: RunResult, started: float) -> None:
        """Let a stronger (cloud) model continue, once per run, only where the user opted in."""
        reason = result.error or result.stop_reason
        stronger = self.escalation.request(reason)
        if stronger is None:
            if self.escalation.enabled:
                self.events.emit(
                    "guard",
                    guard="escalation",
                    action="note",
                    message=f"not escalated: {self.escalation.last_refusal}",
                )
            return
        self.events.emit(
            "guard",
            guard="escalation",
            action="note",
            message=f"escalating to {stronger.name} {stronger.model}: {reason}",
        )
        local, self.provider, self._escalated = self.provider, stronger, stronger
        self.messages.append(
            Message(
                "user",
                f"The previous attempt stopped ({reason}). Take a different approach and finish the "
                f"task: {state.task}",
                meta={"kind": "note", "guard": "escalation"},
            )
        )
        result.stop_reason, result.error = "", ""
        try:
            self._loop(
                state,
                result,
                started,
                turn_limit=result.turns + max(4, self.settings.max_turns // 2),
            )
        finally:
            self.provider, self._escalated = local, None

    # ------------------------------------------------------------------ the loop

    def _loop(
        self, state: RunState, result: RunResult, started: float, turn_limit: int | None = None
    ) -> None:
        limit = turn_limit or self.settings.max_turns
        while True:
            if self._cancel.is_set():
                result.stop_reason = "interrupted"
                return
            if result.turns >= limit:
                result.stop_reason = "max_turns"
                result.error = f"stopped after {result.turns} model requests (--max-turns)"
                return
            if time.monotonic() - started > self.settings.time_limit:
                result.stop_reason = "time_limit"
                result.error = f"stopped after the time limit of {self.settings.time_limit:g}s"
                return
            result.turns += 1
            state.turn = result.turns
            self.events.emit("turn_start", turn=state.turn)
            reply = self._ask()
            result.usage.add(reply.usage)
            self.usage.add(reply.usage)

            iv = self.guards.observe(GuardEvent("reply", state, reply=reply))
            if iv and iv.action == "stop":
                self._stop(result, iv, reply)
                return
            if iv and iv.action == "retry":
                self._append_assistant(reply, [])
                self._note(iv)
                continue

            if reply.unknown_tools and not reply.calls and self._may_correct(state):
                self._append_assistant(reply, [])
                self.messages.append(
                    Message("user", self._unknown_tools_note(reply), meta={"kind": "note"})
                )
                continue

            if not reply.calls:
                if iv and iv.action == "continue":
                    self._append_assistant(reply, [])
                    self._note(iv)
                    continue
                answer = final_answer(reply)
                self._append_assistant(reply, [])
                result.response = answer
                result.stop_reason = "done"
                return

            calls = self._assign_ids(reply.calls, state.turn)
            self._append_assistant(reply, calls)
            stop = self._run_calls(calls, reply, state, result)
            if iv and iv.action == "note":
                self._note(iv)
            if stop is not None and stop.action == "finish":
                self._finish(result, stop)
                return
            if stop is not None:
                self._stop(result, stop, reply)
                return

    def _finish(self, result: RunResult, iv: Intervention) -> None:
        """The work is done but the model keeps calling tools: one request without tools."""
        self.events.emit("guard", guard=iv.guard, action="finish", message=iv.message)
        self.messages.append(Message("user", iv.message, meta={"kind": "note", "guard": iv.guard}))
        result.turns += 1
        reply = self._ask(offer_tools=False)
        result.usage.add(reply.usage)
        self.usage.add(reply.usage)
        self._append_assistant(reply, [])
        result.response = final_answer(reply) or self._changes_summary()
        result.stop_reason = "done"

    def _changes_summary(self) -> str:
        """What the session changed, for a model that finished without saying so."""
        parts = []
        if self.ctx.files_created:
            parts.append("created " + ", ".join(sorted(self.ctx.files_created)))
        if self.ctx.files_edited:
            parts.append("edited " + ", ".join(sorted(self.ctx.files_edited)))
        return f"Done: {'; '.join(parts)}." if parts else ""

    def _run_calls(
        self, calls: list[ToolCall], reply: NormalizedReply, state: RunState, result: RunResult
    ) -> Intervention | None:
        outputs: list[tuple[ToolCall, str]] = []
        stop: Intervention | None = None
        for call in calls:
            if call.repairs:
                self.events.emit("repair", name=call.name, repairs=list(call.repairs))
            self.events.emit("tool_start", name=call.name, args=call.arguments, id=call.id)
            before = self.guards.observe(GuardEvent("before_call", state, reply=reply, call=call))
            if before and before.action in ("block", "finish", "stop"):
                res = ToolResult(call.name, before.ok, before.message)
                if before.action == "block":  # a stop is announced once, by _stop
                    self.events.emit(
                        "guard", guard=before.guard, action="block", message=before.message
                    )
            else:
                res = self.registry.call(call.name, call.arguments, self.ctx)
            after = self.guards.observe(
                GuardEvent("after_call", state, reply=reply, call=call, result=res)
            )
            output = self.context.cap_result(res.output)
            for iv in (before, after):
                if iv and iv.action == "note":
                    output += f"\n[{iv.guard}] {iv.message}"
                    self.events.emit("guard", guard=iv.guard, action="note", message=iv.message)
            self.events.emit(
                "tool_end",
                name=call.name,
                args=call.arguments,
                id=call.id,
                ms=round(res.ms, 1),
                ok=res.ok,
                output=output,
            )
            result.tool_calls.append(
                ToolCallRecord(call.name, dict(call.arguments), res.ok, round(res.ms, 1))
            )
            state.calls.append(CallRecord(state.turn, call.name, call.arguments, res.ok, output))
            outputs.append((call, output))
            for iv in (before, after):
                if iv and iv.action in ("stop", "finish"):
                    stop = iv
            if stop:
                break
        self._append_results(outputs, native=reply.native)
        return stop

    # ------------------------------------------------------------------ history

    def _assign_ids(self, calls: list[ToolCall], turn: int) -> list[ToolCall]:
        for i, c in enumerate(calls):
            if not c.id:
                c.id = f"call_{turn}_{i}"
        return calls

    def _append_assistant(self, reply: NormalizedReply, calls: list[ToolCall]) -> None:
        # Text-parsed calls stay in the content as the model wrote them; native ones are
        # sent back as tool_calls so the server's chat template renders them.
        content = reply.content if reply.native or not calls else reply.raw_content
        msg = Message(
            "assistant",
            content,
            tool_calls=calls if reply.native else [],
            reasoning=reply.reasoning,
        )
        self.messages.append(msg)

    def _append_results(self, outputs: list[tuple[ToolCall, str]], native: bool) -> None:
        if native:
            for call, output in outputs:
                self.messages.append(Message("tool", output, tool_call_id=call.id, name=call.name))
            return
        # Calls parsed from text: answer in text too (servers without tool support reject
        # role=tool messages).
        parts = [f"[{c.name} result]\n{out}" for c, out in outputs]
        parts.append(TEXT_RESULTS_HINT)
        self.messages.append(Message("user", "\n\n".join(parts), meta={"kind": "tool_results"}))

    def _close_open_calls(self) -> None:
        """After an interrupt, give every unanswered native call a result (servers require it)."""
        last = next((m for m in reversed(self.messages) if m.role == "assistant"), None)
        if last is None or not last.tool_calls:
            return
        answered = {m.tool_call_id for m in self.messages if m.role == "tool"}
        for call in last.tool_calls:
            if call.id not in answered:
                self.messages.append(
                    Message("tool", "interrupted by the user", tool_call_id=call.id, name=call.name)
                )

    def _note(self, iv: Intervention) -> None:
        self.events.emit("guard", guard=iv.guard, action=iv.action, message=iv.message)
        self.messages.append(Message("user", iv.message, meta={"kind": "note", "guard": iv.guard}))

    def _stop(self, result: RunResult, iv: Intervention, reply: NormalizedReply) -> None:
        self.events.emit("guard", guard=iv.guard, action="stop", message=iv.message)
        result.stop_reason = f"guard:{iv.guard}"
        result.error = iv.message
        result.response = final_answer(reply)

    def _may_correct(self, state: RunState, limit: int = 2) -> bool:
        """Bounded corrections of calls to tools that do not exist (then the reply counts)."""
        n = state.extras.get("unknown_tool_notes", 0)
        state.extras["unknown_tool_notes"] = n + 1
        return n < limit

    def _unknown_tools_note(self, reply: NormalizedReply) -> str:
        names = ", ".join(sorted(set(reply.unknown_tools)))
        valid = ", ".join(self.registry.names())
        return f"Error: unknown tool(s) {names}. Valid tools: {valid}. Call one of these."


def describe_args(args: dict[str, Any], limit: int = 80) -> str:
    """One-line summary of call arguments for progress lines."""
    parts = []
    for k, v in args.items():
        s = v if isinstance(v, str) else json.dumps(v)
        s = s.replace("\n", "\\n")
        parts.append(f"{k}={s[:40] + '...' if len(s) > 40 else s}")
    line = " ".join(parts)
    return line if len(line) <= limit else line[: limit - 3] + "..."
