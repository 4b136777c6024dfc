"""Each guard alone: events in, interventions out."""

from __future__ import annotations

from pathlib import Path

from smallcode.agent.guards import GuardSet, Intervention, build_default_guards
from smallcode.agent.guards.files import ReadGuard, WriteGuard, outline
from smallcode.agent.guards.greeting import GreetingGuard, looks_like_greeting
from smallcode.agent.guards.quality import QualityMonitor, TruncationGuard, announces_action
from smallcode.agent.guards.repetition import DedupGuard, IdempotentWriteDedup, RepetitionGuard
from smallcode.agent.guards.spiral import PatchSpiralGuard
from smallcode.agent.guards.trust import TemperatureAdapter, TrustDecay
from smallcode.config import Settings
from smallcode.tools import core_registry
from tests.agent.conftest import after, before, call, make_state, on_reply, reply


def _step(guard, state, c, ok: bool = True, output: str = "ok") -> tuple:  # type: ignore[no-untyped-def]
    return guard.observe(before(state, c)), guard.observe(after(state, c, ok, output))


# ------------------------------------------------------------------ repetition


def test_loop_guard_warns_then_stops(tmp_path: Path) -> None:
    g, st = RepetitionGuard(warn_at=3, stop_at=5), make_state(tmp_path)
    c = call("bash", command="ls")
    seen = [_step(g, st, c) for _ in range(4)]
    assert [b for b, _ in seen] == [None] * 4
    assert seen[1][1] is None
    assert seen[2][1].action == "note" and "3 times" in seen[2][1].message
    stop = g.observe(before(st, c))
    assert stop.action == "stop" and "5 times" in stop.message


def test_loop_guard_progress_resets_other_calls(tmp_path: Path) -> None:
    g, st = RepetitionGuard(warn_at=3, stop_at=5), make_state(tmp_path)
    test = call("bash", command="pytest")
    for i in range(6):
        _, note = _step(g, st, test)
        assert note is None or i >= 2
        # an edit between the test runs is progress
        _step(g, st, call("patch", path="a.py", old_str=f"v{i}", new_str=f"v{i + 1}"))
    assert g.observe(before(st, test)) is None


def test_loop_guard_repeating_a_finished_write_asks_to_finish(tmp_path: Path) -> None:
    # Identical writes are not progress; repeating one that succeeded means the work is done.
    g, st = RepetitionGuard(warn_at=3, stop_at=5), make_state(tmp_path)
    w = call("write_file", path="a.py", content="x")
    for _ in range(2):
        _step(g, st, w)
    iv = g.observe(before(st, w))
    assert iv.action == "finish" and iv.ok and "already done" in iv.message


def test_loop_guard_identical_failing_writes_stop(tmp_path: Path) -> None:
    g, st = RepetitionGuard(warn_at=3, stop_at=4), make_state(tmp_path)
    w = call("write_file", path="/etc/x", content="x")
    for _ in range(3):
        g.observe(before(st, w))
        g.observe(after(st, w, False))
    assert g.observe(before(st, w)).action == "stop"


def test_dedup_returns_earlier_result_until_a_write(tmp_path: Path) -> None:
    g, st = DedupGuard({"read_file", "search"}), make_state(tmp_path)
    r = call("read_file", path="a.py")
    st.turn = 1
    assert g.observe(before(st, r)) is None
    g.observe(after(st, r, True, "1\tx = 1"))
    st.turn = 2
    hit = g.observe(before(st, r))
    assert (
        hit.action == "block" and hit.ok and "1\tx = 1" in hit.message and "turn 1" in hit.message
    )
    # a write invalidates the cache
    w = call("patch", path="a.py", old_str="x = 1", new_str="x = 2")
    g.observe(before(st, w))
    g.observe(after(st, w, True))
    assert g.observe(before(st, r)) is None


