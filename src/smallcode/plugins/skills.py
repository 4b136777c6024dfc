"""Agent Skills: ``SKILL.md`` folders (YAML frontmatter + markdown body) users already have.

Found in (the first of a name wins):

    ~/.config/smallcode/skills, ~/.claude/skills, ~/.agents/skills, $AGENT_SKILLS_PATH   user
    .smallcode/skills, .claude/skills, .agents/skills (from the project up to the git root)
    skills/ of enabled plugins (named ``<plugin>:<skill>``)

A skill is a folder with ``SKILL.md`` (``name``, ``description``, optional ``allowed-tools``,
``disable-model-invocation``, ``user-invocable`` ...); the original SmallCode's flat ``*.md``
files with the same frontmatter are read too. Names are checked against the spec (lowercase,
digits, hyphens, at most 64, the folder's name): a bad one is reported, and the skill still
loads. Only the frontmatter is read at start; bodies are read when a skill is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FILES_LISTED = 30


@dataclass
class Skill:
    name: str
    description: str
    path: Path  # the SKILL.md (or flat .md) file
    scope: str  # user | project | plugin
    allowed_tools: list[str] = field(default_factory=list)
    model_invocable: bool = True
    user_invocable: bool = True
    plugin: str = ""
    problems: list[str] = field(default_factory=list)
    flat: bool = False

    @property
    def folder(self) -> Path:
        return self.path.parent

    def body(self) -> str:
        """The markdown after the frontmatter (read now, CRLF normalised)."""
        text = read_text(self.path)
        return split_frontmatter(text)[1].strip()

    def files(self) -> list[str]:
        """The skill's other files (references, scripts, assets), relative to its folder."""
        if self.flat:
            return []
        out: list[str] = []
        for p in sorted(self.folder.rglob("*")):
            if p.is_file() and p != self.path and not _hidden(p.relative_to(self.folder)):
                out.append(p.relative_to(self.folder).as_posix())
                if len(out) >= MAX_FILES_LISTED:
                    break
        return out


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in rel.parts)


def read_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter, body); ('', text) when the file has none."""
    if not text.startswith("---"):
        return "", text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return "", text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return "", text


def parse_frontmatter(front: str, problems: list[str]) -> dict[str, Any]:
    if not front.strip():
        return {}
    import yaml

    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        problems.append(f"frontmatter is not valid YAML ({str(exc).splitlines()[0]})")
        data = _loose(front)
    return data if isinstance(data, dict) else {}


def _loose(front: str) -> dict[str, str]:
    """``key: value`` lines, for frontmatter YAML refuses (an unquoted colon ...)."""
    out = {}
    for line in front.split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            out[key.strip()] = value.strip().strip("'\"")
    return out


def split_tools(value: Any) -> list[str]:
    """``allowed-tools``: a list, or a string of rules separated by spaces or commas outside
    parentheses (``Bash(git add:*) Read``)."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if not isinstance(value, str):
        return []
    out, cur, depth = [], "", 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch in " ,\t\n" and depth == 0:
            if cur.strip():
                out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def load_skill(path: Path, scope: str, *, flat: bool = False, plugin: str = "") -> Skill | None:
    try:
        text = read_text(path)
    except OSError:
        return None
    problems: list[str] = []
    front, body = split_frontmatter(text)
    data = parse_frontmatter(front, problems)
    folder_name = path.stem if flat else path.parent.name
    name = str(data.get("name") or "").strip() or folder_name
    if flat and not data:
        return None  # a plain markdown file in a skills folder is not a skill
    if not _NAME.match(name) or len(name) > 64:
        problems.append(f"name {name!r} is not lowercase letters, digits and hyphens (<= 64)")
    elif not flat and name != folder_name:
        problems.append(f"name {name!r} differs from its folder {folder_name!r}")
    description = " ".join(str(data.get("description") or "").split())
    if not description:
        problems.append("no description")
        first = next((p for p in body.strip().split("\n\n") if p.strip()), "")
        description = " ".join(first.replace("#", " ").split())[:200]
    keywords = data.get("keywords")
    if isinstance(keywords, list) and keywords:  # the original SmallCode's flat files
        description = f"{description} ({', '.join(str(k) for k in keywords)})"
    trigger = str(data.get("trigger") or "").lower()
    full = f"{plugin}:{name}" if plugin else name
    return Skill(
        name=full,
        description=description,
        path=path,
        scope=scope,
        allowed_tools=split_tools(data.get("allowed-tools", data.get("allowed_tools"))),
        model_invocable=data.get("disable-model-invocation") is not True and trigger != "manual",
        user_invocable=data.get("user-invocable") is not False,
        plugin=plugin,
        problems=problems,
        flat=flat,
    )


def skills_in(folder: Path, scope: str, plugin: str = "") -> list[Skill]:
    out: list[Skill] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return out
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            md = next((entry / n for n in ("SKILL.md", "skill.md") if (entry / n).is_file()), None)
            if md is not None:
                skill = load_skill(md, scope, plugin=plugin)
                if skill is not None:
                    out.append(skill)
        elif entry.suffix == ".md" and entry.is_file():
            skill = load_skill(entry, scope, flat=True, plugin=plugin)
            if skill is not None:
                out.append(skill)
    return out


def project_folders(root: Path) -> list[Path]:
    from smallcode.plugins.locations import skill_project_folders

    return skill_project_folders(root)


def user_folders() -> list[Path]:
    from smallcode.plugins.locations import skill_user_folders

    return skill_user_folders()


def discover(root: Path, plugin_dirs: list[tuple[str, Path]] | None = None) -> list[Skill]:
    """Every skill, the first of each name kept (user, then project, then plugins)."""
    found: dict[str, Skill] = {}
    layers = [(f, "user") for f in user_folders()] + [(f, "project") for f in project_folders(root)]
    for folder, scope in layers:
        if folder.is_dir():
            for s in skills_in(folder, scope):
                found.setdefault(s.name, s)
    for plugin, folder in plugin_dirs or []:
        if folder.is_dir():
            for s in skills_in(folder, "plugin", plugin):
                found.setdefault(s.name, s)
    return list(found.values())
