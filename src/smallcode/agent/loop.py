"""The agent loop: ask the model, run its tool calls, feed the results back, until it answers.

Bounded by max_turns and a wall-clock limit. Guards observe each reply and call and may
intervene (see guards.py). The loop never prints: it emits events.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.agent.asking import Asker
from smallcode.agent.budget import ContextBudget
from smallcode.agent.finish import FinishCheck
from smallcode.agent.guards import CallRecord, GuardEvent, GuardSet, Intervention, RunState
from smallcode.agent.normalize import NormalizedReply, final_answer
from smallcode.agent.result import RunResult, ToolCallRecord
from smallcode.config import Settings
from smallcode.errors import SmallCodeError
from smallcode.events import EventBus
from smallcode.llm.base import Provider
from smallcode.tools.registry import ToolContext, ToolRegistry, ToolResult
from smallcode.tools.shell import exit_code_of
from smallcode.types import Message, ToolCall, Usage

if TYPE_CHECKING:
    from smallcode.agent.services import SessionServices
    from smallcode.llm.router import Escalation

# Ends the tool results of models that write calls as text: small models otherwise repeat
# a finished step instead of answering. Never after a failed call: that invites a false "done".
TEXT_RESULTS_HINT = "If the task is done, answer with a short summary (no tool call)."
TEXT_FAILED_HINT = (
    "A call failed: read the error above and send a corrected call (read_file first if you "
    "are not sure what the file contains). The task is not done yet."
)
TEXT_EDITS_HEADER = "The edits written in your reply were applied as tool calls:"

log = logging.getLogger(__name__)


class Agent:
    """One conversation with one model over one project. ``run`` may be called repeatedly.

    Collaborators come in at construction: the provider, the tools and their context, the
    guards, the context budget and, optionally, the cloud escalation and the edit format.
    Session services and workflows install themselves afterwards through the hook lists.
    """

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
        context: ContextBudget | None = None,
        messages: list[Message] | None = None,
        escalation: Escalation | None = None,
        edit_format: str = "tools",
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.ctx = ctx
        self.events = events or ctx.events
        self.guards = guards or GuardSet()
        self.context = context or ContextBudget(settings, provider.context_window())
        self.messages: list[Message] = messages or [Message("system", system_prompt)]
        self.usage = Usage()
        self._cancel = threading.Event()
        # Asks the model; holds the provider in use and the opt-in cloud escalation.
        self.asker = Asker(
            settings,
            provider,
            self.context,
            self.events,
            ctx,
            self.messages,
            self.tool_schemas,
            cancel=self._cancel,
            escalation=escalation,
        )
        # Session services (memory, evidence, sessions, tool choice) hook in here:
        # task hooks run before the task message is added, end hooks after the run.
        self.task_hooks: list[Callable[[Agent, str], None]] = []
        self.end_hooks: list[Callable[[Agent, RunResult], None]] = []
        self.services: SessionServices | None = None  # installed by build_agent
        # Checks a workflow (contract, plan, TDD) runs when the model stops (agent/finish.py).
        self.finish_checks: list[FinishCheck] = []
        # How the model is asked to edit (agent/editformat.py): decided once, early.
        self.edit_format = edit_format
        self._format_settled = False

    @property
    def provider(self) -> Provider:
        """The model in use (a STRONG tier or a cloud model while one takes over)."""
        return self.asker.provider

    @provider.setter
    def provider(self, provider: Provider) -> None:
        self.asker.provider = provider

    @property
    def escalation(self) -> Escalation | None:
        """The opt-in cloud escalation, when configured."""
        return self.asker.escalation

    def cancel(self) -> None:
        """Ask a running ``run`` to stop after the current step (thread-safe)."""
        self._cancel.set()

    def tool_schemas(self) -> list[dict[str, Any]]:
        schemas = self.registry.schemas()
        trust = self.ctx.tool_trust  # trust decay: demoted last, removed gone
        return trust.arrange(schemas) if trust is not None else schemas

    def run(self, task: str) -> RunResult:
        self._cancel.clear()
        started = time.monotonic()
        self.ctx.run_deadline = started + self.settings.time_limit  # caps bash timeouts
        result = RunResult()
        state = RunState(task=task, settings=self.settings, ctx=self.ctx, messages=self.messages)
        state.edit_format = self.edit_format
        files_before = (set(self.ctx.files_created), set(self.ctx.files_edited))
        try:
            self._run_hooks(self.task_hooks, task)
            self._start_check(state)
            self.messages.append(Message("user", task))
            self._loop(state, result, started)
            from smallcode.agent.fallback import recover

            recover(self, state, result, started)  # plan, STRONG, cloud: only where configured
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
                name = getattr(hook, "__name__", "hook")
                log.warning("the run hook %s failed", name, exc_info=True)
                self.events.emit("error", message=f"{name}: {exc}")

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
            reply = self.asker.ask()
            result.usage.add(reply.usage)
            self.usage.add(reply.usage)

            iv = self.guards.observe(GuardEvent("reply", state, reply=reply))
            if iv and iv.action == "stop":
                self._stop(result, iv, reply)
                return
            if iv and iv.action == "retry":
                if iv.guard == "quality" and reply.unknown_tools and not reply.calls:
                    self._forget_unusable()  # the model would copy its bad call
                else:
                    self._append_assistant(reply, [])
                self._note(iv)
                continue

            if (
                (reply.unknown_tools or reply.call_errors)
                and not reply.calls
                and self._may_correct(state)
            ):
                note = self._unknown_tools_note(reply)
                if reply.unknown_tools and not reply.call_errors:
                    self._forget_unusable()
                else:
                    self._append_assistant(reply, [])
                self.messages.append(Message("user", note, meta={"kind": "note"}))
                continue

            if not reply.calls:
                edits = self._text_edits(reply, state)
                if edits == "note":
                    continue
                if edits == "none" and iv and iv.action == "continue":
                    self._append_assistant(reply, [])
                    self._note(iv)
                    continue
                self._append_assistant(reply, [])
                if isinstance(edits, str):  # "none": nothing written as an edit
                    self._settle_format(reply, state)
                else:
                    ran = len(result.tool_calls)
                    stop = self._run_calls(edits, reply, state, result, header=TEXT_EDITS_HEADER)
                    unapplied, state.text_edit_problems = state.text_edit_problems, ""
                    if unapplied:
                        self._add_note(unapplied, "text_edits")
                    if stop is not None and stop.action == "stop":
                        self._stop(result, stop, reply)
                        return
                    if unapplied or not all(r.ok for r in result.tool_calls[ran:]):
                        continue  # an edit failed or was not applied: the model hears why
                if self._reask(state, result):
                    continue
                result.response = final_answer(reply) or self._empty_answer(state, result)
                return

            self._format_settled = True  # the model makes calls: tools stay the format
            calls = self._assign_ids(reply.calls, state.turn)
            self._append_assistant(reply, calls)
            stop = self._run_calls(calls, reply, state, result)
            if iv and iv.action == "note":
                self._note(iv)
            if stop is not None and stop.action == "finish":
                if self._finish(state, result, stop):
                    return
                continue
            if stop is not None:
                self._stop(result, stop, reply)
                return

    def _finish(self, state: RunState, result: RunResult, iv: Intervention) -> bool:
        """The work looks done but the model keeps calling tools: one request without tools.

        True when the run ends; False when the completion check sent the model back to work.
        """
        self.events.emit("guard", guard=iv.guard, action="finish", message=iv.message)
        self.messages.append(Message("user", iv.message, meta={"kind": "note", "guard": iv.guard}))
        result.turns += 1
        reply = self.asker.ask(offer_tools=False)
        result.usage.add(reply.usage)
        self.usage.add(reply.usage)
        self._append_assistant(reply, [])
        if self._reask(state, result):
            return False
        result.response = final_answer(reply) or self._changes_summary()
        return True

    # ------------------------------------------------------------------ finishing a task

    def _start_check(self, state: RunState) -> None:
        from smallcode.agent.completion import CompletionCheck

        if self.settings.verify or self.settings.text_edits:
            state.completion = CompletionCheck(self.settings, self.ctx, state.task)

    def _reask(self, state: RunState, result: RunResult) -> bool:
        """The model stopped: check the work. True when it was sent back with a note.

        Sets ``result.stop_reason`` to done, or to unverified once the re-asks are used up.
        """
        check = state.completion
        if result.stop_reason.startswith("guard:"):
            return False
        for fc in self.finish_checks:  # workflows first (contract, plan, TDD): their own bounds
            verdict = fc.on_stop(state)
            result.workflows[fc.name] = fc.record()
            if verdict is None:
                continue
            if verdict.stop:
                result.stop_reason, result.error = verdict.stop_reason, verdict.message
                self.events.emit("guard", guard=fc.name, action="stop", message=verdict.message)
                return False
            self.events.emit("guard", guard=fc.name, action="continue", message=verdict.message)
            self._add_note(verdict.message, fc.name)
            return True
        if check is None or not self.settings.verify:
            result.stop_reason = "done"
            result.verification = {
                "status": "off",
                "checks": [],
                "reasks": 0,
                "tests": None,
                "unverified": ["everything: the completion check is off (SMALLCODE_VERIFY)"],
            }
            return False
        check.edit_format = self.edit_format
        v = check.run()
        reasks = state.verify_reasks
        v.reasks = reasks
        result.verification = v.to_dict()
        if v.status != "failed":
            result.stop_reason = "done"
            return False
        limit = max(0, self.settings.verify_max_reasks)
        if reasks >= limit:
            result.stop_reason = "unverified"
            result.error = v.reason()
            self.events.emit("guard", guard="verify", action="stop", message=result.error)
            return False
        state.verify_reasks = reasks + 1
        note = check.note(v, limit - reasks - 1)
        if any(c["name"] == "changed" for c in v.failed):
            self._forget_unusable()  # nothing changed: the replies so far only mislead
        self.events.emit("guard", guard="verify", action="continue", message=note)
        self._add_note(note, "verify")
        return True

    def _text_edits(self, reply: NormalizedReply, state: RunState) -> list[ToolCall] | str:
        """Edits written as text in a reply without calls: the calls that apply them, "note"
        when a note asked for a proper call instead, or "none"."""
        from smallcode.agent.text_edits import plan_text_edits

        check = state.completion
        if (
            not self.settings.text_edits
            or reply.finish_reason == "length"  # a cut-off block is never a whole file
            or not (self.edit_format != "tools" or (check is not None and check.wants_change))
        ):
            return "none"
        plan = plan_text_edits(reply.content, self.ctx, self._edit_targets(state))
        if plan.calls:
            self._settle_format(reply, state, force=True)
            if plan.note:
                state.text_edit_problems = plan.note
            return self._assign_ids(plan.calls, state.turn)
        if plan.note and not state.text_edit_noted:
            state.text_edit_noted = True
            self._append_assistant(reply, [])
            self._add_note(plan.note, "text_edits")
            return "note"
        return "none"

    def _edit_targets(self, state: RunState) -> list[str]:
        """Files a nameless code block may be meant for: the task's, else this run's."""
        from smallcode.agent import intent

        named = intent.named_files(state.task)
        if named:
            return named
        touched = {c.arguments.get("path") for c in state.calls if c.name in _FILE_TOOLS}
        return sorted(p for p in touched if isinstance(p, str))

    def _settle_format(self, reply: NormalizedReply, state: RunState, force: bool = False) -> None:
        """Once per session, early: a model that answers with code instead of calls is asked
        for text edits from now on (the system prompt changes this one time)."""
        if self._format_settled:
            return
        self._format_settled = True
        if self.edit_format != "tools" or self.settings.edit_format != "auto":
            return
        if not (force or "```" in reply.content):
            return
        from smallcode.agent.editformat import switch_format

        self.edit_format = state.edit_format = "whole"
        self.messages[0].content = switch_format(self.messages[0].content, "tools", "whole")
        self.events.emit(
            "guard",
            guard="edit_format",
            action="note",
            message="the model writes code as text: asking for whole-file edits from now on",
        )

    def _empty_answer(self, state: RunState, result: RunResult) -> str:
        """The model ended with an empty reply: a summary of this run's changes when it made
        some; otherwise the run is not a success (with or without the quality monitor)."""
        written = sorted(
            {
                str(c.arguments.get("path"))
                for c in state.calls
                if c.ok and c.name in _FILE_TOOLS[1:]
            }
        )
        if written:
            return f"Done: changed {', '.join(written)}."
        if result.stop_reason == "done":
            result.stop_reason = "empty_reply"
            result.error = "the model's reply was empty (no answer and no change)"
        return ""

    def _forget_unusable(self) -> None:
        """Drop the replies at the end of the history that changed nothing (prose, a file
        echoed as it is, a call of a tool that does not exist) and the notes about them.

        A small model copies its own last reply: shown its echo and a note, it sends the echo
        again (the 0.5B model did so in 3 of 4 tries, and in none without it). Only the tail
        goes: the task, tool calls and their results stay, so the prefix is kept.
        """
        msgs = self.messages
        while len(msgs) > 1:
            last = msgs[-1]
            reply = last.role == "assistant" and not last.tool_calls
            if not (reply or (last.role == "user" and last.meta.get("kind") == "note")):
                return
            msgs.pop()

    def _add_note(self, text: str, guard: str) -> None:
        """A note for the model, joined to a text tool-results message when one is last."""
        last = self.messages[-1]
        if last.role == "user" and last.meta.get("kind") == "tool_results":
            last.content = f"{last.content}\n\n{text}"
            return
        self.messages.append(Message("user", text, meta={"kind": "note", "guard": guard}))

    def _changes_summary(self) -> str:
        """What the session changed, for a model that finished without saying so."""
        parts = []
        if self.ctx.files_created:
            parts.append("created " + ", ".join(sorted(self.ctx.files_created)))
        if self.ctx.files_edited:
            parts.append("edited " + ", ".join(sorted(self.ctx.files_edited)))
        return f"Done: {'; '.join(parts)}." if parts else ""

    def _run_calls(
        self,
        calls: list[ToolCall],
        reply: NormalizedReply,
        state: RunState,
        result: RunResult,
        header: str = "",
    ) -> Intervention | None:
        outputs: list[tuple[ToolCall, str]] = []
        failed = False
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
                res = (  # a call refused by the parser (ToolCall.error) is not run
                    ToolResult(call.name, False, f"Error: {call.error}")
                    if call.error
                    else self.registry.call(call.name, call.arguments, self.ctx)
                )
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
                # a command that ran but failed (bash's "[exit code: N]"), a change rolled back
                exit_code=exit_code_of(call.name, res.output),
                rolled_back=res.rolled_back,
            )
            result.tool_calls.append(
                ToolCallRecord(call.name, dict(call.arguments), res.ok, round(res.ms, 1))
            )
            state.calls.append(CallRecord(state.turn, call.name, call.arguments, res.ok, output))
            outputs.append((call, output))
            failed = failed or not res.ok
            for iv in (before, after):
                if iv and iv.action in ("stop", "finish"):
                    stop = iv
            if stop:
                break
        self._append_results(outputs, native=reply.native, header=header, failed=failed)
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

    def _append_results(
        self,
        outputs: list[tuple[ToolCall, str]],
        native: bool,
        header: str = "",
        failed: bool = False,
    ) -> None:
        if native:
            for call, output in outputs:
                self.messages.append(Message("tool", output, tool_call_id=call.id, name=call.name))
            return
        # Calls parsed from text: answer in text too (servers without tool support reject
        # role=tool messages).
        parts = [header] if header else []
        parts += [f"[{c.name} result]\n{out}" for c, out in outputs]
        if not header:
            parts.append(TEXT_FAILED_HINT if failed else TEXT_RESULTS_HINT)
        elif failed:
            parts.append(TEXT_FAILED_HINT)
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
        n = state.unknown_tool_notes
        state.unknown_tool_notes = n + 1
        return n < limit

    def _unknown_tools_note(self, reply: NormalizedReply) -> str:
        lines = [f"Error: {e}" for e in reply.call_errors]
        if reply.unknown_tools:
            names = ", ".join(sorted(set(reply.unknown_tools)))
            valid = ", ".join(self.registry.names())
            lines.append(
                f"Error: unknown tool(s) {names}. Valid tools: {valid}. Call one of these."
            )
        return "\n".join(lines)


_FILE_TOOLS = ("read_file", "write_file", "patch")


def describe_args(args: dict[str, Any], limit: int = 80) -> str:
    """One-line summary of call arguments for progress lines."""
    parts = []
    for k, v in args.items():
        s = v if isinstance(v, str) else json.dumps(v)
        s = s.replace("\n", "\\n")
        parts.append(f"{k}={s[:40] + '...' if len(s) > 40 else s}")
    line = " ".join(parts)
    return line if len(line) <= limit else line[: limit - 3] + "..."
