"""Process plumbing for the shell: capped output, process trees, terminal waits, one-shot runs.

- ``CappedBuffer`` keeps the head and the tail of a stream and counts what it dropped, so 50 MB
  of output costs a few list operations per MB instead of a growing string.
- ``descendants`` / ``end_processes`` find and end what a shell started (``nohup``, ``setsid``
  and ``( … &)`` included: the launcher or the sandbox's pid namespace keeps them in the tree).
- ``tty_reader`` finds a process blocked reading the terminal (a password prompt, ``read <
  /dev/tty``): such a command would wait forever, so it is ended with a clear message.
- ``run_oneshot`` runs ``bash -c`` once, in the sandbox, with output streamed into the buffer.
"""

from __future__ import annotations

import os
import platform
import select
import signal
import subprocess
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smallcode.permissions.launcher import descendants
from smallcode.permissions.secretenv import keep_names, scrub

if TYPE_CHECKING:
    from smallcode.permissions.sandbox import Sandbox

SHELL_ENV = {
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "MANPAGER": "cat",
    "SYSTEMD_PAGER": "",
    "LESS": "-FRX",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_SEQUENCE_EDITOR": "true",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
    "EDITOR": "true",
    "VISUAL": "true",
    "PIP_NO_INPUT": "1",
    "DEBIAN_FRONTEND": "noninteractive",
    "TERM": "dumb",
    "NO_COLOR": "1",
    "PS1": "",
    "PS2": "",
    "PROMPT_COMMAND": "",
    "HISTFILE": "/dev/null",
}


def shell_env(keep: str = "") -> dict[str, str]:
    """The environment of the model's commands: no secrets, no pagers or editors."""
    env = scrub(os.environ, keep_names(keep))
    env.update(SHELL_ENV)
    return env


HEAD_BYTES = 64 * 1024
TAIL_BYTES = 192 * 1024
READ_CHUNK = 1024 * 1024
_READ_SYSCALLS = {"x86_64": {0, 17, 19, 295}, "aarch64": {63, 65, 67, 69}}.get(
    platform.machine(), set()
)
_TTY_PREFIXES = ("/dev/tty", "/dev/pts/", "/dev/console")

__all__ = [
    "CappedBuffer",
    "descendants",
    "end_processes",
    "run_oneshot",
    "shell_env",
    "tty_reader",
]


class CappedBuffer:
    """The first ``head`` and last ``tail`` bytes of a stream, and how much was left out."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES) -> None:
        self.head_limit, self.tail_limit = head, tail
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_size = 0
        self.dropped = 0
        self.dropped_lines = 0
        self.total = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
            if not data:
                return
        self.tail.append(data)
        self.tail_size += len(data)
        while self.tail_size - len(self.tail[0]) >= self.tail_limit:
            old = self.tail.popleft()
            self.tail_size -= len(old)
            self._drop(old)
        if self.tail_size > self.tail_limit * 2:  # one huge chunk: keep only its end
            joined = b"".join(self.tail)
            cut = len(joined) - self.tail_limit
            self._drop(joined[:cut])
            self.tail = deque([joined[cut:]])
            self.tail_size = self.tail_limit

    def _drop(self, data: bytes) -> None:
        self.dropped += len(data)
        self.dropped_lines += data.count(b"\n")

    def trim_end(self, n: int) -> None:
        """Remove the last ``n`` bytes written (a marker that straddled two reads)."""
        while n > 0 and self.tail:
            last = self.tail.pop()
            self.tail_size -= len(last)
            if len(last) > n:
                self.tail.append(last[:-n])
                self.tail_size += len(last) - n
                n = 0
            else:
                n -= len(last)
        if n > 0:
            del self.head[max(0, len(self.head) - n) :]

    def text(self) -> str:
        head = bytes(self.head).decode("utf-8", "replace")
        joined = b"".join(self.tail)
        if len(joined) > self.tail_limit:  # keep the cap exactly, from a line start
            cut = len(joined) - self.tail_limit
            newline = joined.find(b"\n", cut)
            cut = newline + 1 if 0 <= newline < cut + 4096 else cut
            self._drop(joined[:cut])
            joined = joined[cut:]
            self.tail = deque([joined])
            self.tail_size = len(joined)
        tail = joined.decode("utf-8", "replace")
        if self.dropped:
            mb = self.dropped / 1e6
            size = f"{mb:.1f} MB" if mb >= 1 else f"{self.dropped} bytes"
            head += f"\n... [{size}, {self.dropped_lines} lines of output left out] ...\n"
        return head + tail


# ---------------------------------------------------------------------- processes


def proc_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return "?"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] != b"Z"
    except OSError:
        return False


def end_processes(pids: Sequence[int], grace: float = 1.0) -> None:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL the survivors (never waits on them:
    they are not our children; their own parent or the subreaper reaps them)."""
    for pid in pids:
        _kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.02)
    for pid in pids:
        if alive(pid):
            _kill(pid, signal.SIGKILL)


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def tty_reader(pids: Sequence[int]) -> int | None:
    """A process among ``pids`` blocked in read() on a terminal, or None."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/syscall", encoding="ascii") as f:
                fields = f.read().split()
        except OSError:
            continue
        if len(fields) < 2 or not fields[0].isdigit() or int(fields[0]) not in _READ_SYSCALLS:
            continue
        try:
            target = os.readlink(f"/proc/{pid}/fd/{int(fields[1], 16)}")
        except (OSError, ValueError):
            continue
        if target.startswith(_TTY_PREFIXES):
            return pid
    return None


def default_signals() -> None:
    """In a child before exec: Ctrl-C and timeouts must reach the command (a parent that
    ignores SIGINT, as under nohup or some CI runners, would pass that on)."""
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


# ---------------------------------------------------------------------- one-shot runs


def run_oneshot(
    command: str,
    cwd: Path,
    timeout: float,
    env: dict[str, str],
    sandbox: Sandbox | None = None,
    argv: list[str] | None = None,
) -> tuple[str, int | None, bool]:
    """Run ``bash -c command`` (or ``argv``) once: (output, exit code or None, timed out).

    Output is streamed into a CappedBuffer; on timeout or when the command ends while
    something it started still holds the output open, its whole tree is ended.
    """
    inner = argv or ["bash", "-c", command]
    full = sandbox.wrap(inner, cwd=cwd) if sandbox is not None else inner
    if sandbox is not None:
        env = sandbox.env(env)
    proc = subprocess.Popen(
        full,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=default_signals,
    )
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = CappedBuffer()
    deadline = time.monotonic() + max(0.1, timeout)
    exited_at: float | None = None
    timed_out = False
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 0.5:
                break  # something it started keeps the pipe open: end it below
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                data = os.read(fd, READ_CHUNK)
                if not data:
                    break
                buf.write(data)
    finally:
        tree = descendants(proc.pid)
        if tree or timed_out:
            end_processes(tree, grace=0.2 if timed_out else 0.5)
        if proc.poll() is None:
            _kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    code = None if timed_out else proc.returncode
    return buf.text(), code, timed_out
