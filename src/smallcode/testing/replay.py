"""Replaying a recorded session against the real agent, with no model and no network.

``replay(data, workdir)`` writes the files the session started from into ``workdir``, runs
each recorded task through the public API (:class:`smallcode.SmallCode`) with a
:class:`ScriptedModel` that answers with the recorded raw replies in order, and returns what
happened: exit codes, the calls (name, a hash of the arguments, ok), the hashes of the files
the session touched, the number of model requests.

``data`` is the JSON that ``smallcode trace test`` writes next to the generated test (or a
trace file itself): see :func:`replay_data`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.testing.scripted import ScriptedModel, ScriptedReply

REPLAY_FORMAT = "smallcode-replay-1"


def args_hash(arguments: Any) -> str:
    """A short, stable hash of a call's arguments."""
    text = json.dumps(arguments, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class ReplayRun:
    exit_codes: list[int] = field(default_factory=list)
    stop_reasons: list[str] = field(default_factory=list)
    calls: list[tuple[str, str, bool]] = field(default_factory=list)
    files: dict[str, str | None] = field(default_factory=dict)
    requests: int = 0
    overrun: int = 0  # requests the agent made after the recorded replies ran out
    results: list[Any] = field(default_factory=list)

    @property
    def call_names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def differences(self, expected: dict[str, Any]) -> list[str]:
        """How this run differs from ``expected`` (``exit_codes``, ``calls``, ``files``,
        ``requests``); empty when it matches."""
        out: list[str] = []
        if self.exit_codes != list(expected.get("exit_codes", [])):
            out.append(f"exit codes {self.exit_codes} != {expected.get('exit_codes')}")
        want_calls = [tuple(c) for c in expected.get("calls", [])]
        if self.calls != want_calls:
            for i, (got, want) in enumerate(zip(self.calls, want_calls, strict=False)):
                if got != want:
                    out.append(f"call {i + 1}: {got} != {want}")
                    break
            else:
                out.append(f"{len(self.calls)} calls != {len(want_calls)}")
        for path, sha in (expected.get("files") or {}).items():
            if self.files.get(path) != sha:
                state = "missing" if self.files.get(path) is None else "different"
                out.append(f"file {path}: {state}")
        if "requests" in expected and self.requests != expected["requests"]:
            out.append(f"{self.requests} model requests != {expected['requests']}")
        return out


def replay_data(trace: Any, root: Path | None = None) -> dict[str, Any]:
    """What a replay needs, from a loaded trace (:class:`smallcode.store.traces.Trace`).

    Starting files come from the trace's ``file`` records; a file it changed but did not
    capture is taken from the snapshot store of ``root`` (its content before the session's
    first change), when there is one.
    """
    header = trace.header
    files: dict[str, Any] = {}
    unrestorable: list[str] = []
    for r in trace.of("file"):
        path = r["path"]
        if r.get("missing"):
            files[path] = None
        elif "content" in r:
            files[path] = {"content": r["content"], "mode": r.get("mode")}
        else:
            unrestorable.append(path)
    done = trace.of("done")
    final = (done[-1].get("files") if done else None) or {}
    missing = [p for p in final if p not in files and p not in unrestorable]
    if missing and root is not None and done:
        files.update(_from_snapshots(root, done[-1].get("snapshot_session"), missing))
    settings = dict(header.get("settings") or {})
    optional = _optional_tools(trace)
    if optional:
        settings["tools"] = ",".join(optional)
    return {
        "format": REPLAY_FORMAT,
        "id": trace.id,
        "started": header.get("started", ""),
        "model": header.get("model", ""),
        "provider": header.get("provider", ""),
        "window": header.get("window"),
        "settings": settings,
        "tasks": trace.tasks,
        "replies": [
            {k: r.get(k) for k in ("content", "reasoning", "tool_calls", "finish_reason", "usage")}
            for r in trace.of("model_reply")
        ],
        "files": files,
        "unrestorable": unrestorable,
        "expected": {
            "exit_codes": [res.get("exit_code") for res in trace.results],
            "calls": [
                [r.get("name", ""), args_hash(r.get("args") or {}), bool(r.get("ok"))]
                for r in trace.of("tool_end")
            ],
            "files": final,
            "requests": trace.requests,
        },
    }


def _optional_tools(trace: Any) -> list[str]:
    from smallcode.agent.toolset import GROUPS

    grouped = {t for g in GROUPS for t in g.tools}  # what SMALLCODE_TOOLS can name
    offered: list[str] = []
    for r in trace.of("parsed"):
        for name in r.get("tools") or []:
            if name in grouped and name not in offered:
                offered.append(name)
    return offered


def _from_snapshots(root: Path, session: str | None, paths: list[str]) -> dict[str, Any]:
    if not session or not (Path(root) / ".smallcode" / "snapshots.db").is_file():
        return {}
    from smallcode.store.db import StoreError
    from smallcode.store.snapshots import SnapshotStore

    found: dict[str, Any] = {}
    try:
        store = SnapshotStore.open(root)
    except StoreError:
        return {}
    try:
        rows = store.conn.execute(
            "SELECT path, existed, content, mode FROM changes WHERE session = ? ORDER BY id",
            (session,),
        ).fetchall()
    finally:
        store.close()
    for row in rows:
        path = row["path"]
        if path in paths and path not in found:
            if not row["existed"]:
                found[path] = None
            else:
                try:
                    found[path] = {"content": bytes(row["content"] or b"").decode(), "mode": None}
                except UnicodeDecodeError:
                    continue
                found[path]["mode"] = row["mode"]
    return found


def load_replay_data(source: Path | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    path = Path(source)
    if path.suffix == ".jsonl":
        from smallcode.store.traces import load_trace

        return replay_data(load_trace(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != REPLAY_FORMAT:
        raise ValueError(f"{path} is not SmallCode replay data ({REPLAY_FORMAT})")
    return data


def restore_files(files: dict[str, Any], workdir: Path) -> None:
    for rel, spec in files.items():
        target = workdir / rel
        if spec is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(spec["content"], encoding="utf-8")
        if spec.get("mode"):
            target.chmod(int(spec["mode"]))


def file_hashes(workdir: Path, paths: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for rel in paths:
        p = workdir / rel
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
    return out


def replay(source: Path | str | dict[str, Any], workdir: Path | str, **settings: Any) -> ReplayRun:
    """Replay recorded tasks in ``workdir`` (it should be empty); ``settings`` override the
    recorded ones (e.g. ``dedup=False``)."""
    from smallcode import SmallCode

    data = load_replay_data(source)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    restore_files(data.get("files") or {}, workdir)
    model = ScriptedModel(
        [ScriptedReply.from_record(r) for r in data.get("replies") or []],
        model=data.get("model") or "scripted-model",
        name=data.get("provider") or "scripted",
        window=data.get("window") or 8192,
    )
    overrides = {
        **(data.get("settings") or {}),
        "data_dir": str(workdir / ".smallcode" / "user-data"),
        "probe_urls": "off",
        **settings,
    }
    run = ReplayRun()
    with SmallCode(cwd=workdir, llm=model, **overrides) as agent:
        for task in data.get("tasks") or []:
            result = agent.run(task)
            run.results.append(result)
            run.exit_codes.append(result.exit_code)
            run.stop_reasons.append(result.stop_reason)
            run.calls += [(c.name, args_hash(c.arguments), bool(c.ok)) for c in result.tool_calls]
    expected_files = list(((data.get("expected") or {}).get("files") or {}).keys())
    run.files = file_hashes(workdir, expected_files)
    run.requests = len(model.requests)
    run.overrun = model.overrun
    return run
