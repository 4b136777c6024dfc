"""Shared parts of the project detectors: the Detection record, file readers, Makefile targets."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Detection:
    ecosystem: str  # python | node | go | rust | java | c | c++
    runtime: str = ""
    package_manager: str = ""
    framework: str = ""
    entry_point: str = ""
    build_command: str = ""
    test_command: str = ""
    notes: list[str] = field(default_factory=list)
    strong: bool = True  # a manifest (pyproject, package.json, go.mod...) rather than loose files
    source_exts: tuple[str, ...] = ()


def read_text(path: Path, limit: int = 200_000) -> str:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            return fh.read(limit)
    except OSError:
        return ""


def sub_dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is a table/object, else an empty dict (hand-written files vary)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def first_existing(root: Path, names: list[str]) -> str:
    for name in names:
        if (root / name).exists():
            return name
    return ""


# ----------------------------------------------------------------------------- Makefile

_MAKE_TARGET = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-/]*)\s*:(?!=)", re.M)


def makefile_targets(root: Path) -> list[str]:
    name = first_existing(root, ["GNUmakefile", "Makefile", "makefile"])
    if not name:
        return []
    targets: list[str] = []
    for m in _MAKE_TARGET.finditer(read_text(root / name)):
        t = m.group(1)
        if "%" in t or t.startswith(".") or t in targets:
            continue
        targets.append(t)
    return targets
