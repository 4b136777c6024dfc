"""Session traces on disk: ``<root>/.smallcode/traces/<id>.jsonl``, one JSON record a line.

The first record is the header (``type: "trace"``: model, provider, window, the settings
that differ from the defaults, the system prompt); then, in order, ``task`` records, the
``file`` records of the files the session started from (written before anything changed
them), and the session's typed events (see :mod:`smallcode.events`; ``model_reply`` holds each
request's raw reply, ``parsed`` what it was read as). Every record has ``t``, seconds since the
session started. Keys and secrets are masked before a line is written; the newest
``keep`` traces are kept.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.store.db import StoreError, project_store_dir

TRACES_DIR = "traces"
TRACE_FORMAT = "smallcode-trace-1"
MASK = "***"

_SECRET_PATTERNS = (
    re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bxox[abpr]-[A-Za-z0-9\-]{10,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"),
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/\-]{12,}=*"),
)
# ``api_key = "..."``, ``"token": "..."``, ``PASSWORD=...``: the value only. Unquoted values
# must look like a key (12+ characters with letters and digits), so code such as
# ``token = tokens[0]`` or ``password = get_password()`` is left alone.
_ASSIGNED = re.compile(
    r"(?i)((?:api[_-]?key|access[_-]?key|secret(?:[_-]?key)?|token|password|passwd)"
    r"[\"']?\s*[:=]\s*)(?:([\"'])([^\"'\s]{8,})\2|([A-Za-z0-9_\-./+=]{12,}))"
)


def _mask_assigned(m: re.Match[str]) -> str:
    if m.group(3) is not None:
        return f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}"
    value = m.group(4)
    if re.search(r"\d", value) and re.search(r"[A-Za-z]", value) and "(" not in value:
        return f"{m.group(1)}{MASK}"
    return m.group(0)


_SECRET_ENV = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD|PASSWD)")


class Masker:
    """Replaces keys and secrets in strings (recursively in lists and dicts) with ``***``."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = sorted({k for k in known if k and len(k) >= 8}, key=len, reverse=True)

    @classmethod
    def from_environment(cls, extra: Iterable[str] = ()) -> Masker:
        """Known secrets: ``extra`` plus the values of variables named like keys or tokens."""
        env = [v for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v) >= 8]
        return cls([*extra, *env])

    def text(self, s: str) -> str:
        for k in self.known:
            if k in s:
                s = s.replace(k, MASK)
        for pattern in _SECRET_PATTERNS:
            s = pattern.sub(MASK, s)
        return _ASSIGNED.sub(_mask_assigned, s)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


def traces_dir(root: Path | str, create: bool = False) -> Path:
    if create:
        d = project_store_dir(Path(root)) / TRACES_DIR
        d.mkdir(parents=True, exist_ok=True)
        return d
    return Path(root) / ".smallcode" / TRACES_DIR


def new_trace_id() -> str:
    """Sortable by time: ``20261202-210814-a1b2``."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


class TraceWriter:
    """Appends masked records to one trace file (opened per write: nothing to close)."""

    def __init__(self, root: Path | str, trace_id: str, keep: int, masker: Masker) -> None:
        self.dir = traces_dir(root, create=True)
        self.path = self.dir / f"{trace_id}.jsonl"
        self.masker = masker
        rotate(self.dir, max(0, keep - 1))

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(self.masker(record), ensure_ascii=False, default=str)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def rotate(directory: Path, keep: int) -> None:
    """Delete the oldest traces so that at most ``keep`` remain."""
    found = sorted(directory.glob("*.jsonl"), key=lambda p: (p.stat().st_mtime, p.name))
    for old in found[: max(0, len(found) - keep)]:
        try:
            old.unlink()
        except OSError:
            pass


# ---------------------------------------------------------------------------- reading


@dataclass
class Trace:
    id: str
    path: Path
    header: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)

    def of(self, *types: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("type") in types]

    @property
    def tasks(self) -> list[str]:
        return [str(r.get("task", "")) for r in self.of("task")]

    @property
    def results(self) -> list[dict[str, Any]]:
        return [r.get("result") or {} for r in self.of("done")]

    @property
    def requests(self) -> int:
        return len(self.of("model_reply"))

    def tokens(self) -> tuple[int, int]:
        prompt = completion = 0
        for r in self.of("usage"):
            prompt += int(r.get("prompt_tokens") or 0)
            completion += int(r.get("completion_tokens") or 0)
        return prompt, completion

    def summary(self) -> dict[str, Any]:
        prompt, completion = self.tokens()
        results = self.results
        return {
            "id": self.id,
            "started": self.header.get("started", ""),
            "model": self.header.get("model", ""),
            "tasks": len(self.tasks),
            "task": (self.tasks or [""])[0],
            "requests": self.requests,
            "tool_calls": len(self.of("tool_end")),
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "exit_codes": [r.get("exit_code") for r in results],
            "stop_reasons": [r.get("stop_reason") for r in results],
            "seconds": round(float(self.records[-1].get("t", 0.0)), 1) if self.records else 0.0,
        }


def load_trace(path: Path) -> Trace:
    """Read a trace file; a torn last line (a crash mid-write) is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise StoreError(f"cannot read trace {path}: {exc}") from exc
    trace = Trace(path.stem, path)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if i == len(lines) - 1:
                break
            raise StoreError(f"{path.name}: line {i + 1} is not JSON") from None
        if record.get("type") == "trace" and not trace.header:
            trace.header = record
        else:
            trace.records.append(record)
    if not trace.header:
        raise StoreError(f"{path.name} is not a SmallCode trace (no header)")
    return trace


def list_traces(root: Path | str) -> list[Path]:
    """Trace files, newest first."""
    d = traces_dir(root)
    if not d.is_dir():
        return []
    return sorted(d.glob("*.jsonl"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def find_trace(root: Path | str, ref: str) -> Path:
    """A trace by id, unique id prefix, ``last``, or a path to a .jsonl file."""
    ref = ref.strip()
    if not ref:
        raise StoreError("give a trace id (see `smallcode trace list`)")
    as_path = Path(ref)
    if ref.endswith(".jsonl") and as_path.is_file():
        return as_path
    found = list_traces(root)
    if ref in ("last", "latest"):
        if not found:
            raise StoreError("no traces yet in this project")
        return found[0]
    exact = [p for p in found if p.stem == ref]
    if exact:
        return exact[0]
    matches = [p for p in found if p.stem.startswith(ref) or p.stem.endswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise StoreError(f"no trace {ref!r} (see `smallcode trace list`)")
    raise StoreError(f"{ref!r} matches {len(matches)} traces; give more of the id")
