"""Telling a mistyped subcommand from a task: ``smallcode model list`` or ``smallcode stauts``
is not sent to the model with its tools; it gets "did you mean `smallcode models list`?".

A first word counts as a typo only when it is close to a subcommand (or a well-known word
like ``status``), is not a word tasks usually start with, and what follows it is no more than
subcommand words and options. Kept import-light: the CLI checks this on every start.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Words users type that are not subcommands themselves, and what they most likely mean.
ALIASES = {
    "status": "provider status",
    "version": "--version",
    "help": "--help",
    "fetch": "models fetch",
    "serve": "models serve",
    "parse": "parse-tools",
    "traces": "trace",
    "evals": "eval",
}
# Words that may follow a subcommand in a typo ("model list"), besides options.
SUB_WORDS = {
    "list",
    "fetch",
    "serve",
    "remove",
    "download",
    "status",
    "show",
    "replay",
    "run",
    "compare",
    "report",
}
# Words a task often starts with: never taken for a typo.
TASK_WORDS = {
    "add",
    "build",
    "change",
    "check",
    "clean",
    "create",
    "debug",
    "delete",
    "document",
    "explain",
    "find",
    "fix",
    "implement",
    "improve",
    "list",
    "make",
    "move",
    "optimize",
    "read",
    "refactor",
    "remove",
    "rename",
    "review",
    "run",
    "search",
    "show",
    "summarize",
    "summarise",
    "test",
    "update",
    "write",
}


def suggestion(argv: list[str], subcommands: Iterable[str]) -> str | None:
    """The command the user probably meant, or None when ``argv`` may well be a task."""
    if not argv or argv[0].startswith("-"):
        return None
    first, rest = argv[0].lower(), argv[1:]
    if first in TASK_WORDS or len(rest) > 3:
        return None
    if any(not (w.startswith("-") or w.lower() in SUB_WORDS) for w in rest):
        return None
    commands = list(subcommands)
    if first in commands:
        return None
    target = _closest(first, [*commands, *ALIASES])
    if target is None:
        return None
    meant = ALIASES.get(target, target)
    return " ".join(["smallcode", meant, *rest])


def _closest(word: str, names: list[str]) -> str | None:
    for name in names:
        if word in (name + "s", name.rstrip("s")) and word != name:
            return name
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
    return close[0] if close else None