def test_dedup_expires_after_window_and_ignores_failures(tmp_path: Path) -> None:
    g, st = DedupGuard({"read_file"}, window_turns=2), make_state(tmp_path)
    r = call("read_file", path="a.py")
    st.turn = 1
    g.observe(after(st, r, False, "Error: file not found"))
    st.turn = 2
    assert g.observe(before(st, r)) is None
    g.observe(after(st, r, True, "content"))
    st.turn = 5
    assert g.observe(before(st, r)) is None


def test_memory_write_dedup_within_a_run(tmp_path: Path) -> None:
    g, st = IdempotentWriteDedup(), make_state(tmp_path)
    m = call("remember", title="tests", content="run pytest -q")
    assert g.observe(before(st, m)) is None
    g.observe(after(st, m, True))
    hit = g.observe(before(st, m))
    assert hit.action == "block" and hit.ok and "Already saved" in hit.message
    # a new run (new RunState) starts fresh
    assert g.observe(before(make_state(tmp_path), m)) is None


# ------------------------------------------------------------------ spiral


def test_spiral_revert_patch_is_blocked_then_stops(tmp_path: Path) -> None:
    g, st = PatchSpiralGuard(max_interventions=2), make_state(tmp_path)
    ab = call("patch", path="a.py", old_str="x = 1", new_str="x = 2")
    ba = call("patch", path="a.py", old_str="x = 2", new_str="x = 1")
    assert _step(g, st, ab) == (None, None)
    iv = g.observe(before(st, ba))
    assert iv.action == "block" and "undo" in iv.message and "read_file a.py" in iv.message
    assert g.observe(before(st, ba)).action == "block"
    assert g.observe(before(st, ba)).action == "stop"


def test_spiral_write_back_and_forth(tmp_path: Path) -> None:
    g, st = PatchSpiralGuard(), make_state(tmp_path)
    a, b = (
        call("write_file", path="f.txt", content="A"),
        call("write_file", path="f.txt", content="B"),
    )
    _step(g, st, a)
    _step(g, st, b)
    assert g.observe(before(st, a)).action == "block"


def test_spiral_failing_patches_note_then_stop(tmp_path: Path) -> None:
    g, st = PatchSpiralGuard(fail_note_at=3, fail_stop_at=5), make_state(tmp_path)
    bad = [call("patch", path="a.py", old_str=f"nope{i}", new_str="x") for i in range(5)]
    outs = [_step(g, st, c, ok=False)[1] for c in bad]
    assert outs[0] is None and outs[1] is None
    assert outs[2].action == "note" and "read_file a.py" in outs[2].message
    assert outs[4].action == "stop"


def test_spiral_success_resets_failures(tmp_path: Path) -> None:
    g, st = PatchSpiralGuard(fail_note_at=3), make_state(tmp_path)
    for i in range(2):
        _step(g, st, call("patch", path="a.py", old_str=f"n{i}", new_str="x"), ok=False)
    _step(g, st, call("patch", path="a.py", old_str="a", new_str="b"), ok=True)
    out = _step(g, st, call("patch", path="a.py", old_str="n9", new_str="x"), ok=False)[1]
    assert out is None


# ------------------------------------------------------------------ greeting


def test_greeting_detection() -> None:
    assert looks_like_greeting("Hello! How can I help you today?")
    assert looks_like_greeting("Hi there! What can I do for you?")
    assert not looks_like_greeting("I fixed the bug in app.py: the loop now stops at n.")
    assert not looks_like_greeting("Let me know if there is anything else.\n```py\nx\n```")


def test_greeting_mid_task_restates_task_and_progress(tmp_path: Path) -> None:
    g, st = GreetingGuard(max_restates=2), make_state(tmp_path, task="add a --verbose flag")
    st.turn = 1
    assert g.observe(on_reply(st, reply("Hello! How can I help you today?"))) is None  # turn 1
    st.turn = 3
    st.ctx.files_edited.add("cli.py")
    iv = g.observe(on_reply(st, reply("Hello! How can I help you today?")))
    assert iv.action == "continue"
    assert "add a --verbose flag" in iv.message and "cli.py" in iv.message
    assert g.observe(on_reply(st, reply("Hi! How may I assist you?"))).action == "continue"
    assert g.observe(on_reply(st, reply("Hello! How can I help?"))).action == "stop"


