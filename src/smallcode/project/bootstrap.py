"""The start-up project summary and the user's instruction files.

``summarize_project(root, settings)`` tells the model, in a few lines, what kind of project it
is in and how to build and test it, so it does not spend its first tool calls finding out.
``load_instructions(root, max_chars)`` reads AGENTS.md / CLAUDE.md / .smallcode/instructions.md.
Both go into the fixed prompt prefix once per session.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from smallcode.project.detectors import DETECTORS, Detection, makefile_targets

INSTRUCTION_FILES = ("AGENTS.md", "CLAUDE.md", ".smallcode/instructions.md")
# Folders where monorepos keep their parts.
_GROUP_DIRS = ("packages", "apps", "services", "libs", "crates", "modules", "projects", "cmd")
_SKIP_DIRS = {
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    "build",
    "dist",
    ".smallcode",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "vendor",
    ".next",
    "out",
}


# What a detector finds (detectors_base.Detection) and the summary reports: the fields both
# dataclasses share, in the order `smallcode summary --json` prints them.
DETECTED_FIELDS = (
    "runtime",
    "package_manager",
    "framework",
    "entry_point",
    "build_command",
    "test_command",
)


@dataclass
class ProjectSummary:
    runtime: str = ""
    package_manager: str = ""
    framework: str = ""
    entry_point: str = ""
    build_command: str = ""
    test_command: str = ""
    text: str = ""
    # Parts of a monorepo: (relative folder, one-line description).
    subprojects: list[tuple[str, str]] = field(default_factory=list)
    make_targets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["subprojects"] = [{"path": p, "kind": k} for p, k in self.subprojects]
        return d


def summarize_project(root: Path, settings: Any = None) -> ProjectSummary:
    """Detect the project's runtime, package manager, framework, entry point and commands.

    ``settings`` may carry ``test_runner`` (SMALLCODE_TEST_RUNNER: use this test command) and
    ``test_disable`` (SMALLCODE_TEST_DISABLE: detect no test command).
    """
    root = Path(root).resolve()
    found = [d for d in (det(root) for det in DETECTORS) if d is not None]
    primary = _pick_primary(root, found)
    summary = ProjectSummary()
    if primary:
        for name in DETECTED_FIELDS:
            setattr(summary, name, getattr(primary, name))
        summary.notes.extend(primary.notes)
        for other in found:
            if other is not primary and other.strong and other.ecosystem != primary.ecosystem:
                summary.notes.append(f"also {_describe(other)}")

    summary.make_targets = makefile_targets(root)
    subs = (
        find_subprojects(root)
        if (summary.make_targets or not primary or _is_workspace(primary))
        else []
    )
    # A wrapping Makefile over several parts, or parts with no manifest at the root.
    monorepo = len(subs) >= 2 or (not primary and subs)
    if monorepo:
        summary.subprojects = [(rel, _describe(d)) for rel, d in subs]
        if not primary:
            kinds = sorted({d.ecosystem for _, d in subs})
            summary.runtime = "monorepo: " + ", ".join(kinds)
    _apply_make_targets(summary, primary, bool(monorepo))

    test_runner = str(getattr(settings, "test_runner", "") or "").strip()
    if getattr(settings, "test_disable", False):
        summary.test_command = ""
    elif test_runner:
        summary.test_command = test_runner
    summary.text = summary_text(summary)
    return summary


def _pick_primary(root: Path, found: list[Detection]) -> Detection | None:
    if not found:
        return None
    strong = [d for d in found if d.strong] or found
    if len(strong) == 1:
        return strong[0]
    counts = _count_sources(root)
    return max(strong, key=lambda d: sum(counts.get(e, 0) for e in d.source_exts))


def _count_sources(root: Path, max_files: int = 5000) -> dict[str, int]:
    counts: dict[str, int] = {}
    seen = 0
    base_depth = len(root.parts)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
        if len(Path(dirpath).parts) - base_depth >= 4:
            dirnames[:] = []
        for f in filenames:
            ext = os.path.splitext(f)[1]
            counts[ext] = counts.get(ext, 0) + 1
            seen += 1
        if seen > max_files:
            break
    return counts


def _is_workspace(d: Detection) -> bool:
    return any(n.startswith(("workspaces", "cargo workspace", "go.work")) for n in d.notes)


def find_subprojects(root: Path) -> list[tuple[str, Detection]]:
    out: list[tuple[str, Detection]] = []
    candidates: list[Path] = []
    for child in sorted(root.iterdir()) if root.is_dir() else []:
        if not child.is_dir() or child.name in _SKIP_DIRS or child.name.startswith("."):
            continue
        if child.name in _GROUP_DIRS:
            candidates.extend(sorted(p for p in child.iterdir() if p.is_dir()))
        candidates.append(child)
    for folder in candidates[:60]:
        for det in DETECTORS:
            d = det(folder)
            if d is not None and d.strong:
                out.append((folder.relative_to(root).as_posix(), d))
                break
    return out


def _describe(d: Detection) -> str:
    bits = [d.ecosystem]
    extra = [x for x in (d.package_manager, d.framework) if x]
    if extra:
        bits.append(f"({', '.join(extra)})")
    return " ".join(bits)


def _apply_make_targets(summary: ProjectSummary, primary: Detection | None, monorepo: bool) -> None:
    """Use the Makefile's own targets when it wraps several parts or nothing else says how."""
    targets = summary.make_targets
    if not targets:
        return
    test = next((t for t in ("test", "check", "tests") if t in targets), "")
    build = next((t for t in ("build", "all", "compile") if t in targets), "")
    if test and (monorepo or not summary.test_command):
        summary.test_command = f"make {test}"
    if build and (monorepo or not summary.build_command):
        summary.build_command = f"make {build}"
    if not summary.build_command and not primary:
        summary.build_command = "make"


