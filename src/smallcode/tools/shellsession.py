"""The persistent shell session behind the bash tool (see tools/shell.py).

An interactive bash on a pseudo-terminal of its own (so Ctrl-C and timeouts stop the command,
not the session), started inside the sandbox (permissions/sandbox.py) or under the launcher.
Each command is written to a file and sourced with stdin from /dev/null; its output goes
through a pipe into a capped buffer (head and tail kept, the rest counted), then a marker line
carries the exit code and the current folder. A command blocked reading the terminal is
stopped with a message. On close, whatever the session left running is ended (SIGTERM, then
SIGKILL) and named.
"""

from __future__ import annotations

import fcntl
import os
import pty
import secrets
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smallcode.errors import ToolError
from smallcode.tools.shellproc import (
    READ_CHUNK,
    CappedBuffer,
    default_signals,
    descendants,
    end_processes,
    proc_name,
    shell_env,
    tty_reader,
)

if TYPE_CHECKING:
    from smallcode.permissions.sandbox import Sandbox

TTY_WAIT_S = 1.0  # a command blocked reading the terminal this long is stopped


@dataclass
class ShellRun:
    output: str
    exit_code: int | None  # None on timeout or when the command was stopped
    timed_out: bool = False
    note: str = ""  # why it was stopped (waiting on the terminal), or that the shell restarted


class _Capture:
    """The output of one command, up to its marker line ``\\n__SC_<token>__:rc:pwd\\n``."""

    def __init__(self, token: str, live: Callable[[str], None] | None = None) -> None:
        self.live = live  # gets new output now and then (tool_output events)
        self._live_at = 0.0
        self._live_new = b""
        self.marker = f"\n__SC_{token}__:".encode()
        self.buf = CappedBuffer()
        self.carry = b""
        self.found = False
        self.rest = b""
        self.exit_code: int | None = None
        self.pwd = ""
        self.done = threading.Event()
        self.tty_text = b""

    def feed(self, data: bytes) -> None:
        if self.found:
            self.rest += data
            self._status()
            return
        window = self.carry + data
        i = window.find(self.marker)
        if i < 0:
            self.buf.write(data)
            self.carry = window[-(len(self.marker) - 1) :]
            self._tell(data)
            return
        fed = len(self.carry) - i  # marker bytes already written to the buffer
        if fed > 0:
            self.buf.trim_end(fed)
        else:
            self.buf.write(data[: i - len(self.carry)])
        self.found = True
        self.rest = window[i + len(self.marker) :]
        self._status()

    def _tell(self, data: bytes) -> None:
        """At most five times a second, the latest few KB of output for a live view."""
        if self.live is None:
            return
        self._live_new = (self._live_new + data)[-4096:]
        now = time.monotonic()
        if now - self._live_at >= 0.2:
            self._live_at = now
            text, self._live_new = self._live_new.decode("utf-8", "replace"), b""
            try:
                self.live(text)
            except Exception:  # a display problem must not stop the command's output
                self.live = None

    def feed_tty(self, data: bytes) -> None:
        self.tty_text = (self.tty_text + data)[-200:]
        if not self.found:
            self.buf.write(data)

    def _status(self) -> None:
        nl = self.rest.find(b"\n")
        if nl < 0:
            return
        code, _, pwd = self.rest[:nl].decode("utf-8", "replace").partition(":")
        self.exit_code = int(code) if code.strip().isdigit() else None
        self.pwd = pwd
        self.done.set()


