"""The bash tool: a persistent shell session (tools/shellsession.py) or a fresh shell per call.

In the persistent session ``cd``, exported and plain shell variables survive across calls.
Commands run inside the sandbox when one works (permissions/sandbox.py), never wait for input
(stdin is /dev/null, pagers and editors are off, a command reading the terminal is stopped),
see no secrets in their environment, and their output is kept as head and tail. The model's
``timeout`` is capped by SMALLCODE_BASH_TIMEOUT_MAX and by the time left for the task.

Whether a command may run at all is decided before the call, by the permission guard
(agent/permission_guard.py); a command that fails inside the sandbox for want of network or
write access may be run again outside it, once the user says so.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool
from smallcode.tools.shellproc import run_oneshot, shell_env
from smallcode.tools.shellsession import PersistentShell, ShellRun, clean

if TYPE_CHECKING:
    from smallcode.permissions.sandbox import Sandbox

__all__ = ["PersistentShell", "bash", "exit_code_of", "get_shell", "run_fresh", "shell_env"]

_EXIT_LINE = re.compile(r"\[exit code: (-?\d+)\]\s*$")


def exit_code_of(tool_name: str, output: str) -> int | None:
    """The exit code a bash result ends with (``[exit code: N]``); a timed-out command counts
    as failed (-1). None for other tools and results without one."""
    if tool_name != "bash" or not output:
        return None
    m = _EXIT_LINE.search(output[-200:])
    if m:
        return int(m.group(1))
    if "[timed out after " in output[-400:]:
        return -1
    return None


def run_fresh(
    command: str,
    cwd: Path,
    timeout: float,
    sandbox: Sandbox | None = None,
    env_keep: str = "",
    sandboxed: bool = True,
) -> tuple[str, int | None, bool]:
    """Run in a new shell (SMALLCODE_SHELL_PERSIST=false, contract checks): in the project's
    sandbox when one is active (``sandboxed=False``: outside it); its whole process tree ends
    with it or on timeout."""
    if sandbox is None and sandboxed:
        from smallcode.permissions.sandbox import for_root

        sandbox = for_root(cwd)
    if not sandboxed:
        sandbox = None
    output, code, timed_out = run_oneshot(command, cwd, timeout, shell_env(env_keep), sandbox)
    return clean(output), code, timed_out


def get_shell(ctx: ToolContext) -> PersistentShell:
    shell = ctx.shell
    if shell is None:
        shell = ctx.shell = PersistentShell(
            ctx.root,
            sandbox=ctx.sandbox,
            env_keep=getattr(ctx.settings, "shell_env_keep", ""),
            on_notice=lambda text: ctx.events.emit("notice", message=text),
            on_output=lambda text: ctx.events.emit("tool_output", text=_mask(ctx, text)),
        )
    return shell


def command_limit(ctx: ToolContext, requested: Any) -> tuple[float, str]:
    """The timeout for one command and, when it was capped, a note saying why."""
    try:
        wanted = float(requested) if requested not in (None, "") else 0.0
    except (TypeError, ValueError):
        wanted = 0.0
    limit = wanted if wanted > 0 else float(ctx.settings.bash_timeout)
    note = ""
    cap = float(getattr(ctx.settings, "bash_timeout_max", 600.0) or 600.0)
    if limit > cap:
        limit, note = cap, f"timeout capped at {cap:g}s (SMALLCODE_BASH_TIMEOUT_MAX)"
    deadline = ctx.run_deadline
    if isinstance(deadline, float):
        left = deadline - time.monotonic()
        if left < limit:
            limit = max(1.0, left)
            note = f"timeout capped at {limit:.0f}s: the time left for the task"
    return limit, note


def _mask(ctx: ToolContext, text: str) -> str:
    mask = ctx.secret_mask
    if mask is None:
        from smallcode.permissions.secretenv import SecretMask

        mask = ctx.secret_mask = SecretMask()
    return mask(text)


def _execute(ctx: ToolContext, command: str, limit: float, outside: bool) -> ShellRun:
    shell = ctx.shell
    cwd = shell.cwd if isinstance(shell, PersistentShell) and shell.cwd.is_dir() else ctx.root
    if outside:
        keep = getattr(ctx.settings, "shell_env_keep", "")
        out, code, timed_out = run_fresh(command, cwd, limit, env_keep=keep, sandboxed=False)
        return ShellRun(out, code, timed_out)
    if ctx.settings.shell_persist:
        return get_shell(ctx).run(command, limit)
    keep = getattr(ctx.settings, "shell_env_keep", "")
    out, code, timed_out = run_fresh(command, ctx.root, limit, sandbox=ctx.sandbox, env_keep=keep)
    return ShellRun(out, code, timed_out)


@tool
def bash(ctx: ToolContext, command: str, timeout: int | None = None) -> str:
    """Run a shell command in the project folder; cd and variables persist between calls.

    Args:
        command: The bash command to run.
        timeout: Seconds before the command is stopped (default 120).
    """
    if not command.strip():
        raise ToolError("command is empty")
    limit, cap_note = command_limit(ctx, timeout)
    perms = ctx.permissions
    outside = perms is not None and perms.take_outside(command)
    run = _execute(ctx, command, limit, outside)
    retry_note = ""
    if perms is not None and not outside and not run.timed_out and run.exit_code:
        why = perms.sandbox_failure(run.output)
        if why:
            if perms.retry_outside(command, why):
                first = run
                run = _execute(ctx, command, limit, outside=True)
                retry_note = f"[failed in the sandbox ({why}); run again outside it]"
                if not run.output and first.output:
                    run.output = first.output
            else:
                retry_note = perms.retry_refused_note(why)
    output = _mask(ctx, run.output)
    notes = [n for n in (retry_note, cap_note) if n]
    if run.timed_out:
        stopped = f"[timed out after {limit:g}s; the command was stopped]"
        return "\n".join([output, stopped, *notes]).strip()
    if run.note:
        return "\n".join([output, run.note, *notes]).strip()
    text = output if output else "(no output)"
    return "\n".join([text, *notes, f"[exit code: {run.exit_code}]"])
