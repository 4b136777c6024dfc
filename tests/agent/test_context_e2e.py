"""An 8K-window session against the fake server: many large files, no request over the window,
prefix shared between consecutive requests except across a compaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.agent.conftest import Run
from tests.fakes.openai_server import FakeReply, text, tool

N_CTX = 8192


def big_module(i: int, funcs: int = 60) -> str:
    out = [f'"""Module {i}."""', ""]
    for k in range(funcs):
        out += [
            f"def handler_{i}_{k}(request, options=None):",
            f"    value = compute_something(request, {k}) + {i}",
            "    return value",
            "",
        ]
    return "\n".join(out)


def request_tokens(body: dict[str, Any]) -> int:
    """What the fake server counts as prompt tokens (len(json)/4)."""
    return len(json.dumps(body)) // 4


def is_summary(body: dict[str, Any]) -> bool:
    return "tools" not in body


def reading_session(files: int, summary: FakeReply | None = None):  # type: ignore[no-untyped-def]
    """A model that reads every file three ways (whole, a range, cat), then answers."""
    steps: list[FakeReply] = []
    for i in range(files):
        steps += [
            tool("read_file", path=f"pkg/mod{i}.py"),
            tool("read_file", path=f"pkg/mod{i}.py", start_line=1, end_line=150),
            tool("bash", command=f"cat pkg/mod{i}.py"),
        ]
    steps.append(text("Read every module."))
    state = {"n": 0}

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        if is_summary(body):
            return summary or text(
                "Read pkg/mod0.py .. pkg/mod5.py; handlers call compute_something."
            )
        step = steps[min(state["n"], len(steps) - 1)]
        state["n"] += 1
        return step

    return policy


def make_files(project: Path, n: int) -> None:
    (project / "pkg").mkdir()
    for i in range(n):
        (project / "pkg" / f"mod{i}.py").write_text(big_module(i))


def assert_within_window(r: Run) -> None:
    for body in r.requests:
        assert request_tokens(body) + body["max_tokens"] <= N_CTX, (
            request_tokens(body),
            body["max_tokens"],
        )


def assert_prefix_stable(r: Run) -> None:
    main = [b for b in r.requests if not is_summary(b)]
    after_compaction = set(r.sc.agent.context.compaction_requests)
    for k in range(1, len(main)):
        prev, cur = main[k - 1], main[k]
        if k in after_compaction:
            continue
        assert cur["tools"] == prev["tools"], k
        assert cur["messages"][: len(prev["messages"])] == prev["messages"], k


def test_8k_window_many_large_files_never_overflows(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_files(project, 12)
    r: Run = run_agent(
        reading_session(12), task="read all modules in pkg/", max_turns=60, n_ctx=N_CTX
    )
    assert r.result.success, r.result.error
    assert r.sc.agent.context.window == N_CTX
    assert_within_window(r)
    ctx = r.sc.agent.context
    assert ctx.compactions >= 1
    assert any(e["type"] == "compaction" for e in r.events)
    # the read guard answered the whole-file reads with an outline
    first_result = next(m for m in r.requests[2]["messages"] if m["role"] == "tool")["content"]
    assert "too large to read at once" in first_result and "def handler_0_0" in first_result
    # system prompt and task are in every request
    for body in r.requests:
        if not is_summary(body):
            assert body["messages"][0]["role"] == "system"
            assert any(m["content"] == "read all modules in pkg/" for m in body["messages"])
    assert_prefix_stable(r)
    assert r.result.prefix_reuse > 0.5


def test_summary_request_fits_and_happens_rarely(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_files(project, 12)
    r = run_agent(reading_session(12), task="read all modules in pkg/", max_turns=60, n_ctx=N_CTX)
    summaries = [b for b in r.requests if is_summary(b)]
    main = [b for b in r.requests if not is_summary(b)]
    assert len(summaries) <= len(main) // 8  # rare
    for body in summaries:
        assert body["max_tokens"] <= 1024 and request_tokens(body) + body["max_tokens"] <= N_CTX
    if summaries:
        assert r.sc.agent.context.side_requests == len(summaries)


def test_summary_failure_falls_back_to_dropping(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_files(project, 12)
    r = run_agent(
        reading_session(12, summary=FakeReply(fault="500")),
        task="read all modules in pkg/",
        max_turns=60,
        n_ctx=N_CTX,
    )
    assert r.result.success, r.result.error
    assert_within_window(r)
    for body in r.requests:
        if not is_summary(body):
            assert any(m["content"] == "read all modules in pkg/" for m in body["messages"])


def test_consecutive_requests_share_their_prefix(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("def f():\n    return 1\n")
    steps = [
        tool("find_files", pattern="*.py"),
        tool("read_file", path="a.py"),
        tool("patch", path="a.py", old_str="return 1", new_str="return 2"),
        tool("bash", command="python -c 'import a; print(a.f())'"),
        text("f now returns 2."),
    ]
    r = run_agent(lambda body, n: steps[min(n, len(steps) - 1)], task="make f return 2")
    assert r.result.success
    assert r.sc.agent.context.compaction_requests == []
    assert_prefix_stable(r)
    assert r.result.prefix_reuse > 0.8
    assert r.result.requests == 5
