"""Trust in a project's own configuration files (.env, .smallcode/settings*.json, .claude/...).

A cloned repository's configuration is not the user's. Settings that send data or
credentials somewhere, or widen what tools may touch, apply from a project file only after
the user trusted that file: once, stored in the user config (``trusted.json``) by absolute
path and sha256 of the content. A changed file is untrusted again. Files SmallCode writes
itself (``smallcode provider --save project``, an "always" answer) are trusted as written.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

TRUST_FILE = "trusted.json"

# Project .env settings that need trust: they send data or credentials somewhere, or widen
# what tools may touch. Everything else in a project .env applies as before.
SENSITIVE_ENV = frozenset(
    {
        "SMALLCODE_BASE_URL",
        "SMALLCODE_BASE_URL_FAST",
        "SMALLCODE_BASE_URL_MEDIUM",
        "SMALLCODE_BASE_URL_STRONG",
        "SMALLCODE_API_KEY",
        "SMALLCODE_PROVIDER",
        "SMALLCODE_PROBE_URLS",
        "SMALLCODE_ESCALATION",
        "SMALLCODE_ESCALATION_PROVIDER",
        "SMALLCODE_ESCALATION_MODEL",
        "SMALLCODE_ESCALATION_API_KEY",
        "SMALLCODE_ESCALATION_BASE_URL",
        "SMALLCODE_ESCALATION_MAX",
        "SMALLCODE_ESCALATION_MAX_COST",
        "SMALLCODE_ALLOW_OUTSIDE_ROOT",
        "SMALLCODE_ALLOW_PROVIDER_CHANGE",
        "SMALLCODE_APPROVAL",
        "SMALLCODE_SANDBOX",
        "SMALLCODE_SANDBOX_NETWORK",
        "SMALLCODE_SHELL_ENV_KEEP",
        "SMALLCODE_DATA_DIR",
        "SMALLCODE_MODELS_DIR",
        "SMALLCODE_CONFIG_DIR",
    }
)


def _store_path() -> Path:
    from smallcode.config import user_config_dir

    return user_config_dir() / TRUST_FILE


def digest(path: Path) -> str:
    """sha256 of a file's content, or of a folder's files (a plugin: names and contents)."""
    p = Path(path)
    try:
        if p.is_dir():
            return _tree_digest(p)
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return ""


_SKIP_DIRS = {".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
MAX_TREE_FILES = 5000


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256(b"tree\0")
    count = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(".pyc"):
                continue
            f = Path(dirpath) / name
            rel = f.relative_to(folder).as_posix()
            h.update(rel.encode() + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest() if f.is_file() else b"-")
            count += 1
            if count >= MAX_TREE_FILES:
                return h.hexdigest()
    return h.hexdigest()


def _load() -> dict[str, str]:
    try:
        data = json.loads(_store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def is_trusted(path: Path) -> bool:
    """The file exists and its current content is the content the user trusted."""
    sha = digest(path)
    return bool(sha) and _load().get(_key(path)) == sha


def trust(path: Path) -> None:
    """Trust the current content of ``path`` (a changed file must be trusted again)."""
    sha = digest(path)
    if not sha:
        return
    files = _load()
    files[_key(path)] = sha
    store = _store_path()
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_name(f".{store.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"files": files}, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, store)


def forget(path: Path) -> None:
    files = _load()
    if files.pop(_key(path), None) is not None:
        store = _store_path()
        store.write_text(json.dumps({"files": files}, indent=2, sort_keys=True), encoding="utf-8")


def split_env(values: dict[str, str], path: Path) -> tuple[dict[str, str], list[str]]:
    """A project .env's values -> (what applies now, the sensitive names held back)."""
    held = sorted(k for k in values if k in SENSITIVE_ENV)
    if not held or is_trusted(path):
        return dict(values), []
    return {k: v for k, v in values.items() if k not in SENSITIVE_ENV}, held
