"""Traces for people and other tools: the list, a readable view, and exports.

- ``jsonl``: the trace file as it is (already masked);
- ``traj``: mini-swe-agent's ``.traj.json`` (``info``, ``messages``, ``trajectory_format``),
  so its inspector (``mini-extra inspector FILE``) can browse a SmallCode session;
- ``md``: a markdown transcript.
"""

from __future__ import annotations

import json
from typing import Any

from smallcode.store.traces import Trace

EXPORT_FORMATS = ("traj", "jsonl", "md")
TRAJ_FORMAT = "mini-swe-agent-1.1"


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def list_table(traces: list[Trace]) -> list[list[str]]:
    """Rows (id, started, model, requests, exit, task) for a table, newest first."""
    rows = []
    for t in traces:
        s = t.summary()
        codes = ",".join("-" if c is None else str(c) for c in s["exit_codes"]) or "-"
        rows.append(
            [
                s["id"],
                s["started"].replace("T", " ")[:19],
                s["model"],
                str(s["requests"]),
                codes,
                _short(s["task"], 60),
            ]
        )
    return rows


def _call_line(name: str, args: dict[str, Any]) -> str:
    from smallcode.agent.loop import describe_args

    return f"{name}({describe_args(args or {}, limit=100)})"


def view_text(trace: Trace, output_chars: int = 300) -> str:
    """A readable timeline (markdown) of a session."""
    h = trace.header
    s = trace.summary()
    lines = [
        f"# Trace {trace.id}",
        "",
        f"- started: {h.get('started', '')}, SmallCode {h.get('version', '')}",
        f"- model: {h.get('model', '')} ({h.get('provider', '')}, window {h.get('window')})",
        f"- requests: {s['requests']}, tool calls: {s['tool_calls']}, tokens: "
        f"{s['prompt_tokens']} in / {s['completion_tokens']} out, {s['seconds']} s",
    ]
    if h.get("settings"):
        lines.append(f"- settings: {json.dumps(h['settings'], default=str)}")
    for r in trace.records:
        kind = r.get("type")
        if kind == "task":
            lines += ["", f"## Task: {_short(r.get('task', ''), 300)}", ""]
        elif kind == "model_reply":
            calls = ", ".join(c.get("name", "") for c in r.get("tool_calls") or [])
            text = _short(r.get("content", ""), 200)
            what = f"calls {calls}" if calls else (f'"{text}"' if text else "(empty)")
            lines.append(f"- model ({r.get('ms', 0):.0f} ms, {r.get('finish_reason')}): {what}")
        elif kind == "parsed" and not (r.get("native")) and r.get("calls"):
            names = ", ".join(c.get("name", "") for c in r["calls"])
            lines.append(f"  - read from text: {names}")
        elif kind == "tool_end":
            mark = "ok" if r.get("ok") else "FAILED"
            out = _short(r.get("output", ""), output_chars)
            lines.append(
                f"  - `{_call_line(r.get('name', ''), r.get('args') or {})}` {mark}: {out}"
            )
        elif kind == "repair":
            lines.append(f"  - repaired {r.get('name')}: {'; '.join(r.get('repairs') or [])}")
        elif kind == "guard":
            lines.append(
                f"  - guard {r.get('guard')} ({r.get('action')}): {_short(r.get('message', ''), 200)}"
            )
        elif kind in ("error", "retry"):
            lines.append(f"  - {kind}: {_short(r.get('message') or r.get('error') or '', 200)}")
        elif kind == "done":
            res = r.get("result") or {}
            lines.append(
                f"- **done**: {res.get('stop_reason')} (exit {res.get('exit_code')}), "
                f"{_short(res.get('response', ''), 200)}"
            )
    return "\n".join(lines)


def to_markdown(trace: Trace) -> str:
    return view_text(trace, output_chars=2000) + "\n"


def to_messages(trace: Trace) -> list[dict[str, Any]]:
    """The conversation as OpenAI-style messages (with mini-swe-agent's ``extra``)."""
    messages: list[dict[str, Any]] = []
    system = trace.header.get("system_prompt")
    if system:
        messages.append({"role": "system", "content": system, "extra": {}})
    for r in trace.records:
        kind = r.get("type")
        if kind == "task":
            messages.append({"role": "user", "content": r.get("task", ""), "extra": {}})
        elif kind == "model_reply":
            msg: dict[str, Any] = {
                "role": "assistant",
                "content": r.get("content", ""),
                "extra": {"finish_reason": r.get("finish_reason"), "ms": r.get("ms")},
            }
            if r.get("reasoning"):
                msg["reasoning_content"] = r["reasoning"]
            if r.get("tool_calls"):
                msg["tool_calls"] = [
                    {
                        "id": c.get("id", ""),
                        "type": "function",
                        "function": {"name": c.get("name", ""), "arguments": c.get("arguments")},
                    }
                    for c in r["tool_calls"]
                ]
            messages.append(msg)
        elif kind == "parsed" and messages and messages[-1]["role"] == "assistant":
            actions = [
                {"tool": c.get("name"), "arguments": c.get("arguments")}
                for c in r.get("calls") or []
            ]
            messages[-1]["extra"]["actions"] = actions
        elif kind == "tool_end":
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": r.get("id", ""),
                    "name": r.get("name", ""),
                    "content": r.get("output", ""),
                    "extra": {"ok": r.get("ok"), "ms": r.get("ms")},
                }
            )
        elif kind == "guard":
            messages.append(
                {
                    "role": "user",
                    "content": f"[{r.get('guard')}] {r.get('message', '')}",
                    "extra": {"guard": r.get("guard"), "action": r.get("action")},
                }
            )
    return messages


def to_traj(trace: Trace) -> dict[str, Any]:
    h = trace.header
    s = trace.summary()
    results = trace.results
    last = results[-1] if results else {}
    return {
        "info": {
            "model_stats": {
                "instance_cost": 0.0,
                "api_calls": s["requests"],
                "prompt_tokens": s["prompt_tokens"],
                "completion_tokens": s["completion_tokens"],
            },
            "config": {
                "agent": {"settings": h.get("settings", {}), "edit_format": h.get("edit_format")},
                "agent_type": "smallcode",
                "model": {"model_name": h.get("model", ""), "window": h.get("window")},
                "model_type": h.get("provider", ""),
                "environment": {"cwd": h.get("cwd", "")},
                "environment_type": "local",
            },
            "mini_version": f"smallcode-{h.get('version', '')}",
            "exit_status": last.get("stop_reason", ""),
            "exit_code": last.get("exit_code"),
            "submission": last.get("response", ""),
            "smallcode_trace": {"id": trace.id, "format": h.get("format"), "tasks": s["tasks"]},
        },
        "messages": to_messages(trace),
        "trajectory_format": TRAJ_FORMAT,
    }


def export(trace: Trace, fmt: str) -> str:
    if fmt == "jsonl":
        return trace.path.read_text(encoding="utf-8")
    if fmt == "traj":
        return json.dumps(to_traj(trace), indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return to_markdown(trace)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
