"""Search tools: search (ripgrep, with a pure-Python fallback) and find_files (glob)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from smallcode.errors import ToolError
from smallcode.tools.fsutil import project_files, read_text, ripgrep
from smallcode.tools.registry import ToolContext, tool

MAX_MATCHES = 100
MAX_LINE = 300


@tool(read_only=True)
def search(ctx: ToolContext, pattern: str, path: str | None = None) -> str:
    """Search file contents with a regular expression (ripgrep); respects .gitignore.

    Args:
        pattern: Regular expression to look for.
        path: Folder or file to search in (default: the whole project).
    """
    if not pattern:
        raise ToolError("pattern is empty")
    target = ctx.resolve(path or ".", must_exist=True)
    rel_target = ctx.rel(target) if target != ctx.root else "."
    rg = ripgrep()
    lines = _rg_search(rg, pattern, rel_target, ctx.root) if rg else None
    if lines is None:
        lines = _py_search(pattern, target, ctx.root)
    if not lines:
        return f"No matches for {pattern!r}."
    shown = [ln if len(ln) <= MAX_LINE else ln[:MAX_LINE] + "..." for ln in lines[:MAX_MATCHES]]
    more = len(lines) - len(shown)
    tail = f"\n({more} more matches not shown: narrow the pattern or the path)" if more > 0 else ""
    return "\n".join(shown) + tail


def _rg_search(rg: str, pattern: str, target: str, root: Path) -> list[str] | None:
    cmd = [
        rg,
        "--line-number",
        "--no-heading",
        "--color",
        "never",
        "--hidden",
        "--no-require-git",
        "--glob",
        "!.git",
        "--max-columns",
        "400",
        "--max-count",
        "50",
        "-e",
        pattern,
        "--",
        target,
    ]
    try:
        out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode == 2 and "regex" in out.stderr.lower():
        raise ToolError(f"invalid pattern: {out.stderr.strip().splitlines()[-1]}")
    if out.returncode not in (0, 1):
        return None
    return [ln.removeprefix("./") for ln in out.stdout.splitlines()][: MAX_MATCHES * 5]


def _py_search(pattern: str, target: Path, root: Path) -> list[str]:
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise ToolError(f"invalid pattern: {exc}") from None
    if target.is_file():
        files = [target.relative_to(root).as_posix()]
    else:
        prefix = target.relative_to(root).as_posix()
        files = [
            f
            for f in project_files(root)
            if prefix in ("", ".") or f.startswith(prefix.rstrip("/") + "/")
        ]
    hits: list[str] = []
    for rel in files:
        try:
            text = read_text(root / rel)
        except (ValueError, OSError):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if rx.search(line):
                hits.append(f"{rel}:{n}:{line}")
                if len(hits) >= MAX_MATCHES * 5:
                    return hits
    return hits


@tool(read_only=True)
def find_files(ctx: ToolContext, pattern: str) -> str:
    """Find files by glob pattern (e.g. '**/*.py', 'src/*config*'); respects .gitignore.

    Args:
        pattern: Glob pattern relative to the project root.
    """
    import pathspec

    pat = pattern.strip().removeprefix("./") or "*"
    # git's wildmatch: '*' stays within a folder, '**/' spans folders (or none), and a
    # pattern without '/' matches file names at any depth.
    spec = pathspec.GitIgnoreSpec.from_lines([pat])
    found = [f for f in project_files(ctx.root) if spec.match_file(f)]
    if not found:
        return f"No files match {pattern!r}."
    shown = found[:200]
    more = f"\n({len(found) - 200} more not shown)" if len(found) > 200 else ""
    return "\n".join(shown) + more
