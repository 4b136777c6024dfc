"""Small text helpers shared by the checkers and the test-result parsers."""

from __future__ import annotations

import re
from pathlib import Path

# CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks), lone ESC + char.
_ANSI = re.compile(r"\x1b\[[0-9;:?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_ERRORISH = re.compile(
    r"(?i)(\berror\b|exception|traceback|cannot |can't |could not|not found|no such|"
    r"unexpected|invalid|failed|panicked)"
)


def strip_ansi(text: str) -> str:
    """Remove terminal escapes and resolve carriage-return progress lines."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    if "\r" in text:
        text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    return text


def clip(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` chars, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    return text[: limit - 1].rstrip() + "…"


def tail_lines(text: str, lines: int = 40, chars: int = 3000) -> str:
    """The last ``lines`` non-trailing lines of ``text``, at most ``chars`` characters."""
    rows = text.rstrip("\n").split("\n")[-lines:]
    out = "\n".join(rows).strip("\n")
    if len(out) > chars:
        out = "…" + out[-(chars - 1) :]
    return out


def first_lines(text: str, count: int, width: int = 200) -> list[str]:
    """The first ``count`` non-blank lines, each cut to ``width`` chars."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            out.append(clip(line.rstrip(), width))
            if len(out) >= count:
                break
    return out


def error_lines(text: str, count: int = 6, width: int = 200) -> list[str]:
    """The first lines that look like an error, with the line after each for context."""
    rows = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(rows) and len(out) < count:
        if _ERRORISH.search(rows[i]) and rows[i].strip():
            out.append(clip(rows[i].rstrip(), width))
            if i + 1 < len(rows) and rows[i + 1].strip() and len(out) < count:
                out.append(clip(rows[i + 1].rstrip(), width))
                i += 1
        i += 1
    return out


def relpath(path: str, root: Path) -> str:
    """``path`` relative to ``root`` when it lies inside it (``file://`` URLs accepted)."""
    if path.startswith("file://"):
        path = path[len("file://") :]
    if not path.startswith("/"):
        return path.removeprefix("./")
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        try:
            return str(Path(path).resolve().relative_to(root.resolve()))
        except (ValueError, OSError):
            return path
