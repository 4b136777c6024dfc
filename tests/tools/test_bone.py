"""bone_check / bone_compile: the adapter to the BoneScript compiler.

THE COMPILER HERE IS A STAND-IN. The real one (npm ``bonescript-compiler``, CLI ``bonec``)
cannot be installed on this machine, so each test writes a small executable named ``bonec``
that behaves like the real CLI's ``check FILE`` and ``compile FILE --target T`` (exit 1 and
``type:`` lines on errors; files written under ``output/``). These tests check the adapter
(finding the compiler, running it, reporting its output, exit code and written files, checking
.bone writes), not BoneScript itself.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from smallcode.config import Settings
from smallcode.tools import bone
from smallcode.tools.registry import ToolContext, ToolRegistry

STAND_IN = """#!{python}
# A stand-in for bonec (bonescript-compiler), written by the test.
import os, sys
cmd, path = sys.argv[1], sys.argv[2]
src = open(path).read()
if cmd == "check":
    if "ERROR" in src:
        print("  type:  E101 at 3:5: unknown type 'Strng'", file=sys.stderr)
        print("x 1 error(s) found.")
        sys.exit(1)
    print("v Check passed (0 errors)")
elif cmd == "compile":
    target = sys.argv[sys.argv.index("--target") + 1] if "--target" in sys.argv else "express"
    out = os.path.join(os.path.dirname(path), "output" if target != "nakama" else "output-nakama")
    os.makedirs(os.path.join(out, "src"), exist_ok=True)
    for name in ("src/index.ts", "src/models.ts", "package.json"):
        with open(os.path.join(out, name), "w") as f:
            f.write("// generated for " + target + "\\n")
    print("v Compilation complete. 3 files written to output/")
"""

SPEC = "system Shop {\n  entity Product {\n    name: string\n  }\n}\n"


@pytest.fixture(autouse=True)
def fresh_lookup() -> Any:
    bone.forget_compiler()
    yield
    bone.forget_compiler()


def install_stand_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "bonec"
    exe.write_text(STAND_IN.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


def ctx_for(root: Path) -> ToolContext:
    return ToolContext(root=root, settings=Settings.load(root, {"sandbox": "off"}, environ={}))


def call(root: Path, name: str, **args: Any) -> tuple[bool, str]:
    reg = ToolRegistry([bone.bone_check.__tool__, bone.bone_compile.__tool__])
    res = reg.call(name, args, ctx_for(root))
    return res.ok, res.output


def test_tools_only_with_a_bone_file_and_a_compiler(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert bone.bone_tools(tmp_path) == ([], "")  # no .bone file: nothing, not even a lookup
    (tmp_path / "shop.bone").write_text(SPEC)
    tools, note = bone.bone_tools(tmp_path)
    assert tools == [] and "no BoneScript compiler installed" in note
    bone.forget_compiler()
    install_stand_in(tmp_path / "node_modules" / ".bin")  # found in the project's node_modules
    tools, note = bone.bone_tools(tmp_path)
    assert [t.name for t in tools] == ["bone_check", "bone_compile"] and note == ""
    assert bone.find_compiler(tmp_path) == [str(tmp_path / "node_modules" / ".bin" / "bonec")]


def test_check_returns_the_compilers_diagnostics(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    install_stand_in(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "shop.bone").write_text(SPEC)
    ok, out = call(tmp_path, "bone_check", path="shop.bone")
    assert ok and out.startswith("bonec check shop.bone: no errors (exit 0)")
    assert "Check passed" in out
    (tmp_path / "bad.bone").write_text(SPEC.replace("string", "Strng") + "ERROR\n")
    ok, out = call(tmp_path, "bone_check", path="bad.bone")
    assert ok and "errors found (exit 1)" in out and "E101 at 3:5" in out
    ok, out = call(tmp_path, "bone_check", path="notes.txt")
    assert not ok and "file not found" in out


def test_compile_reports_what_it_generated(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    install_stand_in(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "shop.bone").write_text(SPEC)
    ok, out = call(tmp_path, "bone_compile", path="shop.bone", target="prisma")
    assert ok and "bonec compile shop.bone --target prisma: exit 0" in out
    assert "Files written (3 new, 0 changed): output/package.json, output/src/index.ts" in out
    assert (tmp_path / "output" / "src" / "index.ts").read_text() == "// generated for prisma\n"
    ok, out = call(tmp_path, "bone_compile", path="shop.bone", target="rails")
    assert not ok and "express" in out  # the schema's enum names the targets


def test_bone_writes_are_checked_after_writing(tmp_path, monkeypatch, fake_server):
    """The model writes a .bone file: the stand-in compiler's diagnostics follow the write."""
    from smallcode import SmallCode
    from tests.fakes.openai_server import script, text, tool

    bin_dir = tmp_path / "bin"
    install_stand_in(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "shop.bone").write_text(SPEC)
    srv = fake_server(
        script(
            [
                tool("write_file", path="orders.bone", content=SPEC + "ERROR\n"),
                text("Wrote orders.bone."),
            ]
        )
    )
    with SmallCode(model="fake", base_url=srv.base_url, cwd=root, sandbox="off") as sc:
        sc.run("add an orders spec in orders.bone")
        offered = [t["function"]["name"] for t in srv.requests[0]["tools"]]
    assert "bone_check" in offered and "bone_compile" in offered
    result_msg = srv.requests[1]["messages"][-1]["content"]
    assert "bonec check orders.bone: errors found (exit 1)" in result_msg


def test_without_a_compiler_a_bone_write_says_so_once(tmp_path, monkeypatch, fake_server):
    from smallcode import SmallCode
    from tests.fakes.openai_server import script, text, tool

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    srv = fake_server(
        script(
            [
                tool("write_file", path="a.bone", content=SPEC),
                tool("write_file", path="b.bone", content=SPEC),
                text("Wrote both."),
            ]
        )
    )
    with SmallCode(model="fake", base_url=srv.base_url, cwd=tmp_path, sandbox="off") as sc:
        sc.run("write a.bone and b.bone")
    offered = [t["function"]["name"] for t in srv.requests[0]["tools"]]
    assert "bone_check" not in offered
    first, second = (srv.requests[i]["messages"][-1]["content"] for i in (1, 2))
    assert "a.bone was not checked: no BoneScript compiler installed" in first
    assert "not checked" not in second
