"""The tests of a TDD cycle, frozen when red is confirmed: hashed, kept, checked, restored.

From red confirmed on, the tests are the specification: a change to them (by a write the gate
did not see, e.g. a script) is found by hash before the cycle may go green or complete, and
the frozen content is written back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

SAVE_FILE_BYTES = 256 * 1024  # larger test files are hashed but not kept
SAVE_TOTAL_BYTES = 2 * 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FrozenTests:
    hashes: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    saved: dict[str, bytes] = field(default_factory=dict)  # relative path -> content

    def freeze(self, root: Path, names: list[str]) -> None:
        total = 0
        for rel in dict.fromkeys(names):
            path = root / rel
            try:
                if not path.is_file():
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            self.hashes[rel] = sha256(data)
            if len(data) <= SAVE_FILE_BYTES and total + len(data) <= SAVE_TOTAL_BYTES:
                self.saved[rel] = data
                total += len(data)

    def changed(self, root: Path) -> list[str]:
        """Frozen files whose content differs now (or that are gone)."""
        out = []
        for rel, digest in self.hashes.items():
            try:
                now = sha256((root / rel).read_bytes())
            except OSError:
                now = ""
            if now != digest:
                out.append(rel)
        return out

    def restore(self, root: Path, names: list[str]) -> list[str]:
        """Write the frozen content back (atomically); returns the files restored."""
        from smallcode.fsio import atomic_write

        restored = []
        for rel in names:
            data = self.saved.get(rel)
            if data is None:
                continue
            try:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                atomic_write(root / rel, data)
            except OSError:
                continue
            restored.append(rel)
        return restored

    def check_and_restore(self, root: Path) -> tuple[list[str], list[str]]:
        """(changed, restored): a changed file not in ``restored`` could not be put back."""
        changed = self.changed(root)
        return changed, (self.restore(root, changed) if changed else [])