# ------------------------------------------------------------------ quality and truncation


def test_quality_unknown_and_blank_tool_names_bounded(tmp_path: Path) -> None:
    g = QualityMonitor(lambda: ["read_file", "patch"], max_bad_replies=3)
    st = make_state(tmp_path)
    iv = g.observe(on_reply(st, reply(unknown=["run_tests"])))
    assert iv.action == "retry" and "run_tests" in iv.message and "read_file, patch" in iv.message
    iv = g.observe(on_reply(st, reply(unknown=[""])))
    assert iv.action == "retry" and "empty name" in iv.message
    assert g.observe(on_reply(st, reply(unknown=["x"]))).action == "stop"


def test_quality_empty_turns_bounded_and_reset_by_good_reply(tmp_path: Path) -> None:
    g, st = QualityMonitor(lambda: ["read_file"], max_bad_replies=3), make_state(tmp_path)
    assert g.observe(on_reply(st, reply(""))).action == "continue"
    assert g.observe(on_reply(st, reply("", [call("read_file", path="a")]))) is None
    assert g.observe(on_reply(st, reply(""))).action == "continue"
    assert g.observe(on_reply(st, reply(""))).action == "continue"
    assert g.observe(on_reply(st, reply(""))).action == "stop"


def test_quality_announce_without_call_nudged_at_most_twice(tmp_path: Path) -> None:
    g, st = QualityMonitor(lambda: ["read_file"]), make_state(tmp_path)
    assert announces_action("Let me read the file first.")
    assert not announces_action("Let me know if you need anything else.")
    assert g.observe(on_reply(st, reply("I'll check the tests now."))).action == "continue"
    assert g.observe(on_reply(st, reply("Let me read app.py."))).action == "continue"
    assert g.observe(on_reply(st, reply("Let me read app.py."))) is None  # bound reached: may end


def test_quality_duplicate_call_in_one_reply_skipped(tmp_path: Path) -> None:
    g, st = QualityMonitor(lambda: ["bash"]), make_state(tmp_path)
    c = call("bash", command="make")
    g.observe(on_reply(st, reply("", [c, c])))
    assert g.observe(before(st, c)) is None
    iv = g.observe(before(st, c))
    assert iv.action == "block" and "twice" in iv.message
    g.observe(on_reply(st, reply("", [c])))  # next reply: fresh
    assert g.observe(before(st, c)) is None


def test_truncation_discards_partial_call(tmp_path: Path) -> None:
    g, st = TruncationGuard(lambda: 1024), make_state(tmp_path)
    r = reply("", [call("write_file", path="big.py", content="def f(")], finish="length")
    iv = g.observe(on_reply(st, r))
    assert iv.action == "retry" and "NOT applied" in iv.message and "write_file" in iv.message
    assert "skeleton" in iv.message
    assert r.calls == [] and "cut off" in r.content
    # text-format call cut off
    r2 = reply('<tool_call>{"name": "write_file", "arguments": {"content": "x', finish="length")
    assert g.observe(on_reply(st, r2)).action == "retry"
    r3 = reply("", [call("write_file", path="big.py", content="x")], finish="length")
    assert g.observe(on_reply(st, r3)).action == "stop"


def test_truncation_of_plain_text_continues_bounded(tmp_path: Path) -> None:
    g, st = TruncationGuard(lambda: 1024, max_in_a_row=9), make_state(tmp_path)
    assert g.observe(on_reply(st, reply("The answer is", finish="length"))).action == "continue"
    assert g.observe(on_reply(st, reply("long", finish="length"))).action == "continue"
    assert g.observe(on_reply(st, reply("long", finish="length"))) is None
    assert g.observe(on_reply(st, reply("fine"))) is None


