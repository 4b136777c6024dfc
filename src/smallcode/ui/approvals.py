"""Asking the user in the REPL: one-line approvals, trusting project files, /permissions.

An approval is one line: what would run, why it asks, and the choice::

    ? bash  rm -rf build   not on the allow list: rm   [y]es / [a]lways Bash(rm:*) / [n]o

"always" is written to ``.smallcode/settings.local.json``; Enter, Ctrl-C or Ctrl-D mean no.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.ui.commands import command

if TYPE_CHECKING:
    from smallcode.permissions.manager import ApprovalRequest
    from smallcode.ui.repl import Repl

ANSWERS = {"y": "yes", "yes": "yes", "a": "always", "always": "always", "n": "no", "no": "no"}


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def approval_line(req: ApprovalRequest) -> str:
    subject = " ".join(req.subject.split())
    if len(subject) > 120:
        subject = subject[:117] + "..."
    choices = "[y]es / "
    if req.always:
        choices += f"[a]lways {', '.join(req.always)} / "
    choices += "[n]o"
    tool = "" if req.tool == "bash" and req.kind == "sandbox" else f"{req.tool}  "
    return f"? {tool}{subject}   {req.reason}   {choices}: "


def make_chooser(
    console: Any, read: Callable[[str], str] | None = None
) -> Callable[[ApprovalRequest], str]:
    """A ``choose(request) -> "yes" | "always" | "no"`` that asks on one line."""

    def default_read(text: str) -> str:
        from prompt_toolkit import prompt

        from smallcode.ui.activity import paused

        with paused():  # the turn's live region would draw over the question
            return prompt(text)

    reader = read or default_read

    def choose(req: ApprovalRequest) -> str:
        line = approval_line(req)
        for _ in range(3):
            try:
                answer = reader(line).strip().lower()
            except (EOFError, KeyboardInterrupt):
                return "no"
            choice = ANSWERS.get(answer or "n")
            if choice == "always" and not req.always:
                choice = "yes"
            if choice is not None:
                return choice
            console.print("[dim]answer y, a or n[/]")
        return "no"

    return choose


def trust_at_start(console: Any, root: Path, read: Callable[[str], str] | None = None) -> bool:
    """Ask once about each project file whose settings wait for trust; True when any was
    trusted (the settings must then be loaded again)."""
    from smallcode import trust
    from smallcode.permissions.cli import pending_files

    pending = pending_files(root)
    if not pending:
        return False
    if read is None:
        from prompt_toolkit import prompt as read_line

        read = read_line
    changed = False
    for path, held in pending:
        console.print(
            f"[yellow]This project's {_esc(str(path.relative_to(root)))} would apply:[/] "
            f"{_esc(', '.join(held))}"
        )
        try:
            answer = read("Trust this file as it is now? [y/N] ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer in ("y", "yes"):
            trust.trust(path)
            changed = True
        else:
            console.print("[dim]Not applied (`smallcode trust` applies it later).[/]")
    return changed


@command("permissions", "permission mode, rules and sandbox; /permissions mode NAME")
def _permissions(ui: Repl, arg: str) -> str:
    manager = ui.agent.ctx.permissions
    if manager is None:
        return "Permissions are not set up in this session."
    words = arg.split()
    if words[:1] == ["mode"] and len(words) == 2:
        from smallcode.permissions.engine import normalize_mode

        try:
            manager.policy.mode = normalize_mode(words[1])
        except ValueError:
            return f"Unknown mode `{words[1]}`: default, acceptEdits, plan, dontAsk, bypassPermissions."
        return f"Permission mode for this session: **{manager.policy.mode}**."
    d = manager.describe()
    lines = [
        f"**Mode** {d['mode']} · **sandbox** {d['sandbox_detail']}",
        f"Approval prompts this session: {manager.total_prompts}",
    ]
    for kind in ("allow", "ask", "deny"):
        if d[kind]:
            lines.append(f"- {kind}: " + ", ".join(f"`{r}`" for r in d[kind]))
    if d["excluded_commands"]:
        lines.append(
            "- outside the sandbox: " + ", ".join(f"`{c}`" for c in d["excluded_commands"])
        )
    for path, held in d["untrusted"].items():
        lines.append(f"- not trusted: {path} ({', '.join(held)})")
    lines.append("Rules live in `.smallcode/settings.json` and `.smallcode/settings.local.json`.")
    return "\n".join(lines)
