"""Atomic file writes (temp file + rename): never a half-written file.

The temp file goes to the project's ``.smallcode/tmp`` when that folder is on the same file
system as the target (a rename across file systems is not atomic), else next to the target.
Either way its name says who left it (``.smallcode-<pid>-<name>.<random>.tmp``), and
:func:`clean_temp` removes those of processes that are gone (a ``kill -9`` mid-write) when a
session starts.

A bottom-layer module (it imports nothing from smallcode) so that both ``tools/`` (agent
writes and patches) and ``store/`` (``/undo`` restores) can use it.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

STATE_DIR = ".smallcode"
TEMP_DIR = "tmp"
TEMP_PREFIX = ".smallcode-"
TEMP_SUFFIX = ".tmp"
STALE_AFTER_S = 24 * 3600


def atomic_write(
    path: Path, data: str | bytes, mode: int | None = None, *, root: Path | None = None
) -> None:
    """Write ``data`` (text is UTF-8, newlines as given) via a temp file + rename.

    ``mode`` sets the file's permission bits; without it an existing file keeps its mode and
    a new one gets the umask default (``0o666 & ~umask``), not mkstemp's 0600. ``root`` is the
    project root (default: the nearest folder above ``path`` that has a ``.smallcode``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    folder = temp_dir_for(path, root)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-{path.name[:60]}.", suffix=TEMP_SUFFIX, dir=folder
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def temp_dir_for(path: Path, root: Path | None = None) -> Path:
    """``<root>/.smallcode/tmp`` when it shares a file system with ``path``'s folder."""
    parent = path.parent
    state = Path(root) / STATE_DIR if root is not None else _nearest_state_dir(parent)
    if state is None or not state.is_dir():
        return parent
    tmp = state / TEMP_DIR
    try:
        tmp.mkdir(exist_ok=True)
        if tmp.stat().st_dev == parent.stat().st_dev:
            return tmp
    except OSError:
        pass
    return parent


def _nearest_state_dir(folder: Path) -> Path | None:
    folder = folder.absolute()
    for candidate in (folder, *folder.parents):
        state = candidate / STATE_DIR
        if state.is_dir():
            return state
    return None


def clean_temp(root: Path) -> list[str]:
    """Remove temp files left in ``<root>/.smallcode/tmp`` by processes that no longer run
    (or older than a day). Returns their names."""
    folder = Path(root) / STATE_DIR / TEMP_DIR
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        pid = _pid_of(entry.name)
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if old or pid is None or not _alive(pid):
            try:
                os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                pass
    return removed


def _pid_of(name: str) -> int | None:
    digits = name[len(TEMP_PREFIX) :].split("-", 1)[0]
    return int(digits) if digits.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
