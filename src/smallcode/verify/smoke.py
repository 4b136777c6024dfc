"""Run a new script once, as its user would first try it, and judge only the obvious.

A small model often writes a script whose code is never called (``def main(): ...`` and no
call), or that crashes on a name it never defined. When the task says the script prints
something, running it once with no arguments shows both: no output at all, or a crash that
is not about missing arguments or input. Anything else (a usage message, an error about a
missing file argument) is not judged. Stdin is empty, the run is limited to a few seconds,
and it happens in the project folder, as the model's own ``bash`` calls would.

When the task says the script reads the file given as its argument, and the project has such
a file, the run passes it; when the task says the script prints just a number, the output must
be one number.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from smallcode.verify.textutil import clip

TIMEOUT_S = 10.0
_OUTPUT_LIMIT = 400
# Crashes that only mean "give me arguments or input": not judged.
_INPUT_ERRORS = re.compile(
    r"\b(?:IndexError|FileNotFoundError|EOFError|KeyboardInterrupt|SystemExit|"
    r"usage:|No such file|missing (?:operand|argument)|zero-length file name|"
    r"ValueError: (?:invalid literal|"
    r"not enough values))",
    re.I,
)
_PY_CRASH = re.compile(r"^(\w+(?:Error|Exception)):?.*$", re.M)
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _command(root: Path, rel: str) -> list[str] | None:
    suffix = Path(rel).suffix.lower()
    if suffix == ".py":
        if Path(rel).name.startswith("test_") or rel.endswith("_test.py"):
            return None
        return [sys.executable if _same_python(root) else "python3", rel]
    if suffix in (".sh", ".bash"):
        return ["bash", rel]
    if suffix in (".js", ".mjs", ".cjs"):
        node = shutil.which("node")
        return [node, rel] if node else None
    return None


def _same_python(root: Path) -> bool:
    """The project has no venv of its own: SmallCode's interpreter is as good as any."""
    return not any((root / d / "bin" / "python").exists() for d in (".venv", "venv"))


def run_record(
    name: str, rel: str, command: str, ok: bool, code: int | None, evidence: str
) -> dict[str, Any]:
    """A verification record of one run of a script (the shape completion.py reports)."""
    return {
        "name": name,
        "target": rel,
        "ok": ok,
        "skipped": False,
        "command": command,
        "exit_code": code,
        "evidence": evidence,
    }


def run_confined(
    root: Path, argv: list[str], timeout: float
) -> subprocess.CompletedProcess[str] | None:
    """Run ``argv`` in ``root`` once, confined like the model's own commands (the session's
    sandbox, no secrets in the environment), without input; None on a timeout or when it
    cannot start."""
    from smallcode.permissions.sandbox import confine

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}
    run_argv, env = confine(root, argv, env)
    try:
        return subprocess.run(
            run_argv,
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
            start_new_session=True,
        )
    except (subprocess.TimeoutExpired, OSError):
        return None


def smoke_run(
    root: Path,
    rel: str,
    expected: tuple[str, bool] | None = None,
    *,
    args: tuple[str, ...] = (),
    number: bool = False,
) -> dict[str, Any] | None:
    """The outcome of running ``rel`` once, or None when it is not a script we can run.

    ``expected`` is (text, exact) the task says the script prints: the whole output when
    exact, else somewhere in it. ``args`` are passed to the script; ``number``: the task says
    it prints just a number.
    """
    cmd = _command(root, rel)
    if cmd is None:
        return None
    cmd = [*cmd, *args]
    shown = " ".join(["python" if c == sys.executable else c for c in cmd])
    proc = run_confined(root, cmd, TIMEOUT_S)
    if proc is None:
        return None  # a server, waiting for something, or not startable: not judged
    out, err = proc.stdout.strip(), proc.stderr.strip()
    if proc.returncode == 0:
        if not out and not err:
            return run_record(
                "runs",
                rel,
                shown,
                False,
                0,
                f"`{shown}` printed nothing, but the task says it prints something. Is the "
                "code that prints ever called (for example a function defined but not called)?",
            )
        if expected is not None:
            text, exact = expected
            if (out.strip() != text.strip()) if exact else (text not in out):
                how = "exactly" if exact else "something with"
                return run_record(
                    "runs",
                    rel,
                    shown,
                    False,
                    0,
                    f"`{shown}` printed {clip(out or err, 200)!r}, but the task says it prints "
                    f"{how} {text!r}",
                )
        if number and _NUMBER.fullmatch(out) is None:
            return run_record(
                "runs",
                rel,
                shown,
                False,
                0,
                f"`{shown}` printed {clip(out or err, 200)!r}, but the task says it prints just "
                "the number",
            )
        return run_record("runs", rel, shown, True, 0, "")
    if _INPUT_ERRORS.search(err) or _INPUT_ERRORS.search(out):
        return run_record("runs", rel, shown, True, proc.returncode, "")  # wants arguments or input
    crash = err or out
    if cmd[-1].endswith(".py") and not _PY_CRASH.search(crash):
        return run_record("runs", rel, shown, True, proc.returncode, "")  # exit(1) on purpose
    tail = "\n".join(crash.splitlines()[-6:])[-_OUTPUT_LIMIT:]
    return run_record(
        "runs",
        rel,
        shown,
        False,
        proc.returncode,
        f"`{shown}` failed (exit {proc.returncode}):\n{tail}",
    )
