"""Making history smaller, in order of how much it costs the model:

1. ``evict``       the oldest tool results (and large arguments of old calls, e.g. the content
                   of a written file) become one-line stubs saying what they were;
2. ``summarize``   older history is summarized by the model in one request (paths,
                   identifiers, errors and decisions kept exact; paths and the last errors are
                   also appended verbatim from the calls themselves);
3. ``drop``        when there is no summary: whole old rounds go, never the system prompt or the
                   task;
4. ``shrink``      last resort: the largest messages are cut (head and tail kept) so a request
                   can never exceed the window.

These functions rewrite the message list in place; the ContextBudget (agent/budget.py) decides
when.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.agent.guards.base import describe_call
from smallcode.types import Message, ToolCall

if TYPE_CHECKING:
    from smallcode.agent.budget import ContextBudget
    from smallcode.config import Settings
    from smallcode.llm.base import Provider

TokensOf = Callable[[Message], int]
Summarizer = Callable[[list[Message]], str]

STUB_MIN_CHARS = 240  # results shorter than this are not worth a stub
ARG_MIN_CHARS = 300  # call arguments longer than this are replaced when evicted
_RESULT_HEADER = re.compile(r"^\[(\w[\w.-]*) result\]", re.MULTILINE)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)

log = logging.getLogger(__name__)


# Harness messages that must survive compaction (project summary, instructions, ...).
PINNED_KINDS = frozenset({"bootstrap", "instructions", "project", "pinned"})


def is_pinned(m: Message) -> bool:
    return bool(m.meta.get("pinned")) or m.meta.get("kind") in PINNED_KINDS


def is_tool_result(m: Message) -> bool:
    return m.role == "tool" or (m.role == "user" and m.meta.get("kind") == "tool_results")


def task_index(messages: list[Message]) -> int | None:
    """The current task: the last user message the harness did not add itself."""
    for i in range(len(messages) - 1, 0, -1):
        m = messages[i]
        if m.role == "user" and m.meta.get("kind") in (None, "task"):
            return i
    return None


def last_round_start(messages: list[Message]) -> int:
    """Index of the last assistant message (its results follow it): the part never evicted."""
    for i in range(len(messages) - 1, 0, -1):
        if messages[i].role == "assistant":
            return i
    return len(messages)


# ------------------------------------------------------------------ 1. eviction


def _call_index(messages: list[Message]) -> dict[str, ToolCall]:
    return {tc.id: tc for m in messages for tc in m.tool_calls if tc.id}


def stub_for(m: Message, calls: dict[str, ToolCall]) -> Message | None:
    """A one-line replacement for an old message, or None if it is not worth it."""
    if m.meta.get("evicted"):
        return None
    meta = {**m.meta, "evicted": True}
    if is_tool_result(m) and len(m.content) >= STUB_MIN_CHARS:
        size = f"{m.content.count(chr(10)) + 1} lines, {len(m.content)} chars"
        if m.role == "tool":
            tc = calls.get(m.tool_call_id)
            what = describe_call(tc.name, tc.arguments, 100) if tc else (m.name or "a tool")
        else:
            what = ", ".join(_RESULT_HEADER.findall(m.content)) or "tool calls"
        content = f"[evicted to save context: result of {what} ({size}); call again if needed]"
        return Message(m.role, content, tool_call_id=m.tool_call_id, name=m.name, meta=meta)
    if m.role == "assistant":
        changed = False
        new_calls: list[ToolCall] = []
        for tc in m.tool_calls:
            args: dict[str, Any] = {}
            for k, v in tc.arguments.items():
                if isinstance(v, str) and len(v) > ARG_MIN_CHARS:
                    args[k] = f"[{len(v)} chars, evicted to save context]"
                    changed = True
                else:
                    args[k] = v
            new_calls.append(ToolCall(tc.name, args, tc.id, list(tc.repairs)))
        content = m.content
        if len(content) > 4 * ARG_MIN_CHARS:
            content = content[:200] + f" [... {len(content) - 200} chars evicted to save context]"
            changed = True
        if not changed:
            return None
        return Message("assistant", content, tool_calls=new_calls, meta=meta)
    return None


def evict(
    messages: list[Message], need: int, tokens_of: TokensOf, protect_from: int | None = None
) -> int:
    """Stub the oldest tool results / call arguments until ``need`` tokens are saved.

    Messages from ``protect_from`` on (default: the last round) are left alone.
    Returns the tokens saved.
    """
    protect = last_round_start(messages) if protect_from is None else protect_from
    calls = _call_index(messages)
    saved = 0
    for i in range(1, min(protect, len(messages))):
        if saved >= need:
            break
        stub = stub_for(messages[i], calls)
        if stub is None:
            continue
        gain = tokens_of(messages[i]) - tokens_of(stub)
        if gain > 0:
            messages[i] = stub
            saved += gain
    return saved


# ------------------------------------------------------------------ 2./3. summary or drop


def split_for_compaction(
    messages: list[Message], tail_tokens: int, tokens_of: TokensOf
) -> tuple[int, int | None]:
    """(tail_start, task_index): the tail kept verbatim starts at a user or assistant message,
    holds at least the last round and at most about ``tail_tokens`` beyond it."""
    start = last_round_start(messages)
    used = sum(tokens_of(m) for m in messages[start:])
    i = start - 1
    while i > 1:
        m = messages[i]
        cost = tokens_of(m)
        if used + cost > tail_tokens:
            break
        used += cost
        i -= 1
    tail = i + 1
    while tail < len(messages) and messages[tail].role == "tool":
        tail += 1  # never start with a tool result whose call is gone
    return min(tail, start), task_index(messages)


def _facts(middle: list[Message]) -> str:
    """Exact facts taken from the calls themselves, appended to the model's summary."""
    paths: list[str] = []
    errors: list[str] = []
    for m in middle:
        for tc in m.tool_calls:
            p = tc.arguments.get("path")
            if isinstance(p, str) and p not in paths:
                paths.append(p)
        if is_tool_result(m):
            for line in m.content.splitlines():
                if line.startswith("Error:") or "Traceback" in line or "Error:" in line[:60]:
                    errors.append(line.strip()[:200])
    out = []
    if paths:
        out.append("Files involved: " + ", ".join(paths[:40]))
    if errors:
        out.append("Last errors (verbatim):\n" + "\n".join(f"- {e}" for e in errors[-3:]))
    return "\n".join(out)


