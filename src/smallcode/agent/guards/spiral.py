"""Patch spiral: edits that undo each other, or patches on one file that keep failing."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from smallcode.agent.guards.base import GuardEvent, Intervention, RunScoped, was_blocked


def _norm(s: str) -> str:
    return "\n".join(line.rstrip() for line in s.strip("\n").splitlines())


def _digest(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8", "replace")).hexdigest()


@dataclass
class _Edit:
    turn: int
    old: str
    new: str


class PatchSpiralGuard(RunScoped):
    """A->B then B->A on the same file, a file written back to an earlier content, or
    ``fail_note_at`` failing patches in a row on one file: explain and suggest reading the file.
    After ``max_interventions`` reverts on one file, or ``fail_stop_at`` failures in a row,
    the run stops."""

    name = "spiral"

    def __init__(
        self, fail_note_at: int = 3, fail_stop_at: int = 5, max_interventions: int = 2
    ) -> None:
        self.fail_note_at = fail_note_at
        self.fail_stop_at = fail_stop_at
        self.max_interventions = max_interventions
        self.reset()

    def reset(self) -> None:
        self.edits: dict[str, list[_Edit]] = {}
        self.writes: dict[str, list[str]] = {}
        self.fails: dict[str, int] = {}
        self.reverts: dict[str, int] = {}

    def observe(self, event: GuardEvent) -> Intervention | None:
        self.fresh(event.state)
        call = event.call
        if call is None or call.name not in ("patch", "write_file"):
            return None
        path = os.path.normpath(str(call.arguments.get("path", "")).strip() or "?")
        if event.kind == "before_call":
            return self._before(call.name, path, call.arguments)
        if event.kind == "after_call" and event.result is not None and not was_blocked(event):
            return self._after(call.name, path, call.arguments, event.result.ok, event.state.turn)
        return None

    def _before(self, tool: str, path: str, args: dict) -> Intervention | None:
        reverted_turn = None
        if tool == "patch":
            old, new = _norm(str(args.get("old_str", ""))), _norm(str(args.get("new_str", "")))
            for e in reversed(self.edits.get(path, [])):
                if e.new == old and e.old == new and old != new:
                    reverted_turn = e.turn
                    break
        else:
            history = self.writes.get(path, [])
            digest = _digest(str(args.get("content", "")))
            if len(history) >= 2 and digest in history[:-1] and digest != history[-1]:
                reverted_turn = -1
        if reverted_turn is None:
            return None
        n = self.reverts[path] = self.reverts.get(path, 0) + 1
        when = f"in turn {reverted_turn}" if reverted_turn > 0 else "earlier"
        if n > self.max_interventions:
            return Intervention(
                "stop",
                f"The edits to {path} keep undoing each other ({n} times): stopped. "
                "The file is as the last successful edit left it.",
            )
        return Intervention(
            "block",
            f"This {tool} would undo the change you made to {path} {when}: you are going back "
            f"and forth. It was not applied. Read the file (read_file {path}) and decide which "
            "version is right, then make one edit that moves the task forward.",
        )

    def _after(self, tool: str, path: str, args: dict, ok: bool, turn: int) -> Intervention | None:
        if tool == "write_file":
            if ok:
                self.writes.setdefault(path, []).append(_digest(str(args.get("content", ""))))
                self.fails[path] = 0
            return None
        if ok:
            old, new = _norm(str(args.get("old_str", ""))), _norm(str(args.get("new_str", "")))
            self.edits.setdefault(path, []).append(_Edit(turn, old, new))
            self.fails[path] = 0
            return None
        n = self.fails[path] = self.fails.get(path, 0) + 1
        if n >= self.fail_stop_at:
            return Intervention(
                "stop",
                f"{n} patches in a row on {path} failed: stopped. Nothing was changed by them.",
            )
        if n >= self.fail_note_at:
            return Intervention(
                "note",
                f"{n} patches in a row on {path} failed. Read the current text first "
                f"(read_file {path}, with start_line/end_line around the place), then copy "
                "old_str exactly from it, a few lines only. "
                f"At {self.fail_stop_at} failures in a row the run stops.",
            )
        return None
