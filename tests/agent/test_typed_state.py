"""Typed shared state: ToolContext fields (``extras`` only a private cache), RunState fields,
the guard registry, the write tools of the loop guard, the reply's truncation field, and the
failures the agent survives being logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode
from smallcode.agent.asking import Asker
from smallcode.agent.budget import ContextBudget
from smallcode.agent.guards import DEFAULT_GUARDS, GuardSet, Intervention, build_default_guards
from smallcode.agent.guards.repetition import RepetitionGuard, writes_of
from smallcode.config import Settings
from smallcode.errors import ModelRequestError
from smallcode.events import EventBus
from smallcode.llm.base import RequestOptions, collect
from smallcode.testing import ScriptedModel, text, tool
from smallcode.tools import core_registry
from smallcode.tools.registry import ToolContext
from smallcode.types import Chunk, Finish, Message, TextDelta, Usage
from tests.agent.conftest import after, before, call, make_state

# ------------------------------------------------------------------ ToolContext


def test_extras_is_a_private_cache_apart_from_the_typed_fields(tmp_path: Path) -> None:
    ctx = ToolContext(root=tmp_path, settings=Settings.load(tmp_path, {}))
    ctx.temperature = 0.4  # shared state is a typed field, not an extras key
    assert ctx.temperature == 0.4 and "temperature" not in ctx.extras
    ctx.extras["code_index"] = object()  # a tool's private cache stays in the mapping
    assert "code_index" in ctx.extras and not hasattr(ctx, "code_index")
    ctx.extras.pop("code_index")
    assert "code_index" not in ctx.extras
    ctx.extras["router"] = "cache"  # a key that names a field is just a key
    assert ctx.router is None


def test_write_file_and_patch_call_the_typed_before_write_hook(tmp_path: Path) -> None:
    ctx = ToolContext(root=tmp_path, settings=Settings.load(tmp_path, {}))
    ctx.originals = {}
    seen: list[tuple[str, str]] = []
    ctx.before_write = lambda c, target, name: seen.append((c.rel(target), name))
    reg = core_registry()
    assert reg.call("write_file", {"path": "a.py", "content": "x = 1\n"}, ctx).ok
    assert reg.call("patch", {"path": "a.py", "old_str": "x = 1", "new_str": "x = 2"}, ctx).ok
    (tmp_path / "b.py").write_text("y = 1\n")
    assert reg.call("patch", {"path": "b.py", "old_str": "y = 1", "new_str": "y = 2"}, ctx).ok
    assert seen == [("a.py", "write_file"), ("a.py", "patch"), ("b.py", "patch")]
    assert ctx.files_created == {"a.py"} and ctx.files_edited == {"b.py"}
    assert ctx.originals == {"a.py": None, "b.py": "y = 1\n"}
    assert "a.py" in ctx.files_read and "b.py" not in ctx.files_read  # a patch is no read


# ------------------------------------------------------------------ guards


def test_guards_come_from_the_registry_list_in_order(tmp_path: Path) -> None:
    s = Settings.load(tmp_path, {})
    ctx = ToolContext(root=tmp_path, settings=s)
    gs = build_default_guards(s, registry=core_registry(), ctx=ctx)
    on = [spec for spec in DEFAULT_GUARDS if getattr(s, spec.setting)]
    assert len(gs.guards) == len(on)
    assert all(hasattr(Settings, spec.setting) for spec in DEFAULT_GUARDS)
    assert ctx.tool_trust is not None and ctx.before_write is not None
    off = Settings.load(tmp_path, {spec.setting: False for spec in DEFAULT_GUARDS})
    assert build_default_guards(off, ctx=ToolContext(root=tmp_path, settings=off)).guards == []


def test_loop_guard_write_tools_come_from_read_only(tmp_path: Path) -> None:
    reg = core_registry()
    writes = writes_of(reg)
    assert writes("write_file") and writes("patch")
    assert not writes("read_file") and not writes("bash") and not writes("no_such_tool")

    def step(g: RepetitionGuard, st: Any, name: str, **args: Any) -> None:
        c = call(name, **args)
        g.observe(before(st, c))
        g.observe(after(st, c))

    # A write by any non-read-only tool the registry has is progress for the loop guard.
    from smallcode.tools.registry import build_tool

    def save_note(ctx: ToolContext, text: str) -> str:
        """Save a note."""
        return "saved"

    reg.add(build_tool(save_note))
    g, st = RepetitionGuard(warn_at=3, stop_at=4, writes=writes_of(reg)), make_state(tmp_path)
    for i in range(5):
        step(g, st, "read_file", path="a.py")
        step(g, st, "save_note", text=str(i))
    assert g.observe(before(st, call("read_file", path="a.py"))) is None


def test_run_state_tracks_blocked_calls_as_a_field(tmp_path: Path) -> None:
    class Blocker:
        name = "blocker"

        def observe(self, event: Any) -> Intervention | None:
            return Intervention("block", "no") if event.kind == "before_call" else None

    st = make_state(tmp_path)
    c = call("read_file", path="a.py")
    GuardSet([Blocker()]).observe(before(st, c))
    assert st.blocked_call is c


# ------------------------------------------------------------------ failures are logged


def test_a_failing_guard_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        name = "broken"

        def observe(self, event: Any) -> Intervention | None:
            raise RuntimeError("guard bug")

    with caplog.at_level(logging.WARNING, logger="smallcode"):
        assert GuardSet([Broken()]).observe(before(make_state(tmp_path), call("bash"))) is None
    assert "broken" in caplog.text and "guard bug" in caplog.text


def test_a_failing_listener_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    got: list[str] = []

    def broken(e: Any) -> None:
        raise ValueError("listener bug")

    bus.on("notice", broken)
    bus.on("notice", lambda e: got.append(e.data["message"]))
    with caplog.at_level(logging.WARNING, logger="smallcode"):
        bus.emit("notice", message="hi")
    assert got == ["hi"] and "listener bug" in caplog.text


def test_a_failed_summary_is_logged_and_old_rounds_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from smallcode.agent import compaction

    msgs = [Message("system", "s"), Message("user", "task", meta={"kind": "task"})]
    msgs += [Message("assistant", f"step {i} " + "x" * 200) for i in range(6)]

    def fail(middle: list[Message]) -> str:
        raise TimeoutError("summary timed out")

    with caplog.at_level(logging.WARNING, logger="smallcode"):
        assert not compaction.compact_with_summary(msgs, 6, 1, fail)
    assert "summary timed out" in caplog.text


def test_debug_setting_shows_the_log_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smallcode.logs import configure_logging

    log = logging.getLogger("smallcode.test")
    try:
        configure_logging(True)
        configure_logging(True)  # idempotent: one line per record
        log.warning("seen with debug")
        configure_logging(False)
        log.warning("not seen without")
    finally:
        configure_logging(False)
    err = capsys.readouterr().err
    assert err.count("seen with debug") == 1 and "not seen without" not in err


# ------------------------------------------------------------------ truncation in the reply


class _Cutting(ScriptedModel):
    """A model whose server cut the prompt on the first request."""

    def stream(
        self, messages: list[Message], tools: Any, options: RequestOptions | None = None
    ) -> Iterator[Chunk]:
        first = self.used == 0
        for chunk in super().stream(messages, tools, options):
            if first and isinstance(chunk, Finish):
                chunk.truncated = "the server cut the prompt"
            yield chunk


def test_collect_carries_the_truncation_of_the_finish() -> None:
    reply = collect([TextDelta("hi"), Finish("stop", Usage(), truncated="cut")])
    assert reply.truncated == "cut" and reply.content == "hi"


def test_a_truncated_reply_compacts_and_notes(tmp_path: Path) -> None:
    model = _Cutting([tool("read_file", path="a.py"), text("Done.")])
    (tmp_path / "a.py").write_text("x = 1\n")
    seen: list[dict[str, Any]] = []
    with SmallCode(cwd=tmp_path, llm=model, verify=False) as sc:
        sc.on("guard", seen.append)
        forced: list[bool] = []
        budget = sc.agent.context
        prepare = budget.prepare

        def watch(messages: list[Message], tools: Any = None) -> list[Message]:
            forced.append(budget.force_compact)
            return prepare(messages, tools)

        budget.prepare = watch  # type: ignore[method-assign]
        assert sc.run("read a.py").success
    assert [e["message"] for e in seen if e["guard"] == "server_truncation"] == [
        "the server cut the prompt"
    ]
    assert forced[:2] == [False, True]


def test_an_error_saying_the_prompt_was_cut_is_retried_after_compaction(tmp_path: Path) -> None:
    s = Settings.load(tmp_path, {})
    ctx = ToolContext(root=tmp_path, settings=s)
    budget = ContextBudget(s, 8192)
    asker = Asker(s, ScriptedModel([]), budget, EventBus(), ctx, [], list)
    assert not asker._learn_from_overflow(ModelRequestError("bad request", 400, "nope"))
    cut = ModelRequestError("dropped", 500, "no user query found", truncated="cut")
    assert asker._learn_from_overflow(cut) and budget.force_compact
