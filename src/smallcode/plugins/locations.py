"""Where extensions are declared, and a quick look whether any is (a few ``stat`` calls, no
parsing, no imports beyond the standard library): with none declared, a session loads nothing
of plugins/ and start-up stays as it is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PLUGINS_DIR = ".smallcode/plugins"
MCP_PROJECT_FILES = (".smallcode/mcp.json", ".mcp.json")  # highest precedence first
SKILL_PROJECT_DIRS = (".smallcode/skills", ".claude/skills", ".agents/skills")
SKILL_HOME_DIRS = (".claude/skills", ".agents/skills")


def config_dir() -> Path:
    from smallcode.config import user_config_dir

    return user_config_dir()


def skill_project_folders(root: Path) -> list[Path]:
    """Project skill folders from ``root`` up to the git root (nearest first)."""
    out: list[Path] = []
    here = Path(root).resolve()
    while True:
        out += [here / rel for rel in SKILL_PROJECT_DIRS]
        if (here / ".git").exists() or here.parent == here:
            break
        here = here.parent
    return out


def skill_user_folders() -> list[Path]:
    home = Path.home()
    out = [config_dir() / "skills", *(home / rel for rel in SKILL_HOME_DIRS)]
    extra = os.environ.get("AGENT_SKILLS_PATH", "")
    out += [Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()]
    return out


def anything_declared(root: Path, settings_files: Any = None) -> bool:
    """Could this session have any extension? (False means: certainly none.)"""
    root = Path(root)
    cfg = config_dir()
    paths = [root / PLUGINS_DIR, cfg / "plugins", cfg / "mcp.json"]
    paths += [root / rel for rel in MCP_PROJECT_FILES]
    if any(p.exists() for p in paths):
        return True
    for f in getattr(settings_files, "files", None) or []:
        if f.data.get("hooks"):
            return True
    if any(p.is_dir() for p in skill_project_folders(root) + skill_user_folders()):
        return True
    from smallcode.plugins import entrypoints

    return bool(entrypoints.find())
