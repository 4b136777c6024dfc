"""File guards: the read guard (reads too large for the window) and the write guard (overwriting
a file the model has not seen)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from smallcode.agent.guards.base import GuardEvent, Intervention
from smallcode.errors import SmallCodeError, ToolError

_DEFS = {
    "py": r"^\s*(?:async\s+def|def|class)\s+\w+",
    "js": r"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum)"
    r"\s+\w+|^\s*(?:export\s+)?(?:const|let|var)\s+\w+\s*=\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*=>"
    r"|^\s+(?:async\s+|static\s+|public\s+|private\s+)*(?!if\b|for\b|while\b|switch\b|catch\b)"
    r"\w+\s*\([^)]*\)\s*\{",
    "go": r"^(?:func|type)\s+",
    "rs": r"^\s*(?:pub(?:\([\w:]+\))?\s+)?(?:async\s+)?(?:fn|struct|enum|trait|impl|mod|type)\b",
    "java": r"^\s*(?:(?:public|private|protected|internal|static|final|abstract|override|open|"
    r"sealed|data)\s+)*(?:class|interface|enum|record|object|fun)\s+\w+"
    r"|^\s+(?:(?:public|private|protected|static|final|abstract|synchronized)\s+)+[\w<>\[\],\s]+"
    r"\s+\w+\s*\(",
    "c": r"^(?!\s)(?!return\b|if\b|else\b)[\w][\w\s\*&:<>,]*[\s\*&]\**[\w:~]+\s*\([^;]*$"
    r"|^(?:struct|class|enum|union|typedef|namespace)\b",
    "rb": r"^\s*(?:def|class|module)\s+",
    "php": r"^\s*(?:(?:public|private|protected|static|abstract|final)\s+)*(?:function|class|"
    r"interface|trait)\s+\w+",
    "md": r"^#{1,6}\s",
    "sh": r"^\s*(?:function\s+\w+|\w+\s*\(\)\s*\{)",
}
_EXT = {
    "py": "py", "pyi": "py", "js": "js", "jsx": "js", "ts": "js", "tsx": "js", "mjs": "js",
    "cjs": "js", "go": "go", "rs": "rs", "java": "java", "kt": "java", "kts": "java",
    "cs": "java", "scala": "java", "swift": "java", "c": "c", "h": "c", "cc": "c", "cpp": "c",
    "hpp": "c", "cxx": "c", "rb": "rb", "php": "php", "md": "md", "markdown": "md", "sh": "sh",
    "bash": "sh",
}  # fmt: skip
_GENERIC = (
    r"^(?:def|class|function|func|fn|struct|interface|type|module|package|sub|proc|impl|trait)\b"
)


def outline(text: str, path: str, max_items: int = 60) -> list[str]:
    """Definition lines of a file, numbered: a map to ask for the right range."""
    kind = _EXT.get(Path(path).suffix.lower().lstrip("."))
    pattern = re.compile(_DEFS[kind] if kind else _GENERIC)
    found: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if len(line) < 300 and pattern.match(line):
            found.append((n, line.rstrip()))
    if len(found) > max_items:
        top = [(n, s) for n, s in found if not s[:1].isspace()]
        found = top if 0 < len(top) <= max_items else found
    items = [f"{n:>5}\t{s[:120]}" for n, s in found[:max_items]]
    if len(found) > max_items:
        items.append(f"      ... ({len(found) - max_items} more definitions)")
    return items


class ReadGuard:
    """A read_file whose result would not fit returns a map instead of a cut-off middle.

    Whole-file reads of a large file get an outline of definitions, the first lines and how to
    ask for a range; a range that is too large is served in the part that fits, with where to
    continue.
    """

    name = "read"

    def __init__(self, limit_chars: Callable[[], int], head_lines: int = 30) -> None:
        self.limit_chars = limit_chars
        self.head_lines = head_lines

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if event.kind != "before_call" or call is None or call.name != "read_file":
            return None
        from smallcode.tools.files import number_lines
        from smallcode.tools.fsutil import read_text

        ctx = event.state.ctx
        path = call.arguments.get("path")
        try:
            resolved = ctx.resolve(str(path), must_exist=True)
            text = read_text(resolved)
        except (SmallCodeError, ToolError, OSError, ValueError):
            return None  # the tool itself reports the error
        lines = text.splitlines()
        total = len(lines)
        try:
            start = max(1, int(call.arguments.get("start_line") or 1))
            end = min(total, int(call.arguments.get("end_line") or total))
        except (TypeError, ValueError):
            return None
        if total == 0 or start > end:
            return None
        limit = self.limit_chars()
        body = number_lines(lines[start - 1 : end], start)
        if len(body) <= limit:
            return None
        avg = max(8, len(body) // max(1, end - start + 1))
        fit = max(10, (limit - 200) // avg)
        ranged = "start_line" in call.arguments or "end_line" in call.arguments
        if ranged:
            stop = min(end, start + fit - 1)
            while stop > start and len(number_lines(lines[start - 1 : stop], start)) > limit - 200:
                stop -= max(1, (stop - start) // 10)
            ctx.files_read.add(ctx.rel(resolved))
            return Intervention(
                "block",
                f"{path} lines {start}-{stop} of {total} (you asked for {start}-{end}; the rest "
                f"does not fit in one result: continue with start_line={stop + 1}):\n"
                + number_lines(lines[start - 1 : stop], start),
                ok=True,
            )
        head = min(self.head_lines, fit)
        defs = outline(text, str(path))
        parts = [
            f"{path} is too large to read at once in this context window ({total} lines, "
            f"~{len(text) // 4} tokens; about {fit} lines fit in one read)."
        ]
        if defs:
            parts.append("Outline (line numbers of definitions):\n" + "\n".join(defs))
        parts.append(f"First {head} lines:\n" + number_lines(lines[:head], 1))
        parts.append(
            f'Read the part you need with read_file(path="{path}", start_line=N, end_line=M), '
            f"at most ~{fit} lines at a time, or use search to find a name."
        )
        message = "\n\n".join(parts)
        if len(message) > limit:  # a huge outline: keep the head of it
            message = message[: limit - 80] + "\n... (outline cut; use search to find names)"
        return Intervention("block", message, ok=True)


class WriteGuard:
    """The first write_file over an existing file the model has not read is blocked once."""

    name = "write"

    def __init__(self) -> None:
        self.warned: set[str] = set()

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if event.kind != "before_call" or call is None or call.name != "write_file":
            return None
        ctx = event.state.ctx
        try:
            target = ctx.resolve(str(call.arguments.get("path")))
        except (SmallCodeError, ToolError, OSError):
            return None
        if not target.is_file():
            return None
        rel = ctx.rel(target)
        if rel in ctx.files_read or rel in ctx.files_created or rel in self.warned:
            return None
        self.warned.add(rel)
        return Intervention(
            "block",
            f"Not written: {rel} already exists and you have not read it, so write_file would "
            f"replace content you have not seen. Read it first (read_file {rel}) and change it "
            "with patch. If you really mean to replace the whole file, call write_file again.",
        )


class ExamplePathGuard:
    """A write to a path from the prompt's examples (``path/to/file.py``) is refused: the model
    copied the example instead of using the file the task is about."""

    name = "example_path"
    PREFIXES = ("path/to/",)

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if event.kind != "before_call" or call is None or call.name not in ("write_file", "patch"):
            return None
        path = str(call.arguments.get("path") or "").strip().lstrip("./")
        if not path.startswith(self.PREFIXES) or "path/to" in event.state.task:
            return None
        meant = _named_file_for(path, event.state.task)
        if meant is not None:  # the example's folders around the very file the task names
            call.arguments["path"] = meant
            call.repairs.append(f"example path {path} taken as {meant}, the file the task names")
            return Intervention(
                "note",
                f"{path} starts with the example folder path/to/ from the instructions; "
                f"used {meant}, the file the task names. Use paths relative to the project root.",
            )
        return Intervention(
            "block",
            f"Not written: {path} is the example path from the instructions, not a file of "
            "this task. Use the path the task names (relative to the project root).",
        )


def _named_file_for(path: str, task: str) -> str | None:
    """The one file the task names whose name ``path`` (an example path) ends with."""
    from smallcode.agent.intent import named_files

    rest = path
    for prefix in ExamplePathGuard.PREFIXES:
        rest = rest.removeprefix(prefix)
    names = named_files(task)
    hits = [n for n in names if n == rest or n.rsplit("/", 1)[-1] == rest.rsplit("/", 1)[-1]]
    return hits[0] if len(hits) == 1 else None


class GoalTestsGuard:
    """When the task is to make existing tests pass, those tests are not to be changed: a
    small model that cannot fix the code otherwise "fixes" the test. A write to a test file
    that existed when the task began is refused, with what to do instead."""

    name = "goal_tests"

    def observe(self, event: GuardEvent) -> Intervention | None:
        call = event.call
        if event.kind != "before_call" or call is None or call.name not in ("write_file", "patch"):
            return None
        check = event.state.completion
        if check is None or not getattr(check, "tests_are_goal", False):
            return None
        ctx = event.state.ctx
        try:
            rel = ctx.rel(ctx.resolve(str(call.arguments.get("path"))))
        except (SmallCodeError, ToolError, OSError):
            return None
        if rel not in check.protected_tests():
            return None
        return Intervention(
            "block",
            f"Not written: {rel} holds the tests this task must make pass, so it stays as it "
            "is. Change the code the tests exercise instead.",
        )


class FileToCreateGuard:
    """Reading or patching a file the task asks to create, before it exists: small models
    keep trying to read it. The failed call's result says that the file is to be written."""

    name = "file_to_create"

    def observe(self, event: GuardEvent) -> Intervention | None:
        call, result = event.call, event.result
        if (
            event.kind != "after_call"
            or call is None
            or result is None
            or result.ok
            or call.name not in ("read_file", "patch")
            or "not found" not in result.output
        ):
            return None
        check = event.state.completion
        path = str(call.arguments.get("path") or "").strip().removeprefix("./")
        if check is None or path not in getattr(check, "must_exist", ()):
            return None
        return Intervention(
            "note",
            f"{path} does not exist yet: the task asks you to create it. Write the whole file "
            "now (write_file, or its path on a line and the content in a fenced code block).",
        )
