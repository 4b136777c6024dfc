"""Thinking budget for reasoning models (Qwen3, DeepSeek-R1, gpt-oss, GLM, ...).

Two levers, used in this order:

1. The server's own controls, sent with every request (:func:`thinking_extra_body`):
   Qwen3 / GLM / SmolLM3 ``chat_template_kwargs.enable_thinking``, DeepSeek-V3.1
   ``chat_template_kwargs.thinking``, gpt-oss ``reasoning_effort`` (low/medium/high from the
   budget), Ollama's ``think`` field; GPT-5 and o-series ``reasoning_effort`` (minimal when
   off) with ``max_completion_tokens`` = the reply's reserve + the budget, since their
   reasoning is hidden and counts against it (usage reports it as
   ``completion_tokens_details.reasoning_tokens``). DeepSeek-R1 and QwQ have none: they
   always think.
2. A watch on the stream (:class:`ThinkingBudget`): fed the reasoning as it arrives (about
   4 characters per token), it reports ``exceeded`` so the loop can stop the stream and ask
   again, with thinking switched off when the server allows it, else with :data:`NUDGE`
   (:func:`retry_after_budget` says which).

Wiring (the loop): ``RequestOptions(extra_body=thinking_extra_body(...))``; wrap the stream
with ``budget = ThinkingBudget(settings.thinking_budget)``, call ``budget.observe(chunk)`` on
each chunk and stop when ``budget.exceeded``; then ``retry_after_budget(...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from smallcode.llm.kinds import ThinkingControls, thinking_controls
from smallcode.types import ReasoningDelta, TextDelta

CHARS_PER_TOKEN = 4

# Sent as a user message when a reply's reasoning ran past the budget and the server has no
# switch to turn thinking off for this model.
NUDGE = (
    "You have used your thinking budget. Stop reasoning now and act: call the one tool you "
    "need next, or give your final answer in a few sentences."
)

_OPENAI_REASONING = re.compile(r"^(?:o[134](?:-|$)|gpt-5(?!-chat)(?:[-.]|$))")


def thinking_family(model: str) -> str:
    """The thinking family of a model name ("" when it has no thinking to control)."""
    name = model.lower().rsplit("/", 1)[-1]
    if _OPENAI_REASONING.match(name):
        return "openai-reasoning"
    if "gpt-oss" in name or "gpt_oss" in name:
        return "gpt-oss"
    if "qwq" in name:
        return "always"
    if "qwen3" in name:
        if "coder" in name or ("2507" in name and "instruct" in name):
            return ""  # no thinking mode
        if "thinking" in name:
            return "always"
        return "qwen3"
    if "deepseek" in name:
        if "r1" in name or "reasoner" in name:
            return "always"
        if "v3.1" in name or "v3.2" in name or "v3-1" in name or "v3-2" in name:
            return "deepseek-v3.1"
        return ""
    if name.startswith(("glm-4.5", "glm-4.6", "glm-4.7", "glm4.5", "glm4.6")) or "glm-z1" in name:
        return "qwen3"  # same switch: enable_thinking
    if "smollm3" in name:
        return "qwen3"
    if "magistral" in name or "phi-4-reasoning" in name or "phi4-reasoning" in name:
        return "always"
    return ""


_family = thinking_family


def effort_for_budget(budget: int) -> str:
    """gpt-oss reasoning effort for a token budget (low spends a few hundred tokens)."""
    if 0 < budget <= 2000:
        return "low"
    if 0 < budget <= 8000:
        return "medium"
    return "high"


def openai_effort(model: str, budget: int, disable: bool) -> str:
    """GPT-5 / o-series ``reasoning_effort`` for a budget; "minimal" (GPT-5 only) when off."""
    gpt5 = model.lower().rsplit("/", 1)[-1].startswith("gpt-5")
    if disable:
        return "minimal" if gpt5 else "low"
    return effort_for_budget(budget)


def _openai_reasoning(
    model: str, controls: ThinkingControls, budget: int, disable: bool, max_tokens: int | None
) -> dict[str, Any]:
    """GPT-5 and o-series: the reasoning is hidden (never streamed), so the budget is set up
    front. It counts against ``max_completion_tokens`` (these models refuse ``max_tokens``
    and any temperature but the default), so the reply's reserve gets the budget on top."""
    if controls.dialect == "openrouter":
        if budget <= 0 and not disable:
            return {}
        return {"reasoning": {"effort": openai_effort(model, budget, disable)}}
    if not controls.openai_reasoning:
        return {}
    body: dict[str, Any] = {}
    if budget > 0 or disable:
        body["reasoning_effort"] = openai_effort(model, budget, disable)
    if max_tokens:
        # A value of None removes the field from the request (openai_compat.build_body).
        body["max_tokens"] = None
        body["temperature"] = None
        if budget > 0 or disable:
            body["max_completion_tokens"] = max_tokens + (0 if disable else budget)
    return body


