"""Atomic file writes (temp file in the same folder + rename): never a half-written file.

A bottom-layer module (it imports nothing from smallcode) so that both ``tools/`` (agent
writes and patches) and ``store/`` (``/undo`` restores) can use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: str | bytes, mode: int | None = None) -> None:
    """Write ``data`` (text is UTF-8, newlines as given) via a temp file + rename.

    ``mode`` sets the file's permission bits; without it an existing file keeps its mode and
    a new one gets the umask default (``0o666 & ~umask``), not mkstemp's 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