# ------------------------------------------------------------------ trust and temperature


def test_trust_decay_demotes_then_removes(tmp_path: Path) -> None:
    g, st = TrustDecay(), make_state(tmp_path)
    schemas = core_registry().schemas()
    names = [s["function"]["name"] for s in schemas]
    c = call("search", pattern="(")
    outs = [_step(g, st, c, ok=False)[1] for _ in range(3)]
    assert outs[:2] == [None, None] and outs[2].action == "note"
    arranged = [s["function"]["name"] for s in g.arrange(schemas)]
    assert arranged[-1] == "search" and sorted(arranged) == sorted(names)
    outs = [_step(g, st, c, ok=False)[1] for _ in range(2)]
    assert outs[1].action == "note" and "removed" in outs[1].message
    assert "search" not in [s["function"]["name"] for s in g.arrange(schemas)]
    blocked = g.observe(before(st, c))
    assert blocked.action == "block" and "no longer available" in blocked.message


def test_trust_success_resets_and_list_stays_stable(tmp_path: Path) -> None:
    g, st = TrustDecay(), make_state(tmp_path)
    schemas = core_registry().schemas()
    c = call("bash", command="false")
    for _ in range(2):
        _step(g, st, c, ok=False)
    _step(g, st, c, ok=True)
    for _ in range(2):
        _step(g, st, c, ok=False)
    assert g.arrange(schemas) == schemas


def test_temperature_rises_on_failures_and_resets(tmp_path: Path) -> None:
    st = make_state(tmp_path)
    g = TemperatureAdapter(0.2, step=0.15, max_raise=0.45)
    c = call("patch", path="a", old_str="x", new_str="y")
    _step(g, st, c, ok=False)
    assert st.ctx.temperature == 0.35
    for _ in range(5):
        _step(g, st, c, ok=False)
    assert st.ctx.temperature == 0.65  # capped
    _step(g, st, c, ok=True)
    assert st.ctx.temperature is None
    _step(g, st, c, ok=False)
    assert st.ctx.temperature == 0.35
    g.observe(on_reply(st, reply("All done.")))  # a plain answer ends the task: back to base
    assert st.ctx.temperature is None


def test_blocked_calls_do_not_count_as_failures(tmp_path: Path) -> None:
    st = make_state(tmp_path)
    blocker = type(
        "Blocker",
        (),
        {
            "name": "blocker",
            "observe": lambda self, e: (
                Intervention("block", "no") if e.kind == "before_call" else None
            ),
        },
    )()
    trust, temp = TrustDecay(demote_at=1), TemperatureAdapter(0.2)
    gs = GuardSet([blocker, trust, temp])
    c = call("bash", command="x")
    gs.observe(before(st, c))
    gs.observe(after(st, c, ok=False, output="no"))
    assert trust.fails.get("bash", 0) == 0 and st.ctx.temperature is None


# ------------------------------------------------------------------ files


