"""Benchmark tasks in the Exercism / Aider polyglot layout.

    <root>/<lang>/exercises/practice/<slug>/
        .docs/instructions.md  (+ introduction.md, instructions.append.md)
        .meta/config.json      {"files": {"solution": [...], "test": [...], "example": [...]}}
        .meta/example.*        the reference solution (never copied into the workspace)
        the stub(s) and the test file(s)

The built-in suites (``smoke``, ``polyglot-mini``, ``tool-use``) ship in this layout as package
data (``bench/suites/<suite>/``); ``--suite polyglot --path DIR`` reads a checkout of
Aider-AI/polyglot-benchmark the same way. Built-in tasks may add, under ``custom.smallcode``
in their config: ``test`` (the test command), ``prompt: "task"`` (the instructions are the
whole task: no list of files to edit) and ``delete`` (files the reference solution removes).
The tool-use suite also has single-call tasks in BFCL's format (bench/bfcl.py).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError

BUILTIN_SUITES = ("smoke", "polyglot-mini", "tool-use")
SUITES = (*BUILTIN_SUITES, "polyglot")
LANGUAGES = ("python", "javascript", "rust", "go", "java", "cpp")


def suites_root() -> Path:
    return Path(__file__).resolve().parent / "suites"


@dataclass
class BenchTask:
    id: str  # "<lang>/<slug>", or "bfcl/<id>"
    suite: str
    lang: str
    dir: Path
    solution: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    example: list[str] = field(default_factory=list)
    instructions: str = ""
    custom: dict[str, Any] = field(default_factory=dict)
    builtin: bool = True
    bfcl: dict[str, Any] | None = None  # a single-call task: {"question", "function", "answer"}

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[-1]

    @property
    def test_command(self) -> str:
        return test_command(self)

    @property
    def shown_command(self) -> str:
        """The command as the model is told it (``python`` rather than this interpreter)."""
        return self.test_command.replace(sys.executable, "python")

    def example_targets(self) -> list[tuple[str, str]]:
        """(example file, workspace path) pairs that turn the stub into the reference."""
        pairs: list[tuple[str, str]] = []
        for i, ex in enumerate(self.example):
            if ex.startswith(".meta/example/"):
                pairs.append((ex, ex[len(".meta/example/") :]))
                continue
            suffix = Path(ex).suffix
            same = [s for s in self.solution if Path(s).suffix == suffix]
            if len(self.example) == len(self.solution):
                pairs.append((ex, self.solution[i]))
            elif same:
                pairs.append((ex, same[0]))
        return pairs


def _read_instructions(d: Path) -> str:
    parts = []
    for name in ("introduction.md", "instructions.md", "instructions.append.md"):
        p = d / ".docs" / name
        if p.is_file():
            parts.append(p.read_text(encoding="utf-8").strip())
    return "\n\n".join(parts)


def load_exercise(d: Path, suite: str, lang: str, builtin: bool) -> BenchTask:
    config_path = d / ".meta" / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{config_path}: {exc}") from None
    files = config.get("files") or {}
    custom = (config.get("custom") or {}).get("smallcode") or {}
    return BenchTask(
        id=f"{lang}/{d.name}",
        suite=suite,
        lang=lang,
        dir=d,
        solution=list(files.get("solution") or []),
        tests=list(files.get("test") or []),
        example=list(files.get("example") or []),
        instructions=_read_instructions(d),
        custom=custom,
        builtin=builtin,
    )


def suite_dir(suite: str, path: str | Path | None = None) -> Path:
    if suite not in SUITES:
        raise ConfigError(f"unknown suite {suite!r}: use one of {', '.join(SUITES)}")
    if suite == "polyglot":
        if not path:
            raise ConfigError(
                "--suite polyglot needs --path DIR (a checkout of Aider-AI/polyglot-benchmark)"
            )
        root = Path(path).expanduser()
        if not root.is_dir():
            raise ConfigError(f"--path {root}: not a folder")
        return root
    if path:
        raise ConfigError("--path is only for --suite polyglot")
    return suites_root() / suite


def load_suite(suite: str, path: str | Path | None = None) -> list[BenchTask]:
    """Every task of a suite, sorted by id (exercises, then BFCL single calls)."""
    root = suite_dir(suite, path)
    builtin = suite in BUILTIN_SUITES
    tasks: list[BenchTask] = []
    for lang in LANGUAGES:
        practice = root / lang / "exercises" / "practice"
        if not practice.is_dir():
            continue
        for d in sorted(practice.iterdir()):
            if (d / ".meta" / "config.json").is_file():
                tasks.append(load_exercise(d, suite, lang, builtin))
    if (root / "bfcl").is_dir():
        from smallcode.bench.bfcl import load_bfcl

        tasks += load_bfcl(root / "bfcl", suite)
    if not tasks:
        raise ConfigError(f"no tasks found in {root} (expected <lang>/exercises/practice/<slug>/)")
    return tasks


def select(tasks: list[BenchTask], ids: list[str], langs: list[str]) -> list[BenchTask]:
    """Tasks named by ``--task`` (id or slug) and ``--lang``; unknown names are an error."""
    chosen = tasks
    if langs:
        unknown = sorted(set(langs) - {t.lang for t in tasks})
        if unknown:
            raise ConfigError(f"no tasks in language(s): {', '.join(unknown)}")
        chosen = [t for t in chosen if t.lang in langs]
    if ids:
        picked = [t for t in chosen if t.id in ids or t.slug in ids]
        known = {t.id for t in picked} | {t.slug for t in picked}
        missing = [i for i in ids if i not in known]
        if missing:
            raise ConfigError(f"unknown task(s): {', '.join(missing)} (see --list)")
        chosen = picked
    return chosen


# ---------------------------------------------------------------------------- toolchains


def _have(*tools: str) -> str:
    missing = [t for t in tools if shutil.which(t) is None]
    return f"{', '.join(missing)} not installed" if missing else ""


def toolchain_problem(task: BenchTask) -> str:
    """Why this task cannot run here ('' when it can)."""
    lang = task.lang
    if task.bfcl is not None or lang == "python":
        return ""
    if lang == "javascript":
        if task.builtin:
            return _have("node")
        return _jest_problem(task)
    if lang == "rust":
        return _have("cargo")
    if lang == "go":
        return _have("go")
    if lang == "cpp":
        return _have("g++") if task.builtin else _have("cmake", "make", "g++")
    if lang == "java":
        if task.builtin:
            return _have("javac", "java")
        if _have("gradle"):
            return "gradle is not installed and ./gradlew would download it (needs the network)"
        return ""
    return f"no runner for {lang}"


def node_modules_for(task: BenchTask) -> Path | None:
    """A node_modules with jest for the real polyglot JavaScript exercises (``npm install``
    run once in ``<path>/javascript``), or None."""
    for base in (task.dir, task.dir.parents[2], task.dir.parents[3]):
        nm = base / "node_modules"
        if (nm / ".bin" / "jest").exists():
            return nm
    return None


def _jest_problem(task: BenchTask) -> str:
    if _have("node", "npm"):
        return _have("node", "npm")
    if node_modules_for(task) is None:
        return (
            "jest is not installed: run `npm install` once in <path>/javascript (needs the network)"
        )
    return ""


def test_command(task: BenchTask) -> str:
    """The command that verifies a task in its workspace."""
    custom = str(task.custom.get("test") or "")
    if custom:
        return custom
    tests = " ".join(task.tests)
    if task.lang == "python":
        return f"{sys.executable} -m pytest -q -p no:cacheprovider {tests}".strip()
    if task.lang == "javascript":
        return f"node --test {tests}".strip() if task.builtin else "npm test --silent"
    if task.lang == "rust":
        return "cargo test --offline -- --include-ignored"
    if task.lang == "go":
        return "go test ./..."
    if task.lang == "cpp":
        return (
            "mkdir -p build && cd build && cmake -DEXERCISM_RUN_ALL_TESTS=1 "
            '-G "Unix Makefiles" .. >/dev/null && make'
        )
    if task.lang == "java":
        return "gradle test --offline --console=plain"
    raise ConfigError(f"no test command for {task.lang}")
