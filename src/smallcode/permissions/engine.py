"""The decision for one tool call: allow, ask or deny, and why (no prompting here).

Order, as in Claude Code: the user's deny rules, then ask rules, then allow rules (the first
match in that order wins, specificity does not matter); then the built-in lists; then the
mode. A bash command is judged part by part: one denied part denies it, one part that asks
makes it ask, and it is allowed only when every part is. Inside a working sandbox the parts
no list knows run without asking (the sandbox confines them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.permissions import builtin
from smallcode.permissions.bashparse import ParsedCommand, Segment, parse_command
from smallcode.permissions.rules import (
    FILE_TOOLS,
    WRITE_TOOLS,
    Rule,
    command_matches,
    domain_matches,
    path_matches,
    suggest_prefix,
)

MODES = ("default", "acceptEdits", "plan", "dontAsk", "bypassPermissions")
MODE_ALIASES = {
    "untrusted": "default",
    "on-request": "acceptEdits",
    "on-failure": "acceptEdits",
    "never": "dontAsk",
    "auto": "acceptEdits",
    "yolo": "bypassPermissions",
    "bypass": "bypassPermissions",
    "accept-edits": "acceptEdits",
    "dont-ask": "dontAsk",
}
_DEV_OK = {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"}
_SETTINGS_FILES = (
    ".smallcode/settings.json",
    ".smallcode/settings.local.json",
    ".claude/settings.json",
    ".claude/settings.local.json",
)


def normalize_mode(value: str) -> str:
    """A Claude Code or Codex mode name -> ours; raises ValueError for an unknown one."""
    raw = (value or "").strip()
    if not raw:
        return "default"
    for m in MODES:
        if raw.lower() == m.lower():
            return m
    if raw.lower() in MODE_ALIASES:
        return MODE_ALIASES[raw.lower()]
    raise ValueError(raw)


@dataclass
class Decision:
    action: str  # allow | ask | deny
    reason: str = ""
    rule: str = ""  # the rule that decided, when one did
    always: list[str] = field(default_factory=list)  # rules an "always" answer adds
    sandboxed: bool = False  # allowed because the sandbox confines it
    outside: bool = False  # bash: runs outside the sandbox (excluded command, git with a rule)


@dataclass
class Policy:
    root: Path
    allow: list[Rule] = field(default_factory=list)
    ask: list[Rule] = field(default_factory=list)
    deny: list[Rule] = field(default_factory=list)
    mode: str = "default"
    sandboxed: bool = False  # a working sandbox confines the shell
    excluded: list[str] = field(default_factory=list)  # commands run outside the sandbox
    allow_outside_root: bool = False
    home: Path = field(default_factory=Path.home)

    # ------------------------------------------------------------------ entry

    def denied_tools(self) -> set[str]:
        """Tools a bare deny rule removes from the model's list."""
        return {t for r in self.deny if r.bare for t in r.tools}

    def evaluate(
        self, tool: str, args: dict[str, Any], cwd: Path | None = None, read_only: bool = False
    ) -> Decision:
        for r in self.deny:
            if r.bare and r.applies_to(tool):
                return Decision("deny", f"the rule {r.text} denies {tool}", r.text)
        if self.mode == "bypassPermissions":
            hit = self._rule_hit(self.deny, tool, args, cwd)
            if hit:
                return Decision("deny", f"the rule {hit.text} denies it", hit.text)
            return Decision("allow", "bypassPermissions mode")
        if tool == "bash":
            return self.bash(str(args.get("command") or ""), cwd or self.root)
        if tool in FILE_TOOLS:
            return self._file(tool, args)
        for rules, action in ((self.deny, "deny"), (self.ask, "ask"), (self.allow, "allow")):
            hit = self._rule_hit(rules, tool, args, cwd)
            if hit:
                return Decision(action, f"the rule {hit.text}", hit.text)
        if self.mode == "plan" and not read_only:
            return Decision("deny", "plan mode: only reading tools run")
        if not tool.startswith("mcp__"):
            return Decision("allow", "a tool of this session")  # SmallCode's or the API user's
        if self.mode == "dontAsk":
            return Decision("deny", f"no rule allows {tool} (dontAsk mode)")
        return Decision("ask", f"{tool} is a tool of an MCP server", always=[tool])

    # ------------------------------------------------------------------ rules

    def _rule_hit(
        self, rules: list[Rule], tool: str, args: dict[str, Any], cwd: Path | None
    ) -> Rule | None:
        for r in rules:
            if not r.applies_to(tool):
                continue
            if r.bare:
                return r
            spec = r.spec or ""
            if tool == "bash":
                cmd = str(args.get("command") or "")
                if command_matches(spec, cmd):
                    return r
            elif tool in FILE_TOOLS:
                p = self._path(args.get("path") or ".")
                if p is not None and path_matches(spec, p, self.root, self.home):
                    return r
            elif "url" in args and domain_matches(spec, str(args["url"])):
                return r
        return None

    def _path(self, raw: Any) -> Path | None:
        if not isinstance(raw, str) or not raw.strip():
            return None
        p = Path(raw.strip()).expanduser()
        if not p.is_absolute():
            p = self.root / p
        try:
            return p.resolve()
        except (OSError, RuntimeError):
            return None

    # ------------------------------------------------------------------ files

    def _file(self, tool: str, args: dict[str, Any]) -> Decision:
        for rules, action in ((self.deny, "deny"), (self.ask, "ask"), (self.allow, "allow")):
            hit = self._rule_hit(rules, tool, args, None)
            if hit:
                return Decision(action, f"the rule {hit.text}", hit.text)
        p = self._path(args.get("path") or ".")
        where = builtin.Where(self.root, self.root, self.home)
        rel = _rel(p, self.root) if p is not None else ""
        if tool not in WRITE_TOOLS:
            if tool == "read_file" and p is not None and builtin.is_secret_path(p, self.home):
                shown = rel or str(p)
                return Decision(
                    "ask", f"reads a secret file ({shown})", always=[f"Read(./{shown})"]
                )
            return Decision("allow", "reading")
        if self.mode == "plan":
            return Decision("deny", "plan mode: files are not changed")
        if p is not None and where.in_git(p):
            return Decision("deny", "writes into .git (hooks and config there run code)")
        if rel in _SETTINGS_FILES:
            return Decision("ask", f"changes the permission settings ({rel})")
        if p is not None and not where.inside(p):
            if self.allow_outside_root:
                return Decision("ask", f"writes outside the project ({p})")
            return Decision("allow", "the tool itself refuses paths outside the project")
        return Decision("allow", "edits inside the project (snapshots and /undo keep them)")

    # ------------------------------------------------------------------ bash

    def bash(self, command: str, cwd: Path) -> Decision:
        if not command.strip():
            return Decision("allow", "an empty command")
        parsed = parse_command(command)
        outside = self.sandboxed and self._excluded(command, parsed)
        decision = self._bash(command, parsed, cwd, sandboxed=self.sandboxed and not outside)
        # .git is writable only through git commands the rules allow: those run outside
        if (
            decision.action == "allow"
            and self.sandboxed
            and not outside
            and self._git_by_rule(parsed)
        ):
            outside = True
            decision = self._bash(command, parsed, cwd, sandboxed=False)
        decision.outside = outside and decision.action != "deny"
        return decision

    def _excluded(self, command: str, parsed: ParsedCommand) -> bool:
        texts = [command] + [s.text for s in parsed.segments]
        return any(command_matches(spec, t) for spec in self.excluded for t in texts)

    def _git_by_rule(self, parsed: ParsedCommand) -> bool:
        for seg in parsed.segments:
            if seg.name.rsplit("/", 1)[-1] == "git" and self._bash_rule(self.allow, seg.text):
                verdict = builtin.classify(seg, builtin.Where(self.root, self.root, self.home))
                if verdict.kind != "read_only":
                    return True
        return False

    def _bash_rule(self, rules: list[Rule], text: str) -> Rule | None:
        for r in rules:
            if r.applies_to("bash") and (r.bare or command_matches(r.spec or "", text)):
                return r
        return None

    def _bash(self, command: str, parsed: ParsedCommand, cwd: Path, sandboxed: bool) -> Decision:
        where = builtin.Where(self.root, cwd, self.home, sandboxed=sandboxed)
        texts = [command] + [s.text for s in parsed.segments]
        for text in texts:
            hit = self._bash_rule(self.deny, text)
            if hit:
                return Decision("deny", f"the rule {hit.text} denies `{text}`", hit.text)
        asks: list[tuple[str, list[str]]] = []  # (reason, always rules)
        unknown: list[Segment] = []
        folders = _folders(parsed, where)
        denied = self._redirects(parsed, where, folders, asks) or _download_to_shell(parsed)
        if denied:
            return Decision("deny", denied)
        whole_allow = self._bash_rule(self.allow, command)
        for i, seg in enumerate(parsed.segments):
            where = builtin.Where(self.root, folders[i], self.home, sandboxed=sandboxed)
            hit = self._bash_rule(self.ask, seg.text)
            if hit:
                asks.append((f"the rule {hit.text} asks for `{seg.text}`", []))
                continue
            if self._bash_rule(self.allow, seg.text) or (whole_allow and seg.text == command):
                continue
            if seg.wraps:
                continue  # the command it runs is its own segment
            verdict = builtin.classify(seg, where)
            secret = verdict.kind == "ask" and verdict.reason.startswith("reads a secret")
            if secret and self._read_allowed(seg, where):
                continue
            if verdict.kind == "deny":
                return Decision("deny", f"`{seg.text}` {verdict.reason}")
            if verdict.kind == "ask":
                asks.append((f"`{seg.text}` {verdict.reason}", [f"Bash({seg.text})"]))
            elif not _passes(verdict.kind, self.mode):
                unknown.append(seg)
        if parsed.problems and not whole_allow:
            strict = any(not r.bare for r in self.deny + self.ask if r.applies_to("bash"))
            if not sandboxed or strict:
                asks.append((f"it cannot be checked: {parsed.problems[0]}", []))
        if asks:
            reason = asks[0][0]
            always = [r for _, rules in asks for r in rules]
            if self.mode == "dontAsk":
                return Decision("deny", f"{reason} (dontAsk mode)")
            return Decision("ask", reason, always=_unique(always + _prefix_rules(unknown)))
        if unknown:
            names = ", ".join(dict.fromkeys(s.name for s in unknown))
            if self.mode == "plan":
                return Decision("deny", f"plan mode runs only read-only commands (not {names})")
            if sandboxed:
                return Decision("allow", "runs inside the sandbox", sandboxed=True)
            if self.mode == "dontAsk":
                return Decision("deny", f"no rule allows `{names}` (dontAsk mode)")
            return Decision("ask", f"not on the allow list: {names}", always=_prefix_rules(unknown))
        return Decision("allow", "every part is allowed")

    def _read_allowed(self, seg: Segment, where: builtin.Where) -> bool:
        for w in seg.words[1:]:
            p = where.resolve(w.text.lstrip("@"))
            if builtin.is_secret_path(p, self.home) and not any(
                r.spec and path_matches(r.spec, p, self.root, self.home)
                for r in self.allow
                if r.applies_to("read_file")
            ):
                return False
        return True

    def _redirects(
        self,
        parsed: ParsedCommand,
        where: builtin.Where,
        folders: list[Path],
        asks: list[tuple[str, list[str]]],
    ) -> str:
        """A reason to deny from the redirect targets ('' when none); secret reads ask."""
        for r in parsed.redirects:
            if not r.literal:
                if not where.sandboxed:
                    asks.append((f"it redirects to a path computed when it runs ({r.target})", []))
                continue
            at = builtin.Where(self.root, folders[min(r.after, len(folders) - 1)], self.home)
            p = at.resolve(r.target)
            if not r.write:
                if builtin.is_secret_path(p, self.home):
                    asks.append((f"it reads a secret file ({r.target})", []))
                continue
            text = str(p)
            if text in _DEV_OK or text.startswith("/dev/fd/"):
                continue
            if where.in_git(p):
                return f"it writes into .git ({r.target})"
            if where.inside(p):
                if _rel(p, self.root) in _SETTINGS_FILES:
                    return f"it writes the permission settings ({r.target})"
                continue
            if text == "/tmp" or text.startswith("/tmp/"):
                if not where.sandboxed:  # the sandbox's /tmp is private
                    asks.append((f"it writes outside the project ({r.target})", []))
                continue
            if text.startswith("/dev/"):
                return f"it writes to a device ({r.target})"
            return f"it writes outside the project ({r.target})"
        return ""


