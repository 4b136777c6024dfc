"""A flag added to a script: without it the script does what it did, with it something else.

"Add a --shout flag to greet.py" has two parts a model can get wrong and no test checks: the
script without the flag must print what it printed before the change, and the flag must be
accepted and change the output. Both show by running the script as its user would. The
positional arguments come from the script's own ``--help`` usage line, each given a
placeholder value; the script as it was runs from a copy under ``.smallcode/tmp``. When
any of that does not work out (no usage line, the old script fails too, a timeout), nothing
is judged. Runs are confined like the model's own commands and limited to a few seconds.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from smallcode.verify.smoke import run_confined, run_record
from smallcode.verify.textutil import clip

TIMEOUT_S = 10.0
_PLACEHOLDERS = ("x", "1")


def _run(root: Path, argv: list[str]) -> tuple[int, str, str] | None:
    p = run_confined(root, argv, TIMEOUT_S)
    return None if p is None else (p.returncode, p.stdout, p.stderr)


def positionals(usage: str) -> list[str] | None:
    """The positional argument names of an argparse usage text ("usage: greet.py [-h]
    [--shout] name" -> ["name"]); None without a usage line."""
    m = re.search(r"usage:\s*(.*?)(?:\n\s*\n|\Z)", usage, re.S | re.I)
    if m is None:
        return None
    text = " ".join(m.group(1).split())
    while True:  # options in brackets, nested ones too
        shorter = re.sub(r"\[[^\[\]]*\]", " ", text)
        if shorter == text:
            break
        text = shorter
    words = text.split()[1:]  # after the program's name
    return [w for w in words if not w.startswith("-") and w != "..."]


def _argv(py: str, script: str, names: list[str], value: str) -> list[str]:
    args = []
    for n in names:
        choices = re.fullmatch(r"\{([^,}]+)[^}]*\}", n)
        args.append(choices.group(1) if choices else value)
    return [py, script, *args]


def flag_check(root: Path, rel: str, original: str, flag: str) -> dict[str, Any] | None:
    """Run ``rel`` without and with ``flag`` and the script as it was (``original``) without
    it; the outcome, or None when the runs cannot say anything."""
    if not rel.endswith(".py"):
        return None
    py = sys.executable
    helped = _run(root, [py, rel, "--help"])
    if helped is None or helped[0] != 0:
        return None
    names = positionals(helped[1])
    if names is None:
        return None
    old_dir = root / ".smallcode" / "tmp" / "flagcheck"
    old = old_dir / Path(rel).name
    try:
        old_dir.mkdir(parents=True, exist_ok=True)
        old.write_text(original, encoding="utf-8")
        old_rel = old.relative_to(root).as_posix()
        for value in _PLACEHOLDERS:
            before = _run(root, _argv(py, old_rel, names, value))
            if before is None or before[0] != 0:
                continue
            argv = _argv(py, rel, names, value)
            shown = " ".join(["python", *argv[1:]])
            now = _run(root, argv)
            if now is None:
                return None
            if now[0] != 0 or now[1] != before[1]:
                got = clip((now[1] or now[2]).strip(), 160)
                return run_record(
                    "flag",
                    rel,
                    shown,
                    False,
                    now[0],
                    f"without {flag}, `{shown}` now prints {got!r}, but before the change it "
                    f"printed {clip(before[1].strip(), 160)!r}: without the new flag the "
                    "script must do what it did",
                )
            with_flag = _run(root, [*argv, flag])
            if with_flag is None:
                return None
            shown_flag = f"{shown} {flag}"
            if with_flag[0] != 0:
                tail = clip((with_flag[2] or with_flag[1]).strip(), 200)
                return run_record(
                    "flag", rel, shown_flag, False, with_flag[0], f"`{shown_flag}` failed: {tail}"
                )
            if with_flag[1] == now[1]:
                return run_record(
                    "flag",
                    rel,
                    shown_flag,
                    False,
                    0,
                    f"`{shown_flag}` prints the same as without {flag} "
                    f"({clip(now[1].strip(), 160)!r}): the flag changes nothing",
                )
            return run_record("flag", rel, shown_flag, True, 0, "")
        return None
    except OSError:
        return None
    finally:
        try:
            old.unlink(missing_ok=True)
        except OSError:
            pass
