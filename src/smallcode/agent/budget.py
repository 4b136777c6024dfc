"""The context budget: what goes into each request, and how large tool results may be.

The loop calls ``prepare(messages, tools)`` before every request and
``observe(request, usage, tools)`` after it; ``cap_result`` bounds a tool result before it
enters history.

Accounting: about 4 characters per token over the request as sent (JSON), multiplied by a
correction ratio learned from the prompt tokens the server reports. The prompt budget is the
window minus the output reserve and a small margin.

History is append-only between compactions, so each request starts with the previous one and
the server's KV cache is reused. When a request would pass ``compact_at`` (80 %) of the budget,
``prepare`` compacts once, down to about ``compact_to`` (50 %): old tool results become stubs,
then older history is summarized by the model (or dropped if that fails), and as a last resort
the largest messages are cut. ``prepare`` rewrites ``messages`` in place only then.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.agent import compaction
from smallcode.config import Settings
from smallcode.errors import SmallCodeError
from smallcode.types import Message, Usage

if TYPE_CHECKING:
    from smallcode.events import EventBus

CHARS_PER_TOKEN = 4.0
DEFAULT_WINDOW = 8192
MIN_RATIO, MAX_RATIO = 0.9, 2.5  # clamp of the server-reported / estimated correction
RESULT_SHARE = 0.3  # one tool result may take at most this share of the prompt budget

log = logging.getLogger(__name__)


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def message_tokens(m: Message) -> int:
    """Uncorrected estimate of one message as sent (JSON, with its role and call syntax)."""
    return int(len(json.dumps(m.to_openai())) / CHARS_PER_TOKEN) + 1


def tools_tokens(tools: list[dict[str, Any]] | None) -> int:
    return int(len(json.dumps(tools)) / CHARS_PER_TOKEN) + 1 if tools else 0


class ContextBudget:
    """The context budget of one session: how the model's window is shared out, when history
    is compacted, and how large a tool result may be (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        window: int | None = None,
        *,
        events: EventBus | None = None,
        summarizer: Callable[[list[Message]], str] | None = None,
    ) -> None:
        self.settings = settings
        self.window = settings.context_window or window or DEFAULT_WINDOW
        self.events = events
        self.summarizer = summarizer
        self.requests = 0
        self.ratio = 1.0  # server-reported prompt tokens / our estimate (clamped, recent max)
        self._ratios: list[float] = []
        self._reuse: list[float] = []  # per request: share repeating the previous one
        self._reused_chars = 0  # over the session: prompt text repeated from the request before
        self._sent_chars = 0
        self._kept: list[float] = []  # per request: share of the previous request kept
        self._last: list[str] = []
        self._compacted = False
        self.compactions = 0
        # Indices (0-based) of requests sent right after a compaction rewrote history.
        self.compaction_requests: list[int] = []
        self._after_last = 0  # estimate right after the last compaction
        self.last_prompt_tokens = 0
        self.last_estimate = 0
        self.side_requests = 0
        self.side_usage = Usage()
        # Set when the server showed the prompt did not fit: compact before the next request.
        self.force_compact = False
        # Called before each compaction (PreCompact hooks, agent/extensions.py).
        self.before_compact: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ accounting

    def output_reserve(self) -> int:
        # Never ask for the whole window as output: servers reject that.
        return max(256, min(self.settings.max_output_tokens, self.window // 4))

    def margin(self) -> int:
        return max(64, int(self.window * 0.03))

    def budget(self) -> int:
        """Prompt tokens one request may use."""
        return self.window - self.output_reserve() - self.margin()

    def tokens_of(self, m: Message) -> int:
        return int(message_tokens(m) * self.ratio) + 1

    def estimate(self, messages: list[Message], tools: list[dict[str, Any]] | None = None) -> int:
        """Corrected token estimate of a request."""
        raw = sum(message_tokens(m) for m in messages) + tools_tokens(tools)
        return int(raw * self.ratio) + 1

    def result_limit_chars(self) -> int:
        """The most characters one tool result may keep (setting, or a share of the budget)."""
        share = int(self.budget() * RESULT_SHARE * CHARS_PER_TOKEN / self.ratio)
        return max(500, min(self.settings.max_tool_result_chars, share))

    def note_side_request(self, usage: Usage) -> None:
        """A request outside the conversation (a compaction summary, a prompt function)."""
        self.side_requests += 1
        self.side_usage.add(usage)

    # ------------------------------------------------------------------ per request

    def prepare(
        self, messages: list[Message], tools: list[dict[str, Any]] | None = None
    ) -> list[Message]:
        """The messages to send. Compacts ``messages`` in place when they outgrow the budget."""
        total = self.estimate(messages, tools)
        budget = self.budget()
        grown = total - self._after_last >= budget * 0.1  # not stuck above the trigger
        if (
            self.force_compact
            or total > budget
            or (total > budget * self.settings.compact_at and grown)
        ):
            self.force_compact = False
            self.compact(messages, tools)
        return list(messages)

    def compact(self, messages: list[Message], tools: list[dict[str, Any]] | None = None) -> str:
        """One compaction step down to about ``compact_to`` of the budget. Returns how."""
        for hook in self.before_compact:
            try:
                hook()
            except Exception:  # an extension must never break compaction
                log.warning("a before-compaction hook failed: %r", hook, exc_info=True)
        budget = self.budget()
        fixed = self.estimate(messages[:1], tools)
        if fixed > budget:
            raise SmallCodeError(
                f"the context window ({self.window} tokens) is too small for the system prompt "
                f"and tool schemas (~{fixed} tokens) plus the output reserve "
                f"({self.output_reserve()}); use a larger window (SMALLCODE_CONTEXT_WINDOW)"
            )
        before = self.estimate(messages, tools)
        target = int(budget * self.settings.compact_to)
        steps: list[str] = []
        saved = compaction.evict(messages, before - target, self.tokens_of)
        if saved:
            steps.append("evicted")
        now = self.estimate(messages, tools)
        if now > target:
            tail_start, task_i = compaction.split_for_compaction(
                messages, int(budget * 0.25), self.tokens_of
            )
            summarized = False
            if self.summarizer is not None and self.settings.summarize_history:
                summarized = compaction.compact_with_summary(
                    messages, tail_start, task_i, self.summarizer
                )
            if summarized:
                steps.append("summarized")
            else:
                if compaction.drop_oldest(
                    messages, tail_start, task_i, now - target, self.tokens_of
                ):
                    steps.append("dropped")
            now = self.estimate(messages, tools)
        if now > budget:
            compaction.shrink_to_fit(messages, now - budget, self.tokens_of)
            steps.append("shrunk")
            now = self.estimate(messages, tools)
        how = "+".join(steps) or "none"
        self._after_last = now
        if not steps:
            return how
        self._compacted = True
        self.compactions += 1
        if self.events is not None:
            self.events.emit("compaction", before_tokens=before, after_tokens=now, how=how)
        return how

    def observe(
        self,
        request: list[Message],
        usage: Usage,
        tools: list[dict[str, Any]] | None = None,
    ) -> None:
        """After a request: learn the token ratio and track prefix reuse."""
        raw = sum(message_tokens(m) for m in request) + tools_tokens(tools)
        self.last_estimate = int(raw * self.ratio) + 1
        if usage.prompt_tokens > 0 and raw > 50:
            self._ratios = [*self._ratios[-4:], usage.prompt_tokens / raw]
            self.ratio = min(MAX_RATIO, max(MIN_RATIO, max(self._ratios)))
        self.last_prompt_tokens = usage.prompt_tokens
        # Prefix reuse: the share of this request (tools first, then messages) that repeats
        # the previous request element by element.
        current = [json.dumps(tools, sort_keys=True)] + [
            json.dumps(m.to_openai(), sort_keys=True) for m in request
        ]
        if self._last:
            same = 0
            for a, b in zip(self._last, current, strict=False):
                if a != b:
                    break
                same += 1
            shared = sum(len(s) for s in current[:same])
            total = sum(len(s) for s in current) or 1
            self._reuse.append(shared / total)
            self._reused_chars += shared
            self._sent_chars += total
            self._kept.append(shared / (sum(len(s) for s in self._last) or 1))
        if self._compacted:
            self.compaction_requests.append(self.requests)
            self._compacted = False
        self._last = current
        self.requests += 1

    def prefix_reuse(self) -> float:
        """The share of all prompt text sent after the first request that repeats the
        request before it: what a server's prefix cache can reuse (token-weighted)."""
        return self._reused_chars / self._sent_chars if self._sent_chars else 0.0

    def prefix_kept(self) -> float:
        """The share of each previous request that the next one repeats from its start,
        averaged: 1.0 when history only grew (no compaction, no change to earlier text)."""
        return sum(self._kept) / len(self._kept) if self._kept else 0.0

    def prefix_reuse_mean(self) -> float:
        """The same share per request, averaged (short requests weigh as much as long ones)."""
        return sum(self._reuse) / len(self._reuse) if self._reuse else 0.0

    # ------------------------------------------------------------------ tool results

    def cap_result(self, text: str) -> str:
        """Keep head and tail of a long result; say what was cut and how to get it."""
        limit = self.result_limit_chars()
        if len(text) <= limit:
            return text
        lines = text.split("\n")
        head: list[str] = []
        size = 0
        for line in lines:
            if size + len(line) + 1 > limit * 0.6:
                break
            head.append(line)
            size += len(line) + 1
        tail: list[str] = []
        size = 0
        for line in reversed(lines[len(head) :]):
            if size + len(line) + 1 > limit * 0.3:
                break
            tail.append(line)
            size += len(line) + 1
        tail.reverse()
        cut = lines[len(head) : len(lines) - len(tail)]
        if len(head) < 3 or not cut:  # few, very long lines: cut by characters
            h, t = text[: int(limit * 0.6)], text[-int(limit * 0.3) :]
            n = len(text) - len(h) - len(t)
            return f"{h}\n[... {n} characters cut: narrow the command or read a range ...]\n{t}"
        first, last = _line_number(cut[0]), _line_number(cut[-1])
        if first and last:
            hint = (
                f"lines {first}-{last} cut to fit the context window; read them with "
                f"read_file(path, start_line={first}, end_line={last}), in parts if large"
            )
        else:
            hint = (
                f"{len(cut)} lines ({sum(len(c) + 1 for c in cut)} chars) cut to fit the context "
                "window; narrow the command (grep, head, tail) or the search"
            )
        return "\n".join([*head, f"[... {hint} ...]", *tail])


def _line_number(line: str) -> int | None:
    m = re.match(r"^\s*(\d+)\t", line)
    return int(m.group(1)) if m else None
