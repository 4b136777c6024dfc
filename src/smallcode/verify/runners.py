"""Which test runner a shell command runs: a quote-aware tokenizer that keeps each word's
offsets (so commands can be edited in place), runner detection, and package.json scripts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FRAMEWORKS = (
    "pytest",
    "unittest",
    "node",
    "jest",
    "vitest",
    "go",
    "cargo",
    "mocha",
    "maven",
    "gradle",
    "unknown",
)
_OPS = ("&&", "||", ";;", "|&", ";", "|", "&", "(", ")", "\n")
_SCRIPT_RUNNERS = ("npm", "pnpm", "yarn", "bun")
_INSTALLERS = {"install", "add", "i", "pip", "uninstall", "remove", "ci"}


@dataclass
class Token:
    start: int
    end: int
    raw: str
    value: str
    op: bool = False


@dataclass
class Runner:
    framework: str  # a framework name, or "script" for `npm test` and friends
    words: list[Token]  # the words of the shell segment that runs the tests
    at: int  # index in ``words`` of the runner's last word (flags may follow it)
    last_segment: bool  # the segment is the command's last one
    script: str = ""  # for "script": the package.json script name


def tokenize(command: str) -> list[Token]:
    """Shell words and operators with their offsets (quotes removed in ``value``)."""
    tokens: list[Token] = []
    i, n = 0, len(command)
    while i < n:
        ch = command[i]
        if ch in " \t":
            i += 1
            continue
        if ch == "#":
            while i < n and command[i] != "\n":
                i += 1
            continue
        op = next((o for o in _OPS if command.startswith(o, i)), None)
        if op and not command.startswith("&>", i):
            tokens.append(Token(i, i + len(op), op, op, op=True))
            i += len(op)
            continue
        start, value = i, []
        while i < n:
            ch = command[i]
            if ch in " \t\n":
                break
            if ch in "&|;()":
                prev = command[i - 1] if i > start else ""
                if ch == "&" and (prev in "<>" or command.startswith("&>", i)):
                    value.append(ch)
                    i += 1
                    continue
                if ch == "(" and prev == "$":
                    depth, j = 0, i
                    while j < n:
                        depth += {"(": 1, ")": -1}.get(command[j], 0)
                        j += 1
                        if depth == 0:
                            break
                    value.append(command[i:j])
                    i = j
                    continue
                break
            if ch == "\\" and i + 1 < n:
                value.append(command[i + 1])
                i += 2
            elif ch == "'":
                j = command.find("'", i + 1)
                j = n if j < 0 else j
                value.append(command[i + 1 : j])
                i = j + 1
            elif ch == '"':
                j = i + 1
                while j < n and command[j] != '"':
                    if command[j] == "\\" and j + 1 < n:
                        j += 1
                    value.append(command[j])
                    j += 1
                i = j + 1
            else:
                value.append(ch)
                i += 1
        i = min(i, n)
        tokens.append(Token(start, i, command[start:i], "".join(value)))
    return tokens


def segments(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.op:
            if out[-1]:
                out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def base_name(value: str) -> str:
    return PurePosixPath(value).name if value else ""


def _match(words: list[Token]) -> tuple[str, int, str] | None:
    """(framework, index of the runner's last word, script name) for one segment."""
    vals = [w.value for w in words]
    for i, val in enumerate(vals):
        if val in _INSTALLERS:
            return None
        nxt = vals[i + 1] if i + 1 < len(vals) else ""
        base = base_name(val)
        if base in ("pytest", "py.test"):
            return "pytest", i, ""
        if val == "-m" and nxt in ("pytest", "unittest"):
            if nxt == "unittest" and i + 2 < len(vals) and vals[i + 2] == "discover":
                return "unittest", i + 2, ""
            return nxt, i + 1, ""
        if base == "manage.py" and nxt == "test":
            return "unittest", i + 1, ""
        if base in ("node", "nodejs") and "--test" in vals[i + 1 :]:
            return "node", vals.index("--test", i + 1), ""
        if base == "jest":
            return "jest", i, ""
        if base == "vitest":
            return "vitest", i + 1 if nxt == "run" else i, ""
        if base in ("mocha", "_mocha"):
            return "mocha", i, ""
        if base == "go" and nxt == "test":
            return "go", i + 1, ""
        if base == "cargo" and nxt in ("test", "t"):
            return "cargo", i + 1, ""
        if base in ("mvn", "mvnw", "mvnd"):
            return "maven", i, ""
        if base in ("gradle", "gradlew"):
            return "gradle", i, ""
        if base in _SCRIPT_RUNNERS:
            if base == "bun" and nxt == "test":
                return "unknown", i + 1, ""  # bun's own runner
            if nxt in ("test", "t"):
                return "script", i + 1, "test"
            if nxt in ("run", "run-script") and i + 2 < len(vals):
                return "script", i + 2, vals[i + 2]
            if base != "npm" and nxt and not nxt.startswith("-"):
                return "script?", i + 1, nxt  # `yarn test:unit`, or `yarn jest` (a binary)
    return None


def find_runner(command: str, root: Path | None = None) -> Runner | None:
    parts = segments(tokenize(command))
    for n, words in enumerate(parts):
        found = _match(words)
        if found is None:
            continue
        framework, at, script = found
        if framework == "script?":
            if script not in _scripts(root):
                rest = _match(words[at:])
                if rest is None:
                    continue
                framework, sub_at, script = rest
                at += sub_at
            else:
                framework = "script"
        return Runner(framework, words, at, n == len(parts) - 1, script)
    return None


def _scripts(root: Path | None) -> dict[str, str]:
    if root is None:
        return {}
    try:
        data = json.loads((Path(root) / "package.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return {}
    return {str(k): str(v) for k, v in scripts.items()}


def script_text(runner: Runner, root: Path | None) -> str:
    return _scripts(root).get(runner.script, "")


def detect_framework(command: str, root: Path | None = None) -> str:
    """The test framework a command runs; ``npm test`` needs ``root`` to read package.json."""
    return _detect(command, root, 0)


def _detect(command: str, root: Path | None, depth: int) -> str:
    runner = find_runner(command, root)
    if runner is None:
        return "unknown"
    if runner.framework == "script":
        script = script_text(runner, root)
        if not script or depth >= 3:
            return "unknown"
        return _detect(script, root, depth + 1)
    return runner.framework
