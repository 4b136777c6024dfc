"""Context budget: estimates corrected by server usage, capped results, eviction, summary,
drop fallback, the hard guarantee, and prefix stability."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallcode.agent import compaction
from smallcode.agent.budget import ContextBudget
from smallcode.config import Settings
from smallcode.errors import SmallCodeError
from smallcode.tools import core_registry
from smallcode.types import Message, ToolCall, Usage
from smallcode.ui.reports import budget_report, tokens_report


def cm(tmp_path: Path, window: int = 8192, **kw) -> ContextBudget:  # type: ignore[no-untyped-def]
    return ContextBudget(Settings.load(tmp_path, kw), window)


def history(rounds: int, result_chars: int = 3000) -> list[Message]:
    msgs = [Message("system", "You are a coding agent."), Message("user", "refactor utils.py")]
    for i in range(rounds):
        tc = ToolCall("read_file", {"path": f"src/mod{i}.py"}, id=f"call_{i}")
        msgs.append(Message("assistant", "", tool_calls=[tc]))
        msgs.append(
            Message(
                "tool",
                f"   1\tline of mod{i}\n" * (result_chars // 20),
                tool_call_id=tc.id,
                name="read_file",
            )
        )
    return msgs


def chatty_history(rounds: int) -> list[Message]:
    """Long explanations, short results: eviction alone cannot make room."""
    msgs = [Message("system", "You are a coding agent."), Message("user", "refactor utils.py")]
    for i in range(rounds):
        tc = ToolCall("bash", {"command": f"python check{i}.py"}, id=f"call_{i}")
        msgs.append(
            Message("assistant", f"Step {i}: " + "thinking about the design " * 40, tool_calls=[tc])
        )
        msgs.append(Message("tool", f"Error: check{i} failed [exit code: 1]", tool_call_id=tc.id))
    return msgs


def test_budget_reserves_output_and_margin(tmp_path: Path) -> None:
    c = cm(tmp_path, 8192)
    assert c.output_reserve() == 2048  # a quarter of the window, never the whole window
    assert c.budget() == 8192 - 2048 - c.margin() and c.margin() >= 64
    big = cm(tmp_path, 131072)
    assert big.output_reserve() == 4096  # SMALLCODE_MAX_OUTPUT_TOKENS


def test_estimate_corrected_by_server_usage(tmp_path: Path) -> None:
    c = cm(tmp_path)
    msgs = history(2)
    raw = c.estimate(msgs)
    c.observe(msgs, Usage(prompt_tokens=int(raw * 1.5)))
    assert c.ratio == pytest.approx(1.5, rel=0.01)
    assert c.estimate(msgs) == pytest.approx(raw * 1.5, rel=0.01)
    c.observe(msgs, Usage(prompt_tokens=raw * 50))  # absurd report: clamped
    assert c.ratio == 2.5
    c2 = cm(tmp_path)
    c2.observe(msgs, Usage(prompt_tokens=raw // 10))  # e.g. Ollama counting only new tokens
    assert c2.ratio == 0.9


def test_cap_result_numbered_lines_says_which_lines_to_read(tmp_path: Path) -> None:
    c = cm(tmp_path)
    text = "\n".join(f"{n:>5}\tvalue_{n} = compute({n})" for n in range(1, 400))
    out = c.cap_result(text)
    assert len(out) <= 4100
    assert out.startswith("    1\tvalue_1") and out.endswith("  399\tvalue_399 = compute(399)")
    cut = next(ln for ln in out.splitlines() if ln.startswith("[..."))
    first, last = cut.split("lines ")[1].split(" ")[0].split("-")
    assert f"start_line={first}, end_line={last}" in cut
    assert f"{int(first) - 1:>5}\t" in out and f"{int(last) + 1:>5}\t" in out


def test_cap_result_plain_output_and_one_long_line(tmp_path: Path) -> None:
    c = cm(tmp_path)
    out = c.cap_result("\n".join(f"log line {i}" for i in range(2000)))
    assert "narrow the command" in out and len(out) <= 4200
    one = c.cap_result("x" * 20000)
    assert "characters cut" in one and len(one) < 4200
    assert c.cap_result("short") == "short"


def test_result_limit_follows_small_windows(tmp_path: Path) -> None:
    assert cm(tmp_path, 8192).result_limit_chars() == 4000
    assert cm(tmp_path, 4096).result_limit_chars() < 4000


def test_eviction_stubs_oldest_results_and_keeps_last_round(tmp_path: Path) -> None:
    c = cm(tmp_path)
    msgs = history(6)
    before = c.estimate(msgs)
    saved = compaction.evict(msgs, 1500, c.tokens_of)
    assert saved >= 1500 and c.estimate(msgs) <= before - 1500
    stubs = [m for m in msgs if m.meta.get("evicted")]
    assert stubs and stubs[0] is msgs[3]  # the oldest result went first
    assert "read_file(path='src/mod0.py')" in msgs[3].content and "evicted" in msgs[3].content
    assert not msgs[-1].meta.get("evicted")  # the last round is never evicted
    assert [m.role for m in msgs] == [m.role for m in history(6)]  # same shape, ids intact


def test_eviction_replaces_large_written_content(tmp_path: Path) -> None:
    c = cm(tmp_path)
    tc = ToolCall("write_file", {"path": "big.py", "content": "x = 1\n" * 500}, id="w1")
    msgs = [
        Message("system", "s"),
        Message("user", "task"),
        Message("assistant", "", tool_calls=[tc]),
        Message("tool", "Created big.py (500 lines).", tool_call_id="w1"),
        Message("assistant", "done"),
    ]
    compaction.evict(msgs, 10_000, c.tokens_of)
    new = msgs[2].tool_calls[0]
    assert new.arguments["path"] == "big.py" and "evicted" in new.arguments["content"]
    assert tc.arguments["content"].startswith("x = 1")  # the original call object is untouched


def test_compaction_summarizes_in_one_step(tmp_path: Path) -> None:
    seen: list[list[Message]] = []

    def summarizer(middle: list[Message]) -> str:
        seen.append(middle)
        return "Read mod0..mod8; utils.py imports them. Error: none."

    c = cm(tmp_path, 8192)
    c.summarizer = summarizer
    msgs = chatty_history(20)
    request = c.prepare(msgs)
    assert len(seen) == 1  # one summary request
    assert msgs[0].role == "system" and msgs[1].content == "refactor utils.py"
    assert msgs[2].meta["kind"] == "summary" and "utils.py imports them" in msgs[2].content
    assert seen[0][0].role == "assistant" and "Error: check1" in seen[0][3].content
    assert "Last errors (verbatim)" in msgs[2].content  # exact errors from the results
    assert msgs[3].role == "assistant"  # the tail starts with a call, never an orphan result
    assert c.estimate(request) <= c.budget() * 0.6
    assert c.compactions == 1
    # below the trigger again: the next prepare changes nothing
    again = list(msgs)
    c.prepare(msgs)
    assert msgs == again and len(seen) == 1


def test_pinned_messages_survive_summary_and_drop(tmp_path: Path) -> None:
    for summarizer in (lambda middle: "summary", None):
        c = cm(tmp_path, 8192)
        c.summarizer = summarizer
        msgs = chatty_history(20)
        msgs.insert(1, Message("user", "Project: python, pytest", meta={"kind": "bootstrap"}))
        c.prepare(msgs)
        assert msgs[1].content == "Project: python, pytest"
        assert msgs[2].content == "refactor utils.py"
        assert c.compactions == 1


def test_summary_failure_drops_oldest_but_keeps_system_and_task(tmp_path: Path) -> None:
    def broken(middle: list[Message]) -> str:
        raise RuntimeError("server down")

    c = cm(tmp_path, 8192)
    c.summarizer = broken
    msgs = chatty_history(20)
    c.prepare(msgs)
    assert msgs[0].content == "You are a coding agent." and msgs[1].content == "refactor utils.py"
    assert any(m.meta.get("kind") == "dropped" for m in msgs)
    assert c.estimate(msgs) <= c.budget() * 0.8
    # tool results still follow their calls
    for i, m in enumerate(msgs):
        if m.role == "tool":
            ids = {tc.id for tc in msgs[i - 1].tool_calls} | {
                tc.id for k in range(i) for tc in msgs[k].tool_calls
            }
            assert m.tool_call_id in ids


def test_shrink_guarantees_the_budget(tmp_path: Path) -> None:
    c = cm(tmp_path, 8192)
    msgs = [Message("system", "s"), Message("user", "task")]
    calls = [ToolCall("bash", {"command": f"cat f{i}"}, id=f"b{i}") for i in range(8)]
    msgs.append(Message("assistant", "", tool_calls=calls))
    for tc in calls:  # one round of 8 parallel results: nothing old to evict or summarize
        msgs.append(Message("tool", "y" * 4000, tool_call_id=tc.id))
    c.prepare(msgs)
    assert c.estimate(msgs) <= c.budget()
    assert msgs[1].content == "task"


def test_window_too_small_for_the_prompt_is_a_clear_error(tmp_path: Path) -> None:
    c = cm(tmp_path, 1024)
    msgs = [Message("system", "s" * 20000), Message("user", "t")]
    with pytest.raises(SmallCodeError, match="too small"):
        c.prepare(msgs, core_registry().schemas())


def test_prefix_reuse_counts_tools_and_messages(tmp_path: Path) -> None:
    c = cm(tmp_path)
    tools = core_registry().schemas()
    msgs = history(1)
    c.observe(list(msgs), Usage(), tools)
    msgs += history(2)[4:]
    c.observe(list(msgs), Usage(), tools)
    assert 0.5 < c.prefix_reuse() < 1.0
    c.observe(list(msgs), Usage(), tools[:-1])  # a changed tool list breaks the prefix
    assert c._reuse[-1] == 0.0


def test_reports(tmp_path: Path) -> None:
    class FakeAgent:
        context = cm(tmp_path)
        messages = history(3)
        usage = Usage(prompt_tokens=12000, completion_tokens=300, cached_tokens=9000)

        def tool_schemas(self) -> list[dict]:
            return core_registry().schemas()

    a = FakeAgent()
    a.context.observe(a.messages, Usage(prompt_tokens=4000), a.tool_schemas())
    budget = budget_report(a)
    assert "Context window 8,192 tokens" in budget and "█" in budget and "%" in budget
    assert "tool schemas" in budget and "history" in budget
    tokens = tokens_report(a)
    assert "12,000" in tokens and "9,000" in tokens and "75%" in tokens and "Prefix reuse" in tokens
