"""BoneScript: ``bone_check(path)`` and ``bone_compile(path, target)``, an adapter to the real
compiler (the npm package ``bonescript-compiler``, CLI ``bonec``). SmallCode has no BoneScript
compiler of its own: these tools run ``bonec check FILE`` and ``bonec compile FILE --target
T`` and report what the compiler said (its output and exit code) and which files appeared or
changed next to the .bone file while it ran. Nothing more is claimed.

The compiler is looked for as ``bonec`` on PATH, in the project's ``node_modules/.bin``, or
through ``npx --no-install bonescript-compiler``. The tools are offered only when the project
has a .bone file and the compiler is found; a .bone file the model writes is then checked
right after (agent/bone_guard.py), and without a compiler the model is told once that it was
not checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from smallcode.errors import ToolError
from smallcode.tools.registry import Tool, ToolContext, tool

CHECK_TIMEOUT_S = 30.0
COMPILE_TIMEOUT_S = 120.0
OUTPUT_CHARS = 2000
TARGETS = ("express", "nakama", "prisma", "sqlite")
_found: dict[str, list[str] | None] = {}


def find_compiler(root: Path) -> list[str] | None:
    """The command that runs the compiler (argv prefix), or None. Looked up once per root."""
    key = str(Path(root).resolve())
    if key in _found:
        return _found[key]
    cmd: list[str] | None = None
    on_path = shutil.which("bonec")
    local = Path(root) / "node_modules" / ".bin" / "bonec"
    if on_path:
        cmd = [on_path]
    elif local.is_file() and os.access(local, os.X_OK):
        cmd = [str(local)]
    elif shutil.which("npx"):
        probe = ["npx", "--no-install", "bonescript-compiler", "--help"]
        try:
            done = subprocess.run(
                probe, cwd=root, capture_output=True, timeout=20, stdin=subprocess.DEVNULL
            )
            if done.returncode == 0:
                cmd = probe[:3]
        except (OSError, subprocess.TimeoutExpired):
            pass
    _found[key] = cmd
    return cmd


def forget_compiler() -> None:
    """Look again next time (tests, or after an install)."""
    _found.clear()


def bone_files(root: Path, limit: int = 5) -> list[str]:
    from smallcode.tools.fsutil import project_files

    return [f for f in project_files(root, limit=20_000) if f.endswith(".bone")][:limit]


def bone_tools(root: Path) -> tuple[list[Tool], str]:
    """(the tools to offer, a note when the project has .bone files but no compiler)."""
    if not bone_files(root, 1):
        return [], ""
    if find_compiler(root) is None:
        return [], NO_COMPILER
    return [bone_check.__tool__, bone_compile.__tool__], ""


NO_COMPILER = (
    "no BoneScript compiler installed (bonec: npm install -g bonescript-compiler), so .bone "
    "files are not checked"
)


def run_compiler(ctx: ToolContext, args: list[str], timeout: float) -> tuple[str, int | None, bool]:
    """(output, exit code or None, timed out) of the compiler run in the project folder."""
    from smallcode.tools.shellproc import run_oneshot, shell_env

    cmd = find_compiler(ctx.root)
    if cmd is None:
        raise ToolError(NO_COMPILER)
    keep = getattr(ctx.settings, "shell_env_keep", "")
    return run_oneshot("", ctx.root, timeout, shell_env(keep), ctx.sandbox, argv=[*cmd, *args])


def _bone_path(ctx: ToolContext, path: str) -> Path:
    target = ctx.resolve(path, must_exist=True)
    if target.suffix != ".bone":
        raise ToolError(f"{path} is not a .bone file")
    return target


def check_file(ctx: ToolContext, path: str) -> str:
    target = _bone_path(ctx, path)
    output, code, timed_out = run_compiler(ctx, ["check", str(target)], CHECK_TIMEOUT_S)
    if timed_out:
        raise ToolError(f"bonec check {path} did not finish within {CHECK_TIMEOUT_S:g} s")
    verdict = "no errors" if code == 0 else "errors found"
    text = output.strip()[:OUTPUT_CHARS] or "(no output)"
    return f"bonec check {ctx.rel(target)}: {verdict} (exit {code})\n{text}"


@tool(read_only=True, core=False)
def bone_check(ctx: ToolContext, path: str) -> str:
    """Check a .bone file with the BoneScript compiler; returns its diagnostics.

    Args:
        path: The .bone file.
    """
    return check_file(ctx, path)


@tool(core=False)
def bone_compile(
    ctx: ToolContext,
    path: str,
    target: Literal["express", "nakama", "prisma", "sqlite"] = "express",
) -> str:
    """Compile a .bone file with the BoneScript compiler; returns what it generated.

    Args:
        path: The .bone file.
        target: Output target.
    """
    source = _bone_path(ctx, path)
    if target not in TARGETS:
        raise ToolError(f"target must be one of {', '.join(TARGETS)}")
    before = _stamps(source.parent)
    output, code, timed_out = run_compiler(
        ctx, ["compile", str(source), "--target", target], COMPILE_TIMEOUT_S
    )
    after = _stamps(source.parent)
    created = sorted(ctx.rel(p) for p in after if p not in before)
    changed = sorted(ctx.rel(p) for p, t in after.items() if p in before and before[p] != t)
    ctx.files_created.update(created)
    ctx.files_edited.update(changed)
    head = f"bonec compile {ctx.rel(source)} --target {target}: " + (
        f"stopped after {COMPILE_TIMEOUT_S:g} s" if timed_out else f"exit {code}"
    )
    lines = [head, output.strip()[:OUTPUT_CHARS] or "(no output)"]
    written = created + changed
    if written:
        shown = ", ".join(written[:30]) + (
            f" and {len(written) - 30} more" if len(written) > 30 else ""
        )
        lines.append(f"Files written ({len(created)} new, {len(changed)} changed): {shown}")
    else:
        lines.append("No files were written.")
    return "\n".join(lines)


def _stamps(folder: Path, limit: int = 5000) -> dict[Path, float]:
    """Modification times of the files under ``folder`` (bounded; .git and .smallcode left
    out), to tell what the compiler wrote."""
    out: dict[Path, float] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".smallcode", "node_modules")]
        for name in filenames:
            p = Path(dirpath) / name
            try:
                out[p] = p.stat().st_mtime_ns + 0.0
            except OSError:
                continue
            if len(out) >= limit:
                return out
    return out
