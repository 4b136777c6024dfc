"""Single-call tasks in BFCL's format (Berkeley Function Calling Leaderboard).

``questions.jsonl``: ``{"id", "question": [[{"role", "content"}]], "function": [{"name",
"description", "parameters": {"type": "dict", ...}}]}``; ``answers.jsonl``: ``{"id",
"ground_truth": [{"fn": {"param": [acceptable values]}}]}`` where ``""`` among the values means
the parameter may be left out, and an empty ``ground_truth`` means the model must not call
anything (BFCL's irrelevance category). One request per task, with the functions as tools and
no system prompt; the reply goes through SmallCode's parser (native calls, or calls written as
text) and is checked the AST way: the same functions (in any order), every required
parameter given, every value acceptable, no unknown parameter.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from smallcode.bench.tasks import BenchTask
from smallcode.errors import ConfigError


def _jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                raise ConfigError(f"{path}: line {i} is not JSON") from None
    return out


def load_bfcl(d: Path, suite: str) -> list[BenchTask]:
    answers = {a["id"]: a.get("ground_truth", []) for a in _jsonl(d / "answers.jsonl")}
    tasks = []
    for q in _jsonl(d / "questions.jsonl"):
        if q["id"] not in answers:
            raise ConfigError(f"{d}: no answer for {q['id']}")
        tasks.append(
            BenchTask(
                id=f"bfcl/{q['id']}",
                suite=suite,
                lang="bfcl",
                dir=d,
                instructions=_question_text(q),
                bfcl={**q, "answer": answers[q["id"]]},
            )
        )
    return tasks


def _question_text(q: dict[str, Any]) -> str:
    turns = q.get("question") or [[]]
    return " ".join(m.get("content", "") for m in turns[0] if m.get("role") == "user")


def _fix_types(schema: Any) -> Any:
    """BFCL writes ``"type": "dict"`` (and Python type names); JSON Schema wants "object"."""
    names = {
        "dict": "object",
        "float": "number",
        "int": "integer",
        "list": "array",
        "tuple": "array",
        "str": "string",
        "bool": "boolean",
        "any": "string",
    }
    if isinstance(schema, dict):
        out = {k: _fix_types(v) for k, v in schema.items()}
        if isinstance(out.get("type"), str):
            out["type"] = names.get(out["type"], out["type"])
        return out
    if isinstance(schema, list):
        return [_fix_types(v) for v in schema]
    return schema


def tools_for(task: BenchTask) -> list[dict[str, Any]]:
    assert task.bfcl is not None
    out = []
    for f in task.bfcl.get("function") or []:
        out.append(
            {
                "type": "function",
                "function": {
                    "name": f["name"],
                    "description": f.get("description", ""),
                    "parameters": _fix_types(f.get("parameters") or {"type": "object"}),
                },
            }
        )
    return out


def _same(value: Any, acceptable: Any) -> bool:
    if isinstance(acceptable, str) and isinstance(value, str):
        return value.strip().lower() == acceptable.strip().lower()
    if isinstance(acceptable, bool) or isinstance(value, bool):
        return value is acceptable
    if isinstance(acceptable, int | float) and isinstance(value, int | float):
        return float(value) == float(acceptable)
    if isinstance(acceptable, list) and isinstance(value, list):
        return len(value) == len(acceptable) and all(map(_same, value, acceptable))
    return value == acceptable


def check_calls(calls: list[tuple[str, dict[str, Any]]], answer: list[dict[str, Any]]) -> str:
    """'' when the calls match the ground truth, else why not."""
    if not answer:
        return f"called {', '.join(n for n, _ in calls)} but should not call" if calls else ""
    if len(calls) != len(answer):
        return f"{len(calls)} calls, expected {len(answer)}"
    left = list(answer)
    for name, args in calls:
        match = None
        why = f"unexpected call {name}"
        for i, expected in enumerate(left):
            fn, params = next(iter(expected.items()))
            if fn != name:
                continue
            why = _params_problem(args, params)
            if not why:
                match = i
                break
        if match is None:
            return why
        left.pop(match)
    return ""


def _params_problem(args: dict[str, Any], params: dict[str, list[Any]]) -> str:
    for key in args:
        if key not in params:
            return f"unknown parameter {key}"
    for key, acceptable in params.items():
        if key not in args:
            if "" not in acceptable:
                return f"missing parameter {key}"
            continue
        if not any(_same(args[key], a) for a in acceptable if a != ""):
            return f"{key}={args[key]!r} not in {acceptable}"
    return ""


def reference_calls(answer: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """A call list that satisfies ``answer`` (``--self-check``)."""
    calls = []
    for expected in answer:
        fn, params = next(iter(expected.items()))
        args = {k: next(a for a in v if a != "") for k, v in params.items() if v != [""]}
        calls.append((fn, args))
    return calls


def ask(task: BenchTask, provider: Any) -> dict[str, Any]:
    """One request; the parsed calls, usage, timing and parser statistics."""
    from smallcode.agent.normalize import normalize_reply
    from smallcode.llm.base import RequestOptions, complete
    from smallcode.types import Message

    assert task.bfcl is not None
    tools = tools_for(task)
    turns = task.bfcl.get("question") or [[]]
    messages = [Message(m["role"], m.get("content", "")) for m in turns[0]]
    started = time.monotonic()
    raw = complete(provider, messages, tools, RequestOptions(temperature=0.0, max_tokens=512))
    ms = (time.monotonic() - started) * 1000
    reply = normalize_reply(raw, tools)
    calls = [(c.name, dict(c.arguments)) for c in reply.calls if not c.error]
    return {
        "calls": calls,
        "problem": check_calls(calls, task.bfcl["answer"]),
        "prompt_tokens": raw.usage.prompt_tokens,
        "completion_tokens": raw.usage.completion_tokens,
        "malformed": len(reply.unknown_tools) + sum(1 for c in reply.calls if c.error),
        "repairs": sum(1 for c in reply.calls if c.repairs),
        "model_ms": ms,
    }
