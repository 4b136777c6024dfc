"""Python mistakes that compile but cannot run, found without running anything.

- **Undefined names** (pyflakes): a function called but never defined or imported, a
  variable used before it exists; and a function defined twice (a new version pasted below
  the old one). Only names that are new in this change are reported, so
  a model is never blamed for what the file already had.
- **Imports of project modules that no longer resolve**: ``from geometry import area_rect``
  after ``area_rect`` was renamed in ``geometry.py``. Checked statically: the imported name
  must be defined at the top level of the project's module (or its package ``__init__``).

Both return :class:`~smallcode.verify.syntax.CheckOutcome` records named ``lint`` and
``imports``. Nothing here executes the user's code.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from smallcode.verify.syntax import CheckOutcome
from smallcode.verify.textutil import clip

EVIDENCE_LIMIT = 600
_MAX_BYTES = 1_000_000


def _undefined(text: str, rel: str) -> list[tuple[int, str, str]]:
    """(line, kind, name) of pyflakes' undefined-name messages; [] when it cannot parse."""
    try:
        from pyflakes import messages
        from pyflakes.checker import Checker
    except ImportError:  # pragma: no cover - a dependency, but never fatal
        return []
    try:
        tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = []
    lines = text.splitlines()
    for m in Checker(tree, filename=rel).messages:
        if isinstance(m, messages.RedefinedWhileUnused):
            # only a function or class defined again; a repeated import is harmless
            line = lines[m.lineno - 1].lstrip() if 0 < m.lineno <= len(lines) else ""
            if not line.startswith(("def ", "async def ", "class ", "@")):
                continue
        elif not isinstance(m, (messages.UndefinedName, messages.UndefinedLocal)):
            continue
        found.append((m.lineno, type(m).__name__, str(m.message_args[0])))
    return found


def new_undefined_names(rel: str, text: str, original: str | None) -> CheckOutcome | None:
    """Undefined names in ``text`` that ``original`` did not have; None when there are none
    (or the file does not parse: the syntax check reports that)."""
    now = _undefined(text, rel)
    if not now:
        return None
    before = Counter((kind, name) for _, kind, name in _undefined(original or "", rel))
    fresh = []
    for line, kind, name in sorted(now):
        if before[(kind, name)] > 0:
            before[(kind, name)] -= 1
            continue
        what = {
            "UndefinedLocal": "used before it is assigned",
            "RedefinedWhileUnused": "defined a second time (the first definition is lost)",
        }.get(kind, "is not defined")
        fresh.append(f"{rel}:{line}: name '{name}' {what}")
    if not fresh:
        return None
    more = f"\n(+{len(fresh) - 5} more)" if len(fresh) > 5 else ""
    evidence = clip("\n".join(fresh[:5]) + more, EVIDENCE_LIMIT)
    return CheckOutcome("lint", rel, False, command="pyflakes", evidence=evidence)


# ------------------------------------------------------------------ project imports


def _top_level_names(tree: ast.Module) -> tuple[set[str], bool]:
    """Names a module defines at its top level, and whether it may define any name at all
    (a star import or a module ``__getattr__``)."""
    names: set[str] = set()
    open_ended = False

    def visit(body: Iterable[ast.stmt]) -> None:
        nonlocal open_ended
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
                if node.name == "__getattr__":
                    open_ended = True
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for sub in ast.walk(t):
                        if isinstance(sub, ast.Name):
                            names.add(sub.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        open_ended = True
                    else:
                        names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                visit(getattr(node, "finalbody", []))
                for h in getattr(node, "handlers", []):
                    visit(h.body)
            elif isinstance(node, ast.TryStar):
                visit(node.body)
            elif isinstance(node, ast.Match):
                for case in node.cases:
                    visit(case.body)

    visit(tree.body)
    return names, open_ended


def _module_file(root: Path, importer: str, module: str, level: int) -> str | None:
    """The project file (relative path) that ``from module import ...`` in ``importer``
    loads, or None when it is not a module of this project."""
    parts = module.split(".") if module else []
    if level:
        base = PurePosixPath(importer).parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        here = PurePosixPath(importer).parent
        bases = [PurePosixPath("."), here, PurePosixPath("src")]
    for base in bases:
        stem = base.joinpath(*parts) if parts else base
        for cand in (f"{stem}.py", f"{stem}/__init__.py"):
            rel = str(PurePosixPath(cand))
            if (root / rel).is_file():
                return rel.removeprefix("./")
    return None


Reader = Callable[[str], str | None]


def _imports_of(root: Path, rel: str, text: str) -> list[tuple[int, str, str]]:
    """(line, module file, name) for each ``from <project module> import name`` in ``text``."""
    try:
        tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        target = _module_file(root, rel, node.module or "", node.level)
        if target is None or target == rel:
            continue
        for alias in node.names:
            if alias.name != "*":
                out.append((node.lineno, target, alias.name))
    return out


def _broken(root: Path, files: Iterable[str], read: Reader) -> set[tuple[str, int, str, str]]:
    """(importer, line, module file, name) for imported names the module does not define."""
    defined: dict[str, tuple[set[str], bool] | None] = {}
    broken: set[tuple[str, int, str, str]] = set()
    for rel in files:
        text = read(rel)
        if text is None:
            continue
        for line, target, name in _imports_of(root, rel, text):
            if target not in defined:
                src = read(target)
                try:
                    defined[target] = _top_level_names(ast.parse(src)) if src is not None else None
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    defined[target] = None
            info = defined[target]
            if info is None or info[1] or name in info[0]:
                continue
            if target.endswith("__init__.py") and _submodule_exists(root, target, name):
                continue
            broken.add((rel, line, target, name))
    return broken


def _submodule_exists(root: Path, init: str, name: str) -> bool:
    pkg = PurePosixPath(init).parent
    return (root / pkg / f"{name}.py").is_file() or (root / pkg / name / "__init__.py").is_file()


def _read_file(root: Path, rel: str) -> str | None:
    path = root / rel
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def broken_project_imports(
    root: Path, changed: list[str], py_files: list[str], originals: dict[str, str | None]
) -> CheckOutcome | None:
    """Imports between the project's Python files that this change broke.

    ``changed`` are the files changed in this run, ``py_files`` the project's Python files,
    ``originals`` the text changed files had before (None: created in this run). Only
    imports that resolved before the change and do not now are reported.
    """
    changed_py = [c for c in changed if c.endswith(".py")]
    if not changed_py:
        return None
    stems = {PurePosixPath(c).stem for c in changed_py} | {
        PurePosixPath(c).parent.name for c in changed_py if c.endswith("__init__.py")
    }
    # Files that may import a changed module, and the changed files themselves.
    candidates = set(changed_py)
    for rel in py_files:
        text = _read_file(root, rel)
        if text and any(s and s in text for s in stems):
            candidates.add(rel)

    def now(rel: str) -> str | None:
        return _read_file(root, rel)

    def before(rel: str) -> str | None:
        if rel in originals:
            return originals[rel]
        return _read_file(root, rel)

    fresh = sorted(_broken(root, candidates, now) - _broken(root, candidates, before))
    fresh = [b for b in fresh if (root / b[0]).is_file()]
    if not fresh:
        return None
    lines = [
        f"{imp}:{line}: cannot import name '{name}' from {mod} (it is not defined there)"
        for imp, line, mod, name in fresh[:5]
    ]
    if len(fresh) > 5:
        lines.append(f"(+{len(fresh) - 5} more)")
    return CheckOutcome(
        "imports", fresh[0][0], False, evidence=clip("\n".join(lines), EVIDENCE_LIMIT)
    )
