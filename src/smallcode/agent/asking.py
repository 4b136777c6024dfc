"""Asking the model: one request per turn, with the thinking budget, transport retries,
and one more try after the server showed the prompt did not fit.

:class:`Asker` belongs to one :class:`smallcode.agent.loop.Agent`; it shares the agent's
conversation, context budget, tool context and events, and holds the provider in use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.agent.normalize import NormalizedReply, normalize_reply
from smallcode.errors import ModelRequestError
from smallcode.llm.base import Provider, RequestOptions, complete
from smallcode.llm.waiting import WaitPolicy
from smallcode.types import Message, ModelReply, Usage

if TYPE_CHECKING:
    from smallcode.agent.budget import ContextBudget
    from smallcode.config import Settings
    from smallcode.events import EventBus
    from smallcode.llm.router import Escalation
    from smallcode.llm.thinking import ThinkingBudget
    from smallcode.tools.registry import ToolContext

ToolSchemas = list[dict[str, Any]]


class Asker:
    """Sends the conversation to the model, one request per turn."""

    def __init__(
        self,
        settings: Settings,
        provider: Provider,
        context: ContextBudget,
        events: EventBus,
        ctx: ToolContext,
        messages: list[Message],
        tool_schemas: Callable[[], ToolSchemas],
        *,
        cancel: threading.Event | None = None,
        escalation: Escalation | None = None,
    ) -> None:
        self.settings = settings
        self.provider = provider  # swapped while a STRONG tier or a cloud model takes over
        self.context = context
        self.events = events
        self.ctx = ctx  # its ``temperature`` overrides the setting (guards/trust.py)
        self.messages = messages  # the agent's conversation (a nudge may be added)
        self.tool_schemas = tool_schemas
        self.cancel = cancel
        self.retry_backoff_s = settings.retry_backoff
        # Extra request body fields for the whole session (e.g. provider-specific options).
        self.request_extra: dict[str, Any] = {}
        # Opt-in cloud escalation (llm.router.Escalation) when the local model hard-fails;
        # ``escalated`` is the cloud provider while it works (its usage is charged to it).
        self.escalation = escalation
        self.escalated: Provider | None = None

    def thinking_extra(self) -> dict[str, Any]:
        from smallcode.llm.thinking import thinking_extra_body

        s = self.settings
        return thinking_extra_body(
            self.provider.model,
            self.provider.name,
            s.thinking_budget,
            s.thinking_disable,
            max_tokens=self.context.output_reserve(),
        )

    def ask(self, offer_tools: bool = True) -> NormalizedReply:
        from smallcode.llm.thinking import ThinkingBudget, retry_after_budget

        tools = self.tool_schemas() if offer_tools else []
        budget = ThinkingBudget(self.settings.thinking_budget)
        extra = {**self.thinking_extra(), **self.request_extra}
        raw, request = self._request(tools, extra, budget)
        cut: Usage | None = None
        if raw.finish_reason == "budget":
            # Reasoning ran past SMALLCODE_THINKING_BUDGET: ask again, thinking off or nudged.
            # The cut request counts too (requests, usage): the server did that work.
            cut = self._account(raw, request, tools)
            retry = retry_after_budget(
                self.provider.model,
                self.provider.name,
                self.settings.thinking_budget,
                max_tokens=self.context.output_reserve(),
            )
            self.events.emit(
                "guard",
                guard="thinking_budget",
                action="retry",
                message=f"reasoning passed {budget.budget_tokens} tokens; asking "
                "again for a direct answer",
            )
            if retry.nudge:
                self.messages.append(Message("user", retry.nudge, meta={"kind": "note"}))
            raw, request = self._request(tools, {**retry.extra_body, **self.request_extra}, None)
        self._account(raw, request, tools)
        if cut is not None:  # the reply's usage is what the run adds up: both requests
            both = Usage()
            both.add(cut)
            both.add(raw.usage)
            raw.usage = both
        if raw.truncated:
            # The server silently cut the front of the prompt: compact before the next request.
            self.context.force_compact = True
            self.events.emit(
                "guard", guard="server_truncation", action="note", message=raw.truncated
            )
        # Without tools offered, calls written anyway are still recognised (and not run), so
        # their text does not end up in the answer.
        reply = normalize_reply(raw, tools if offer_tools else self.tool_schemas())
        self.events.emit(  # traces: what the reply was read as (store/traces.py)
            "parsed",
            calls=[
                {"id": c.id, "name": c.name, "arguments": c.arguments, "repairs": list(c.repairs)}
                | ({"error": c.error} if c.error else {})
                for c in reply.calls
            ],
            native=reply.native,
            unknown_tools=list(reply.unknown_tools),
            tools=[t.get("function", {}).get("name", "") for t in tools],
        )
        return reply

    def _account(self, raw: ModelReply, request: list[Message], tools: ToolSchemas) -> Usage:
        """One request sent: the context learns from it, its usage is reported (estimated
        when the server gave none) and charged to an escalation in progress."""
        self.context.observe(request, raw.usage, tools)
        if not (raw.usage.prompt_tokens or raw.usage.completion_tokens):
            raw.usage = self._estimated_usage(raw, request, tools)
        self.events.emit("usage", **raw.usage.to_dict())
        if self.escalated is not None and self.escalation is not None:
            self.escalation.record(raw.usage)
        return raw.usage

    def _estimated_usage(
        self, raw: ModelReply, request: list[Message], tools: ToolSchemas
    ) -> Usage:
        """The server reported no usage: estimate it, and say so."""
        from smallcode.agent.budget import estimate_tokens

        written = raw.content + raw.reasoning
        written += "".join(c.name + (c.raw_arguments or str(c.arguments)) for c in raw.tool_calls)
        return Usage(
            prompt_tokens=self.context.estimate(request, tools),
            completion_tokens=estimate_tokens(written) if written else 0,
            estimated=True,
        )

    def _request(
        self, tools: ToolSchemas, extra: dict[str, Any], budget: ThinkingBudget | None
    ) -> tuple[ModelReply, list[Message]]:
        """One model request (with transport retries); one more after the server showed the
        prompt did not fit (a learned window, or Ollama's truncation)."""
        for attempt in (1, 2):
            request = self.context.prepare(self.messages, tools)
            options = RequestOptions(
                # Adaptive retry temperature (guards/trust.py) sets an override after failures.
                temperature=(
                    self.ctx.temperature
                    if self.ctx.temperature is not None
                    else self.settings.temperature
                ),
                max_tokens=self.context.output_reserve(),
                extra_body=extra,
            )

            def on_text(t: str) -> None:
                if budget is not None:
                    budget.feed_content(t)
                self.events.emit("text", text=t)

            def on_reasoning(t: str) -> None:
                if budget is not None:
                    budget.feed(t)
                self.events.emit("reasoning", text=t)

            try:
                t0 = time.monotonic()
                raw = complete(
                    self.provider,
                    request,
                    tools,
                    options,
                    max_retries=self.settings.max_retries,
                    backoff_s=self.retry_backoff_s,
                    on_text=on_text,
                    on_reasoning=on_reasoning,
                    on_retry=lambda n, err, wait: self.events.emit(
                        "retry", attempt=n, error=err, wait_s=wait
                    ),
                    should_stop=budget.should_stop if budget is not None else None,
                    retry_after_max_s=self.settings.retry_after_max,
                    wait=self._wait_policy(),
                )
                self.events.emit(  # traces: the raw reply, what a replay needs
                    "model_reply",
                    content=raw.content,
                    reasoning=raw.reasoning,
                    tool_calls=[
                        {"id": c.id, "name": c.name, "arguments": c.raw_arguments}
                        for c in raw.tool_calls
                    ],
                    finish_reason=raw.finish_reason,
                    usage=raw.usage.to_dict(),
                    ms=round((time.monotonic() - t0) * 1000, 1),
                )
                return raw, request
            except ModelRequestError as exc:
                if attempt == 2 or not self._learn_from_overflow(exc):
                    raise
        raise AssertionError("unreachable")

    def _wait_policy(self) -> WaitPolicy:
        """Timeouts, 'waiting' events and cancellation of one model request (llm/waiting.py)."""
        s = self.settings
        cancel = self.cancel
        return WaitPolicy(
            first_token_s=s.first_token_timeout,
            idle_s=s.stream_idle_timeout,
            total_s=s.request_timeout,
            notice_every_s=s.wait_notice,
            on_wait=lambda secs, phase: self.events.emit(
                "waiting", seconds=round(secs), phase=phase
            ),
            on_phase=lambda phase: self.events.emit("waiting", phase=phase, progress=True),
            should_cancel=cancel.is_set if cancel is not None else None,
            where=f"the model ({self.provider.name})",
        )

    def _learn_from_overflow(self, exc: ModelRequestError) -> bool:
        """True when the error says the prompt was too long and compaction may fix it."""
        from smallcode.llm.detect import window_from_error

        window = window_from_error(f"{exc} {exc.body}")
        if window and window < self.context.window:
            self.events.emit(
                "guard",
                guard="context_window",
                action="note",
                message=f"the server's window is {window} tokens; compacting",
            )
            self.context.window = window
            self.context.force_compact = True
            return True
        if exc.truncated:  # the server cut the prompt (Ollama dropped the task)
            self.context.force_compact = True
            return True
        return False
