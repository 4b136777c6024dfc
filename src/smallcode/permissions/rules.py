"""Permission rules in Claude Code's syntax: ``Tool`` or ``Tool(specifier)``.

- ``Bash(npm run test)`` exact; ``Bash(npm run test:*)`` prefix at a word boundary;
  ``Bash(git * main)`` glob (``*`` matches anything, a trailing `` *`` may match nothing).
- ``Read(./.env)``, ``Edit(src/**)``: gitignore-style paths; ``//abs``, ``~/home``, ``/root-rel``.
- ``WebFetch(domain:example.com)``; ``mcp__server`` and ``mcp__server__tool``.

Tool names go through the alias table, so rules written for Claude Code work unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

# Claude Code names -> SmallCode tools. Edit covers every tool that edits a file.
ALIASES: dict[str, tuple[str, ...]] = {
    "bash": ("bash",),
    "edit": ("patch", "write_file"),
    "multiedit": ("patch",),
    "write": ("write_file",),
    "read": ("read_file",),
    "grep": ("search",),
    "glob": ("find_files",),
    "webfetch": ("web_fetch",),
    "websearch": ("web_search",),
    "todowrite": ("todo_write",),
}
FILE_TOOLS = {"read_file", "write_file", "patch", "search", "find_files"}
WRITE_TOOLS = {"write_file", "patch"}

_RULE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*(?:\((.*)\))?\s*$", re.S)


@dataclass(frozen=True)
class Rule:
    text: str  # as written
    tools: tuple[str, ...]  # SmallCode tool names it applies to ("mcp__x" prefixes kept)
    spec: str | None  # None: the whole tool
    source: str = ""  # the settings file (or "cli", "session") it came from

    @property
    def bare(self) -> bool:
        return self.spec is None or self.spec.strip() in ("", "*")

    def applies_to(self, tool: str) -> bool:
        for t in self.tools:
            if t == tool:
                return True
            if t.startswith("mcp__") and tool.startswith(t + "__"):
                return True  # mcp__server covers all of that server's tools
            if t.endswith("*") and tool.startswith(t[:-1]):
                return True
        return False


class RuleError(ValueError):
    pass


def parse_rule(text: str, source: str = "") -> Rule:
    m = _RULE.match(text or "")
    if not m:
        raise RuleError(f"not a permission rule: {text!r} (expected Tool or Tool(specifier))")
    name, spec = m.group(1), m.group(2)
    low = name.lower()
    tools = ALIASES.get(low) or (name if name.startswith("mcp__") else low,)
    return Rule(text.strip(), tuple(tools), spec.strip() if spec is not None else None, source)


def parse_rules(texts: list[str], source: str = "") -> tuple[list[Rule], list[str]]:
    """Rules from a settings list; bad entries come back as messages, never as an error."""
    rules, bad = [], []
    for t in texts:
        if not isinstance(t, str):
            bad.append(f"{source}: ignored a rule that is not a string: {t!r}")
            continue
        try:
            rules.append(parse_rule(t, source))
        except RuleError as exc:
            bad.append(f"{source}: {exc}")
    return rules, bad


# ---------------------------------------------------------------------- bash specifiers


def command_matches(spec: str, command: str) -> bool:
    """Does the command text (one segment) match a Bash(...) specifier?"""
    spec = " ".join(spec.split())
    command = " ".join(command.split())
    if spec in ("", "*"):
        return True
    if spec.endswith(":*"):
        prefix = spec[:-2].rstrip()
        return command == prefix or command.startswith(prefix + " ")
    if "*" not in spec:
        return command == spec
    if spec.endswith(" *") and command == spec[:-2].rstrip():
        return True  # `ls *` also matches a bare `ls`
    pattern = "".join(".*" if c == "*" else re.escape(c) for c in spec)
    return re.fullmatch(pattern, command, re.S) is not None


# ---------------------------------------------------------------------- path specifiers


def path_matches(spec: str, path: Path, root: Path, home: Path | None = None) -> bool:
    """gitignore-style match of an absolute ``path`` against a Read/Edit specifier."""
    import pathspec

    spec = spec.strip()
    if not spec:
        return True
    home = home or Path.home()
    if spec.startswith("//"):
        anchor, pattern = Path("/"), spec[1:]
    elif spec.startswith("~/"):
        anchor, pattern = home, spec[1:]
    elif spec.startswith("./"):
        anchor, pattern = root, spec[1:]
    else:
        anchor, pattern = root, spec  # `/x` is anchored at the project root, `x` anywhere
    try:
        rel = path.relative_to(anchor)
    except ValueError:
        try:
            rel = path.resolve().relative_to(anchor.resolve())
        except ValueError:
            return False
    text = rel.as_posix()
    if text == ".":
        return pattern.strip("/") in ("", "**")
    matcher = pathspec.GitIgnoreSpec.from_lines([pattern])
    return matcher.match_file(text) or matcher.match_file(text + "/")


def domain_matches(spec: str, url: str) -> bool:
    if not spec.startswith("domain:"):
        return False
    want = spec[len("domain:") :].strip().lower()
    host = (urlparse(url).hostname or "").lower()
    if want.startswith("*."):
        return host.endswith(want[1:])
    return host == want or host.endswith("." + want)


# ---------------------------------------------------------------------- suggestions


# Tools whose second word names what they do (`git push`, `npm run`), for "always" rules.
_SUBCOMMAND_TOOLS = {
    "git", "npm", "pnpm", "yarn", "bun", "cargo", "go", "docker", "kubectl", "pip", "pip3",
    "uv", "poetry", "make", "gh", "brew", "apt", "apt-get", "dotnet", "mvn", "gradle",
    "npx", "deno", "conda", "helm", "terraform", "systemctl", "rustup",
}  # fmt: skip
_RUNNERS = {"python", "python3", "node", "ruby", "perl", "bash", "sh"}


def suggest_prefix(argv: list[str]) -> str:
    """The command prefix an "always" answer remembers: `git push`, `npm run build`, `rm`."""
    if not argv:
        return ""
    name = argv[0]
    base = name.rsplit("/", 1)[-1]
    words = [name]
    rest = [a for a in argv[1:]]
    if base in ("python", "python3") and len(rest) >= 2 and rest[0] == "-m":
        return " ".join([name, "-m", rest[1]])
    if base in _SUBCOMMAND_TOOLS:
        # skip global options (git -C dir, -c k=v) to reach the subcommand
        i = 0
        while i < len(rest) and rest[i].startswith("-"):
            i += 2 if rest[i] in ("-C", "-c", "--git-dir", "--work-tree") else 1
        if i < len(rest):
            words.append(rest[i])
            if base in ("npm", "pnpm", "yarn", "bun") and rest[i] == "run" and i + 1 < len(rest):
                words.append(rest[i + 1])
    elif base in _RUNNERS and rest and rest[0] in ("-c", "-e"):
        return " ".join(argv)  # inline code: only this very command
    elif base in _RUNNERS and rest and not rest[0].startswith("-"):
        words.append(rest[0])  # python script.py: the script, not every python command
    return " ".join(words)
