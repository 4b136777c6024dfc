"""The built-in lists: what runs without asking, what is refused unless a rule allows it.

``classify`` looks at one simple command (a Segment of bashparse) and says:

- ``read_only``  reads and reports (ls, cat, rg, git status/diff/log/show, ...)
- ``test``       runs the project's tests or checks (pytest, npm test, cargo test, ...)
- ``edit``       changes files inside the project (mkdir, touch, mv, cp, rm, sed -i): allowed
                 in acceptEdits mode
- ``deny``       sudo, rm of / or ~ or outside the project, mkfs, dd to a device, curl|sh,
                 git push --force, writes into .git, shutdown
- ``ask``        reads a secret file (.env, *.pem, id_*, ~/.ssh) or removes the whole project
- ``unknown``    anything else: asks without a sandbox, runs inside one
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from smallcode.permissions.bashparse import Segment

READ_ONLY = {
    "ls", "cat", "head", "tail", "wc", "rg", "grep", "egrep", "fgrep", "echo", "printf", "pwd",
    "cd", "pushd", "popd", "true", "false", "test", "[", "which", "type", "file", "stat", "du",
    "df", "tree", "sort", "uniq", "cut", "tr", "diff", "cmp", "comm", "basename", "dirname",
    "realpath", "readlink", "date", "whoami", "id", "uname", "hostname", "printenv", "less",
    "more", "nl", "od", "hexdump", "xxd", "md5sum", "sha1sum", "sha256sum", "sha512sum", "jq",
    "column", "seq", "sleep", "fold", "expand", "paste", "join", "rev", "tac", "strings",
    "nproc", "free", "uptime", "ps", "lsof", "env", "set", "export", "unset", "local",
    "declare", "read", "shift", "exit", "return", "source", ".", "alias", "fd", "fdfind",
    "ag", "ack", "tokei", "cloc", "locale", "getconf", "bc", "expr", "let", ":",
}  # fmt: skip
GIT_READ_ONLY = {
    "status", "diff", "log", "show", "rev-parse", "ls-files", "blame", "grep", "describe",
    "shortlog", "cat-file", "ls-tree", "whatchanged", "help", "version", "--version",
    "merge-base", "name-rev", "show-ref", "for-each-ref", "count-objects", "check-ignore",
}  # fmt: skip
TEST_COMMANDS = [
    "pytest", "py.test", "python -m pytest", "python3 -m pytest", "python -m unittest",
    "python3 -m unittest", "python -m py_compile", "python3 -m py_compile",
    "python -m compileall", "python3 -m compileall", "python --version", "python3 --version",
    "npm test", "npm run test", "npm t", "yarn test", "pnpm test", "bun test", "node --test",
    "node --check", "node --version", "cargo test", "cargo check", "cargo clippy",
    "go test", "go vet", "make test", "make check", "dotnet test", "ruff check",
    "ruff format --check", "mypy", "tsc --noEmit", "npx tsc --noEmit", "eslint", "jest",
    "vitest run", "bash -n", "sh -n", "shellcheck", "deno test", "mix test", "rspec",
    "bundle exec rspec", "phpunit", "gradle test", "mvn test", "swift test",
]  # fmt: skip
EDIT_COMMANDS = {"mkdir", "touch", "mv", "cp", "rm", "rmdir", "sed", "ln", "chmod", "truncate"}
# Commands whose path arguments are written (the others' are read).
WRITES_ALL_ARGS = {"rm", "rmdir", "touch", "mkdir", "chmod", "chown", "chgrp", "truncate",
                   "shred", "tee", "mv", "unlink"}  # fmt: skip
WRITES_LAST_ARG = {"cp", "ln", "install", "rsync", "scp"}
DENIED = {
    "sudo": "runs as another user (sudo)",
    "doas": "runs as another user (doas)",
    "su": "runs as another user (su)",
    "pkexec": "runs as another user (pkexec)",
    "shutdown": "shuts the machine down",
    "reboot": "reboots the machine",
    "halt": "halts the machine",
    "poweroff": "powers the machine off",
    "fdisk": "partitions a disk",
    "parted": "partitions a disk",
    "wipefs": "wipes a disk",
}
_SECRET_NAMES = re.compile(
    r"^(\.env(\.(?!example$|sample$|template$|dist$)[\w.-]+)?|.*\.pem|.*\.key|id_(rsa|dsa|ecdsa|"
    r"ed25519)[\w-]*(?<!\.pub)|\.netrc|\.git-credentials|\.pypirc|credentials)$"
)
_SECRET_DIRS = (".ssh", ".aws", ".gnupg", ".config/gcloud", ".kube", ".azure", ".docker")


@dataclass
class Where:
    """Where the command runs: the project root, the shell's current folder, the home."""

    root: Path
    cwd: Path
    home: Path
    sandboxed: bool = False

    def resolve(self, word: str) -> Path:
        text = word
        for home in ("~", "$HOME", "${HOME}"):
            if text == home or text.startswith(home + "/"):
                text = str(self.home) + text[len(home) :]
                break
        if text.startswith("~"):
            text = os.path.expanduser(text)  # ~user
        p = Path(text)
        if not p.is_absolute():
            p = self.cwd / p
        return Path(os.path.normpath(p))

    def inside(self, p: Path) -> bool:
        return under(p, self.root)

    def in_git(self, p: Path) -> bool:
        try:
            rel = p.relative_to(self.root)
        except ValueError:
            return False
        return bool(rel.parts) and rel.parts[0] == ".git"


