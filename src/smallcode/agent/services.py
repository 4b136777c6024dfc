"""Session services: what ties one Agent to the project's knowledge and stores.

- before each task: choose the optional tools (first task), offer relevant memories, knowledge
  notes and past failures as a context message just before the task;
- the evidence recorder follows every tool call through events;
- after each task: save the conversation (``/sessions``, ``--resume``) and record the outcome.

Every store is optional: one that cannot be opened (read-only folder, newer schema) is skipped
rather than stopping the agent.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from smallcode.agent.result import RunResult
from smallcode.agent.toolset import add_relevant_tools
from smallcode.types import Message

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent

_STORE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)


def _store_errors() -> tuple[type[BaseException], ...]:
    from smallcode.store.db import StoreError

    return (*_STORE_ERRORS, StoreError)


class SessionServices:
    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.session_id: str | None = None
        self.recorder: Any = None
        self.sessions: Any = None
        self.tools_chosen = False
        agent.task_hooks.append(self.before_task)
        agent.end_hooks.append(self.after_task)

    @property
    def root(self) -> Any:
        return self.agent.settings.cwd

    # ------------------------------------------------------------------ sessions

    def session_store(self) -> Any:
        if self.sessions is None:
            from smallcode.store.sessions import SessionStore

            try:
                self.sessions = SessionStore.open(self.root)
            except _store_errors():
                self.sessions = False
        return self.sessions or None

    def ensure_session(self, task: str) -> str | None:
        if self.session_id is None:
            store = self.session_store()
            if store is not None:
                p = self.agent.provider
                cognition = self.agent.ctx.cognition
                title = cognition("title", task) if cognition is not None else task[:80]
                try:
                    self.session_id = store.create(
                        title=title,
                        model=p.model,
                        cwd=str(self.root),
                        meta={"provider": p.name},
                    )
                except _store_errors():
                    return None
        return self.session_id

    def resume(self, ref: str | None = None) -> str:
        """Load a saved conversation (latest, or by id/prefix) into the agent."""
        store = self.session_store()
        if store is None:
            return "No saved sessions (the project store cannot be opened)."
        saved = store.load(ref) if ref else store.latest()
        if saved is None:
            return f"No saved session {ref!r}." if ref else "No saved session to resume."
        history = [m for m in saved.messages if m.role != "system"]
        # The current system prompt leads; the saved conversation follows unchanged.
        self.agent.messages[:] = [self.agent.messages[0], *history]
        self.session_id = saved.info.id
        turns = sum(1 for m in history if m.role == "user" and not m.meta.get("kind"))
        return f"Resumed session {saved.info.id} ({saved.info.title!r}, {turns} tasks)."

    def list_sessions(self, limit: int = 20) -> list[Any]:
        store = self.session_store()
        return store.list(limit) if store is not None else []

    # ------------------------------------------------------------------ per task

    def before_task(self, agent: Agent, task: str) -> None:
        settings = agent.settings
        if not self.tools_chosen:
            self.tools_chosen = True
            from smallcode.tools.fsutil import project_files

            n_source = sum(1 for f in project_files(self.root, limit=2000) if _is_source(f))
            added = add_relevant_tools(
                agent.registry, task, settings.tools, n_source, agent.context.window
            )
            if not added:
                self._tools_for_kind(agent, task, n_source)
        else:
            add_relevant_tools(agent.registry, task, settings.tools)
        session_id = self.ensure_session(task)
        if session_id and self.recorder is None:
            from smallcode.project.context import start_evidence

            self.recorder = start_evidence(self.root, settings, session_id, task, agent.events)
        elif self.recorder is not None:
            self.recorder.set_task(task)
            if session_id:  # a new session after /clear
                self.recorder.session_id = session_id
        from smallcode.project.context import task_context

        text = task_context(self.root, settings, task, session_id).text()
        files = named_files_context(agent.ctx, task, settings.context_files_max_chars)
        text = "\n\n".join(p for p in (text, files) if p)
        if text:
            agent.messages.append(
                Message("user", f"Context for the next task:\n{text}", meta={"kind": "context"})
            )

    def _tools_for_kind(self, agent: Agent, task: str, n_source: int) -> None:
        """No keyword chose a tool group: the task kind may (the word rules decide almost
        every task; the FAST tier is asked only when they cannot and it is configured)."""
        cognition = agent.ctx.cognition
        if cognition is None or (agent.settings.tools or "auto").strip().lower() != "auto":
            return
        kind = cognition("task_kind", task)
        agent.ctx.task_kind = kind
        if kind in ("search", "debug") and n_source >= KIND_SEARCH_MIN_FILES:
            add_relevant_tools(agent.registry, "", "code_search")

    def after_task(self, agent: Agent, result: RunResult) -> None:
        if self.recorder is not None:
            ok, note = run_outcome(result)
            self.recorder.record_outcome(ok, note)
        store = self.session_store()
        if store is not None and self.session_id:
            try:
                store.save(self.session_id, agent.messages)
            except _store_errors():
                pass

    def stats(self) -> dict[str, int]:
        if self.recorder is None or not self.session_id:
            return {}
        try:
            return dict(self.recorder.store.stats(self.session_id))
        except _store_errors():
            return {}

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.detach()
            self.recorder.store.close()
            self.recorder = None
        if self.sessions:
            self.sessions.close()
        self.sessions = None


KIND_SEARCH_MIN_FILES = 10


def run_outcome(result: RunResult) -> tuple[bool | None, str]:
    """How the evidence store files a run: a success only when its completion checks held;
    unknown (None) when they were switched off; else a failure, with why."""
    if not result.success:
        return False, result.error or result.stop_reason
    status = (result.verification or {}).get("status", "")
    if status == "off":
        return None, "done, unverified (the completion check is off)"
    if status == "failed":
        return False, "the completion check failed"
    return True, f"done ({status or 'no checks'})"


def named_files_context(ctx: Any, task: str, max_chars: int) -> str:
    """The current content of existing files the task names, within ``max_chars``.

    A small model then edits what is there instead of guessing it. Each file is shown as its
    path on a line and its exact text in a fenced block (no line numbers: models copy them
    into their edits), the same shape a whole-file edit is written in. Files shown count as
    read (the write guard and patch hints treat them as seen).
    """
    if max_chars <= 0:
        return ""
    from smallcode.agent.intent import named_files
    from smallcode.errors import SmallCodeError, ToolError
    from smallcode.tools.fsutil import read_text

    parts: list[str] = []
    used = 0
    for name in named_files(task):
        try:
            path = ctx.resolve(name)
            if not path.is_file() or path.stat().st_size > max_chars * 2:
                continue
            text = read_text(path)
        except (SmallCodeError, ToolError, OSError, ValueError):
            continue
        block = fenced_file(name, text)
        if used + len(block) > max_chars:
            continue
        used += len(block)
        parts.append(block)
        ctx.files_read.add(ctx.rel(path))
    if not parts:
        return ""
    return "Current content of the files the task names:\n\n" + "\n\n".join(parts)


_FENCE_LANGS = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".sh": "bash",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".html": "html",
    ".css": "css",
}


def fenced_file(name: str, text: str) -> str:
    """``name`` on a line, then ``text`` in a fence longer than any backtick run inside it."""
    import re
    from pathlib import PurePosixPath

    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * max(3, longest + 1)
    lang = _FENCE_LANGS.get(PurePosixPath(name).suffix.lower(), "")
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{name}\n{fence}{lang}\n{body}{fence}"


SOURCE_SUFFIXES = (
    ".py",
    ".js",
    ".ts",
    ".tsx",
    ".jsx",
    ".go",
    ".rs",
    ".java",
    ".kt",
    ".c",
    ".cc",
    ".cpp",
    ".h",
    ".hpp",
    ".cs",
    ".rb",
    ".php",
    ".swift",
    ".scala",
)


def _is_source(path: str) -> bool:
    return path.endswith(SOURCE_SUFFIXES)