class PersistentShell:
    def __init__(
        self,
        cwd: Path,
        sandbox: Sandbox | None = None,
        env_keep: str = "",
        on_notice: Callable[[str], None] | None = None,
        on_output: Callable[[str], None] | None = None,
    ) -> None:
        self.root = cwd
        self.cwd = cwd  # the shell's current folder, from the last marker line
        if sandbox is None:
            from smallcode.permissions.sandbox import Sandbox

            sandbox = Sandbox("off", cwd)  # the launcher alone: process tracking, SIGINT
        self.sandbox = sandbox
        self._fd = -1  # the output pipe's number inside the shell
        self.env_keep = env_keep
        self.on_notice = on_notice
        self.on_output = on_output
        self._proc: subprocess.Popen[bytes] | None = None
        self._master = -1
        self._out_r = -1
        self._capture: _Capture | None = None
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._wake_r = self._wake_w = -1
        self._tmpdir = Path()  # the command files' folder, made at start, removed at close

    # ------------------------------------------------------------------ life cycle

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _start(self) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        out_r, out_w = os.pipe()
        try:
            fcntl.fcntl(out_r, 1031, 1024 * 1024)  # F_SETPIPE_SZ: fewer wake-ups
        except OSError:
            pass
        self._tmpdir = Path(tempfile.mkdtemp(prefix="smallcode-sh-"))
        inner = ["bash", "--noprofile", "--norc", "--noediting", "-i"]
        argv = self.sandbox.wrap(inner, cwd=self.root, ro_paths=(self._tmpdir,))
        env = self.sandbox.env(shell_env(self.env_keep))

        def child_setup() -> None:
            default_signals()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=str(self.root),
                env=env,
                start_new_session=True,
                preexec_fn=child_setup,
                pass_fds=(out_w,),
            )
        except OSError as exc:
            for fd in (master, slave, out_r, out_w):
                os.close(fd)
            raise ToolError(f"cannot start the shell: {exc.strerror or exc}") from None
        os.close(slave)
        os.close(out_w)
        self._master, self._out_r, self._fd = master, out_r, out_w
        wake_r, self._wake_w = os.pipe()
        self._wake_r = wake_r
        self._reader = threading.Thread(
            target=self._read_loop,
            args=(out_r, master, wake_r),
            name="smallcode-shell",
            daemon=True,
        )
        self._reader.start()
        if not self._sync("stty -echo 2>/dev/null; unset PROMPT_COMMAND; PS1=; PS2=", 15.0):
            self.close()
            raise ToolError("the shell did not start (no answer within 15 s)")

    def _read_loop(self, out_r: int, master: int, wake_r: int) -> None:
        """Drain the output pipe and the terminal into the current capture (also between
        commands, so a background writer never blocks on a full pipe). ``close`` wakes it
        and joins it before closing the fds, so no fd number is reused under it."""
        fds = [out_r, master, wake_r]
        while out_r in fds or master in fds:
            try:
                ready, _, _ = select.select(fds, [], [], 5.0)
            except (OSError, ValueError):
                return
            if wake_r in ready:
                return
            for fd in ready:
                try:
                    data = os.read(fd, READ_CHUNK)
                except OSError:
                    data = b""
                cap = self._capture
                if not data:
                    fds.remove(fd)
                    if fd == master and cap is not None:
                        cap.done.set()  # the shell is gone
                    continue
                if cap is None:
                    continue
                if fd == out_r:
                    cap.feed(data)
                else:
                    cap.feed_tty(data)

    def _send(self, line: str) -> None:
        os.write(self._master, (line + "\n").encode("utf-8"))

    def _status_line(self, token: str, code: str = "$?") -> str:
        return f'printf \'\\n__SC_{token}__:%s:%s\\n\' "{code}" "$PWD" >&{self._fd}'

    def _sync(self, prefix: str, timeout: float) -> bool:
        """Send a marker line (after ``prefix``) until the shell answers the latest one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            token = secrets.token_hex(6)
            cap = _Capture(token)
            self._capture = cap
            line = self._status_line(token, "0")
            self._send(f"{prefix}; {line}" if prefix else line)
            if cap.done.wait(min(1.0, max(0.05, deadline - time.monotonic()))):
                if cap.found:
                    self.cwd = Path(cap.pwd) if cap.pwd else self.cwd
                    self._capture = None
                    return True
                return False  # the shell died
        return False

    # ------------------------------------------------------------------ running

    def run(self, command: str, timeout: float) -> ShellRun:
        with self._lock:
            if not self.alive():
                self._start()
            token = secrets.token_hex(8)
            script = self._tmpdir / f"cmd-{token}.sh"
            script.write_text(command + "\n", encoding="utf-8")
            cap = _Capture(token, self.on_output)
            self._capture = cap
            self._send(
                f"{{ . {script}; }} </dev/null >&{self._fd} 2>&1; {self._status_line(token)}"
            )
            try:
                return self._wait(cap, timeout)
            except KeyboardInterrupt:
                self._interrupt()  # the user's Ctrl-C stops the command, not just our wait
                raise
            finally:
                script.unlink(missing_ok=True)

    def _wait(self, cap: _Capture, timeout: float) -> ShellRun:
        started = time.monotonic()
        deadline = started + timeout
        tty_since: float | None = None
        while not cap.done.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
            now = time.monotonic()
            if now >= deadline:
                self._interrupt()
                return ShellRun(clean(cap.buf.text()), None, True)
            if now - started >= 0.5:
                waiting = tty_reader(self._command_pids())
                tty_since = (tty_since or now) if waiting else None
                if tty_since is not None and now - tty_since >= TTY_WAIT_S:
                    name = proc_name(waiting) if waiting else "the command"
                    self._interrupt()
                    asked = cap.tty_text.decode("utf-8", "replace").strip().splitlines()
                    said = f" (it asked: {asked[-1][:80]!r})" if asked else ""
                    note = (
                        f"[stopped after {now - started:.0f}s: `{name}` was waiting for input "
                        f"from the terminal{said}. Commands here cannot be interactive: give the "
                        "input with flags, a file or a pipe, e.g. `yes | cmd` or `cmd --yes`]"
                    )
                    return ShellRun(clean(cap.buf.text()), None, False, note)
        if not cap.found:  # the command ended the shell (e.g. `exit`)
            status = None
            if self._proc is not None:
                try:
                    status = self._proc.wait(2.0)
                except subprocess.TimeoutExpired:
                    pass
            self.close(quiet=True)
            note = "(the shell exited; a new one starts in the project root next call)"
            return ShellRun(clean(cap.buf.text()), status, False, note)
        if cap.pwd:
            self.cwd = Path(cap.pwd)
        self._capture = None
        return ShellRun(clean(cap.buf.text()), cap.exit_code)

    def _command_pids(self) -> list[int]:
        if self._proc is None:
            return []
        return descendants(self._proc.pid)

    def _interrupt(self) -> None:
        """Stop the running command: Ctrl-C, then SIGKILL its process group, else restart."""
        try:
            os.write(self._master, b"\x03")
            if self._sync("", 3.0):
                return
            fg = os.tcgetpgrp(self._master)
            shell = self._shell_pid()
            if fg > 0 and shell is not None and fg != os.getpgid(shell):
                os.killpg(fg, signal.SIGKILL)
                if self._sync("", 3.0):
                    return
        except OSError:
            pass
        self.close(quiet=True)

    def _shell_pid(self) -> int | None:
        if self._proc is None:
            return None
        for pid in [self._proc.pid, *descendants(self._proc.pid)]:
            if proc_name(pid) == "bash":
                return pid
        return None

    def close(self, quiet: bool = False) -> list[str]:
        """End the shell and everything it started; returns the names of what was still
        running besides the shell itself (and says so through ``on_notice``)."""
        proc, self._proc = self._proc, None
        ended: list[str] = []
        if proc is not None:
            tree = descendants(proc.pid)
            infra = {proc.pid} | {p for p in tree if proc_name(p) in ("bwrap",)}
            shell = next((p for p in tree if p not in infra and proc_name(p) == "bash"), None)
            infra |= {shell} if shell else set()
            ended = [proc_name(p) for p in tree if p not in infra]
            end_processes(tree, grace=1.0 if ended else 0.2)
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(2)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._wake_w >= 0:
            try:
                os.write(self._wake_w, b"x")
            except OSError:
                pass
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(2.0)  # it has left select() before its fds are closed
        for fd in (self._master, self._out_r, self._wake_r, self._wake_w):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._out_r = self._wake_r = self._wake_w = -1
        self._reader = None
        if self._tmpdir.name.startswith("smallcode-sh-"):
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        if ended and not quiet and self.on_notice is not None:
            names = ", ".join(sorted(set(ended)))
            self.on_notice(
                f"ended {len(ended)} process{'es' if len(ended) > 1 else ''} the session left "
                f"running (SIGTERM, then SIGKILL): {names}"
            )
        return ended


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip("\n")
