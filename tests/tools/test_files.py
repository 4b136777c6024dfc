from __future__ import annotations

import os
from pathlib import Path

import pytest

from smallcode.errors import PathEscapeError, ToolError
from smallcode.tools.files import patch, read_file, write_file
from smallcode.tools.registry import ToolContext, ToolRegistry


def test_write_creates_parents_and_records(ctx: ToolContext) -> None:
    out = write_file(ctx, "pkg/sub/mod.py", "x = 1\ny = 2\n")
    assert "Created pkg/sub/mod.py (2 lines)" in out
    assert (ctx.root / "pkg/sub/mod.py").read_text() == "x = 1\ny = 2\n"
    assert ctx.files_created == {"pkg/sub/mod.py"}
    write_file(ctx, "pkg/sub/mod.py", "x = 3\n")
    assert ctx.files_edited == set()  # created in this session: still "created"


def test_write_is_atomic_and_keeps_mode(ctx: ToolContext) -> None:
    target = ctx.root / "run.sh"
    target.write_text("echo old\n")
    os.chmod(target, 0o755)
    write_file(ctx, "run.sh", "echo new\n")
    assert target.read_text() == "echo new\n"
    assert target.stat().st_mode & 0o777 == 0o755
    assert not [p for p in ctx.root.iterdir() if p.name.endswith(".tmp")]
    assert ctx.files_edited == {"run.sh"}


def test_read_numbers_lines_and_ranges(ctx: ToolContext) -> None:
    (ctx.root / "a.txt").write_text("".join(f"line {i}\n" for i in range(1, 11)))
    full = read_file(ctx, "a.txt")
    assert full.splitlines()[0] == "    1\tline 1"
    assert len(full.splitlines()) == 10
    part = read_file(ctx, "a.txt", start_line=3, end_line=4)
    assert part.splitlines() == ["a.txt lines 3-4 of 10:", "    3\tline 3", "    4\tline 4"]
    assert "a.txt" in ctx.files_read


def test_read_errors(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="file not found"):
        read_file(ctx, "missing.py")
    (ctx.root / "bin.dat").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ToolError, match="binary"):
        read_file(ctx, "bin.dat")
    (ctx.root / "d").mkdir()
    with pytest.raises(ToolError, match="directory"):
        read_file(ctx, "d")


def test_patch_exact_unique(ctx: ToolContext) -> None:
    (ctx.root / "m.py").write_text("def f():\n    return 1\n\ndef g():\n    return 2\n")
    out = patch(ctx, "m.py", "    return 2", "    return 3")
    assert "Patched m.py at line 5" in out
    assert (ctx.root / "m.py").read_text().endswith("return 3\n")
    assert ctx.files_edited == {"m.py"}


def test_patch_ambiguous_changes_nothing(ctx: ToolContext) -> None:
    original = "a = 1\nb = 1\na = 1\n"
    (ctx.root / "m.py").write_text(original)
    with pytest.raises(ToolError, match=r"matches 2 places \(lines 1, 3\)"):
        patch(ctx, "m.py", "a = 1", "a = 2")
    assert (ctx.root / "m.py").read_text() == original


def test_patch_missing_shows_nearest_text(ctx: ToolContext) -> None:
    original = "".join(f"value_{i} = {i}\n" for i in range(50))
    original += "def compute_total(items):\n    return sum(items)\n"
    (ctx.root / "m.py").write_text(original)
    with pytest.raises(ToolError) as err:
        patch(ctx, "m.py", "def compute_totals(items):\n  return sum(item)", "x")
    msg = str(err.value)
    assert "not found" in msg
    assert "   51\tdef compute_total(items):" in msg
    assert (ctx.root / "m.py").read_text() == original


def test_path_escapes_are_refused(ctx: ToolContext, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    for bad in ("../outside.txt", str(outside), "sub/../../outside.txt"):
        with pytest.raises(PathEscapeError, match="outside the project root"):
            read_file(ctx, bad)
        with pytest.raises(PathEscapeError):
            write_file(ctx, bad, "x")
    (ctx.root / "link").symlink_to(tmp_path)
    with pytest.raises(PathEscapeError):
        write_file(ctx, "link/outside.txt", "overwritten")
    assert outside.read_text() == "secret"


def test_registry_errors_are_results(ctx: ToolContext, registry: ToolRegistry) -> None:
    res = registry.call("nope", {}, ctx)
    assert not res.ok and "Valid tools: read_file, write_file, patch" in res.output
    res = registry.call("read_file", {}, ctx)
    assert not res.ok and "missing required argument(s): path" in res.output
    res = registry.call("read_file", {"path": "x", "bogus": 1}, ctx)
    assert not res.ok and "unknown argument(s): bogus" in res.output


def test_schemas_come_from_signatures(registry: ToolRegistry) -> None:
    schemas = {s["function"]["name"]: s["function"] for s in registry.schemas()}
    assert set(schemas) == {"read_file", "write_file", "patch", "bash", "search", "find_files"}
    rf = schemas["read_file"]
    assert rf["parameters"]["required"] == ["path"]
    assert rf["parameters"]["properties"]["start_line"]["type"] == "integer"
    assert "relative to the project root" in rf["parameters"]["properties"]["path"]["description"]
    assert rf["description"].startswith("Read a text file")


def test_new_files_get_the_umask_default_mode(ctx: ToolContext) -> None:
    old = os.umask(0o022)
    try:
        write_file(ctx, "new.py", "x = 1\n")
    finally:
        os.umask(old)
    assert (ctx.root / "new.py").stat().st_mode & 0o777 == 0o644


def test_identical_rewrite_is_reported_unchanged(ctx: ToolContext) -> None:
    write_file(ctx, "same.txt", "abc\n")
    assert "already has exactly this content" in write_file(ctx, "same.txt", "abc\n")
