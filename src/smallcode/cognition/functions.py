"""The prompt functions SmallCode uses, each with its rule, validation, repair and fallback.

- ``summarize``  compaction summaries (agent/compaction.py); fallback: an extractive summary
                 of the transcript (the task, the calls made, the last errors), no model.
- ``task_kind``  edit | debug | test | question | search | other; word rules decide almost
                 every task (a trivial task never costs a request); the model is asked only
                 when no rule decides and a FAST tier exists; fallback "other".
- ``title``      a saved session's title: the task's first line when short, else the FAST
                 model's few words, else the first sentence clipped.
"""

from __future__ import annotations

import re

from smallcode.cognition.core import PromptFunction

TASK_KINDS = ("edit", "debug", "test", "question", "search", "other")
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)


def _clean(reply: str) -> str:
    return _THINK.sub("", reply or "").strip()


# ---------------------------------------------------------------------- summarize


def parse_summary(reply: str) -> str | None:
    text = _clean(reply)
    return text if len(text) >= 20 else None


def extractive_summary(transcript: str, limit: int = 2000) -> str:
    """What the transcript itself says, without a model: the requests, the calls, the errors."""
    asks: list[str] = []
    calls: list[str] = []
    errors: list[str] = []
    for line in transcript.splitlines():
        s = line.strip()
        if s.startswith("USER: "):
            asks.append(s[6:][:200])
        elif s.startswith("[called "):
            calls.append(s[8:].rstrip("]")[:120])
        elif "Error:" in s[:80] or s.startswith("Traceback"):
            errors.append(s[:200])
    parts = []
    if asks:
        parts.append("Requests: " + " | ".join(asks[-3:]))
    if calls:
        parts.append("Calls made, in order: " + "; ".join(calls[-30:]))
    if errors:
        parts.append("Errors seen: " + " | ".join(errors[-3:]))
    text = "\n".join(parts) or "Earlier work was compacted (no calls or requests to list)."
    return "(extractive summary, no model) " + text[:limit]


SUMMARIZE = PromptFunction[str](
    name="summarize",
    prompt="summarize.md",
    role="summary",
    parse=parse_summary,
    repair=None,
    fallback=extractive_summary,
    max_tokens=1024,
    timeout_s=300.0,
    retries=0,
    description="compaction summary of older history",
)


# ---------------------------------------------------------------------- task kind

_QUESTION = re.compile(
    r"^(what|why|how|where|which|who|when|explain|describe|tell me|show me|is|are|does|do|"
    r"can|could|should|would)\b",
    re.I,
)
_SEARCH = re.compile(r"\b(where|which file|find (the|where)|look up|locate)\b", re.I)
_BROKEN = re.compile(
    r"\b(bug|error|fails?|failing|failed|crash\w*|broken|traceback|exception|wrong|regression)\b",
    re.I,
)


def task_kind_rule(task: str) -> str | None:
    """The kind from the task's words, or None when they do not decide it."""
    from smallcode.agent import intent

    text = task.strip()
    if not text:
        return "other"
    if intent.tests_are_the_goal(text) or intent.mentions_tests(text):
        return "test"
    if intent.wants_change(text):
        return "debug" if _BROKEN.search(text) else "edit"
    if _QUESTION.match(text) or text.endswith("?"):
        return "search" if _SEARCH.search(text) else "question"
    if intent.named_files(text):
        return "edit"
    return None


def parse_task_kind(reply: str) -> str | None:
    words = re.findall(r"[a-z]+", _clean(reply).lower())
    return words[0] if len(words) == 1 and words[0] in TASK_KINDS else None


def repair_task_kind(reply: str) -> str | None:
    """A chatty answer that names exactly one kind ("This is a debug task.")."""
    found = {w for w in re.findall(r"[a-z]+", _clean(reply).lower()) if w in TASK_KINDS}
    return found.pop() if len(found) == 1 else None


TASK_KIND = PromptFunction[str](
    name="task_kind",
    prompt="classify.md",
    role="classify",
    rule=task_kind_rule,
    parse=parse_task_kind,
    repair=repair_task_kind,
    fallback=lambda task: "other",
    own_tier=True,
    max_tokens=8,
    timeout_s=30.0,
    description="what kind of task (only where no word rule decides)",
)


# ---------------------------------------------------------------------- title

TITLE_CHARS = 60


def title_rule(task: str) -> str | None:
    first = task.strip().splitlines()[0].strip() if task.strip() else ""
    return first if first and len(first) <= TITLE_CHARS and "\n" not in task.strip() else None


def parse_title(reply: str) -> str | None:
    lines = [ln.strip() for ln in _clean(reply).splitlines() if ln.strip()]
    if len(lines) != 1:
        return None
    title = lines[0].strip("\"'` ").rstrip(".")
    if title.lower().startswith("title:"):
        title = title[6:].strip()
    return title if 0 < len(title) <= 80 else None


def fallback_title(task: str) -> str:
    text = " ".join(task.split())
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if len(sentence) <= TITLE_CHARS:
        return sentence
    cut = sentence[: TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return cut + "…"


TITLE = PromptFunction[str](
    name="title",
    prompt="title.md",
    role="title",
    rule=title_rule,
    parse=parse_title,
    repair=None,
    fallback=fallback_title,
    own_tier=True,
    max_tokens=24,
    timeout_s=30.0,
    description="a saved session's title",
)

ALL = (SUMMARIZE, TASK_KIND, TITLE)