@dataclass
class Verdict:
    kind: str  # read_only | test | edit | deny | ask | unknown
    reason: str = ""


def under(p: Path | str, base: Path | str) -> bool:
    """``p`` is ``base`` or inside it (plain string work: Path.parents is slow)."""
    text, top = str(p), str(base).rstrip("/")
    return text == top or text.startswith(top + "/") or top == ""


def is_secret_path(p: Path, home: Path) -> bool:
    if _SECRET_NAMES.match(p.name):
        return True
    text, top = str(p), str(home).rstrip("/")
    if not text.startswith(top + "/"):
        return False
    rest = text[len(top) + 1 :]
    return any(rest == d or rest.startswith(d + "/") for d in _SECRET_DIRS)


def classify(seg: Segment, where: Where) -> Verdict:
    argv = seg.argv
    if not argv:
        return Verdict("read_only")
    name = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    if name in DENIED:
        return Verdict("deny", DENIED[name])
    secret = _secret_arg(seg, where)
    if secret:
        return Verdict("ask", f"reads a secret file ({secret})")
    if name == "dd" and any(a.startswith("of=/dev/") and a != "of=/dev/null" for a in args):
        return Verdict("deny", "writes to a device (dd of=/dev/...)")
    if name.startswith("mkfs"):
        return Verdict("deny", "formats a file system (mkfs)")
    if name == "git":
        return _git(args, where)
    bad = _writes_outside(name, seg, where)
    if bad is not None:
        return bad
    text = " ".join(argv)
    if any(text == t or text.startswith(t + " ") for t in TEST_COMMANDS):
        return Verdict("test")
    if name == "find":
        risky = {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprintf", "-fls"}
        return Verdict("unknown" if risky & set(args) else "read_only")
    if name == "sed":
        in_place = any(a.startswith("-i") or a.startswith("--in-place") for a in args)
        if in_place:
            return Verdict("edit")
        runs = any(re.search(r"(^|[;{}\s])[ewWr]\b", a) for a in args if not a.startswith("-"))
        return Verdict("unknown" if runs else "read_only")
    if name in READ_ONLY:
        return Verdict("read_only")
    if name in EDIT_COMMANDS:
        return Verdict("edit")
    return Verdict("unknown")


def _git(args: list[str], where: Where) -> Verdict:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in ("-C", "-c", "--git-dir", "--work-tree") else 1
    sub = args[i] if i < len(args) else ""
    rest = args[i + 1 :]
    if sub == "push" and any(
        a in ("-f", "--force", "--force-with-lease", "--mirror") or a.startswith("+")
        or a.startswith("--force")
        for a in rest
    ):  # fmt: skip
        return Verdict("deny", "rewrites a remote branch (git push --force)")
    if sub == "config":
        reads = ("--get", "--get-all", "--list", "-l", "--get-regexp", "--show-origin")
        if not any(a in reads for a in rest) and len([a for a in rest if a[:1] != "-"]) >= 2:
            return Verdict("deny", "writes git's configuration (.git/config)")
        return Verdict("read_only")
    if sub in GIT_READ_ONLY or not sub:
        return Verdict("read_only")
    if sub == "branch" and all(
        a.startswith("-") and a not in ("-d", "-D", "-m", "-M", "-c", "-C", "--delete", "--move")
        for a in rest
    ):
        return Verdict("read_only")  # fmt: skip
    if sub in ("remote", "tag", "stash") and (
        not rest or rest[0] in ("-v", "--verbose", "-l", "--list", "list", "show")
    ):
        return Verdict("read_only")
    return Verdict("unknown")


def _secret_arg(seg: Segment, where: Where) -> str:
    for w in seg.words[1:]:
        if not w.literal:
            continue
        text = w.text
        if "=" in text and text.startswith("-"):
            text = text.split("=", 1)[1]
        text = text.lstrip("@")
        if not text or text.startswith("-"):
            continue
        if is_secret_path(where.resolve(text), where.home):
            return text
    return ""


def _writes_outside(name: str, seg: Segment, where: Where) -> Verdict | None:
    """rm/mv/cp/... whose targets leave the project or enter .git."""
    if name not in WRITES_ALL_ARGS and name not in WRITES_LAST_ARG and name != "sed":
        return None
    paths = [w for w in seg.words[1:] if not w.text.startswith("-")]
    if name == "sed":
        if not any(a.startswith("-i") or a.startswith("--in-place") for a in seg.argv[1:]):
            return None
        paths = paths[1:]  # the script comes first
    if name in WRITES_LAST_ARG:
        paths = paths[-1:]
    recursive = any(
        a in ("-r", "-R", "--recursive") or (a.startswith("-") and not a.startswith("--")
                                            and ("r" in a or "R" in a))
        for a in seg.argv[1:]
    )  # fmt: skip
    for w in paths:
        if not w.literal:
            if name == "rm" and recursive:
                return Verdict("ask", f"removes a path computed when it runs ({w.text})")
            continue
        p = where.resolve(w.text)
        if p == Path("/") or p == where.home:
            return Verdict("deny", f"removes or changes {w.text} (the whole disk or home)")
        if not where.inside(p):
            if where.sandboxed and under(p, "/tmp"):
                continue  # a private /tmp inside the sandbox
            if p == Path("/dev/null"):
                continue
            return Verdict("deny", f"writes outside the project ({w.text})")
        if where.in_git(p):
            return Verdict("deny", f"writes into .git ({w.text})")
        if name == "rm" and recursive and p == where.root:
            return Verdict("ask", "removes the whole project folder")
    return None
