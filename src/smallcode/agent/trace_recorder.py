"""Records a session into ``.smallcode/traces/<id>.jsonl`` (format: store/traces.py).

What a replay needs is written as it happens: each task, the content of every file before the
session first touches it (and, for a small project, all of its files at the start), each
model request's raw reply (``model_reply``) and what it was read as (``parsed``), every tool
call and its result, and each run's result with the hashes of the files it left. Streamed
``text``/``reasoning`` pieces are not repeated: ``model_reply`` holds the whole text.

The trace starts with the first task (a REPL opened and closed writes nothing). A listener
never breaks the agent: the event bus swallows its errors.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.events import Event
from smallcode.store.traces import TRACE_FORMAT, Masker, TraceWriter, new_trace_id

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent

SKIPPED_EVENTS = ("text", "reasoning")
FULL_PROJECT_FILES = 300  # a project this small (and ...
FULL_PROJECT_BYTES = 512 * 1024  # ... this light) is captured whole at the first task
MAX_FILE_BYTES = 256 * 1024
PRE_TASK_BUFFER = 50
PATH_ARGS = ("path", "file_path", "filename", "file")
# Settings that name endpoints, keys or local folders: never part of a trace header.
PRIVATE_SETTINGS = {"model", "base_url", "api_key", "provider", "data_dir", "models_dir", "cwd"}


def install_tracing(agent: Agent) -> TraceRecorder | None:
    keep = int(getattr(agent.settings, "trace_keep", 0) or 0)
    if keep <= 0:
        return None
    recorder = TraceRecorder(agent, keep)
    agent.ctx.trace_recorder = recorder
    return recorder


def sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def behaviour_settings(settings: Any) -> dict[str, Any]:
    """Settings that differ from the defaults, without endpoints, keys and folders."""
    out: dict[str, Any] = {}
    for f in fields(settings):
        name = f.name
        if not f.metadata.get("env") or name in PRIVATE_SETTINGS:
            continue
        if name.endswith(("_api_key", "_base_url")) or name.startswith(("escalation", "model_")):
            continue
        value = getattr(settings, name)
        if value != f.default:
            out[name] = value
    return out


class TraceRecorder:
    def __init__(self, agent: Agent, keep: int) -> None:
        self.agent = agent
        self.keep = keep
        self.id = new_trace_id()
        self.writer: TraceWriter | None = None
        self.started = time.monotonic()
        self.captured: set[str] = set()
        self.pending: list[dict[str, Any]] = []
        self.disabled = False
        s = agent.settings
        self.masker = Masker.from_environment([s.api_key, getattr(s, "escalation_api_key", "")])
        agent.task_hooks.append(self.on_task)
        self.off = agent.events.on("*", self.on_event)

    @property
    def root(self) -> Path:
        return Path(self.agent.settings.cwd)

    @property
    def path(self) -> Path | None:
        return self.writer.path if self.writer is not None else None

    def _t(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def _write(self, record: dict[str, Any]) -> None:
        if self.disabled:
            return
        if self.writer is None:
            if len(self.pending) < PRE_TASK_BUFFER:
                self.pending.append(record)
            return
        try:
            self.writer.write(record)
        except OSError:  # the disk filled up or the folder went away: stop tracing
            self.disabled = True

    # ------------------------------------------------------------------ hooks

    def on_task(self, agent: Agent, task: str) -> None:
        if self.disabled:
            return
        if self.writer is None:
            try:
                self._open()
            except OSError:  # a read-only project: no trace, and no noise about it
                self.disabled = True
                self.off()
                return
        self._write({"type": "task", "t": self._t(), "task": task})
        from smallcode.agent.intent import named_files

        for name in named_files(task):
            self.capture(name)

    def on_event(self, e: Event) -> None:
        if e.type in SKIPPED_EVENTS:
            return
        data = dict(e.data)
        if e.type == "tool_start":
            args = data.get("args") or {}
            for key in PATH_ARGS:
                if isinstance(args.get(key), str):
                    self.capture(args[key])
        if e.type == "done":
            result = data.get("result")
            to_dict = getattr(result, "to_dict", None)
            data["result"] = to_dict() if callable(to_dict) else result
            data["files"] = self.file_hashes()
            guard = self.agent.ctx.snapshot_guard
            store = getattr(guard, "_store", None)
            data["snapshot_session"] = getattr(store, "session", None)
        self._write({"type": e.type, "t": self._t(), **data})

    def close(self) -> None:
        self.off()

    # ------------------------------------------------------------------ files

    def _open(self) -> None:
        from smallcode import __version__

        a = self.agent
        self.writer = TraceWriter(self.root, self.id, self.keep, self.masker)
        files = self._project_files()
        header = {
            "type": "trace",
            "format": TRACE_FORMAT,
            "id": self.id,
            "version": __version__,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "cwd": str(self.root),
            "model": a.provider.model,
            "provider": a.provider.name,
            "window": a.context.window,
            "edit_format": a.edit_format,
            "settings": behaviour_settings(a.settings),
            "system_prompt": a.messages[0].content if a.messages else "",
            "project_capture": "full" if files is not None else "partial",
        }
        self.writer.write(header)
        for record in self.pending:
            self.writer.write(record)
        self.pending = []
        if files is None:  # a large project: its test files, then whatever the session touches
            from smallcode.verify.discover import test_files

            try:
                files = test_files(self.root)
            except OSError:
                files = []
        for rel in files:
            self.capture(rel)

    def _project_files(self) -> list[str] | None:
        """All files of a small project (None when it is too large to copy into a trace)."""
        from smallcode.tools.fsutil import project_files

        try:
            files = project_files(self.root, limit=FULL_PROJECT_FILES + 1)
        except OSError:
            return None
        if len(files) > FULL_PROJECT_FILES:
            return None
        total = 0
        for rel in files:
            try:
                total += (self.root / rel).stat().st_size
            except OSError:
                continue
            if total > FULL_PROJECT_BYTES:
                return None
        return files

    def capture(self, rel: str) -> None:
        """Record a file as it is before the session changes it (once per path)."""
        try:
            path = (self.root / rel).resolve()
            rel = path.relative_to(self.root.resolve()).as_posix()
        except (OSError, ValueError):
            return  # outside the project: not part of a replay
        if rel in self.captured or rel.startswith((".git/", ".smallcode/")) or rel == ".env":
            return
        self.captured.add(rel)
        record: dict[str, Any] = {"type": "file", "t": self._t(), "path": rel}
        if not path.exists():
            record["missing"] = True
        elif not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            record["skipped"] = "not a regular file or too large"
        else:
            try:
                record["content"] = path.read_bytes().decode("utf-8")
                record["mode"] = path.stat().st_mode & 0o777
            except (OSError, UnicodeDecodeError):
                record["skipped"] = "binary or unreadable"
        self._write(record)

    def file_hashes(self) -> dict[str, str | None]:
        """sha256 of every file the trace knows (None: the file does not exist)."""
        ctx = self.agent.ctx
        paths = self.captured | set(ctx.files_created) | set(ctx.files_edited)
        out: dict[str, str | None] = {}
        for rel in sorted(paths):
            out[rel] = sha256_file(self.root / rel)
        return out