def compact_with_summary(
    messages: list[Message], tail_start: int, task_i: int | None, summarizer: Summarizer
) -> bool:
    """Replace everything between the system prompt and the tail (except the task) with one
    summary message. False (and nothing changed) when there is nothing to summarize or the
    summary request failed."""
    keep = {i for i in range(1, tail_start) if i == task_i or is_pinned(messages[i])}
    middle = [m for i, m in enumerate(messages[1:tail_start], start=1) if i not in keep]
    if all(m.meta.get("kind") in ("summary", "dropped") for m in middle):
        return False  # nothing new to summarize
    try:
        text = _THINK.sub("", summarizer(middle) or "").strip()
    except Exception:  # the caller drops old rounds instead
        log.warning("the compaction summary failed; dropping old rounds", exc_info=True)
        return False
    if not text:
        return False
    facts = _facts(middle)
    summary = Message(
        "user",
        "Summary of the earlier work in this conversation (older messages were compacted):\n"
        + text
        + (f"\n\n{facts}" if facts else ""),
        meta={"kind": "summary"},
    )
    head = [messages[0]] + [messages[i] for i in sorted(keep)]
    messages[:] = [*head, summary, *messages[tail_start:]]
    return True


def _rounds(messages: list[Message], lo: int, hi: int, skip: int | None) -> list[list[int]]:
    """Indices in [lo, hi) grouped so an assistant message and its results go together."""
    groups: list[list[int]] = []
    for i in range(lo, hi):
        if i == skip or is_pinned(messages[i]):
            continue
        if groups and is_tool_result(messages[i]) and messages[groups[-1][0]].role == "assistant":
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def drop_oldest(
    messages: list[Message], tail_start: int, task_i: int | None, need: int, tokens_of: TokensOf
) -> int:
    """Drop whole old rounds (never the system prompt or the task) until ``need`` tokens are
    saved; a note says what went. Returns the tokens saved."""
    dropped: set[int] = set()
    saved = 0
    for group in _rounds(messages, 1, tail_start, task_i):
        if saved >= need:
            break
        dropped.update(group)
        saved += sum(tokens_of(messages[i]) for i in group)
    if not dropped:
        return 0
    note = Message(
        "user",
        f"[{len(dropped)} earlier messages were dropped to fit the context window; "
        "read files again if you need their content.]",
        meta={"kind": "dropped"},
    )
    first = min(dropped)
    kept = [m for i, m in enumerate(messages) if i not in dropped]
    kept.insert(sum(1 for i in range(first) if i not in dropped), note)
    messages[:] = kept
    return saved - tokens_of(note)