def thinking_extra_body(
    model: str, provider_name: str, budget: int, disable: bool, max_tokens: int | None = None
) -> dict[str, Any]:
    """Request-body fields that make the server itself keep thinking short or off.

    ``provider_name`` is the Provider's ``name``: a kind (llm/kinds.py), whose ``thinking``
    record says which switches its server takes. Returns {} when the server has no control
    for this model (DeepSeek-R1: the stream watch is the only lever) or nothing is needed.
    ``max_tokens`` (the reply's reserve) lets GPT-5 / o-series requests carry
    ``max_completion_tokens`` instead.
    """
    family = _family(model)
    controls = thinking_controls(provider_name)
    dialect = controls.dialect
    if not family or dialect == "none":
        return {}
    if family == "openai-reasoning":
        return _openai_reasoning(model, controls, budget, disable, max_tokens)
    if dialect == "ollama":
        if family == "gpt-oss":
            return {"think": "low" if disable else effort_for_budget(budget)}
        return {"think": False} if disable else {}
    if family == "gpt-oss":
        effort = "low" if disable else effort_for_budget(budget)
        if budget <= 0 and not disable:
            return {}
        if dialect == "openrouter":
            return {"reasoning": {"effort": effort}}
        body: dict[str, Any] = {"reasoning_effort": effort}
        if controls.effort_in_template:
            body["chat_template_kwargs"] = {"reasoning_effort": effort}
        return body
    if not disable:
        if dialect == "openrouter" and budget > 0 and family != "deepseek-v3.1":
            return {"reasoning": {"max_tokens": budget}}
        return {}
    if family == "qwen3":
        return {"chat_template_kwargs": {"enable_thinking": False}}
    if family == "deepseek-v3.1":
        return {"chat_template_kwargs": {"thinking": False}}
    if dialect == "openrouter":
        return {"reasoning": {"enabled": False}}
    return {}


def can_disable_thinking(model: str, provider_name: str) -> bool:
    """Does the server have a switch that turns this model's thinking off?"""
    family = _family(model)
    controls = thinking_controls(provider_name)
    if family == "openai-reasoning":  # the lowest effort
        return controls.openai_reasoning or controls.dialect == "openrouter"
    if family in ("qwen3", "deepseek-v3.1"):
        return controls.dialect in ("ollama", "openai", "openrouter")
    return family == "always" and controls.dialect in ("ollama", "openrouter")


@dataclass
class ThinkingRetry:
    """How to ask again after a reply's reasoning ran past the budget."""

    extra_body: dict[str, Any]
    nudge: str | None  # a user message to append, or None when thinking is switched off


def retry_after_budget(
    model: str, provider_name: str, budget: int, max_tokens: int | None = None
) -> ThinkingRetry:
    """Thinking switched off where the server allows it, else the same request plus NUDGE."""
    if can_disable_thinking(model, provider_name):
        body = thinking_extra_body(model, provider_name, budget, True, max_tokens)
        return ThinkingRetry(body, None)
    body = thinking_extra_body(model, provider_name, budget, False, max_tokens)
    return ThinkingRetry(body, NUDGE)


_OPENERS = ("<think>", "<thinking>", "<reasoning>", "[think]")
_CLOSERS = ("</think>", "</thinking>", "</reasoning>", "[/think]")
_TAIL = 16


def _first(s: str, tags: tuple[str, ...], start: int, seen: int) -> tuple[int, int]:
    """(position, length) of the earliest tag in ``s[start:]`` not already seen; (-1, 0)."""
    best, length = -1, 0
    for tag in tags:
        k = s.find(tag, start)
        while k >= 0 and k + len(tag) <= seen:  # lay wholly in the part handled last time
            k = s.find(tag, k + 1)
        if k >= 0 and (best < 0 or k < best):
            best, length = k, len(tag)
    return best, length


@dataclass
class ThinkingBudget:
    """Counts a reply's reasoning as it streams; ``exceeded`` once past ``budget_tokens``.

    Reasoning arrives as ReasoningDelta (servers that split it out) or inline in the content
    between ``<think>`` tags; both count. ``inside=True`` when the chat template opens the
    thinking block itself (the content then starts inside it). ``budget_tokens <= 0``: no limit.
    """

    budget_tokens: int
    inside: bool = False
    chars: int = 0
    _tail: str = field(default="", repr=False)

    @property
    def tokens(self) -> int:
        return self.chars // CHARS_PER_TOKEN

    @property
    def exceeded(self) -> bool:
        return self.budget_tokens > 0 and self.tokens > self.budget_tokens

    def should_stop(self) -> bool:
        return self.exceeded

    def feed(self, reasoning_text: str) -> None:
        """A piece of reasoning (reasoning_content / thinking delta)."""
        self.chars += len(reasoning_text)

    def feed_content(self, text: str) -> None:
        """A piece of visible content that may hold inline thinking tags."""
        if not text:
            return
        s = self._tail + text.lower()
        seen = len(self._tail)
        i = 0
        while True:
            tags = _CLOSERS if self.inside else _OPENERS
            k, n = _first(s, tags, i, seen)
            if k < 0:
                if self.inside:
                    self.chars += len(s) - max(i, seen)
                break
            if self.inside:
                self.chars += max(0, k - max(i, seen))
            self.inside = not self.inside
            i = k + n
        self._tail = s[-_TAIL:]

    def observe(self, chunk: object) -> None:
        """Feed any stream chunk (others are ignored)."""
        if isinstance(chunk, ReasoningDelta):
            self.feed(chunk.text)
        elif isinstance(chunk, TextDelta):
            self.feed_content(chunk.text)

    def reset(self) -> None:
        self.chars = 0
        self.inside = False
        self._tail = ""
