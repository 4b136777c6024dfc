"""ARCHITECTURE.md tells the truth: every file it names exists, and imports point down.

The layers and the explicitly allowed edges are the ones ARCHITECTURE.md lists; a new back
edge fails here with the importing file and line, so it is either removed or written down.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "smallcode"
DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")

LAYERS: dict[str, int] = {
    **dict.fromkeys(
        ["cli", "api", "ui", "bench", "evals", "traces", "testing", "__main__", "__init__"], 5
    ),
    **dict.fromkeys(["agent", "cognition"], 4),
    **dict.fromkeys(["tools", "verify", "permissions", "plugins"], 3),
    **dict.fromkeys(["llm", "toolcalls", "project"], 2),
    **dict.fromkeys(["store", "fsio"], 1),
    **dict.fromkeys(
        ["types", "errors", "events", "config", "trust", "logs", "cliparser", "clityping"], 0
    ),
    **dict.fromkeys(["prompts", "_version"], 0),
}

# (importing module prefix, imported module prefix): the edges ARCHITECTURE.md allows.
ALLOWED = {
    ("smallcode.config", "smallcode.llm.kinds"),
    ("smallcode.cognition", "smallcode.agent.intent"),
}


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def runtime_imports(path: Path) -> list[tuple[str, int]]:
    """smallcode modules imported by ``path`` at run time (``if TYPE_CHECKING:`` left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for b in node.body for n in ast.walk(b))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "smallcode":  # from smallcode import trust / __version__
                found += [(f"smallcode.{a.name}", node.lineno) for a in node.names]
            elif node.module.startswith("smallcode."):
                base = PKG.parent.joinpath(*node.module.split("."))
                for a in node.names:  # from smallcode.llm import kinds: the module kinds
                    sub = base / a.name
                    is_module = sub.with_suffix(".py").exists() or sub.is_dir()
                    found.append(
                        (f"{node.module}.{a.name}" if is_module else node.module, node.lineno)
                    )
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("smallcode.")]
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def test_every_file_the_architecture_names_exists() -> None:
    named = set(re.findall(r"src/smallcode/[\w/.]*\w/?", DOC))
    assert len(named) > 40
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"ARCHITECTURE.md names files that do not exist: {missing}"
    for other in ("CONTRIBUTING.md", "README.md"):
        text = (ROOT / other).read_text(encoding="utf-8")
        gone = sorted(
            p
            for p in set(re.findall(r"src/smallcode/[\w/.]*\w/?", text))
            if not (ROOT / p).exists()
        )
        assert not gone, f"{other} names files that do not exist: {gone}"


def test_every_package_has_a_layer() -> None:
    units = {p.stem if p.is_file() else p.name for p in PKG.iterdir() if not p.name.startswith(".")}
    units = {u for u in units if u not in {"__pycache__", "data", "py"}}
    unplaced = sorted(u for u in units if u not in LAYERS)
    assert not unplaced, f"add these to ARCHITECTURE.md's layers and to LAYERS: {unplaced}"
    for name in LAYERS:
        if name not in {"__main__", "__init__"}:
            assert f"`{name}" in DOC, f"ARCHITECTURE.md does not place {name}"


def test_imports_point_down() -> None:
    bad: list[str] = []
    for path in sorted(PKG.rglob("*.py")):
        if "suites" in path.relative_to(PKG).parts:
            continue  # benchmark exercises, not SmallCode's code
        me = module_name(path)
        mine = LAYERS[unit(me)]
        for target, line in runtime_imports(path):
            theirs = LAYERS.get(unit(target))
            if theirs is None or theirs <= mine or unit(target) == unit(me):
                continue
            if any(me.startswith(a) and target.startswith(b) for a, b in ALLOWED):
                continue
            bad.append(
                f"{path.relative_to(ROOT)}:{line} imports {target} (layer {theirs} > {mine})"
            )
    assert not bad, "imports that point up:\n" + "\n".join(bad)