# ------------------------------------------------------------------ 4. last resort


def shrink_to_fit(
    messages: list[Message], over: int, tokens_of: TokensOf, max_steps: int = 60
) -> None:
    """Cut the largest messages (head and tail kept) until ``over`` tokens are gone.

    The system prompt is never touched; the task only when nothing else is left."""
    task_i = task_index(messages)
    for _ in range(max_steps):
        if over <= 0:
            return
        others = [j for j in range(1, len(messages)) if j != task_i]
        i = max(others, key=lambda j: tokens_of(messages[j]), default=None)
        if (i is None or tokens_of(messages[i]) < 40) and task_i is not None:
            i = task_i
        if i is None:
            return
        m = messages[i]
        before = tokens_of(m)
        keep = max(80, len(m.content) // 2 - 200)
        content = m.content
        if len(content) > keep:
            cut = len(content) - keep
            content = (
                content[: keep * 2 // 3]
                + f"\n[... {cut} chars cut to fit the context window ...]\n"
                + content[-(keep // 3) :]
            )
        calls = [
            ToolCall(
                tc.name,
                {
                    k: (f"[{len(v)} chars cut]" if isinstance(v, str) and len(v) > 200 else v)
                    for k, v in tc.arguments.items()
                },
                tc.id,
            )
            for tc in m.tool_calls
        ]
        new = Message(
            m.role, content, calls, m.tool_call_id, m.name, meta={**m.meta, "shrunk": True}
        )
        gain = before - tokens_of(new)
        if gain <= 0:
            return
        messages[i] = new
        over -= gain


# ------------------------------------------------------------------ the summarizer


def render_transcript(messages: list[Message], max_chars: int) -> str:
    """Plain-text transcript for the summarizer, bounded to ``max_chars``."""
    calls = _call_index(messages)
    per_result = max(300, max_chars // max(1, 2 * len(messages)))
    parts: list[str] = []
    for m in messages:
        if m.role == "assistant":
            text = m.content.strip()
            for tc in m.tool_calls:
                text += f"\n[called {describe_call(tc.name, tc.arguments, 200)}]"
            parts.append(f"ASSISTANT: {text}")
        elif is_tool_result(m):
            called = calls.get(m.tool_call_id)
            who = called.name if called else (m.name or "tool")
            body = m.content
            if len(body) > per_result:
                body = body[: per_result * 2 // 3] + "\n[...]\n" + body[-(per_result // 3) :]
            parts.append(f"RESULT of {who}: {body}")
        else:
            label = "NOTE" if m.meta.get("kind") not in (None, "task") else "USER"
            parts.append(f"{label}: {m.content}")
    text = "\n\n".join(parts)
    if len(text) > max_chars:
        text = "[... oldest part cut ...]\n" + text[-max_chars:]
    return text


def make_summarizer(
    provider: Provider, settings: Settings, context: ContextBudget, cognition: Any = None
) -> Summarizer:
    """A summarizer that asks ``provider`` (the FAST tier, else the session's model) once,
    through the ``summarize`` prompt function when ``cognition`` is given: its timeout, and
    an extractive summary of the calls when the model fails (cognition/functions.py)."""

    def summarize(middle: list[Message]) -> str:
        from smallcode.llm.base import RequestOptions, complete
        from smallcode.prompts import load_prompt

        prompt = load_prompt("cognition/summarize.md")
        window = min(context.window, provider.context_window() or context.window)
        out_tokens = max(256, min(1024, window // 8))
        room = window - out_tokens - context.margin() - len(prompt) // 3 - 64
        max_chars = max(2000, int(room * 4 / max(1.0, context.ratio)))
        transcript = render_transcript(middle, max_chars)
        if cognition is not None:
            return str(cognition.call("summarize", transcript, max_tokens=out_tokens).value)
        request = [Message("system", prompt), Message("user", transcript)]
        reply = complete(
            provider,
            request,
            None,
            RequestOptions(temperature=0.0, max_tokens=out_tokens),
            max_retries=1,
            backoff_s=0.1,
        )
        context.note_side_request(reply.usage)
        if reply.finish_reason == "error":
            return ""
        return reply.content

    return summarize
