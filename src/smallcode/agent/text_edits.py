"""Edits written as text become tool calls.

A small model often answers with the file in a fenced block (its name in a heading, the info
string or a first-line comment), a SEARCH/REPLACE block or a unified diff, and makes no call.
``plan_text_edits`` turns those into ``write_file``/``patch`` calls, so they go through the same
path as real calls: path confinement, guards, snapshots, atomic writes, events and records.

A block without a file name is used only when exactly one target file is known (the task names
one, or this run touched one). Command and output blocks are never files. Where it is unclear,
the plan carries a short note asking for a tool call instead: a path is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from smallcode.errors import SmallCodeError, ToolError
from smallcode.types import ToolCall

if TYPE_CHECKING:
    from smallcode.toolcalls.textedits import TextEdit
    from smallcode.tools.registry import ToolContext

# Paths that only appear in prompt examples; a model that copies them means another file.
EXAMPLE_PATHS = ("path/to/",)
# "   12\tcode" (read_file), "12: code", "12| code", or right-aligned "   12 code" (evidence)
_NUMBERED = re.compile(r"^(?:\s*(\d+)(?:\t|: |\| |:$|\|$)|\s+(\d+)(?: |$))")
_LISTING_HEADER = re.compile(r"^\s*(?:#|//|--|<!--)\s*[\w./-]+\s*\(\d+ lines?\)\s*(?:-->)?\s*$")
_EXT_LANGS = {
    "py": {"python", "py", "python3"},
    "js": {"javascript", "js", "node", "mjs", "cjs"},
    "ts": {"typescript", "ts"},
    "sh": {"bash", "sh", "shell", "zsh"},
    "json": {"json"},
    "md": {"markdown", "md"},
}


@dataclass
class TextEditPlan:
    calls: list[ToolCall] = field(default_factory=list)
    note: str = ""  # ask the model for a tool call (the edits were unclear)
    found: int = 0  # edits recognised in the text


def plan_text_edits(content: str, ctx: ToolContext, targets: list[str]) -> TextEditPlan:
    """Calls for the edits written in ``content``; ``targets`` are the files the task or the
    conversation names (a nameless block is applied only when there is exactly one)."""
    from smallcode.toolcalls.textedits import extract_text_edits

    edits = extract_text_edits(content)
    plan = TextEditPlan(found=len(edits))
    if not edits:
        return plan
    for e in edits:  # "path/to/report.py" copied from the prompt's example: report.py
        if e.path and _is_example(e.path):
            rest = next((e.path[len(p) :] for p in EXAMPLE_PATHS if e.path.startswith(p)), "")
            if rest in targets:
                e.path = rest
    # A named block that only repeats its file changes nothing; nameless ones may be the edit.
    named = [e for e in edits if e.path and not _is_example(e.path) and not _echoes(e, ctx, [])]
    nameless = [
        e for e in edits if (not e.path or _is_example(e.path)) and not _echoes(e, ctx, targets)
    ]
    problems: list[str] = []
    for e in named:
        if e.command_like:
            continue
        call = _to_call(e, e.path or "", ctx, problems)
        if call is not None:
            plan.calls.append(call)
    if nameless and not named:
        chosen = _assign(nameless, targets, lambda t: _target_text(ctx, t))
        for target, block in chosen.items():
            call = _to_call(block, target, ctx, problems)
            if call is not None:
                call.repairs.append(f"file name taken from the task: {target}")
                plan.calls.append(call)
        if not chosen and any(e.kind == "whole" and not e.command_like for e in nameless):
            problems.append(
                "your reply has code but no file name, so nothing was written. Put the "
                "file's path alone on the line just above the code block"
                + (f" (one of: {', '.join(targets[:4])})" if targets else "")
                + ", or call write_file with the path"
            )
    if not plan.calls and not named:
        plan.calls = _command_calls(nameless)
    if problems and not (plan.calls and all(c.name == "bash" for c in plan.calls)):
        # with calls too: the model must hear which of its edits did not apply
        plan.note = "Not applied: " + "; ".join(problems) + "."
    return plan


def _command_calls(edits: list[TextEdit]) -> list[ToolCall]:
    """``bash`` calls for blocks of shell commands that only change project files."""
    from smallcode.toolcalls.textcommands import text_commands

    calls = []
    for e in edits:
        for command in (text_commands(e.content) or []) if e.command_like else []:
            calls.append(
                ToolCall("bash", {"command": command}, repairs=["command written as text"])
            )
    return calls


_SCRIPT_EXTS = {"sh", "bash", "zsh", "ksh"}


def _fits(e: TextEdit, target: str, several: bool) -> bool:
    """Whether a nameless block can be meant for ``target``."""
    ext = PurePosixPath(target).suffix.lstrip(".").lower()
    if e.command_like:  # shell code is a script's content, not a command that runs it
        return ext in _SCRIPT_EXTS and PurePosixPath(target).name not in e.content
    if e.kind != "whole":
        return not several
    if not e.lang:
        return not several
    return e.lang in _EXT_LANGS.get(ext, {ext})


def _assign(
    edits: list[TextEdit], targets: list[str], text_of: Callable[[str], str | None]
) -> dict[str, TextEdit]:
    """The nameless blocks that belong to exactly one target (by its language when the task
    names several files, then by what the block holds), the best block per target: an edit
    block, else the longest."""
    several = len(targets) > 1
    out: dict[str, TextEdit] = {}
    for e in edits:
        fits = [t for t in targets if _fits(e, t, several)]
        if len(fits) > 1 and e.kind == "whole":
            pick = _by_content(e.content, fits, text_of)
            fits = [pick] if pick else fits
        if len(fits) != 1:
            continue
        t = fits[0]
        best = out.get(t)
        if best is None or _rank(e) > _rank(best):
            out[t] = e
    return out


_TEST_DEF = re.compile(
    r"^\s*(?:async\s+)?def\s+test\w*\s*\(|^\s*class\s+Test\w*|^\s*(?:describe|it|test)\(",
    re.M,
)
_OTHER_DEF = re.compile(
    r"^\s*(?:async\s+)?def\s+(?!test)\w+\s*\(|^\s*class\s+(?!Test)\w+|"
    r"^\s*(?:export\s+)?(?:async\s+)?function\s+\w+",
    re.M,
)


def _by_content(
    content: str, targets: list[str], text_of: Callable[[str], str | None]
) -> str | None:
    """Which of several same-language files a nameless whole block is for, from its text:
    the existing file whose lines it mostly holds (a file rewritten with a change), else, for
    a block of only tests or only other code, the one test file or the one other file."""
    from smallcode.agent.intent import is_test_file

    block = set(_lines(content))
    shares = []
    for t in targets:
        text = text_of(t)
        lines = set(_lines(text)) if text else set()
        if lines:
            shares.append((len(lines & block) / len(lines), t))
    shares.sort(reverse=True)
    if shares and shares[0][0] >= 0.5 and (len(shares) == 1 or shares[1][0] < shares[0][0]):
        return shares[0][1]
    tests, other = _TEST_DEF.search(content), _OTHER_DEF.search(content)
    if bool(tests) == bool(other):
        return None
    side = [t for t in targets if is_test_file(t) == bool(tests)]
    return side[0] if len(side) == 1 else None


def _lines(text: str) -> list[str]:
    """The non-blank lines, without trailing spaces (blank-line changes are not edits)."""
    return [ln.rstrip() for ln in text.splitlines() if ln.strip()]


def _target_text(ctx: ToolContext, name: str) -> str | None:
    try:
        return _current_text(ctx.resolve(name))
    except (SmallCodeError, ToolError, OSError, ValueError):
        return None


def _rank(e: TextEdit) -> tuple[int, int]:
    return (0 if e.kind == "whole" else 1, len(e.content))


def _echoes(e: TextEdit, ctx: ToolContext, targets: list[str]) -> bool:
    """A whole block that only repeats a file as it is, blank lines aside (small models echo
    the file they were shown): not an edit of that file, and not meant for another one."""
    if e.kind != "whole" or not e.content.strip():
        return False
    from smallcode.tools.fsutil import read_text

    body = _lines(strip_line_numbers(e.content))
    for name in {*targets, *([e.path] if e.path else [])}:
        try:
            path = ctx.resolve(name)
            if (
                path.is_file()
                and path.stat().st_size < 1_000_000
                and _lines(read_text(path)) == body
            ):
                return True
        except (SmallCodeError, ToolError, OSError, ValueError):
            continue
    return False


def _is_example(path: str) -> bool:
    return path.startswith(EXAMPLE_PATHS)


def _to_call(e: TextEdit, path: str, ctx: ToolContext, problems: list[str]) -> ToolCall | None:
    try:
        target = ctx.resolve(path)
    except (SmallCodeError, ToolError) as exc:
        problems.append(str(exc))
        return None
    exists = target.is_file()
    if e.kind == "whole":
        content = drop_name_comment(strip_line_numbers(e.content), path, target)
        how = "edit written as text: whole file"
        original = _current_text(target) if exists else None
        if original is not None:
            from smallcode.agent.text_merge import (
                is_excerpt,
                is_markdown,
                merge_markdown_section,
                merge_python_defs,
            )

            merged = merge_markdown_section(original, content) if is_markdown(path) else None
            if merged is None and path.endswith(".py"):
                merged = merge_python_defs(original, content)
            if merged is not None:
                content, how = merged, "edit written as text: one part of the file, merged"
            elif is_excerpt(content, original):
                problems.append(
                    f"the code block for {path} holds only part of the file, and writing it "
                    "would delete the rest. Write the complete file in the block, or give the "
                    "change as a SEARCH/REPLACE block"
                )
                return None
        return ToolCall("write_file", {"path": path, "content": content}, repairs=[how])
    if e.kind == "search_replace":
        if not e.search.strip():
            if exists and target.stat().st_size > 0:
                problems.append(f"the SEARCH part for {path} is empty, but the file exists")
                return None
            return ToolCall(
                "write_file",
                {"path": path, "content": _with_newline(e.replace)},
                repairs=["edit written as text: SEARCH/REPLACE creating the file"],
            )
        return ToolCall(
            "patch",
            {"path": path, "old_str": e.search, "new_str": e.replace},
            repairs=["edit written as text: SEARCH/REPLACE"],
        )
    return _diff_call(e, path, target, exists, ctx, problems)


def _diff_call(
    e: TextEdit, path: str, target: object, exists: bool, ctx: ToolContext, problems: list[str]
) -> ToolCall | None:
    from smallcode.toolcalls.textedits import apply_hunks
    from smallcode.tools.fsutil import read_text

    if e.is_new_file or not exists:
        if exists:
            problems.append(f"the diff creates {path}, but it exists already")
            return None
        lines = [ln for h in e.hunks for ln in h.new_lines]
        return ToolCall(
            "write_file",
            {"path": path, "content": _with_newline("\n".join(lines))},
            repairs=["edit written as text: unified diff creating the file"],
        )
    try:
        original = read_text(target)  # type: ignore[arg-type]
    except (OSError, ValueError) as exc:
        problems.append(f"cannot read {path}: {exc}")
        return None
    new = apply_hunks(original, e.hunks)
    if new is None:
        problems.append(
            f"the diff for {path} does not match the file (every hunk must fit); read_file "
            f"{path} and use patch"
        )
        return None
    # The hunks matched the file exactly, so the model has seen what it replaces.
    ctx.files_read.add(ctx.rel(target))  # type: ignore[arg-type]
    return ToolCall(
        "write_file",
        {"path": path, "content": new},
        repairs=["edit written as text: unified diff"],
    )


def _current_text(target: object) -> str | None:
    from smallcode.tools.fsutil import read_text

    try:
        if target.stat().st_size > 2_000_000:  # type: ignore[attr-defined]
            return None
        return read_text(target)  # type: ignore[arg-type]
    except (OSError, ValueError):
        return None


def strip_line_numbers(content: str) -> str:
    """Remove line numbers a model copied from a numbered listing, and the listing's header.

    Every non-blank line must carry a number, in order (``    7\tcode``, ``7: code``,
    ``7| code``, or right-aligned ``    7 code`` as in read_file results and check evidence).
    A first line that only names the file (``# greet.py (13 lines)``) goes with them.
    """
    lines = content.splitlines()
    body = lines
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and _LISTING_HEADER.match(lines[first]):
        body = lines[first + 1 :]
    numbered = [ln for ln in body if ln.strip()]
    if len(numbered) < 2:
        return content
    nums = []
    for ln in numbered:
        m = _NUMBERED.match(ln)
        if m is None:
            return content
        nums.append(int(m.group(1) or m.group(2)))
    if nums != sorted(nums) or len(set(nums)) != len(nums) or nums[-1] - nums[0] > len(body) + 1:
        return content
    out = [_NUMBERED.sub("", ln, count=1) if ln.strip() else "" for ln in body]
    while out and not out[0].strip():
        out.pop(0)
    return _with_newline("\n".join(out))


_NAME_COMMENT = re.compile(
    r"^\s*(?:#|//|--|<!--|/\*)\s*(?:file(?:name)?:\s*)?(?P<name>[\w./-]+)\s*(?:\(\d+ lines?\))?"
    r"\s*(?:-->|\*/)?\s*$",
    re.I,
)


def drop_name_comment(content: str, path: str, target: object) -> str:
    """Without a first line that only names the file (``# shapes.py``, ``// config.json``):
    models add it to say where the block goes, and it is not part of the file (in JSON it
    would break it). Kept when the file on disk starts with that same line."""
    head, sep, rest = content.partition("\n")
    m = _NAME_COMMENT.match(head)
    if m is None or PurePosixPath(m["name"]).name != PurePosixPath(path).name:
        return content
    try:
        with open(target, encoding="utf-8", errors="replace") as fh:  # type: ignore[call-overload]
            if fh.readline().rstrip("\r\n") == head:
                return content
    except OSError:
        pass
    return rest.lstrip("\n") if sep else content


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"
