"""Snapshots of every write and patch (through the tools' ``before_write`` hook), confirmed or
discarded after the call, and an optional automatic rollback when the result no longer parses.

Install with ``guard.install(ctx)``: it sets ``ctx.before_write`` (called by write_file and
patch just before they write) and ``ctx.snapshot_guard`` (this guard, closed with the session).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from smallcode.agent.guards.base import GuardEvent, Intervention, was_blocked

if TYPE_CHECKING:
    from smallcode.store.snapshots import SnapshotStore
    from smallcode.tools.registry import ToolContext


log = logging.getLogger(__name__)


def validation_error(path: str, text: str) -> str | None:
    """Why a file no longer parses, or None. Only formats we can check exactly and cheaply:
    Python (compile), JSON and TOML."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix in (".py", ".pyw"):
            compile(text, path, "exec", dont_inherit=True)
        elif suffix == ".json":
            json.loads(text)
        elif suffix == ".toml":
            import tomllib

            tomllib.loads(text)
        else:
            return None
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    except (ValueError, TypeError) as exc:  # JSONDecodeError, TOMLDecodeError, null bytes
        return f"{type(exc).__name__}: {exc}"
    return None


class SnapshotGuard:
    name = "snapshot"

    def __init__(self, root: Path, auto_rollback: bool = False) -> None:
        self.root = root
        self.auto_rollback = auto_rollback
        self._store: SnapshotStore | None = None
        self._failed = False
        # Snapshots taken during the current call: (change id, rel path, text before or None).
        self.pending: list[tuple[int, str, str | None]] = []

    def install(self, ctx: ToolContext) -> None:
        ctx.before_write = self.before_write
        ctx.snapshot_guard = self

    @property
    def store(self) -> SnapshotStore | None:
        if self._store is None and not self._failed:
            from smallcode.store.snapshots import SnapshotStore

            try:
                self._store = SnapshotStore.open(self.root)
            except Exception:  # writes go on without snapshots (before_write says so)
                log.warning("the snapshot store cannot be opened", exc_info=True)
                self._failed = True
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def before_write(self, ctx: ToolContext, target: Path, tool_name: str) -> None:
        store = self.store
        rel = ctx.rel(target)
        if store is None:
            ctx.events.emit(
                "guard", guard=self.name, action="note", message="snapshots unavailable"
            )
            return
        before: str | None = None
        if target.is_file():
            try:
                before = target.read_text(encoding="utf-8", errors="replace")
            except OSError:
                before = None
        try:
            cid = store.record(rel, tool_name)
        except Exception as exc:  # never block a write because a snapshot failed
            ctx.events.emit("guard", guard=self.name, action="note", message=f"no snapshot: {exc}")
            return
        self.pending.append((cid, rel, before))

    def observe(self, event: GuardEvent) -> Intervention | None:
        if event.kind != "after_call" or not self.pending:
            return None
        pending, self.pending = self.pending, []
        store = self.store
        if store is None:
            return None
        ok = event.result is not None and event.result.ok and not was_blocked(event)
        notes: list[str] = []
        for cid, rel, before in pending:
            if not ok:
                store.discard(cid)
                continue
            store.confirm(cid)
            if self.auto_rollback:
                note = self._validate(event, store, cid, rel, before)
                if note:
                    notes.append(note)
        return Intervention("note", "\n".join(notes)) if notes else None

    def _validate(
        self, event: GuardEvent, store: SnapshotStore, cid: int, rel: str, before: str | None
    ) -> str | None:
        ctx = event.state.ctx
        target = ctx.root / rel
        try:
            after = target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        error = validation_error(rel, after)
        if error is None:
            return None
        if before is not None and validation_error(rel, before) is not None:
            return None  # it was already broken: the model may be fixing it step by step
        store.rollback(cid)
        if event.result is not None:  # shown and recorded as rolled back, not as a success
            event.result.ok = False
            event.result.rolled_back = True
        if before is None:
            ctx.files_created.discard(rel)
            what = "the file was removed again"
        else:
            what = "the file is back to how it was before this change"
        return (
            f"ROLLED BACK: after this change {rel} no longer parses ({error}), so {what}. "
            "Fix the edit and try again."
        )
