"""Greeting regression: a small model that lost the task greets the user in the middle of work."""

from __future__ import annotations

import re

from smallcode.agent.guards.base import GuardEvent, Intervention, RunScoped, RunState, describe_call

_GREETING = re.compile(
    r"(how (can|may|could) i (help|assist)( you)?( today)?"
    r"|what can i (do|help you with)( for you)?( today)?"
    r"|how can i be of (help|assistance)"
    r"|what would you like (me )?to (do|work on)"
    r"|i'?m (here|ready) to help"
    r"|is there anything (else )?i can help)",
    re.IGNORECASE,
)
_HELLO = re.compile(r"^\s*(hello|hi|hey|greetings)\b", re.IGNORECASE)


def looks_like_greeting(text: str) -> bool:
    """A short reply that greets or offers help instead of reporting on the task."""
    t = text.strip()
    if not t or len(t) > 400 or "```" in t:
        return False
    return bool(_GREETING.search(t)) or (bool(_HELLO.match(t)) and len(t) < 80)


def progress_summary(state: RunState, last: int = 5) -> str:
    ctx = state.ctx
    lines = []
    created = sorted(ctx.files_created)
    edited = sorted(ctx.files_edited - ctx.files_created)
    if created:
        lines.append("files created: " + ", ".join(created[:20]))
    if edited:
        lines.append("files edited: " + ", ".join(edited[:20]))
    if state.calls:
        recent = [
            f"{describe_call(c.name, c.arguments, 80)} -> {'ok' if c.ok else 'failed'}"
            for c in state.calls[-last:]
        ]
        lines.append("last steps: " + "; ".join(recent))
    return "\n".join(lines) or "no tool calls yet"


def _clip(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[:limit] + " [...]"


class GreetingGuard(RunScoped):
    """Mid-task greeting: do not end the run; restate the task and the progress (bounded)."""

    name = "greeting"

    def __init__(self, max_restates: int = 2) -> None:
        self.max_restates = max_restates
        self.count = 0

    def reset(self) -> None:
        self.count = 0

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        reply = event.reply
        if event.kind != "reply" or reply is None or reply.calls or reply.unknown_tools:
            return None
        state = event.state
        mid_task = bool(state.calls) or state.turn > 1
        if (
            not mid_task
            or looks_like_greeting(state.task)
            or not looks_like_greeting(reply.content)
        ):
            return None
        self.count += 1
        if self.count > self.max_restates:
            return Intervention(
                "stop",
                "The model keeps greeting instead of working on the task; stopped.",
            )
        return Intervention(
            "continue",
            "You are in the middle of a task; do not greet, continue the work.\n"
            f"The task: {_clip(state.task)}\n"
            f"Progress so far:\n{progress_summary(state)}\n"
            "Continue with the next step (call a tool). When the task is done, reply with a "
            "short summary of what you did.",
        )