def summary_text(s: ProjectSummary) -> str:
    """The compact block injected into the prompt (a few lines, well under 200 tokens)."""
    if not (s.runtime or s.make_targets or s.subprojects):
        return "Project: no build manifest detected (plain folder)."
    head = [s.runtime or "unknown runtime"]
    if s.package_manager:
        head.append(s.package_manager)
    if s.framework:
        head.append(s.framework)
    lines = ["Project: " + "; ".join(head)]
    if s.entry_point:
        lines.append(f"Entry point: {s.entry_point}")
    if s.build_command:
        lines.append(f"Build: {s.build_command}")
    if s.test_command:
        lines.append(f"Test: {s.test_command}")
    if s.subprojects:
        parts = [f"{p}/ {k}" for p, k in s.subprojects[:6]]
        more = f" (+{len(s.subprojects) - 6} more)" if len(s.subprojects) > 6 else ""
        lines.append("Parts: " + "; ".join(parts) + more)
    if s.make_targets:
        lines.append("Make targets: " + ", ".join(s.make_targets[:10]))
    notes = [n for n in s.notes if not n.startswith("module ")][:4]
    if notes:
        lines.append("Notes: " + "; ".join(notes))
    return "\n".join(_clip(line, 160) for line in lines)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def load_instructions(root: Path, max_chars: int = 4000) -> str:
    """The project's instruction files, each headed by its name, capped at ``max_chars`` in all.

    AGENTS.md comes first; CLAUDE.md and .smallcode/instructions.md follow when present. A file
    cut by the cap ends with a note saying so.
    """
    root = Path(root)
    parts: list[str] = []
    budget = max(0, int(max_chars))
    for name in INSTRUCTION_FILES:
        path = root / name
        if not path.is_file() or budget <= 0:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue
        if not text:
            continue
        header = f"# Instructions from {name}\n"
        room = budget - len(header)
        if room <= 40:
            break
        if len(text) > room:
            note = f"\n[... {name} cut at {room} characters]"
            text = text[: max(0, room - len(note))].rstrip() + note
        parts.append(header + text)
        budget -= len(header) + len(text) + 2
    return "\n\n".join(parts)
