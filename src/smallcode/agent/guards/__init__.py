"""Guards: small objects with one interface that watch the run and may intervene.

The interface (GuardEvent kinds, Intervention actions) and the GuardSet are described and
defined in ``guards/base.py``. One module per guard family: repetition (loop, dedup, memory
dedup), spiral, greeting, quality (quality monitor, truncation), trust (trust decay,
temperature), files (read and write guards), snapshot. ``DEFAULT_GUARDS`` lists them, each
with the setting that switches it on; ``build_default_guards`` builds those switched on. Guards
from outside the package come in through ``SmallCode(guards=[...])``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    "DEFAULT_GUARDS",
    "Action",
    "CallRecord",
    "Guard",
    "GuardDeps",
    "GuardEvent",
    "GuardSet",
    "GuardSpec",
    "Intervention",
    "RunScoped",
    "RunState",
    "build_default_guards",
    "call_key",
    "describe_call",
    "was_blocked",
]


@dataclass(frozen=True)
class GuardSpec:
    """One built-in guard: the setting that switches it on and how to build it."""

    setting: str  # a bool field of Settings
    build: Callable[[GuardDeps], Guard | None]  # None: not available here (no ctx, say)


@dataclass
class GuardDeps:
    """What built-in guards are built from: the settings, and what they share with the loop."""

    settings: Settings
    registry: ToolRegistry | None = None
    ctx: ToolContext | None = None
    limit_chars: Callable[[], int] | None = None  # ContextBudget.result_limit_chars
    output_tokens: Callable[[], int] | None = None  # ContextBudget.output_reserve

    def tool_names(self) -> list[str]:
        """The tools the model has now (those trust decay removed left out)."""
        names = self.registry.names() if self.registry is not None else []
        trust = self.ctx.tool_trust if self.ctx is not None else None
        return [n for n in names if trust is None or n not in trust.removed]


def _example_path(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.files import ExamplePathGuard

    return ExamplePathGuard()


def _truncation(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.quality import TruncationGuard

    s = d.settings
    return TruncationGuard(d.output_tokens or (lambda: s.max_output_tokens))


def _loop(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.repetition import RepetitionGuard, writes_of

    if d.registry is None:
        return RepetitionGuard()
    return RepetitionGuard(writes=writes_of(d.registry))


def _spiral(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.spiral import PatchSpiralGuard

    return PatchSpiralGuard()


def _trust(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.trust import TrustDecay

    trust = TrustDecay()
    if d.ctx is not None:
        d.ctx.tool_trust = trust  # the loop leaves removed tools out of the schemas
    return trust


def _write(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.files import WriteGuard

    return WriteGuard()


def _goal_tests(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.files import GoalTestsGuard

    return GoalTestsGuard()


def _file_to_create(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.files import FileToCreateGuard

    return FileToCreateGuard()


def _read(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.files import ReadGuard

    s = d.settings
    return ReadGuard(d.limit_chars or (lambda: s.max_tool_result_chars), s.read_guard_head_lines)


def _memory_dedup(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.repetition import IdempotentWriteDedup

    return IdempotentWriteDedup()


def _dedup(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.repetition import DedupGuard

    read_only = {t.name for t in d.registry if t.read_only} if d.registry is not None else set()
    return DedupGuard(read_only)


def _quality(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.quality import QualityMonitor

    return QualityMonitor(d.tool_names)


def _greeting(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.greeting import GreetingGuard

    return GreetingGuard()


def _temperature(d: GuardDeps) -> Guard:
    from smallcode.agent.guards.trust import TemperatureAdapter

    return TemperatureAdapter(d.settings.temperature)


def _snapshot(d: GuardDeps) -> Guard | None:
    from smallcode.agent.guards.snapshot import SnapshotGuard

    if d.ctx is None:
        return None  # it works through the tools' before_write hook
    snap = SnapshotGuard(d.ctx.root, d.settings.snapshot_auto_rollback)
    snap.install(d.ctx)
    return snap


# Every built-in guard, in the order severity ties are resolved. To add one: write it beside
# the others (one module per family) and add a line here with the setting that switches it on.
DEFAULT_GUARDS: tuple[GuardSpec, ...] = (
    GuardSpec("write_guard", _example_path),  # first: it may repair a path the others look at
    GuardSpec("truncation_guard", _truncation),
    GuardSpec("loop_guard", _loop),
    GuardSpec("spiral_guard", _spiral),
    GuardSpec("trust_decay", _trust),
    GuardSpec("write_guard", _write),
    GuardSpec("write_guard", _goal_tests),
    GuardSpec("write_guard", _file_to_create),
    GuardSpec("read_guard", _read),
    GuardSpec("idempotent_write_dedup", _memory_dedup),
    GuardSpec("dedup", _dedup),
    GuardSpec("quality_monitor", _quality),
    GuardSpec("greeting_guard", _greeting),
    GuardSpec("temp_adapt", _temperature),
    GuardSpec("snapshot", _snapshot),
)


def build_default_guards(
    settings: Settings,
    *,
    registry: ToolRegistry | None = None,
    ctx: ToolContext | None = None,
    limit_chars: Callable[[], int] | None = None,
    output_tokens: Callable[[], int] | None = None,
) -> GuardSet:
    """Every guard of ``DEFAULT_GUARDS`` switched on in ``settings``, in that order.

    ``ctx`` is needed for state shared with the loop (trust decay, temperature, snapshots);
    ``limit_chars``/``output_tokens`` come from the ContextBudget.
    """
    deps = GuardDeps(settings, registry, ctx, limit_chars, output_tokens)
    guards = [
        g
        for spec in DEFAULT_GUARDS
        if getattr(settings, spec.setting) and (g := spec.build(deps)) is not None
    ]
    return GuardSet(guards)