def test_write_guard_blocks_first_overwrite_of_unread_file(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    g, st = WriteGuard(), make_state(tmp_path)
    w = call("write_file", path="app.py", content="y = 2\n")
    iv = g.observe(before(st, w))
    assert iv.action == "block" and "read_file app.py" in iv.message
    assert g.observe(before(st, w)) is None  # the second attempt is allowed
    assert g.observe(before(st, call("write_file", path="new.py", content="z"))) is None


def test_write_guard_allows_read_or_created_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a\n")
    (tmp_path / "b.py").write_text("b\n")
    g, st = WriteGuard(), make_state(tmp_path)
    st.ctx.files_read.add("a.py")
    st.ctx.files_created.add("b.py")
    assert g.observe(before(st, call("write_file", path="a.py", content="x"))) is None
    assert g.observe(before(st, call("write_file", path="./b.py", content="x"))) is None


def _big_python(n_funcs: int = 120) -> str:
    parts = ['"""A module."""', "import os", ""]
    for i in range(n_funcs):
        parts += [f"def function_{i}(a, b):", f"    total = a + b + {i}", "    return total", ""]
    parts += ["class Holder:", "    def method(self):", "        return 1"]
    return "\n".join(parts) + "\n"


def test_outline_lists_definitions_with_line_numbers() -> None:
    items = outline(_big_python(3), "m.py")
    assert items[0].split("\t") == ["    4", "def function_0(a, b):"]
    assert any("class Holder:" in i for i in items)
    assert any("def method(self):" in i for i in items)
    js = "export function a() {}\nconst b = (x) => x\nclass C {\n  go(x) {\n    if (x) {\n    }\n  }\n}\n"
    names = "\n".join(outline(js, "m.ts"))
    assert "function a" in names and "const b" in names and "class C" in names and "go(x)" in names
    assert "if (x)" not in names


def test_read_guard_large_file_returns_outline_head_and_range_hint(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(_big_python())
    g, st = ReadGuard(lambda: 4000, head_lines=30), make_state(tmp_path)
    iv = g.observe(before(st, call("read_file", path="big.py")))
    assert iv.action == "block" and iv.ok
    msg = iv.message
    assert "too large" in msg and "start_line" in msg
    assert "def function_0(a, b):" in msg and "Outline" in msg
    assert "First 30 lines" in msg and "   30\t" in msg and "   31\t" not in msg.split("First")[1]
    assert len(msg) <= 4000
    assert "big.py" not in st.ctx.files_read  # only an outline was seen


def test_read_guard_serves_fitting_part_of_a_large_range(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(_big_python())
    g, st = ReadGuard(lambda: 2000), make_state(tmp_path)
    iv = g.observe(before(st, call("read_file", path="big.py", start_line=10, end_line=400)))
    assert iv.action == "block" and iv.ok and len(iv.message) <= 2000
    first_line = iv.message.splitlines()[0]
    assert first_line.startswith("big.py lines 10-") and "continue with start_line=" in first_line
    assert "big.py" in st.ctx.files_read


def test_read_guard_leaves_small_reads_and_errors_alone(tmp_path: Path) -> None:
    (tmp_path / "small.py").write_text("x = 1\n")
    g, st = ReadGuard(lambda: 4000), make_state(tmp_path)
    assert g.observe(before(st, call("read_file", path="small.py"))) is None
    assert g.observe(before(st, call("read_file", path="missing.py"))) is None
    assert g.observe(before(st, call("read_file", path="../outside"))) is None


# ------------------------------------------------------------------ switches


def test_every_guard_has_a_switch(tmp_path: Path) -> None:
    st = make_state(tmp_path)
    on = build_default_guards(Settings.load(tmp_path), registry=core_registry(), ctx=st.ctx)
    names = {g.name for g in on.guards}
    assert names == {
        "truncation", "loop", "spiral", "trust", "write", "example_path", "goal_tests", "file_to_create", "read", "memory_dedup", "dedup",
        "quality", "greeting", "temperature", "snapshot",
    }  # fmt: skip
    off = {
        k: False
        for k in (
            "truncation_guard", "loop_guard", "spiral_guard", "trust_decay", "write_guard",
            "read_guard", "idempotent_write_dedup", "dedup", "quality_monitor", "greeting_guard",
            "temp_adapt", "snapshot",
        )
    }  # fmt: skip
    none = build_default_guards(Settings.load(tmp_path, off), registry=core_registry(), ctx=st.ctx)
    assert none.guards == []


def test_env_switch_turns_a_guard_off(tmp_path: Path) -> None:
    s = Settings.load(tmp_path, environ={"SMALLCODE_DEDUP": "false", "SMALLCODE_READ_GUARD": "0"})
    names = {g.name for g in build_default_guards(s, registry=core_registry()).guards}
    assert "dedup" not in names and "read" not in names and "loop" in names
