"""File tools: read_file, write_file, patch. Writes are atomic; a failed patch changes nothing.

Files keep their encoding, line endings and final newline (tools/textfile.py); a file that
cannot be decoded faithfully, or a binary one, is refused with the reason. ``write_file``
refuses to overwrite a file changed on disk since the model last saw it (tools/filestamps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smallcode.errors import ToolError
from smallcode.tools import filestamps
from smallcode.tools.edit_match import PatchMismatch, locate
from smallcode.tools.fsutil import atomic_write, read_text
from smallcode.tools.registry import ToolContext, tool
from smallcode.tools.textfile import (
    MAX_TEXT_BYTES,
    NotText,
    TextFile,
    decode,
    is_binary,
    load_text,
    read_line_range,
    too_large,
)


def number_lines(lines: list[str], first: int) -> str:
    return "\n".join(f"{n:>5}\t{line}" for n, line in enumerate(lines, start=first))


def _load(ctx: ToolContext, path: str) -> tuple[Path, TextFile]:
    """A file to edit, decoded faithfully (or a ToolError that says why not)."""
    resolved = ctx.resolve(path, must_exist=True)
    if resolved.is_dir():
        raise ToolError(f"{path} is a directory: use find_files to list it")
    try:
        if resolved.stat().st_size > MAX_TEXT_BYTES:
            raise ToolError(f"cannot edit {path}: files over 10 MB are not edited by SmallCode")
        return resolved, load_text(resolved)
    except NotText as exc:
        raise ToolError(f"cannot edit {path}: {exc}") from None
    except ValueError as exc:
        raise ToolError(f"cannot read {path}: {exc}") from None
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None


def _encode(tf: TextFile, raw: str, path: str) -> bytes:
    try:
        return tf.encode(raw)
    except ValueError as exc:
        raise ToolError(f"not written to {path}: {exc}") from None


def _write(ctx: ToolContext, target: Path, data: bytes, text: str, path: str, tool: str) -> str:
    """Write a change of ``tool`` and record it: the snapshot hook first, then the write, then
    its stamp is noted (tools/filestamps.py), and it counts as created or edited in this
    session. Returns its path relative to the root."""
    if ctx.before_write is not None:
        ctx.before_write(ctx, target, tool)
    existed = target.exists()
    try:
        atomic_write(target, data, root=ctx.root)
    except OSError as exc:
        raise ToolError(f"cannot write {path}: {exc.strerror or exc}") from None
    filestamps.note_seen(ctx, target, data, text)  # the model knows what it just wrote
    rel = ctx.rel(target)
    if not existed:
        ctx.files_created.add(rel)
    elif rel not in ctx.files_created:
        ctx.files_edited.add(rel)
    return rel


@tool(read_only=True)
def read_file(
    ctx: ToolContext, path: str, start_line: int | None = None, end_line: int | None = None
) -> str:
    """Read a text file; lines are numbered.

    Args:
        path: File path relative to the project root.
        start_line: First line to show (1-based, optional).
        end_line: Last line to show (inclusive, optional).
    """
    resolved = ctx.resolve(path, must_exist=True)
    if resolved.is_dir():
        raise ToolError(f"{path} is a directory: use find_files to list it")
    try:
        size = resolved.stat().st_size
        if size > MAX_TEXT_BYTES:
            if start_line is None and end_line is None:
                raise ToolError(f"cannot read {path} whole: {too_large(resolved, size)}")
            return _read_large(ctx, resolved, path, start_line, end_line)
        data = resolved.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None
    note = ""
    try:
        text = decode(data).text
    except NotText as exc:
        if is_binary(data):
            raise ToolError(f"cannot read {path}: {exc}") from None
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        note = f"(shown with replacement characters: {exc})\n"
    ctx.files_read.add(ctx.rel(resolved))
    filestamps.note_seen(ctx, resolved, data, text)
    lines = text.splitlines()
    total = len(lines)
    if total == 0:
        return f"{path} is empty."
    start = max(1, int(start_line or 1))
    end = min(total, int(end_line or total))
    if start > total:
        raise ToolError(f"{path} has only {total} lines")
    if end < start:
        raise ToolError(f"end_line ({end}) is before start_line ({start})")
    body = number_lines(lines[start - 1 : end], start)
    if start > 1 or end < total:
        return f"{note}{path} lines {start}-{end} of {total}:\n{body}"
    return note + body


def _read_large(
    ctx: ToolContext, resolved: Path, path: str, start_line: int | None, end_line: int | None
) -> str:
    """A line range of a file too large to read whole, streamed to the range."""
    start = max(1, int(start_line or 1))
    end = int(end_line) if end_line else start + 199
    if end < start:
        raise ToolError(f"end_line ({end}) is before start_line ({start})")
    try:
        lines, total = read_line_range(resolved, start, end)
    except NotText as exc:
        raise ToolError(f"cannot read {path}: {exc}") from None
    if start > total:
        raise ToolError(f"{path} has only {total} lines")
    ctx.files_read.add(ctx.rel(resolved))
    filestamps.note_seen(ctx, resolved, None, None)
    end = start + len(lines) - 1
    return f"{path} lines {start}-{end} of {total}:\n{number_lines(lines, start)}"


@tool
def write_file(ctx: ToolContext, path: str, content: str) -> str:
    """Create or overwrite a file with the given content (parent folders are created).

    Args:
        path: File path relative to the project root.
        content: The complete new file content.
    """
    target = ctx.resolve(path)
    if target.is_dir():
        raise ToolError(f"{path} is a directory")
    existed = target.exists()
    old: TextFile | None = None
    if existed:
        old = _existing(ctx, target, path)
        data = _encode(old, old.whole(content), path)
        if data == old.data:
            ctx.files_read.add(ctx.rel(target))
            filestamps.note_seen(ctx, target, data, old.text)
            return (
                f"{path} already has exactly this content (unchanged). If the task is done, "
                "reply with a short summary without calling a tool."
            )
    else:
        data = content.encode("utf-8", errors="surrogatepass")
    remember_original(ctx, target, existed, old.text if old is not None else None)
    rel = _write(ctx, target, data, content, path, "write_file")
    ctx.files_read.add(rel)  # the model knows the whole file: it just wrote it
    verb = "Overwrote" if existed else "Created"
    n = content.count("\n") + (0 if content.endswith("\n") or not content else 1)
    return f"{verb} {path} ({n} lines)."


def _existing(ctx: ToolContext, target: Path, path: str) -> TextFile:
    """The file write_file is about to overwrite: text, unchanged since the model saw it."""
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise ToolError(f"cannot overwrite {path}: files over 10 MB are not edited by SmallCode")
    try:
        old = decode(data)
    except NotText as exc:
        raise ToolError(f"cannot overwrite {path}: {exc}") from None
    stale = filestamps.changed_since_seen(ctx, target, data, old.text)
    if stale:
        raise ToolError(stale)
    return old


def remember_original(
    ctx: ToolContext, target: Path, existed: bool, text: str | None = None
) -> None:
    """Keep a file's text from before its first write in this task (None: it did not exist),
    when someone collects them (the completion check compares against it)."""
    originals = ctx.originals
    if originals is None:
        return
    rel = ctx.rel(target)
    if rel in originals:
        return
    if existed and text is None:
        try:
            text = read_text(target) if target.stat().st_size <= 1_000_000 else None
        except (OSError, ValueError):
            text = None
        if text is None:
            return  # unknown: better no comparison than a wrong one
    originals[rel] = text if existed else None


@tool
def patch(ctx: ToolContext, path: str, old_str: str, new_str: str) -> str:
    """Replace one exact, unique piece of text in a file (search and replace).

    Args:
        path: File path relative to the project root.
        old_str: The exact text to find; it must match exactly one place.
        new_str: The text to put in its place.
    """
    target, tf = _load(ctx, path)
    text = tf.text
    matcher = ctx.patch_locate or locate
    try:
        match = matcher(text, old_str, new_str)
    except PatchMismatch as exc:
        raise ToolError(f"patch not applied to {path}: {exc}") from None
    replacement = new_str if match.replacement is None else match.replacement
    new_text = text[: match.start] + replacement + text[match.end :]
    if new_text == text:
        return f"{path} unchanged: new_str equals the text it replaces."
    data = _encode(tf, tf.splice(match.start, match.end, replacement), path)
    remember_original(ctx, target, True, text)
    _write(ctx, target, data, new_text, path, "patch")
    line = text.count("\n", 0, match.start) + 1
    how = "" if match.strategy == "exact" else f" (matched by {match.strategy})"
    echo = repeated_context(text, match.start, match.end, replacement)
    return f"Patched {path} at line {line}{how}." + (f"\n{echo}" if echo else "")


def repeated_context(text: str, start: int, end: int, replacement: str) -> str:
    """A warning when ``replacement`` repeats the lines just around the replaced text.

    Small models often copy the context they were shown into ``new_str`` (the heading above
    a TODO, the line after it), and the file then holds those lines twice.
    """

    def sig(lines: list[str]) -> list[str]:
        return [ln.strip() for ln in lines if ln.strip()]

    new = sig(replacement.splitlines())
    old = sig(text[start:end].splitlines())
    above = sig(text[:start].splitlines()[-12:])
    below = sig(text[end:].splitlines()[:12])
    found = []
    k = _longest(lambda k: new[:k] == above[-k:] and old[:k] != new[:k], len(new), len(above))
    if k and sum(map(len, new[:k])) >= 8:
        found.append(f"the {k} line(s) just above it ({new[0][:60]!r} ...)")
    k = _longest(lambda k: new[-k:] == below[:k] and old[-k:] != new[-k:], len(new), len(below))
    if k and sum(map(len, new[-k:])) >= 8:
        found.append(f"the {k} line(s) just below it ({new[-k][:60]!r} ...)")
    if not found:
        return ""
    return (
        f"Warning: new_str repeats {' and '.join(found)}, so they are now in the file twice. "
        "If that is not what you meant, patch again to remove the copy."
    )


def _longest(fits: Callable[[int], bool], *sizes: int) -> int:
    return max((k for k in range(1, min(sizes) + 1) if fits(k)), default=0)
