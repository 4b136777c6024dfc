"""The sandbox of shell commands: bubblewrap where it works, else Landlock, else off.

- **bwrap**: ``--ro-bind / /``, a private ``/tmp``, the project writable with ``.git`` and
  ``.smallcode`` read-only, secret folders of the home hidden (``~/.ssh``, ``~/.aws``, ...),
  no network unless allowed (the sandbox has its own loopback, so the model server on the
  host stays out of reach of agent commands), its own pid namespace (everything it starts
  ends with it).
- **landlock**: reads everywhere except the hidden folders, writes in the project, a private
  temp folder and a cache; TCP off; started through ``launcher.py``.
- **off**: the launcher alone (process tracking, default SIGINT), no confinement.

``probe`` decides once per process. Every command the model starts runs through ``wrap``:
the persistent shell, one-shot shells, contract checks, test runs and script smoke runs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("auto", "bwrap", "landlock", "off")
HIDDEN_IN_HOME = (
    ".ssh", ".aws", ".gnupg", ".config/gcloud", ".azure", ".kube", ".docker", ".netrc",
    ".git-credentials", ".pypirc", ".npmrc", ".config/gh", ".password-store",
)  # fmt: skip
LAUNCHER = Path(__file__).with_name("launcher.py")
_DEV_WRITABLE = ("/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/pts", "/dev/shm")


@dataclass
class Sandbox:
    kind: str  # bwrap | landlock | off
    root: Path
    network: bool = False
    reason: str = ""  # why this kind (the probe's findings)
    home: Path = field(default_factory=Path.home)
    extra_hidden: tuple[str, ...] = ()  # more paths to hide (the user's SmallCode config)
    env_keep: str = ""  # SMALLCODE_SHELL_ENV_KEEP: secret-looking variables commands may see
    _scratch: Path | None = None

    @property
    def active(self) -> bool:
        return self.kind != "off"

    def describe(self) -> str:
        if not self.active:
            return f"off ({self.reason})" if self.reason else "off"
        net = "network on" if self.network else "network off"
        return f"{self.kind} ({net}; writable: the project, a private /tmp)"

    # ------------------------------------------------------------------ folders

    @property
    def scratch(self) -> Path:
        """Private temp and cache folders (Landlock cannot remap /tmp as bwrap does)."""
        if self._scratch is None:
            import atexit

            self._scratch = Path(tempfile.mkdtemp(prefix="smallcode-sandbox-"))
            (self._scratch / "tmp").mkdir()
            atexit.register(shutil.rmtree, self._scratch, True)
        return self._scratch

    def cache_dir(self) -> Path:
        """A per-project cache kept across sessions (go build cache, pip cache, ...)."""
        from platformdirs import user_cache_dir

        key = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        d = Path(user_cache_dir("smallcode")) / "sandbox" / key
        d.mkdir(parents=True, exist_ok=True)
        return d

    def hidden(self) -> list[str]:
        out = [str(self.home / h) for h in HIDDEN_IN_HOME] + list(self.extra_hidden)
        root = str(self.root)
        return [
            h
            for h in out
            if os.path.lexists(h) and not (root + "/").startswith(h.rstrip("/") + "/")
        ]

    def env(self, base: dict[str, str]) -> dict[str, str]:
        env = dict(base)
        if self.kind == "landlock":
            env["TMPDIR"] = str(self.scratch / "tmp")
        if self.active:
            env["XDG_CACHE_HOME"] = str(self.cache_dir())
            env["SMALLCODE_SANDBOX_KIND"] = self.kind
        return env

    # ------------------------------------------------------------------ argv

    def wrap(
        self,
        argv: list[str],
        *,
        cwd: Path | None = None,
        ro_paths: tuple[Path, ...] = (),
        rw_paths: tuple[Path, ...] = (),
    ) -> list[str]:
        """``argv`` as run inside this sandbox (and under the launcher where needed).

        ``ro_paths`` / ``rw_paths``: host folders the command must read / write besides the
        project, e.g. the shell's command files or a test report folder under /tmp (bwrap
        hides the host's /tmp).
        """
        cwd = cwd or self.root
        if self.kind == "bwrap":
            return self._bwrap(argv, cwd, ro_paths, rw_paths)
        launcher = [sys.executable, "-I", "-S", str(LAUNCHER)]
        if self.kind == "landlock":
            import json

            spec = {
                "read": self._landlock_read() + [str(p) for p in ro_paths],
                "write": self._landlock_write() + [str(p) for p in rw_paths],
                "network": self.network,
            }
            return [*launcher, "--landlock", json.dumps(spec), "--", *argv]
        return [*launcher, "--", *argv]

    def _bwrap(
        self, argv: list[str], cwd: Path, ro_paths: tuple[Path, ...], rw_paths: tuple[Path, ...]
    ) -> list[str]:
        root = str(self.root)
        out = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        out += ["--tmpfs", "/tmp"]
        for py in python_dirs_in_tmp():  # a venv under /tmp must stay usable (tests, hooks)
            out += ["--ro-bind", py, py]
        out += ["--bind", root, root]
        for name in (".git", ".smallcode"):
            p = self.root / name
            if p.exists():
                out += ["--ro-bind", str(p), str(p)]
        for h in self.hidden():  # after the project: a project at ~ keeps ~/.ssh hidden
            if os.path.isdir(h):
                out += ["--tmpfs", h]
            else:
                out += ["--ro-bind", "/dev/null", h]
        cache = str(self.cache_dir())
        out += ["--bind", cache, cache]
        for p in ro_paths:
            out += ["--ro-bind", str(p), str(p)]
        for p in rw_paths:
            out += ["--bind", str(p), str(p)]
        if not self.network:
            out.append("--unshare-net")
        out += ["--unshare-pid", "--die-with-parent", "--chdir", str(cwd), "--", *argv]
        return out

    def _landlock_read(self) -> list[str]:
        from smallcode.permissions.landlock import readable_roots

        return readable_roots(self.hidden())

    def _landlock_write(self) -> list[str]:
        paths = [str(self.root), str(self.scratch), str(self.cache_dir())]
        return paths + [p for p in _DEV_WRITABLE if os.path.exists(p)]


# ---------------------------------------------------------------------- choosing one


def python_dirs_in_tmp() -> list[str]:
    """The folders of the Python that runs SmallCode (its venv, its install) that lie under
    /tmp, which bwrap replaces with a private one: they are bound back read-only, so that
    ``sys.executable`` (test runs, contract checks, hooks) still exists inside the sandbox."""
    found: list[str] = []
    for p in {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}:
        real = os.path.realpath(p)
        for q in {p, real}:
            if (q == "/tmp" or q.startswith("/tmp/")) and q != "/tmp" and os.path.isdir(q):
                found.append(q)
    return sorted(set(found))


@functools.lru_cache(maxsize=8)
def bwrap_works() -> tuple[bool, str]:
    exe = shutil.which("bwrap")
    if not exe:
        return False, "bubblewrap is not installed (apt-get install bubblewrap)"
    cmd = [exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
           "--unshare-pid", "--die-with-parent", "true"]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap failed to start: {exc}"
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return False, f"bubblewrap cannot create a sandbox here: {why}"
    return True, "bubblewrap works"


@functools.lru_cache(maxsize=1)
def landlock_abi() -> int:
    from smallcode.permissions.landlock import abi_version

    try:
        return abi_version()
    except OSError:
        return 0


def probe(mode: str) -> tuple[str, str]:
    """(kind, reason) for a mode: auto tries bwrap, then Landlock, then off."""
    mode = (mode or "auto").strip().lower()
    if mode == "off":
        return "off", "turned off in the settings"
    notes = []
    if mode in ("auto", "bwrap"):
        ok, why = bwrap_works()
        if ok:
            return "bwrap", why
        notes.append(why)
        if mode == "bwrap":
            return "off", why
    abi = landlock_abi()
    if abi >= 1:
        return "landlock", f"Landlock ABI {abi}" + (f"; {notes[0]}" if notes else "")
    notes.append("Landlock is not available in this kernel")
    return "off", "; ".join(notes)


def make_sandbox(root: Path, mode: str, network: bool) -> Sandbox:
    kind, reason = probe(mode)
    from smallcode.config import user_config_dir

    return Sandbox(kind, root.resolve(), network, reason, extra_hidden=(str(user_config_dir()),))


# ---------------------------------------------------------------------- per project root

_ACTIVE: dict[str, Sandbox] = {}


def register(sandbox: Sandbox) -> None:
    """Commands the harness runs for this project (tests, checks, smoke runs) use it."""
    _ACTIVE[str(sandbox.root)] = sandbox


def unregister(sandbox: Sandbox) -> None:
    if _ACTIVE.get(str(sandbox.root)) is sandbox:
        del _ACTIVE[str(sandbox.root)]


def for_root(root: Path) -> Sandbox | None:
    try:
        return _ACTIVE.get(str(Path(root).resolve()))
    except OSError:
        return None


def confine(
    root: Path,
    argv: list[str],
    env: dict[str, str],
    writable: tuple[Path, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """A command the harness runs for the project (tests, script smoke runs): inside the
    project's sandbox when a session registered one, and without the user's secrets."""
    from smallcode.permissions.secretenv import keep_names, scrub

    box = for_root(root)
    env = scrub(env, keep_names(box.env_keep if box is not None else ""))
    if box is None:
        return argv, env
    return box.wrap(argv, cwd=Path(root), rw_paths=writable), box.env(env)
