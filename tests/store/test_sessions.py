from __future__ import annotations

from pathlib import Path

from smallcode.store.sessions import SessionStore
from smallcode.types import Message, ToolCall


def _conversation() -> list[Message]:
    return [
        Message("system", "You are SmallCode."),
        Message("user", "add a --verbose flag"),
        Message(
            "assistant",
            "",
            tool_calls=[ToolCall("read_file", {"path": "cli.py"}, id="c1")],
            reasoning="look first",
        ),
        Message("tool", "1 import argparse", tool_call_id="c1", name="read_file"),
        Message("assistant", "Done.", meta={"final": True}),
    ]


def test_save_list_load_roundtrip(tmp_path: Path) -> None:
    store = SessionStore.open(tmp_path)
    sid = store.create(model="qwen", cwd=str(tmp_path))
    msgs = _conversation()
    store.save(sid, msgs)
    loaded = store.load(sid)
    assert loaded is not None
    assert [m.to_dict() for m in loaded.messages] == [m.to_dict() for m in msgs]
    assert loaded.info.title == "add a --verbose flag"
    assert loaded.info.model == "qwen" and loaded.info.messages == 5
    assert store.load(sid[:-3]).info.id == sid  # a unique prefix works
    assert store.load("nope") is None


def test_save_shrinks_after_compaction_and_append_extends(tmp_path: Path) -> None:
    store = SessionStore.open(tmp_path)
    sid = store.create()
    store.save(sid, _conversation())
    store.save(sid, _conversation()[:2])
    assert len(store.load(sid).messages) == 2
    store.append(sid, [Message("assistant", "ok")])
    assert [m.content for m in store.load(sid).messages][-1] == "ok"


def test_latest_and_listing_order(tmp_path: Path) -> None:
    store = SessionStore.open(tmp_path)
    assert store.latest() is None
    first = store.create(title="one")
    second = store.create(title="two")
    store.save(first, [Message("user", "one again")])  # most recently updated now
    assert [s.id for s in store.list()] == [first, second]
    assert store.latest().info.id == first
    assert store.delete(second) and [s.id for s in store.list()] == [first]
