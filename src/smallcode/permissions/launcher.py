"""Starts the shell (or a one-shot command) under a small supervisor; stdlib only.

Run as ``python -I -S launcher.py [--landlock JSON] -- argv...``. The supervisor:

- becomes a child subreaper, so processes that leave their parent (``nohup``, ``setsid``,
  ``( … &)``) stay in its tree and can be found and ended;
- dies with SmallCode (``PR_SET_PDEATHSIG``) and then ends everything it started;
- applies Landlock when asked (``--landlock '{"read": [...], "write": [...], "network": false}'``);
- restores default SIGINT for the command (a parent that ignores SIGINT, as under nohup or
  some CI runners, would otherwise make Ctrl-C and timeouts kill the whole shell);
- when the command exits, ends what is left of its tree (SIGTERM, then SIGKILL) and exits
  with the command's status.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), children before grandchildren."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out: list[int] = []
    queue = [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            out.append(child)
            queue.append(child)
    return out


def end_tree(pid: int, grace: float = 1.0) -> int:
    """SIGTERM everything below ``pid``, then SIGKILL what is left; returns how many."""
    victims = descendants(pid)
    for v in victims:
        _signal(v, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap()
        if not [v for v in victims if _alive(v)]:
            break
        time.sleep(0.02)
    for v in descendants(pid):
        _signal(v, signal.SIGKILL)
    _reap()
    return len(victims)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] != b"Z"
    except OSError:
        return False


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(argv: list[str]) -> int:
    landlock_spec = None
    if argv[:1] == ["--landlock"]:
        landlock_spec = json.loads(argv[1])
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.stderr.write("launcher: no command\n")
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # SmallCode died before the death signal was set
        return 1
    if landlock_spec is not None:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import landlock  # the sibling module (permissions/landlock.py), loaded by path

        try:
            landlock.restrict(
                landlock_spec["read"], landlock_spec["write"], bool(landlock_spec["network"])
            )
        except OSError as exc:
            sys.stderr.write(f"smallcode sandbox: Landlock failed: {exc}\n")
            return 126
    child = os.fork()
    if child == 0:
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        try:
            os.execvp(argv[0], argv)
        except OSError as exc:
            sys.stderr.write(f"smallcode: cannot run {argv[0]}: {exc.strerror}\n")
            os._exit(127)

    def stop(signum: int, frame: object) -> None:
        end_tree(os.getpid())
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the command, not for us
    status = 0
    while True:
        try:
            pid, wstatus = os.wait()
        except ChildProcessError:
            break
        if pid == child:
            status = os.waitstatus_to_exitcode(wstatus)
            break
    end_tree(os.getpid(), grace=0.5)
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
