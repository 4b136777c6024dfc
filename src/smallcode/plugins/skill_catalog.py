"""A session's skills: the ranked catalog, the ``skill`` tool, bodies sent once.

- The catalog lists skills for the task at hand, ranked by BM25 against it, within
  ``SMALLCODE_SKILLS_BUDGET`` (2 %) of the window: matching skills first with longer
  descriptions, the rest after with short ones, until the budget is used. It goes to the model
  as part of the task's context message, never into the system prompt.
- ``skill(name, file?)`` returns a skill's instructions (capped at 10 % of the window) with its
  folder and files, or one of those files. A body already in the conversation is not sent again
  (until compaction removes it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from smallcode.errors import ToolError
from smallcode.plugins.ranking import bm25_rank
from smallcode.plugins.skills import Skill, read_text
from smallcode.tools.registry import Tool, ToolContext

CATALOG_HEADER = "Skills (call skill(name) to load one's instructions when it fits the task):"
BODY_SHARE = 0.10
CHARS_PER_TOKEN = 4
MATCHED_DESCRIPTION = 160
OTHER_DESCRIPTION = 60


class SkillSet:
    def __init__(self, skills: list[Skill], root: Path) -> None:
        self.skills = {s.name: s for s in skills}
        self.root = Path(root)
        self.loaded: set[str] = set()  # bodies sent (when in_history cannot tell)
        self.window = 8192
        # Whether a skill's body is still in the conversation (compaction and /clear drop it).
        self.in_history: Callable[[str], bool] | None = None

    def __len__(self) -> int:
        return len(self.skills)

    def offered(self) -> list[Skill]:
        return [s for s in self.skills.values() if s.model_invocable]

    def get(self, name: str) -> Skill | None:
        want = (name or "").strip().lstrip("/$")
        if want in self.skills:
            return self.skills[want]
        low = want.lower()
        hits = [s for s in self.skills.values() if low in (s.name.lower(), s.name.split(":")[-1])]
        return hits[0] if len(hits) == 1 else None

    def is_loaded(self, name: str) -> bool:
        if self.in_history is not None:
            return self.in_history(name)
        return name in self.loaded

    # ------------------------------------------------------------------ catalog

    def ranked(self, task: str) -> tuple[list[Skill], list[Skill]]:
        """(matching skills best first, the others by name)."""
        offered = self.offered()
        docs = [(s.name.replace(":", " "), s.description) for s in offered]
        hits = [offered[i] for i, _ in bm25_rank(docs, task)]
        rest = sorted((s for s in offered if s not in hits), key=lambda s: s.name)
        return hits, rest

    def catalog(self, task: str, window: int, share: float = 0.02) -> str:
        """The catalog for ``task`` within ``share`` of ``window`` ('' when nothing fits)."""
        budget = int(window * share * CHARS_PER_TOKEN)
        room = budget - 24  # kept for "(N more not listed)"
        hits, rest = self.ranked(task)
        lines = [CATALOG_HEADER]
        used = len(CATALOG_HEADER) + 1
        left_out = 0
        for skill, limit in [(s, MATCHED_DESCRIPTION) for s in hits] + [
            (s, OTHER_DESCRIPTION) for s in rest
        ]:
            line = _line(skill, limit, room - used)
            if line is None:
                left_out += 1
                continue
            lines.append(line)
            used += len(line) + 1
        if len(lines) == 1:
            return ""
        if left_out:
            lines.append(f"({left_out} more not listed)")
        return "\n".join(lines)

    # ------------------------------------------------------------------ bodies

    def body_message(self, skill: Skill, window: int, arguments: str = "") -> str:
        """A skill's instructions as the model gets them (capped), with its files."""
        limit = max(2000, int(window * BODY_SHARE * CHARS_PER_TOKEN))
        body = skill.body()
        if arguments:
            body = body.replace("$ARGUMENTS", arguments)
        if len(body) > limit:
            cut = body[:limit].rsplit("\n", 1)[0]
            body = (
                f"{cut}\n[... the rest ({len(body) - len(cut):,} characters) is cut: read it "
                f'with skill(name="{skill.name}", file="{skill.path.name}")]'
            )
        lines = [f'Skill "{skill.name}" ({self._where(skill.folder)}):', "", body]
        files = skill.files()
        if files:
            inside = self._inside(skill.folder)
            how = (
                "read them with read_file"
                if inside
                else f'read one with skill(name="{skill.name}", file=PATH)'
            )
            shown = [self._where(skill.folder / f) if inside else f for f in files]
            lines += ["", f"Files of this skill ({how}): " + ", ".join(shown)]
        return "\n".join(lines)

    def file_text(self, skill: Skill, file: str) -> str:
        base = skill.folder.resolve()
        path = (base / file).resolve()
        if path != base and base not in path.parents:
            raise ToolError(f"{file!r} is not a file of the skill {skill.name}")
        if not path.is_file():
            listed = ", ".join(skill.files()) or "(none)"
            raise ToolError(f"the skill {skill.name} has no file {file!r}; its files: {listed}")
        return read_text(path)

    def _inside(self, p: Path) -> bool:
        try:
            p.resolve().relative_to(self.root.resolve())
            return True
        except ValueError:
            return False

    def _where(self, p: Path) -> str:
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(p)

    # ------------------------------------------------------------------ the tool

    def tool(self, on_load: Any = None) -> Tool:
        """``skill(name, file?)``; ``on_load(skill)`` runs when a body is sent."""

        def skill(ctx: ToolContext, name: str, file: str = "") -> str:
            s = self.get(name)
            if s is None or not s.model_invocable:
                names = ", ".join(x.name for x in self.offered()[:40])
                raise ToolError(f"no skill named {name!r}; the skills are: {names}")
            if file:
                return self.file_text(s, file)
            if self.is_loaded(s.name):
                return f'The instructions of the skill "{s.name}" are already above: follow them.'
            self.loaded.add(s.name)
            if on_load is not None:
                on_load(s)
            return self.body_message(s, self.window)

        return Tool(
            "skill",
            skill,
            "Load the instructions of a skill from the skills list (or one of its files).",
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The skill's name."},
                    "file": {"type": "string", "description": "One of the skill's files."},
                },
                "required": ["name"],
            },
            read_only=True,
        )


def _line(skill: Skill, limit: int, room: int) -> str | None:
    """One catalog line within ``room`` characters, its description shortened to fit."""
    from smallcode.plugins.mcp_schema import short

    desc = short(skill.description, limit)
    line = f"- {skill.name}: {desc}" if desc else f"- {skill.name}"
    if len(line) <= room:
        return line
    avail = room - len(skill.name) - 4
    if avail >= 30:
        return f"- {skill.name}: {short(desc, avail)}"
    bare = f"- {skill.name}"
    return bare if len(bare) <= room else None
