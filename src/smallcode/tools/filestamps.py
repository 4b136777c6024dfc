"""What the model last saw of each file (mtime, size, hash, text), to notice outside changes.

``write_file`` refuses to overwrite a file that changed on disk since the model last read or
wrote it (the user edited it meanwhile): it shows what changed and asks for a fresh read.
``patch`` re-reads the file anyway and is not affected. After a ``bash`` call the model may
have changed files itself, so the stamps are dropped then.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from smallcode.tools.registry import ToolContext
from smallcode.tools.textfile import sha256

KEY = "file_stamps"
KEEP_TEXT_CHARS = 400_000


@dataclass
class Stamp:
    mtime_ns: int
    size: int
    sha: str | None  # None: only part of a large file was read
    text: str | None = None  # what the model saw (for showing a diff), when not too large


def _stamps(ctx: ToolContext) -> dict[str, Stamp]:
    stamps = ctx.extras.get(KEY)
    if not isinstance(stamps, dict):
        stamps = ctx.extras[KEY] = {}
        ctx.events.on("tool_end", lambda e: _after_tool(ctx, e.data))
    return stamps


def _after_tool(ctx: ToolContext, data: dict[str, object]) -> None:
    if data.get("name") == "bash":
        ctx.extras.get(KEY, {}).clear()


def note_seen(ctx: ToolContext, target: Path, data: bytes | None, text: str | None) -> None:
    """The model has seen (or written) ``target`` as ``data`` (None: only a part of it)."""
    try:
        st = target.stat()
    except OSError:
        return
    keep = text if text is not None and len(text) <= KEEP_TEXT_CHARS else None
    sha = sha256(data) if data is not None else None
    _stamps(ctx)[ctx.rel(target)] = Stamp(st.st_mtime_ns, st.st_size, sha, keep)


def forget(ctx: ToolContext, target: Path) -> None:
    _stamps(ctx).pop(ctx.rel(target), None)


def changed_since_seen(ctx: ToolContext, target: Path, data: bytes, text: str | None) -> str:
    """Empty when ``target`` (now ``data``) is as the model last saw it, or it never saw it;
    else a refusal that says what changed."""
    stamp = _stamps(ctx).get(ctx.rel(target))
    if stamp is None:
        return ""
    try:
        st = target.stat()
    except OSError:
        return ""
    if st.st_mtime_ns == stamp.mtime_ns and st.st_size == stamp.size:
        return ""
    if stamp.sha is not None and sha256(data) == stamp.sha:
        stamp.mtime_ns = st.st_mtime_ns  # touched, not changed
        return ""
    if stamp.sha is None and st.st_size == stamp.size:
        return ""
    rel = ctx.rel(target)
    return (
        f"{rel} changed on disk since you last read it (edited by the user or another program "
        f"meanwhile), so it was not overwritten. {_what_changed(stamp, text, st.st_size)}\n"
        f"Read {rel} again with read_file and apply your change to its current content "
        "(patch changes only the lines you name)."
    )


def _what_changed(stamp: Stamp, text: str | None, size: int) -> str:
    if stamp.text is None or text is None:
        return f"Its size went from {stamp.size} to {size} bytes."
    diff = list(
        difflib.unified_diff(
            stamp.text.splitlines(),
            text.splitlines(),
            "as you read it",
            "on disk now",
            n=1,
            lineterm="",
        )
    )
    if len(diff) > 40:
        diff = [*diff[:40], f"... ({len(diff) - 40} more diff lines)"]
    shown = "\n".join(diff)[:3000] if diff else "(only whitespace or line endings)"
    return f"What changed:\n{shown}"
