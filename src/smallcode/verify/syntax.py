"""Fast syntax checks of single files: in-process for Python/JSON/TOML/YAML, a subprocess for
JavaScript (``node --check``) and shell scripts (``bash -n``).

Every check returns a :class:`CheckOutcome` and never raises: a checker that is missing or
crashes gives a *skipped* outcome (``ok=True``) whose evidence says why.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from smallcode.verify.textutil import clip, relpath, strip_ansi

EVIDENCE_LIMIT = 600
MAX_FILE_BYTES = 5_000_000

_EXT_CHECKERS = {
    ".py": "python",
    ".pyw": "python",
    ".json": "json",
    ".jsonc": "json",
    ".ipynb": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".js": "node",
    ".mjs": "node",
    ".cjs": "node",
    ".sh": "bash",
    ".bash": "bash",
}
_SHEBANG = re.compile(r"^#!\s*(?:/usr/bin/env\s+(?:-\S+\s+)*)?(?:\S*/)?(\w+)")
# JSON files that editors and tools read as JSON with comments.
_JSONC_NAMES = re.compile(
    r"(^|/)(tsconfig[^/]*|jsconfig[^/]*|\.eslintrc|devcontainer|\.devcontainer|"
    r"settings|launch|tasks|extensions|keybindings|\.babelrc|\.swcrc)\.json$|\.jsonc$"
)


@dataclass
class CheckOutcome:
    name: str  # "syntax", "exists", "tests", "lint", ...
    target: str  # the file (relative path) or command it was about
    ok: bool
    skipped: bool = False  # no checker available: ok=True, skipped=True, evidence says why
    command: str = ""  # the command run, "" for in-process checks
    exit_code: int | None = None
    evidence: str = ""  # first error lines, <= 600 chars, with file:line where possible
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def checker_for(path: str, head: str | None = None) -> str | None:
    """The checker for ``path``: "python", "json", "toml", "yaml", "node", "bash" or None.

    ``head`` (the file's first line) lets a file without a known extension be recognised by
    its shebang (``#!/bin/bash``, ``#!/usr/bin/env python3``).
    """
    suffix = Path(path).suffix.lower()
    if suffix in _EXT_CHECKERS:
        return _EXT_CHECKERS[suffix]
    if head and head.startswith("#!"):
        m = _SHEBANG.match(head)
        prog = m.group(1) if m else ""
        if prog in ("bash", "sh"):
            return "bash"
        if prog.startswith("python"):
            return "python"
        if prog == "node":
            return "node"
    return None


def check_files_syntax(
    root: Path, rels: Iterable[str], *, timeout: float = 20.0
) -> list[CheckOutcome]:
    """Check each file once; files that no longer exist or have no checker are left out."""
    outcomes: list[CheckOutcome] = []
    seen: set[str] = set()
    for rel in rels:
        if rel in seen:
            continue
        seen.add(rel)
        outcome = check_file_syntax(root, rel, timeout=timeout)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def check_file_syntax(root: Path, rel: str, *, timeout: float = 20.0) -> CheckOutcome | None:
    """Check one file; None when it does not exist or no checker applies."""
    root = Path(root)
    path = Path(rel) if Path(rel).is_absolute() else root / rel
    if not path.is_file():
        return None
    rel = relpath(str(path), root) if Path(rel).is_absolute() else rel
    start = time.monotonic()
    try:
        outcome = _check(root, rel, path, timeout)
    except Exception as exc:  # a checker bug must never break the caller
        outcome = _skipped(rel, f"checker crashed: {type(exc).__name__}: {exc}")
    if outcome is not None:
        outcome.duration_s = round(time.monotonic() - start, 4)
        outcome.evidence = clip(outcome.evidence, EVIDENCE_LIMIT)
    return outcome


def _check(root: Path, rel: str, path: Path, timeout: float) -> CheckOutcome | None:
    kind = checker_for(rel)
    if kind is None:
        kind = checker_for(rel, _first_line(path))
        if kind is None:
            return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return _skipped(rel, f"file too large to check ({size} bytes)")
    if kind == "node":
        return _check_node(root, rel, path, timeout)
    if kind == "bash":
        return _check_bash(root, rel, timeout)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _failed(rel, f"{rel}:{line}: UnicodeDecodeError: not valid UTF-8 ({exc.reason})")
    if kind == "python":
        return _check_python(rel, text)
    if kind == "json":
        return _check_json(rel, text)
    if kind == "toml":
        return _check_toml(rel, text)
    return _check_yaml(rel, text)


def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return fh.readline(200).decode("utf-8", "replace")
    except OSError:
        return ""


def _ok(rel: str, command: str = "", exit_code: int | None = None) -> CheckOutcome:
    return CheckOutcome("syntax", rel, ok=True, command=command, exit_code=exit_code)


def _failed(
    rel: str, evidence: str, command: str = "", exit_code: int | None = None
) -> CheckOutcome:
    return CheckOutcome(
        "syntax", rel, ok=False, command=command, exit_code=exit_code, evidence=evidence
    )


def _skipped(rel: str, why: str, command: str = "") -> CheckOutcome:
    return CheckOutcome("syntax", rel, ok=True, skipped=True, command=command, evidence=why)


def _pointer(text: str, line: int, col: int) -> str:
    """The offending source line and a caret under column ``col`` (1-based)."""
    rows = text.split("\n")
    if not 1 <= line <= len(rows):
        return ""
    raw = rows[line - 1].rstrip("\r").expandtabs(1)
    code = raw.lstrip()
    if not code:
        return ""
    indent = len(raw) - len(code)
    caret = max(0, min(col - 1 - indent, len(code))) if col > 0 else 0
    return f"\n    {clip(code, 200)}\n    {' ' * min(caret, 200)}^"


def _check_python(rel: str, text: str) -> CheckOutcome:
    try:
        compile(text, rel, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line = exc.lineno or 0
        where = f"{rel}:{line}" if line else rel
        msg = f"{where}: {type(exc).__name__}: {exc.msg}"
        if line:
            msg += _pointer(text, line, exc.offset or 0)
        return _failed(rel, msg)
    except (ValueError, TypeError) as exc:  # e.g. null bytes in the source (3.11)
        return _failed(rel, f"{rel}: SyntaxError: {exc}")
    except (RecursionError, MemoryError) as exc:
        return _skipped(rel, f"python compile gave up: {type(exc).__name__}")
    return _ok(rel)


def _strip_jsonc(text: str) -> str:
    """Drop // and /* */ comments (outside strings) and trailing commas."""
    out: list[str] = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        ch = text[i]
        if in_str:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end
            continue
        else:
            out.append(ch)
        i += 1
    return re.sub(r",(\s*[}\]])", r" \1", "".join(out))


def _check_json(rel: str, text: str) -> CheckOutcome:
    source = _strip_jsonc(text) if _JSONC_NAMES.search(rel) else text
    try:
        json.loads(source)
    except json.JSONDecodeError as exc:
        msg = f"{rel}:{exc.lineno}:{exc.colno}: JSONDecodeError: {exc.msg}"
        return _failed(rel, msg + _pointer(text, exc.lineno, exc.colno))
    except RecursionError:
        return _skipped(rel, "json parser gave up: nested too deeply")
    return _ok(rel)


def _check_toml(rel: str, text: str) -> CheckOutcome:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            msg = f"{rel}:{line}:{col}: TOMLDecodeError: {exc}" + _pointer(text, line, col)
        else:
            msg = f"{rel}: TOMLDecodeError: {exc}"
        return _failed(rel, msg)
    return _ok(rel)


def _yaml_loader() -> type:
    import yaml

    class TolerantLoader(yaml.SafeLoader):
        """SafeLoader that accepts any tag (``!Ref``, ``!!python/...``): we check syntax only."""

    def _any_tag(loader: Any, suffix: str, node: Any) -> None:
        return None

    TolerantLoader.add_multi_constructor("!", _any_tag)
    TolerantLoader.add_multi_constructor("tag:", _any_tag)
    return TolerantLoader


def _check_yaml(rel: str, text: str) -> CheckOutcome:
    try:
        import yaml
    except ImportError:
        return _skipped(rel, "PyYAML is not installed")
    if "{{" in text and "}}" in text:
        return _skipped(rel, "template placeholders ({{ }}): not plain YAML")
    try:
        for _ in yaml.load_all(text, Loader=_yaml_loader()):
            pass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        context = getattr(exc, "context", None)
        detail = f"{context}: {problem}" if context and problem else str(problem)
        if mark is not None:
            line, col = mark.line + 1, mark.column + 1
            msg = f"{rel}:{line}:{col}: YAMLError: {detail}" + _pointer(text, line, col)
        else:
            msg = f"{rel}: YAMLError: {detail}"
        return _failed(rel, msg)
    except RecursionError:
        return _skipped(rel, "yaml parser gave up: nested too deeply")
    return _ok(rel)


def _run(
    argv: list[str], cwd: Path, timeout: float, stdin: bytes | None = None
) -> tuple[int | None, str]:
    proc = subprocess.run(
        argv,
        cwd=cwd,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, strip_ansi(proc.stdout.decode("utf-8", "replace"))


_ESM = re.compile(r"^\s*(import\s*[\w{*'\"]|export\s*[\w{*])", re.M)


def _check_node(root: Path, rel: str, path: Path, timeout: float) -> CheckOutcome:
    node = shutil.which("node")
    command = f"node --check {rel}"
    if node is None:
        return _skipped(rel, "node is not installed: JavaScript syntax not checked", command)
    try:
        code, out = _run([node, "--check", rel], root, timeout)
        if code == 0 and path.suffix.lower() == ".js":
            # Node 20 exits 0 without parsing a .js file that it detects as an ES module
            # (import/export outside a "type": "module" package): check it as a module.
            source = path.read_bytes()
            if _ESM.search(source.decode("utf-8", "replace")):
                command = f"node --input-type=module --check < {rel}"
                argv = [node, "--input-type=module", "--check"]
                code, out = _run(argv, root, timeout, stdin=source)
                out = out.replace("[stdin]", rel)
    except subprocess.TimeoutExpired:
        return _skipped(rel, f"node --check timed out after {timeout:g} s", command)
    if code == 0:
        return _ok(rel, command, code)
    if "Unexpected token '<'" in out and _looks_like_jsx(path):
        return _skipped(rel, "JSX: node --check cannot parse it", command)
    return _failed(rel, _node_evidence(out, root, rel), command, code)


def _looks_like_jsx(path: Path) -> bool:
    try:
        text = path.read_text("utf-8", "replace")
    except OSError:
        return False
    return bool(re.search(r"<[A-Za-z][\w.]*(\s[^<>]*)?/?>|</[A-Za-z]|<>", text))


def _node_evidence(out: str, root: Path, rel: str) -> str:
    """``/abs/f.js:3`` + code + caret + ``SyntaxError: msg`` -> ``f.js:3: SyntaxError: msg``."""
    rows = out.split("\n")
    where, code, error = "", [], ""
    for i, row in enumerate(rows):
        m = re.match(r"^(?:file://)?(\S+):(\d+)$", row)
        if m and not where:
            where = f"{relpath(m.group(1), root)}:{m.group(2)}"
            for nxt in rows[i + 1 : i + 3]:
                if not nxt.strip():
                    break
                code.append(nxt)
        elif re.match(r"^\w*Error\b", row) and not error:
            error = row.strip()
    if not error:
        return clip("\n".join(r for r in rows if r.strip()), EVIDENCE_LIMIT)
    text = f"{where or rel}: {error}"
    if code:
        text += "\n" + "\n".join("    " + c for c in code)
    return text


def _check_bash(root: Path, rel: str, timeout: float) -> CheckOutcome:
    bash = shutil.which("bash")
    command = f"bash -n {rel}"
    if bash is None:
        return _skipped(rel, "bash is not installed: shell syntax not checked", command)
    try:
        code, out = _run([bash, "-n", rel], root, timeout)
    except subprocess.TimeoutExpired:
        return _skipped(rel, f"bash -n timed out after {timeout:g} s", command)
    if code == 0:
        return _ok(rel, command, code)
    # "a.sh: line 3: syntax error ..." -> "a.sh:3: syntax error ..."
    lines = [re.sub(r"^(.+?): line (\d+): ", r"\1:\2: ", r) for r in out.split("\n") if r.strip()]
    return _failed(rel, "\n".join(lines[:6]), command, code)
