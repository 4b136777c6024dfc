"""The TODO plan as data: steps, the call shapes models send, and ``.smallcode/plan.md``.

The plan file is a GitHub task list that a person can read and edit between turns:

    # Plan

    Task: add a calculator with tests

    - [x] Create calc.py with add and sub
      - files: calc.py
    - [ ] Write tests in test_calc.py (in progress)
      - files: test_calc.py
    - [ ] Update the README

One line per step in the step's own words, the current step marked "(in progress)", the files
each step touched listed under it. Steps are matched by id or position, never by wording (a
model that rewords a step must not create a new one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLAN_FILE = ".smallcode/plan.md"
STATUSES = ("pending", "in_progress", "completed", "cancelled")
FINISHED = ("completed", "cancelled")
MAX_STEPS = 40
MAX_STEP_CHARS = 300
IN_PROGRESS_MARK = " (in progress)"
CANCELLED_MARK = " (cancelled)"

# Status words models write, by meaning.
_STATUS_WORDS = {
    "pending": "pending",
    "todo": "pending",
    "to_do": "pending",
    "not_started": "pending",
    "open": "pending",
    "planned": "pending",
    "waiting": "pending",
    "blocked": "pending",
    "in_progress": "in_progress",
    "inprogress": "in_progress",
    "in-progress": "in_progress",
    "active": "in_progress",
    "doing": "in_progress",
    "current": "in_progress",
    "started": "in_progress",
    "working": "in_progress",
    "completed": "completed",
    "complete": "completed",
    "done": "completed",
    "finished": "completed",
    "checked": "completed",
    "passed": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "skipped": "cancelled",
    "removed": "cancelled",
}
# Keys that hold a step's words in the shapes models are trained on (Claude/Qwen: content,
# Codex: step), and the ones small models invent.
_TEXT_KEYS = ("content", "step", "title", "task", "text", "description", "name", "activeForm")
_LIST_KEYS = ("todos", "plan", "steps", "tasks", "items", "todo")


@dataclass
class Step:
    id: str
    content: str
    status: str = "pending"  # pending | in_progress | completed | cancelled
    files: list[str] = field(default_factory=list)
    error: str = ""  # the last failed check of a claimed completion (first lines)
    mark: Any = None  # where the step began (plan_verify.Mark), harness-only

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "content": self.content,
            "status": self.status,
            "files": list(self.files),
        }
        if self.error:
            d["error"] = self.error
        return d


@dataclass
class Incoming:
    """One item of a todo_write call, read from whichever shape the model used."""

    id: str | None
    content: str
    status: str | None


def status_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "completed" if value else "pending"
    if not isinstance(value, str):
        return None
    key = value.strip().lower().replace(" ", "_")
    return _STATUS_WORDS.get(key) or _STATUS_WORDS.get(key.replace("_", ""))


def read_items(todos: Any) -> list[Incoming]:
    """The items of a call in any trained shape: Claude ``{content, status, activeForm}``, Qwen
    ``{id, content, status}``, Codex ``{step, status}``, or bare strings."""
    if isinstance(todos, dict):
        inner = next((todos[k] for k in _LIST_KEYS if isinstance(todos.get(k), list)), None)
        todos = inner if inner is not None else [todos]
    if not isinstance(todos, list):
        return []
    out: list[Incoming] = []
    for raw in todos[:MAX_STEPS]:
        if isinstance(raw, str):
            text = raw.strip()
            checked = re.match(r"^(?:[-*]\s*)?\[([ xX])\]\s*", text)
            status = None
            if checked:
                status = "completed" if checked.group(1) in "xX" else "pending"
                text = text[checked.end() :]
            if text:
                out.append(Incoming(None, clean_text(text), status))
            continue
        if not isinstance(raw, dict):
            continue
        text = next((raw[k] for k in _TEXT_KEYS if isinstance(raw.get(k), str) and raw[k]), "")
        ident = raw.get("id")
        ident = str(ident).strip() if isinstance(ident, str | int) and str(ident).strip() else None
        status = status_of(raw.get("status", raw.get("state", raw.get("done"))))
        if text or ident:
            out.append(Incoming(ident, clean_text(text), status))
    return out


def clean_text(text: str) -> str:
    """One line in the step's own words (no list marks, no status suffixes)."""
    line = " ".join(text.split())
    for mark in (IN_PROGRESS_MARK, CANCELLED_MARK):
        if line.lower().endswith(mark.strip().lower()):
            line = line[: -len(mark.strip())].rstrip()
    if len(line) > MAX_STEP_CHARS:
        line = line[: MAX_STEP_CHARS - 3].rstrip() + "..."
    return line


def apply_items(old: list[Step], items: list[Incoming]) -> tuple[list[Step], list[Step]]:
    """(the new steps, the steps claimed completed) after a todo_write call.

    The call replaces the whole list; its items are matched to the old steps by id when the
    ids match, else by position, never by wording (a reworded step keeps its record). A
    shorter list whose items all carry known ids updates only those steps. A claimed
    completion is not applied here: the harness checks it first.
    """
    by_id = {s.id: s for s in old}
    use_ids = any(it.id is not None and it.id in by_id for it in items)
    partial = use_ids and len(items) < len(old) and all(it.id in by_id for it in items if it.id)
    claims: list[Step] = []
    steps: list[Step] = []
    used: set[int] = set()
    for i, it in enumerate(items):
        if use_ids and it.id is not None:
            prev = by_id.get(it.id)
        else:
            prev = old[i] if i < len(old) and not partial else None
        if prev is not None and id(prev) in used:
            prev = None
        if prev is None and not it.content:
            continue
        if prev is not None:
            used.add(id(prev))
        step = prev or Step(it.id or "", it.content)
        if it.content:
            step.content = it.content
        status = it.status or step.status
        if status == "completed":
            if step.status != "completed":
                claims.append(step)
        else:
            if step.status == "completed":  # reopened: its record starts again
                step.files, step.mark, step.error = [], None, ""
            step.status = status
        steps.append(step)
    if partial:  # only some steps were sent, by id: the others stay as they are
        steps = [*old, *(s for s in steps if id(s) not in {id(o) for o in old})]
    number_steps(steps)
    return steps, claims


