"""Snapshots before every write/patch, /undo, and auto-rollback of changes that break a file."""

from __future__ import annotations

import os
from pathlib import Path

from smallcode.agent.guards.snapshot import validation_error
from smallcode.store.snapshots import SnapshotStore
from smallcode.ui.reports import history_text, undo_text
from tests.fakes.openai_server import script, text, tool


def test_store_records_and_undoes_in_order(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("v1")
    os.chmod(f, 0o640)
    s = SnapshotStore.open(tmp_path)
    c1 = s.record("a.txt", "patch")
    f.write_text("v2")
    s.confirm(c1)
    c2 = s.record("a.txt", "patch")
    f.write_text("v3")
    s.confirm(c2)
    c3 = s.record("new.txt", "write_file")
    (tmp_path / "new.txt").write_text("fresh")
    s.confirm(c3)
    assert [c.path for c in s.history()] == ["new.txt", "a.txt", "a.txt"]
    out = s.undo(1)
    assert [(r.action, r.path) for r in out] == [("deleted", "new.txt")]
    assert not (tmp_path / "new.txt").exists()
    out = s.undo(2)
    assert [r.action for r in out] == ["restored", "restored"]
    assert f.read_text() == "v1" and (f.stat().st_mode & 0o777) == 0o640
    assert s.undo(1) == []
    s.close()
    assert (tmp_path / ".smallcode" / "snapshots.db").is_file()
    assert (tmp_path / ".smallcode" / ".gitignore").is_file()


def test_undo_skips_files_changed_since_unless_forced(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("mine")
    s = SnapshotStore.open(tmp_path)
    cid = s.record("a.txt", "write_file")
    f.write_text("agent")
    s.confirm(cid)
    f.write_text("user edited after")
    out = s.undo(1)
    assert out[0].action == "skipped" and "changed since" in out[0].reason
    assert f.read_text() == "user edited after"
    assert s.undo(1, force=True)[0].action == "restored" and f.read_text() == "mine"
    s.close()


def test_discarded_snapshot_is_not_undone(tmp_path: Path) -> None:
    s = SnapshotStore.open(tmp_path)
    cid = s.record("x.txt", "write_file")
    s.discard(cid)
    assert s.history() == [] and s.undo() == []
    s.close()


def test_undo_text_for_the_repl(tmp_path: Path) -> None:
    assert undo_text(tmp_path) == "Nothing to undo."
    assert history_text(tmp_path) == "No changes recorded."
    assert not (tmp_path / ".smallcode").exists()  # asking does not create the store
    s = SnapshotStore.open(tmp_path)
    cid = s.record("n.txt", "write_file")
    (tmp_path / "n.txt").write_text("x")
    s.confirm(cid)
    s.close()
    assert "write_file created n.txt" in history_text(tmp_path)
    assert undo_text(tmp_path, 1) == "deleted n.txt (write_file undone)"
    assert not (tmp_path / "n.txt").exists()


def test_validation_rules() -> None:
    assert validation_error("a.py", "def f(:\n") is not None
    assert validation_error("a.py", "def f():\n    return 1\n") is None
    assert validation_error("a.json", '{"a": }') is not None
    assert validation_error("a.toml", "a = [") is not None
    assert validation_error("a.txt", "anything {") is None


def test_agent_writes_are_snapshotted_and_undoable(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    (project / "a.py").write_text("x = 1\n")
    r = run_agent(
        script(
            [
                tool("read_file", path="a.py"),
                tool("patch", path="a.py", old_str="x = 1", new_str="x = 2"),
                tool("write_file", path="b.py", content="y = 1\n"),
                tool("patch", path="a.py", old_str="nope", new_str="z"),  # fails: no snapshot kept
                text("done"),
            ]
        )
    )
    assert r.result.success
    lines = history_text(project).splitlines()
    assert len(lines) == 2 and "b.py" in lines[0] and "a.py" in lines[1]
    assert undo_text(project, 2) == "deleted b.py (write_file undone)\nrestored a.py (patch undone)"
    assert (project / "a.py").read_text() == "x = 1\n" and not (project / "b.py").exists()


def test_auto_rollback_of_a_patch_that_breaks_python(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    good = "def f():\n    return 1\n"
    (project / "m.py").write_text(good)
    r = run_agent(
        script(
            [
                tool("read_file", path="m.py"),
                tool("patch", path="m.py", old_str="    return 1", new_str="    return (1"),
                tool("patch", path="m.py", old_str="    return 1", new_str="    return 2"),
                text("done"),
            ]
        ),
        snapshot_auto_rollback=True,
    )
    assert r.result.success
    note = [m["content"] for m in r.requests[2]["messages"] if m["role"] == "tool"][-1]
    assert "ROLLED BACK" in note and "SyntaxError" in note
    assert (project / "m.py").read_text() == "def f():\n    return 2\n"


def test_auto_rollback_removes_a_broken_new_file_and_is_off_by_default(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    steps = [tool("write_file", path="cfg.json", content='{"a": 1,'), text("done")]
    r = run_agent(script(steps), snapshot_auto_rollback=True)
    assert not (project / "cfg.json").exists() and r.result.files_created == []
    r2 = run_agent(script(steps))
    assert (project / "cfg.json").read_text() == '{"a": 1,'
    assert r2.result.files_created == ["cfg.json"]


def test_snapshots_can_be_switched_off(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    run_agent(script([tool("write_file", path="n.txt", content="x"), text("ok")]), snapshot=False)
    assert undo_text(project) == "Nothing to undo."