def _folders(parsed: ParsedCommand, where: builtin.Where) -> list[Path]:
    """The folder in effect before each segment (and after the last): `cd x && ...` moves
    the rest of the command there."""
    out = [where.cwd]
    for seg in parsed.segments:
        cwd = out[-1]
        if seg.name == "cd" and len(seg.words) <= 2 and not seg.wrapper:
            if len(seg.words) == 1:
                cwd = where.home
            elif seg.words[1].literal and seg.words[1].text != "-":
                cwd = builtin.Where(where.root, cwd, where.home).resolve(seg.words[1].text)
        out.append(cwd)
    return out


def _passes(kind: str, mode: str) -> bool:
    """A built-in class that runs without asking in this mode."""
    return (
        kind == "read_only"
        or (kind == "test" and mode != "plan")
        or (kind == "edit" and mode == "acceptEdits")
    )


def _download_to_shell(parsed: ParsedCommand) -> str:
    names = [s.name.rsplit("/", 1)[-1] for s in parsed.segments]
    if not ({"curl", "wget"} & set(names)):
        return ""
    reads_input = any("reads the commands it runs" in p for p in parsed.problems)
    shells = {"bash", "sh", "zsh", "dash", "python", "python3", "perl", "ruby", "node"}
    if reads_input or any(
        n in shells and len(s.words) == 1 for n, s in zip(names, parsed.segments, strict=True)
    ):
        return "it pipes a download into a shell (curl | sh)"
    return ""


def _prefix_rules(segments: list[Segment]) -> list[str]:
    return _unique([f"Bash({suggest_prefix(s.argv)}:*)" for s in segments if s.argv])


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _rel(p: Path, root: Path) -> str:
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return ""