def number_steps(steps: list[Step]) -> None:
    """Steps without an id (or with one already used) get their position, or the next free
    number."""
    taken = {s.id for s in steps if s.id}
    seen: set[str] = set()
    for i, s in enumerate(steps, start=1):
        if s.id and s.id not in seen:
            seen.add(s.id)
            continue
        n = i
        while str(n) in taken:
            n += 1
        s.id = str(n)
        taken.add(s.id)
        seen.add(s.id)


def merge_file_steps(old: list[Step], parsed: list[Step]) -> list[Step]:
    """The steps after a person edited the plan file: their checkboxes and words count. A line
    keeps the record of the step with the same words, else of the step at its position."""
    by_text = {s.content: s for s in old}
    worded = {id(by_text[p.content]) for p in parsed if p.content in by_text}
    merged: list[Step] = []
    for i, p in enumerate(parsed):
        prev = by_text.get(p.content)
        if prev is None and i < len(old) and id(old[i]) not in worded:
            prev = old[i]
        if prev is None or any(prev is m for m in merged):
            p.id = ""  # a new step: numbered below, clear of the ids in use
            merged.append(p)
            continue
        prev.content = p.content
        if p.status != prev.status:
            prev.status, prev.error = p.status, ""
        if p.files:
            prev.files = p.files
        merged.append(prev)
    number_steps(merged)
    return merged


# ---------------------------------------------------------------------- plan.md


_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+\[([ xX~-])\]\s+(.*\S)\s*$")
_FILES = re.compile(r"^\s+[-*+]\s+files?:\s*(.*)$", re.I)
_TASK = re.compile(r"^Task:\s*(.*)$")


def _mark(step: Step) -> str:
    """What follows a step's text: "(in progress)", "(cancelled)" or nothing."""
    if step.status == "in_progress":
        return IN_PROGRESS_MARK
    return CANCELLED_MARK if step.status == "cancelled" else ""


def render_markdown(steps: list[Step], task: str = "") -> str:
    lines = ["# Plan", ""]
    if task:
        lines += [f"Task: {' '.join(task.split())[:200]}", ""]
    for s in steps:
        box = "x" if s.finished else " "
        suffix = _mark(s)
        lines.append(f"- [{box}] {s.content}{suffix}")
        if s.files:
            lines.append(f"  - files: {', '.join(s.files)}")
    if not steps:
        lines.append("(no steps)")
    return "\n".join(lines) + "\n"


def parse_markdown(text: str) -> tuple[str, list[Step]]:
    """(task, steps) from a plan file; lines that are not task-list items are ignored."""
    task = ""
    steps: list[Step] = []
    for line in text.splitlines():
        if m := _TASK.match(line.strip()):
            task = m.group(1).strip()
            continue
        if (m := _FILES.match(line)) and steps:
            steps[-1].files = [f.strip() for f in m.group(1).split(",") if f.strip()]
            continue
        m = _ITEM.match(line.strip())
        if not m:
            continue
        body = m.group(2)
        low = body.lower()
        if m.group(1) in "xX":
            status = "cancelled" if low.endswith(CANCELLED_MARK.strip()) else "completed"
        elif m.group(1) in "~-":
            status = "cancelled"
        else:
            status = "in_progress" if low.endswith(IN_PROGRESS_MARK.strip()) else "pending"
        content = clean_text(body)
        if content:
            steps.append(Step(str(len(steps) + 1), content, status))
        if len(steps) >= MAX_STEPS:
            break
    return task, steps


def read_plan_file(root: Path) -> str | None:
    try:
        return (root / PLAN_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_plan_file(root: Path, text: str) -> None:
    """Atomic write (temp file + rename) of the plan file."""
    path = root / PLAN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# ---------------------------------------------------------------------- text for the model


def list_text(steps: list[Step], limit: int = 20) -> str:
    """The whole plan, one numbered line per step (ids shown when they are not positions)."""
    rows = []
    for i, s in enumerate(steps[:limit], start=1):
        box = "x" if s.finished else " "
        label = f"{i}." if s.id == str(i) else f"{i}. (id {s.id})"
        suffix = _mark(s)
        rows.append(f"- [{box}] {label} {s.content}{suffix}")
    if len(steps) > limit:
        rows.append(f"... {len(steps) - limit} more steps in {PLAN_FILE}")
    return "\n".join(rows)


def unfinished_text(steps: list[Step], limit: int = 800) -> str:
    """The unfinished steps, within ``limit`` characters."""
    rows: list[str] = []
    used = 0
    pending = [(i, s) for i, s in enumerate(steps, start=1) if not s.finished]
    for n, (i, s) in enumerate(pending):
        suffix = IN_PROGRESS_MARK if s.status == "in_progress" else ""
        row = f"- {i}. {s.content}{suffix}"
        if used + len(row) + 1 > limit - 40:
            rows.append(f"- ... {len(pending) - n} more")
            break
        rows.append(row)
        used += len(row) + 1
    return "\n".join(rows)
