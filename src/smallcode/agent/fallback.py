"""After a hard failure: a retry with a plan, then the STRONG tier, then (opt-in) the cloud.

A run that stopped at the turn limit, failed its completion check, or was stopped by a guard
may get more tries, cheapest first, each bounded in turns:

1. **decompose**: the same model is asked to split the task into steps with ``todo_write``
   (the TODO plan mode, agent/plan.py), each step checked by the harness;
2. **strong**: the local STRONG tier (``SMALLCODE_MODEL_STRONG`` / ``_BASE_URL_STRONG``)
   takes over the conversation;
3. **cloud**: escalation to a cloud model, only with ``SMALLCODE_ESCALATION=true`` (the
   router's Escalation: confirmation, request and cost limits).

The ladder runs only where something to fall back to is configured (a STRONG tier or cloud
escalation): with one local model a failed run ends as before, within its ``--max-turns``.
Which rungs ran is in ``RunResult.workflows["fallback"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smallcode.types import Message

if TYPE_CHECKING:
    from smallcode.agent.guards import RunState
    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult
    from smallcode.llm.base import Provider

HARD_STOPS = ("max_turns", "unverified")

DECOMPOSE_NOTE = (
    "The previous attempt stopped ({reason}). Start again in small steps: first call "
    "todo_write with the steps of the task (one short line each), then do one step at a time "
    "and mark it completed with todo_write when its files are written. Task: {task}"
)
TAKEOVER_NOTE = (
    "The previous attempt stopped ({reason}). Take a different approach and finish the task: {task}"
)


def hard_failure(result: RunResult) -> bool:
    return result.stop_reason in HARD_STOPS or result.stop_reason.startswith("guard:")


def extra_turns(agent: Agent) -> int:
    return max(4, agent.settings.max_turns // 2)


def recover(agent: Agent, state: RunState, result: RunResult, started: float) -> None:
    """Climb the ladder while the run is still a hard failure."""
    if not hard_failure(result) or agent.asker.escalated is not None:
        return
    router = agent.ctx.router
    strong = router is not None and router.configured("strong")
    cloud = agent.escalation is not None and agent.escalation.enabled
    if not (strong or cloud):
        return
    rungs: list[tuple[str, Callable[[], bool]]] = [
        ("decompose", lambda: _decompose(agent, state, result, started)),
        ("strong", lambda: _strong(agent, state, result, started) if strong else False),
        ("cloud", lambda: _cloud(agent, state, result, started) if cloud else False),
    ]
    record: dict[str, Any] = {"first_failure": result.stop_reason, "rungs": []}
    for name, rung in rungs:
        if not hard_failure(result):
            break
        before = result.stop_reason
        if rung():
            record["rungs"].append({"rung": name, "after": before, "outcome": result.stop_reason})
    record["recovered"] = not hard_failure(result)
    if record["rungs"]:
        result.workflows["fallback"] = record


def _note(agent: Agent, message: str) -> None:
    agent.events.emit("guard", guard="fallback", action="note", message=message)


def _again(
    agent: Agent, state: RunState, result: RunResult, started: float, note: str, kind: str
) -> None:
    """One more bounded stretch of the loop, after a note telling the model why."""
    reason = result.error or result.stop_reason
    agent.messages.append(
        Message(
            "user",
            note.format(reason=reason, task=state.task),
            meta={"kind": "note", "guard": kind},
        )
    )
    result.stop_reason, result.error = "", ""
    state.verify_reasks = 0  # each rung gets the completion check's re-asks again
    agent._loop(state, result, started, turn_limit=result.turns + extra_turns(agent))


def _decompose(agent: Agent, state: RunState, result: RunResult, started: float) -> bool:
    plan = agent.ctx.plan
    if plan is None or plan.applies:  # no plan mode, or this task already had a plan
        return False
    _note(agent, f"retrying with a plan (decomposition) after: {result.stop_reason}")
    plan.offer_tool()
    plan.applies = True
    _again(agent, state, result, started, DECOMPOSE_NOTE, "fallback")
    return True


def _strong(agent: Agent, state: RunState, result: RunResult, started: float) -> bool:
    router = agent.ctx.router
    if router is None:
        return False
    try:
        provider = router.provider_for("fallback")
    except Exception as exc:  # a STRONG tier that cannot be set up: say so, keep the failure
        _note(agent, f"STRONG tier unavailable: {exc}")
        return False
    if provider is agent.provider:
        return False
    _note(agent, f"handing the task to the STRONG tier ({provider.model}): {result.stop_reason}")
    _with_provider(
        agent, provider, lambda: _again(agent, state, result, started, TAKEOVER_NOTE, "fallback")
    )
    return True


def _cloud(agent: Agent, state: RunState, result: RunResult, started: float) -> bool:
    """Let a cloud model continue, once per run, only where the user opted in."""
    reason = result.error or result.stop_reason
    escalation = agent.escalation
    if escalation is None:
        return False
    stronger = escalation.request(reason)
    if stronger is None:
        _note_escalation(agent, f"not escalated: {escalation.last_refusal}")
        return False
    _note_escalation(agent, f"escalating to {stronger.name} {stronger.model}: {reason}")
    agent.asker.escalated = stronger
    try:
        _with_provider(
            agent,
            stronger,
            lambda: _again(agent, state, result, started, TAKEOVER_NOTE, "escalation"),
        )
    finally:
        agent.asker.escalated = None
    return True


def _note_escalation(agent: Agent, message: str) -> None:
    agent.events.emit("guard", guard="escalation", action="note", message=message)


def _with_provider(agent: Agent, provider: Provider, run: Callable[[], None]) -> None:
    """Run with another provider; the context window shrinks to its window while it does."""
    local, window = agent.provider, agent.context.window
    other = provider.context_window()
    agent.provider = provider
    if other and other < window and not agent.settings.context_window:
        agent.context.window = other
    try:
        run()
    finally:
        agent.provider, agent.context.window = local, window
