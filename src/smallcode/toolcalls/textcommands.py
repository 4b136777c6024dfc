"""Shell commands a model wrote in a code block to change files, instead of calling ``bash``.

Asked to rename a function, a small model often answers "run these commands" and shows
``sed -i 's/old/new/g' a.py`` for each file, or creates a file with ``cat > x.sh << 'EOF'``.
When its reply has no call and no file edit, such blocks are the model's intended actions.
Only blocks in which every command does nothing but change files inside the project are
taken: ``sed -i``/``perl -i`` on named files, ``mv``, ``cp``, ``mkdir``, ``touch``, ``chmod``,
``rm`` of plain files, and ``cat``/``echo``/``printf`` writing to a file (heredocs included),
possibly wrapped in ``bash -c '...'``. Paths must be relative and stay inside the project.
Anything else (installs, pipes into a shell, ``cd``, variables, loops, globs outside the
project) means the block is left alone.
"""

from __future__ import annotations

import re
import shlex

_HEREDOC_START = re.compile(
    r"^\s*(?:cat|tee)\s+(?:>\s*(?P<a>[^\s<>|;&]+)\s*)?<<-?\s*(?P<q>['\"]?)(?P<tag>\w+)(?P=q)"
    r"(?:\s*>\s*(?P<b>[^\s<>|;&]+))?\s*$"
)
_EDITORS = {"sed", "perl"}
_FILE_CMDS = {"mv", "cp", "mkdir", "touch", "chmod", "rm"}
_WRITERS = {"echo", "printf", "cat"}
_BAD_CHARS = ("|", ";", "`", "$(", "<(", ">(", "&")


def _safe_path(word: str) -> bool:
    return (
        bool(word)
        and not word.startswith(("/", "~", "-"))
        and ".." not in word.split("/")
        and not any(c in word for c in "$*?[]{}")
        and not word.startswith(".git/")
        and word != ".git"
    )


def _unwrap(line: str) -> str:
    """``bash -c "sed -i ... f"`` -> ``sed -i ... f`` (one level, a literal string)."""
    try:
        words = shlex.split(line)
    except ValueError:
        return line
    if len(words) == 3 and words[0] in ("bash", "sh") and words[1] == "-c":
        return words[2]
    return line


def _one_command(line: str) -> bool:
    """Whether one simple command only changes project files."""
    if any(b in line for b in _BAD_CHARS):
        return False
    redirect = re.match(r"^(?P<cmd>.*?)\s*(?P<op>>>?)\s*(?P<path>\S+)\s*$", line)
    if redirect and (">" in redirect["cmd"] or "<" in redirect["cmd"]):
        return False
    try:
        words = shlex.split(redirect["cmd"] if redirect else line)
    except ValueError:
        return False
    if not words:
        return False
    name = words[0]
    if redirect:
        return (
            name in _WRITERS and _safe_path(redirect["path"]) and (name != "cat" or len(words) == 1)
        )
    args = [w for w in words[1:] if not w.startswith("-")]
    if name in _EDITORS:
        flags = [w for w in words[1:] if w.startswith("-")]
        if not any(f.startswith(("-i", "-pi", "--in-place")) or "i" in f[1:] for f in flags):
            return False
        return len(args) >= 2 and all(_safe_path(a) for a in args[1:])
    if name in _FILE_CMDS:
        if name == "rm" and any(f in words for f in ("-r", "-rf", "-fr", "-R", "--recursive")):
            return False
        if name == "chmod":
            args = args[1:]  # the mode
        return bool(args) and all(_safe_path(a) for a in args)
    return False


def text_commands(block: str) -> list[str] | None:
    """The block's commands when every one of them only changes project files, else None."""
    lines = block.replace("\r\n", "\n").split("\n")
    commands: list[str] = []
    i = 0
    while i < len(lines):
        raw = lines[i].strip()
        i += 1
        if not raw or raw.startswith("#"):
            continue
        m = _HEREDOC_START.match(raw)
        if m:
            path = m["a"] or m["b"]
            if not path or not _safe_path(path):
                return None
            body = []
            while i < len(lines) and lines[i].strip() != m["tag"]:
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                return None  # never closed: not a whole command
            i += 1
            commands.append("\n".join([raw, *body, m["tag"]]))
            continue
        parts = [p.strip() for p in _unwrap(raw).split("&&")]
        if not all(_one_command(p) for p in parts):
            return None
        commands.append(raw)
    return commands or None
