from __future__ import annotations

from pathlib import Path

from smallcode.events import EventBus
from smallcode.store.evidence import (
    EvidenceRecorder,
    EvidenceStore,
    args_digest,
    format_failures,
)


def test_recorder_records_tool_end_and_repair_events(tmp_path: Path) -> None:
    store = EvidenceStore.open(tmp_path)
    bus = EventBus()
    rec = EvidenceRecorder(store, "s1", task="add retries to the downloader").attach(bus)
    bus.emit("tool_start", name="read_file", args={"path": "dl.py"}, id="a")
    bus.emit("tool_end", name="read_file", ms=3.0, ok=True, id="a", output="1 import x")
    bus.emit(
        "tool_end",
        name="patch",
        args={"path": "dl.py", "old": "x"},
        ok=False,
        ms=5.0,
        id="b",
        output="Error: old text not found in dl.py",
    )
    bus.emit("repair", name="patch", repairs=["renamed file_path to path", "closed a brace"])
    rows = store.session("s1")
    assert [(r.kind, r.tool, r.ok) for r in rows] == [
        ("tool", "read_file", True),
        ("tool", "patch", False),
        ("repair", "patch", None),
    ]
    assert rows[0].args_summary == "path=dl.py"  # arguments came from tool_start
    assert rows[0].error == ""  # output of a success is not kept
    assert "old text not found" in rows[1].error
    assert rows[1].args_digest == args_digest({"path": "dl.py", "old": "x"})
    assert store.stats("s1") == {"calls": 2, "failures": 1, "repairs": 1}
    rec.detach()
    bus.emit("tool_end", name="bash", ok=True, id="c", output="")
    assert len(store.session("s1")) == 3


def test_relevant_failures_for_a_similar_task(tmp_path: Path) -> None:
    store = EvidenceStore.open(tmp_path)
    store.record_tool(
        "old",
        "bash",
        {"command": "pytest tests/test_download.py"},
        False,
        output="ModuleNotFoundError: No module named 'responses'",
        task="make the downloader retry on timeouts",
    )
    store.record_tool("old", "read_file", {"path": "dl.py"}, True, task="make the downloader retry")
    store.record_tool(
        "other",
        "patch",
        {"path": "ui.css"},
        False,
        output="no match",
        task="change the button colour",
    )
    store.record_outcome("old", "make the downloader retry on timeouts", False, "ran out of turns")
    found = store.relevant_failures("downloader should retry when the server times out")
    kinds = [(f.session_id, f.kind, f.tool) for f in found]
    assert ("old", "tool", "bash") in kinds and ("old", "outcome", "") in kinds
    assert all(f.session_id != "other" for f in found)
    assert all(f.ok is not True for f in found)
    text = format_failures(found)
    assert "No module named 'responses'" in text and "ran out of turns" in text
    assert store.relevant_failures("downloader retry", exclude_session="old") == []
    assert format_failures([]) == ""


def test_search_across_sessions(tmp_path: Path) -> None:
    store = EvidenceStore.open(tmp_path)
    store.record_repair("s1", "write_file", ["parsed Qwen XML call"], task="new endpoint")
    store.record_tool("s2", "bash", {"command": "npm test"}, True, task="fix lint")
    assert [e.session_id for e in store.search("qwen xml")] == ["s1"]
    assert [e.tool for e in store.search("npm")] == ["bash"]
