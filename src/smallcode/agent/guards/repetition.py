"""Repetition: the same call again and again (loop guard), and calls that need not run twice
(dedup of identical read-only calls, idempotent memory writes)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smallcode.agent.guards.base import (
    GuardEvent,
    Intervention,
    RunScoped,
    call_key,
    describe_call,
    was_blocked,
)

if TYPE_CHECKING:
    from smallcode.tools.registry import ToolRegistry

# The file tools, when no registry says which tools write (a guard built on its own).
FILE_WRITE_TOOLS = frozenset({"write_file", "patch"})

# Tools that are not read-only but run commands: a command that ran is not progress by itself
# (running the tests again after nothing changed is the loop this guard stops).
COMMAND_TOOLS = frozenset({"bash", "run_tests"})


def writes_of(registry: ToolRegistry) -> Callable[[str], bool]:
    """Whether a call of the named tool changes the project: a tool of ``registry`` (as it is
    when the call runs: tools are added during the session) that is not read-only and does
    not merely run a command."""

    def writes(name: str) -> bool:
        t = registry.get(name)
        return t is not None and not t.read_only and name not in COMMAND_TOOLS

    return writes


# Memory tools whose repeated identical call changes nothing (names used by memory helpers).
MEMORY_WRITE_TOOLS = frozenset(
    {
        "memory_remember",
        "remember",
        "memory_write",
        "memory_save",
        "memory_add",
        "save_memory",
        "add_memory",
        "update_memory",
    }
)


class RepetitionGuard(RunScoped):
    """The same call with the same arguments, without progress in between.

    Counted since the last successful write of something else. At ``warn_at`` the result gets a
    warning; at ``stop_at`` the call is not run and the run stops (exit 1). ``writes`` says
    which tools change the project (``writes_of(registry)``; the file tools by default). Tools
    bump ``ctx.progress`` when a call made progress without writing a file (a TDD phase moved
    on): identical calls before it do not count either.
    """

    name = "loop"

    def __init__(
        self,
        warn_at: int = 3,
        stop_at: int = 5,
        writes: Callable[[str], bool] | Collection[str] = FILE_WRITE_TOOLS,
    ) -> None:
        self.warn_at = warn_at
        self.stop_at = stop_at
        self.writes: Callable[[str], bool] = (
            writes if callable(writes) else frozenset(writes).__contains__
        )
        self.counts: dict[str, int] = {}
        # Writes that succeeded, by call identity: running one again cannot change anything.
        self.done_writes: set[str] = set()
        self.progress_seen = 0
        self._keys: dict[int, str] = {}

    def reset(self) -> None:
        self.counts = {}
        self.done_writes = set()
        self._keys = {}

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        call = event.call
        if call is None:
            return None
        key = call_key(call.name, call.arguments)
        if event.kind == "before_call":
            # Another guard may still repair the arguments (an example path, say): the call
            # is counted as the model wrote it, before and after it runs.
            self._keys[id(call)] = key
            n = self.counts[key] = self.counts.get(key, 0) + 1
            if key in self.done_writes and n >= 3:
                # Small models often repeat their last, finished step instead of answering.
                return Intervention(
                    "finish",
                    f"{describe_call(call.name, call.arguments)} was already done and would "
                    "change nothing. Do not call any tool now: tell the user in one or two "
                    "sentences what you did.",
                    ok=True,
                )
            if n >= self.stop_at:
                return Intervention(
                    "stop",
                    f"The model made the same call {n} times without progress in between: "
                    f"{describe_call(call.name, call.arguments)}. Stopped to avoid an endless "
                    "loop.",
                )
            return None
        if event.kind != "after_call" or event.result is None:
            return None
        key = self._keys.pop(id(call), key)
        if self.writes(call.name) and event.result.ok and not was_blocked(event):
            # Progress: other calls may now legitimately give a different result.
            self.counts = {key: self.counts.get(key, 0)}
            self.done_writes = {key}
        progress = event.state.ctx.progress
        if progress != self.progress_seen:  # a tool reported progress (not a file write)
            self.progress_seen = progress
            self.counts = {}
            self.done_writes = set()
        n = self.counts.get(key, 0)
        if n >= self.warn_at and not was_blocked(event):
            return Intervention(
                "note",
                f"You have made this exact call {n} times and nothing changed in between, so its "
                "result will not change. "
                + (
                    (not self.writes(call.name) and _write_next(call.arguments, event.state.task))
                    or "Do something different (another file, another command, an edit), "
                )
                + f"or if the task is done, reply with a summary. At {self.stop_at} "
                "identical calls the run is stopped.",
            )
        return None


@dataclass
class _Cached:
    turn: int
    output: str


class DedupGuard(RunScoped):
    """An identical read-only call within ``window_turns`` turns gets the earlier result.

    Any successful call that may change files (anything not read-only, bash included)
    invalidates every cached result.
    """

    name = "dedup"

    def __init__(self, read_only: set[str] | frozenset[str], window_turns: int = 3) -> None:
        self.read_only = frozenset(read_only)
        self.window_turns = window_turns
        self.cache: dict[str, _Cached] = {}

    def reset(self) -> None:
        self.cache = {}

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        call = event.call
        if call is None:
            return None
        key = call_key(call.name, call.arguments)
        if event.kind == "before_call":
            if call.name not in self.read_only:
                return None
            hit = self.cache.get(key)
            if hit is None or event.state.turn - hit.turn > self.window_turns:
                return None
            return Intervention(
                "block",
                f"[dedup] Same call as in turn {hit.turn} and nothing was written since: here "
                f"is that result again.\n{hit.output}",
                ok=True,
            )
        if event.kind != "after_call" or event.result is None or was_blocked(event):
            return None
        if call.name in self.read_only:
            if event.result.ok:
                self.cache[key] = _Cached(event.state.turn, event.result.output)
        else:
            self.cache.clear()
        return None


class IdempotentWriteDedup(RunScoped):
    """A memory write repeated with identical arguments in one run is skipped."""

    name = "memory_dedup"

    def __init__(self, tools: set[str] | frozenset[str] = MEMORY_WRITE_TOOLS) -> None:
        self.tools = frozenset(tools)
        self.done: set[str] = set()

    def reset(self) -> None:
        self.done = set()

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        call = event.call
        if call is None or call.name not in self.tools:
            return None
        key = call_key(call.name, call.arguments)
        if event.kind == "before_call" and key in self.done:
            return Intervention(
                "block",
                "Already saved: an identical call ran earlier in this task, so it was skipped.",
                ok=True,
            )
        if (
            event.kind == "after_call"
            and event.result is not None
            and event.result.ok
            and not was_blocked(event)
        ):
            self.done.add(key)
        return None


def _write_next(args: dict[str, Any], task: str) -> str:
    """For a file the task asks to change that the model keeps reading: say the next step."""
    from smallcode.agent.intent import is_test_file, named_files, wants_change

    path = args.get("path")
    if not isinstance(path, str) or is_test_file(path) or not wants_change(task):
        return ""
    if path not in named_files(task):
        return ""
    return (
        f"You have read {path}: now change it. Call write_file with path {path} and its "
        "complete new content (or patch with the exact old text), "
    )
