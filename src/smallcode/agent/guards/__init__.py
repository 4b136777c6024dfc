"""Guards: small objects with one interface that watch the run and may intervene.

The interface (GuardEvent kinds, Intervention actions) and the GuardSet are described and
defined in ``guards/base.py``. One module per guard family: repetition (loop, dedup, memory
dedup), spiral, greeting, quality (quality monitor, truncation), trust (trust decay,
temperature), files (read and write guards), snapshot. ``build_default_guards`` assembles them
from the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from smallcode.agent.guards.base import (
    Action,
    CallRecord,
    Guard,
    GuardEvent,
    GuardSet,
    Intervention,
    RunScoped,
    RunState,
    call_key,
    describe_call,
    was_blocked,
)

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.tools.registry import ToolContext, ToolRegistry

__all__ = [
    "Action",
    "CallRecord",
    "Guard",
    "GuardEvent",
    "GuardSet",
    "Intervention",
    "RunScoped",
    "RunState",
    "build_default_guards",
    "call_key",
    "describe_call",
    "was_blocked",
]


def build_default_guards(
    settings: Settings,
    *,
    registry: ToolRegistry | None = None,
    ctx: ToolContext | None = None,
    limit_chars: Callable[[], int] | None = None,
    output_tokens: Callable[[], int] | None = None,
) -> GuardSet:
    """Every guard switched on in ``settings``, in the order severity ties are resolved.

    ``ctx`` is needed for state shared with the loop (trust decay, temperature, snapshots);
    ``limit_chars``/``output_tokens`` come from the ContextManager.
    """
    from smallcode.agent.guards.files import (
        ExamplePathGuard,
        FileToCreateGuard,
        GoalTestsGuard,
        ReadGuard,
        WriteGuard,
    )
    from smallcode.agent.guards.greeting import GreetingGuard
    from smallcode.agent.guards.quality import QualityMonitor, TruncationGuard
    from smallcode.agent.guards.repetition import DedupGuard, IdempotentWriteDedup, RepetitionGuard
    from smallcode.agent.guards.snapshot import SnapshotGuard
    from smallcode.agent.guards.spiral import PatchSpiralGuard
    from smallcode.agent.guards.trust import TemperatureAdapter, TrustDecay

    read_only = {t.name for t in registry if t.read_only} if registry is not None else set()

    def tool_names() -> list[str]:
        names = registry.names() if registry is not None else []
        trust = ctx.extras.get("tool_trust") if ctx is not None else None
        return [n for n in names if trust is None or n not in trust.removed]

    guards: list[Guard] = []
    if settings.write_guard:  # first: it may repair a call's path that the others look at
        guards.append(ExamplePathGuard())
    if settings.truncation_guard:
        guards.append(TruncationGuard(output_tokens or (lambda: settings.max_output_tokens)))
    if settings.loop_guard:
        guards.append(RepetitionGuard())
    if settings.spiral_guard:
        guards.append(PatchSpiralGuard())
    if settings.trust_decay:
        trust = TrustDecay()
        if ctx is not None:
            ctx.extras["tool_trust"] = trust
        guards.append(trust)
    if settings.write_guard:
        guards.append(WriteGuard())
        guards.append(GoalTestsGuard())
        guards.append(FileToCreateGuard())
    if settings.read_guard:
        limit = limit_chars or (lambda: settings.max_tool_result_chars)
        guards.append(ReadGuard(limit, settings.read_guard_head_lines))
    if settings.idempotent_write_dedup:
        guards.append(IdempotentWriteDedup())
    if settings.dedup:
        guards.append(DedupGuard(read_only))
    if settings.quality_monitor:
        guards.append(QualityMonitor(tool_names))
    if settings.greeting_guard:
        guards.append(GreetingGuard())
    if settings.temp_adapt:
        guards.append(TemperatureAdapter(settings.temperature))
    if settings.snapshot and ctx is not None:
        snap = SnapshotGuard(ctx.root, settings.snapshot_auto_rollback)
        snap.install(ctx)
        guards.append(snap)
    return GuardSet(guards)
