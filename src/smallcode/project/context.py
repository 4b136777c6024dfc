"""What a session gets from project knowledge and memory, in strings ready for the prompt.

At session start:
- ``project_prefix(root, settings)``: the project summary and the instruction files. Fixed for
  the session: put it in the system prompt (the stable prefix).
- ``task_context(root, settings, task)``: memories, knowledge notes and past failures relevant
  to this task. It changes with every task, so it is not in the prefix: the loop's task hook
  (agent/services.py) adds it as a user message ("Context for the next task: ...") just
  before the task itself.
- ``start_evidence(root, settings, session_id, task, bus)``: records the session's tool calls.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smallcode.project.bootstrap import ProjectSummary, load_instructions, summarize_project
from smallcode.project.knowledge import load_knowledge
from smallcode.store.db import StoreError, open_project_db
from smallcode.store.evidence import EvidenceRecorder, EvidenceStore, format_failures
from smallcode.store.memory import MemoryStore, format_memories


def _get(settings: Any, name: str, default: Any) -> Any:
    return getattr(settings, name, default) if settings is not None else default


def project_prefix(root: Path, settings: Any = None) -> str:
    """Summary block + instruction files ('' parts left out). Honours SMALLCODE_BOOTSTRAP."""
    parts: list[str] = []
    if _get(settings, "bootstrap", True):
        parts.append(summarize_project(root, settings).text)
    instructions = load_instructions(root, int(_get(settings, "instructions_max_chars", 6000)))
    if instructions:
        parts.append(instructions)
    return "\n\n".join(p for p in parts if p)


def project_summary(root: Path, settings: Any = None) -> ProjectSummary:
    return summarize_project(root, settings)


@dataclass
class TaskContext:
    memory: str = ""
    knowledge: str = ""
    failures: str = ""

    def text(self) -> str:
        """All parts as one block ('' when there is nothing to say)."""
        return "\n\n".join(p for p in (self.memory, self.knowledge, self.failures) if p)


def task_context(
    root: Path, settings: Any, task: str, session_id: str | None = None
) -> TaskContext:
    """Memories, knowledge notes and past failures relevant to ``task``.

    A store that cannot be opened (read-only folder, newer schema) yields empty parts rather
    than stopping the session.
    """
    ctx = TaskContext()
    ctx.knowledge = load_knowledge(root, task, int(_get(settings, "knowledge_max_tokens", 1500)))
    try:
        mem = MemoryStore.open(root, data_dir=_get(settings, "data_dir", "") or None)
        try:
            ctx.memory = format_memories(
                mem.load(task, int(_get(settings, "memory_max_tokens", 600)))
            )
        finally:
            mem.close()
    except (StoreError, sqlite3.Error, OSError):
        pass
    if not _get(settings, "evidence_disable", False) and task.strip():
        try:
            ev = EvidenceStore(open_project_db(root))
            try:
                ctx.failures = format_failures(
                    ev.relevant_failures(task, limit=5, exclude_session=session_id)
                )
            finally:
                ev.close()
        except (StoreError, sqlite3.Error, OSError):
            pass
    return ctx


def start_evidence(
    root: Path, settings: Any, session_id: str, task: str, bus: Any
) -> EvidenceRecorder | None:
    """Attach an evidence recorder to ``bus`` (None when SMALLCODE_EVIDENCE_DISABLE is set or
    the store cannot be opened). Call ``recorder.record_outcome(ok, note)`` at the end and
    ``recorder.store.close()`` when the session ends."""
    if _get(settings, "evidence_disable", False):
        return None
    try:
        store = EvidenceStore(open_project_db(root))
    except (StoreError, sqlite3.Error, OSError):
        return None
    return EvidenceRecorder(store, session_id, task).attach(bus)


def warm_index(root: Path, settings: Any = None, stop: Any = None) -> dict[str, int]:
    """Update the code index and embed what is not embedded yet, until done or ``stop`` is set.

    Meant for a daemon thread at session start (``threading.Thread(target=warm_index,
    args=(root, settings, stop_event), daemon=True).start()``): it uses its own connections,
    and searches meanwhile use whatever is ready. Embedding takes one core; skip this on a
    machine that runs the model on the same CPU if that matters more.
    """
    from smallcode.project import embeddings
    from smallcode.project.index import CodeIndex
    from smallcode.project.vectors import embed_pending

    max_bytes = int(_get(settings, "index_max_file_bytes", 512_000) or 512_000)
    result = {"indexed": 0, "embedded": 0}
    try:
        with CodeIndex(root, max_file_bytes=max_bytes) as index:
            result["indexed"] = index.update().touched
            if not embeddings.enabled(settings):
                return result
            embedder = embeddings.get_embedder()
            while embedder is not None and not (stop is not None and stop.is_set()):
                done = embed_pending(index, embedder, max_seconds=1.0)
                result["embedded"] += done
                if done == 0:
                    break
    except (StoreError, sqlite3.Error, OSError):
        pass
    return result
