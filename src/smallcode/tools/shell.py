"""The bash tool: a persistent shell session (pexpect) or a fresh shell per call.

In the persistent session ``cd``, exported and plain shell variables survive across calls.
Each command is written to a temp file and sourced with stdin from /dev/null (no command can
hang waiting for input), followed by a sentinel line carrying the exit code. A timeout
interrupts the command, not the session; if the shell itself dies it is restarted.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool

MAX_CAPTURE = 512 * 1024  # what we keep in memory; the context layer caps what the model sees

SHELL_ENV = {
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "EDITOR": "true",
    "TERM": "dumb",
    "NO_COLOR": "1",
    "PS1": "",
    "PS2": "",
    "PROMPT_COMMAND": "",
}


def _shell_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    env.update(SHELL_ENV)
    return env


class PersistentShell:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self._child = None  # pexpect.spawn
        self._lock = threading.Lock()
        self._tmpdir = Path(tempfile.mkdtemp(prefix="smallcode-sh-"))

    def _start(self) -> None:
        import pexpect

        child = pexpect.spawn(
            "bash",
            ["--noprofile", "--norc", "--noediting"],
            cwd=str(self.cwd),
            env=_shell_env(),
            encoding="utf-8",
            codec_errors="replace",
            echo=False,
            timeout=None,
            dimensions=(200, 500),
        )
        child.delaybeforesend = None  # 50 ms -> under 1 ms per round trip
        self._child = child
        self._sync(timeout=10)

    def _sync(self, timeout: float) -> None:
        """Wait until the shell answers a fresh sentinel (after start or an interrupt)."""
        token = secrets.token_hex(6)
        self._child.sendline(f"stty -echo 2>/dev/null; printf '__SC_SYNC_%s__\\n' {token}")
        self._child.expect(f"__SC_SYNC_{token}__\r?\n", timeout=timeout)

    def run(self, command: str, timeout: float) -> tuple[str, int | None, bool]:
        """Run a command; returns (output, exit code or None on timeout, timed_out)."""
        import pexpect

        with self._lock:
            if self._child is None or not self._child.isalive():
                self._start()
            token = secrets.token_hex(8)
            script = self._tmpdir / f"cmd-{token}.sh"
            script.write_text(command + "\n", encoding="utf-8")
            marker = f"__SC_DONE_{token}__"
            self._child.sendline(
                f"{{ . {script}; }} < /dev/null 2>&1; printf '\\n{marker}:%s\\n' \"$?\""
            )
            try:
                self._child.expect(rf"\r?\n{marker}:(\d+)\r?\n", timeout=timeout)
                output = self._child.before or ""
                code = int(self._child.match.group(1))
                return _clean(output), code, False
            except pexpect.TIMEOUT:
                partial = self._child.before or ""
                self._interrupt()
                return _clean(partial), None, True
            except KeyboardInterrupt:
                self._interrupt()  # the user's Ctrl-C stops the command, not just our wait
                raise
            except pexpect.EOF:
                output = self._child.before or ""
                self._child.close()
                status = self._child.exitstatus
                self._child = None  # the command ended the shell (e.g. `exit`); restart next time
                note = "\n(the shell exited; a new one starts in the project root next call)"
                return _clean(output) + note, status, False
            finally:
                script.unlink(missing_ok=True)

    def _interrupt(self) -> None:
        import pexpect

        try:
            self._child.sendintr()
            self._sync(timeout=5)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            self.close()

    def close(self) -> None:
        if self._child is not None:
            try:
                self._child.close(force=True)
            except Exception:
                pass
            self._child = None


def run_fresh(command: str, cwd: Path, timeout: float) -> tuple[str, int | None, bool]:
    """Run in a new shell (SMALLCODE_SHELL_PERSIST=false); kills the process group on timeout."""
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=_shell_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out.decode("utf-8", "replace")[-MAX_CAPTURE:], proc.returncode, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return out.decode("utf-8", "replace")[-MAX_CAPTURE:], None, True


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CAPTURE:
        text = text[: MAX_CAPTURE // 2] + "\n...\n" + text[-MAX_CAPTURE // 2 :]
    return text.strip("\n")


def get_shell(ctx: ToolContext) -> PersistentShell:
    shell = ctx.extras.get("shell")
    if shell is None:
        shell = ctx.extras["shell"] = PersistentShell(ctx.root)
    return shell


@tool
def bash(ctx: ToolContext, command: str, timeout: int | None = None) -> str:
    """Run a shell command in the project folder; cd and variables persist between calls.

    Args:
        command: The bash command to run.
        timeout: Seconds before the command is stopped (default 120).
    """
    if not command.strip():
        raise ToolError("command is empty")
    limit = float(timeout or ctx.settings.bash_timeout)
    if ctx.settings.shell_persist:
        output, code, timed_out = get_shell(ctx).run(command, limit)
    else:
        output, code, timed_out = run_fresh(command, ctx.root, limit)
    if timed_out:
        return f"{output}\n[timed out after {limit:g}s; the command was stopped]".lstrip()
    text = output if output else "(no output)"
    return f"{text}\n[exit code: {code}]"
