"""Definition-of-Done contracts on disk: the data, the parsers, the store and the check runner.

Layout under the project root::

    .smallcode/contract.md                  written by the user (optional): one line per check,
                                            ``- [ ] tests pass: `pytest -q` ``
    .smallcode/contracts/.active            the id of the active contract
    .smallcode/contracts/<id>/state.json    the contract and each assertion's state
    .smallcode/contracts/<id>/contract.md   the same, readable (a GitHub task list)
    .smallcode/contracts/<id>/log.jsonl     one line per event (create, pass, fail, check, ...)

``run_check`` is the one place a check command runs, so a permission layer can wrap it.
The live session logic (tools, done guard) is in agent/contracts.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from smallcode.fsio import atomic_write

CONTRACTS_DIR = ".smallcode/contracts"
USER_FILE = ".smallcode/contract.md"
USER_FILE_ID = "contract-md"  # the id of the contract imported from .smallcode/contract.md
ACTIVE_FILE = ".active"
EVIDENCE_CHARS = 240  # the model's evidence is kept, shortened, and never trusted
OUTPUT_LINES = 20  # lines of a check's output that are recorded
OUTPUT_CHARS = 2000
MAX_ASSERTIONS = 20

# pending -> passed | failed | skipped; a failed or stale check can pass again later.
STATUSES = ("pending", "passed", "failed", "skipped")


@dataclass
class Assertion:
    id: str  # a01, a02, ...
    description: str
    command: str = ""  # a shell check run by the harness: exit 0 is a pass
    status: str = "pending"
    verified: bool = False  # True when the harness ran the command for this status
    by: str = ""  # who set the status: harness | model | user
    evidence: str = ""  # the model's words (shortened), or the user's
    exit_code: int | None = None
    output: str = ""  # the last lines of the last run
    runs: int = 0
    updated: str = ""
    # The session's count of changes when the command last ran (a later change makes a pass
    # stale: it is run again before the run may end). Not stored.
    at_change: int = field(default=-1, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("at_change")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Assertion:
        names = {f.name for f in fields(cls)} - {"at_change"}
        a = cls(**{k: v for k, v in d.items() if k in names})
        if a.status not in STATUSES:
            a.status = "pending"
        return a

    @property
    def done(self) -> bool:
        return self.status in ("passed", "skipped")


@dataclass
class Contract:
    id: str
    title: str
    brief: str = ""
    owner: str = "model"  # user | model: the model may not change or replace a user's contract
    source: str = "tool"  # tool (contract_create) | command (/contract create) | file
    status: str = "active"  # active | met | aborted
    created: str = ""
    file_sha: str = ""  # for the contract imported from .smallcode/contract.md
    assertions: list[Assertion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["assertions"] = [a.to_dict() for a in self.assertions]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Contract:
        names = {f.name for f in fields(cls)} - {"assertions"}
        c = cls(**{k: v for k, v in d.items() if k in names})
        c.assertions = [Assertion.from_dict(a) for a in d.get("assertions", [])]
        return c

    def get(self, assertion_id: str) -> Assertion | None:
        return next((a for a in self.assertions if a.id == assertion_id), None)

    def unmet(self) -> list[Assertion]:
        return [a for a in self.assertions if not a.done]

    def counts(self) -> str:
        n = len(self.assertions)
        passed = sum(a.status == "passed" for a in self.assertions)
        skipped = sum(a.status == "skipped" for a in self.assertions)
        return f"{passed}/{n} passed" + (f", {skipped} skipped" if skipped else "")

    def settle(self) -> None:
        """The contract's status from its assertions (an aborted one stays aborted)."""
        if self.status != "aborted":
            self.status = "met" if self.assertions and not self.unmet() else "active"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------------- parsing

_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[([ xX~])\]\s+(.+?)\s*$")
_TRAILING_COMMAND = re.compile(r"^(.*?)[\s:\-–—]*`([^`]+)`\s*\.?$")
_DESC_KEYS = ("description", "desc", "text", "assertion", "name", "title", "check", "content")
_CMD_KEYS = ("command", "cmd", "check", "run", "shell", "test")


def parse_assertion_text(text: str) -> tuple[str, str]:
    """``tests pass: `pytest -q` `` -> ("tests pass", "pytest -q"). A backticked command at the
    end of the line is the check; without one the assertion has no command."""
    text = text.strip()
    m = _TRAILING_COMMAND.match(text)
    if not m:
        return text, ""
    desc, command = m.group(1).strip(), m.group(2).strip()
    return (desc or command), command


def parse_contract_md(text: str) -> tuple[str, str, list[tuple[str, str, bool]]]:
    """A user's contract file -> (title, brief, [(description, command, checked)]).

    The first ``#`` heading is the title; other lines that are not checkboxes form the brief.
    """
    title, brief, items = "", [], []
    for line in text.splitlines():
        m = _CHECKBOX.match(line)
        if m:
            desc, command = parse_assertion_text(m.group(2))
            items.append((desc, command, m.group(1) in "xX"))
        elif line.startswith("#") and not title:
            title = line.lstrip("#").strip()
        elif line.strip() and not line.lstrip().startswith(("-", "*", "+")):
            brief.append(line.strip())
    return title or "contract.md", " ".join(brief)[:400], items


def normalize_assertions(raw: Any) -> list[tuple[str, str]]:
    """What a model sends as ``assertions`` -> [(description, command)], forgivingly: a list of
    objects or strings, one JSON string, or lines of text."""
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith(("[", "{")):
            try:
                return normalize_assertions(json.loads(text))
            except ValueError:
                pass
        lines = [
            re.sub(r"^\s*(?:[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)", "", s) for s in text.split("\n")
        ]
        return [parse_assertion_text(s) for s in lines if s.strip()]
    if isinstance(raw, dict):
        # one assertion, or {"a01": "tests pass", ...}
        raw = [raw] if any(k in raw for k in _DESC_KEYS + _CMD_KEYS) else list(raw.values())
    out: list[tuple[str, str]] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            if "\n" in item.strip() or item.strip().startswith(("[", "{")):
                out.extend(normalize_assertions(item))
            elif item.strip():
                out.append(parse_assertion_text(item))
            continue
        if not isinstance(item, dict):
            continue
        command = _item_command(item)
        desc = next(
            (
                str(item[k]).strip()
                for k in _DESC_KEYS
                if isinstance(item.get(k), str) and item[k].strip() and item[k].strip() != command
            ),
            "",
        )
        if desc and not command:
            desc, command = parse_assertion_text(desc)
        if desc or command:
            out.append((desc or command, command))
    return out


def _item_command(item: dict[str, Any]) -> str:
    for key in _CMD_KEYS:
        value = item.get(key)
        if isinstance(value, dict):  # check: {command, expect_exit, timeout_s}
            value = value.get("command") or value.get("cmd")
        if key == "check" and isinstance(value, str) and "description" not in item:
            continue  # a lone "check" string describes the check
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def make_assertions(items: list[tuple[str, str]]) -> list[Assertion]:
    return [
        Assertion(id=f"a{i:02d}", description=desc[:300], command=command.strip(), updated=now())
        for i, (desc, command) in enumerate(items[:MAX_ASSERTIONS], start=1)
    ]


def normalize_id(raw: Any) -> str:
    """An assertion id as the model wrote it ("a1", "A01", "1", "a01: ...") -> "a01"."""
    m = re.search(r"\d+", str(raw or ""))
    return f"a{int(m.group()):02d}" if m else str(raw or "").strip().lower()


def slug(text: str, limit: int = 24) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].rstrip("-") or "contract"


# ---------------------------------------------------------------------- running a check


@dataclass
class CheckRun:
    command: str
    exit_code: int | None  # None when it timed out or could not start
    output: str  # the last lines
    timed_out: bool = False
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def run_check(command: str, root: Path, timeout: float) -> CheckRun:
    """Run one contract check in ``bash -c`` in the project root, bounded by ``timeout``.

    The single place checks run: the permission rules for shell commands wrap this.
    """
    from smallcode.tools.shell import run_fresh
    from smallcode.verify.textutil import strip_ansi, tail_lines

    started = time.monotonic()
    try:
        out, code, timed_out = run_fresh(command, root, timeout)
    except OSError as exc:
        out, code, timed_out = f"could not start the command: {exc}", None, False
    text = tail_lines(strip_ansi(out), OUTPUT_LINES, OUTPUT_CHARS)
    if timed_out:
        text = f"{text}\n[timed out after {timeout:g}s]".lstrip()
    return CheckRun(command, code, text, timed_out, round(time.monotonic() - started, 3))


# ---------------------------------------------------------------------- the store


class ContractStore:
    """Contracts of one project, as files under ``.smallcode/contracts``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / CONTRACTS_DIR

    @property
    def user_file(self) -> Path:
        return self.root / USER_FILE

    def path(self, cid: str) -> Path:
        return self.dir / cid

    def new_id(self, title: str) -> str:
        base = f"{time.strftime('%Y%m%d-%H%M%S')}-{slug(title)}"
        cid, n = base, 2
        while self.path(cid).exists():
            cid, n = f"{base}-{n}", n + 1
        return cid

    def load(self, cid: str) -> Contract | None:
        try:
            data = json.loads((self.path(cid) / "state.json").read_text(encoding="utf-8"))
            return Contract.from_dict(data)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, contract: Contract) -> None:
        folder = self.path(contract.id)
        state = json.dumps(contract.to_dict(), indent=2)
        atomic_write(folder / "state.json", state + "\n")
        atomic_write(folder / "contract.md", render_markdown(contract))

    def log(self, cid: str, event: str, **data: Any) -> None:
        line = json.dumps({"t": now(), "event": event, **data}, default=str)
        try:
            self.path(cid).mkdir(parents=True, exist_ok=True)
            with open(self.path(cid) / "log.jsonl", "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError:
            pass

    def all(self) -> list[Contract]:
        if not self.dir.is_dir():
            return []
        found = [self.load(p.name) for p in sorted(self.dir.iterdir()) if p.is_dir()]
        return [c for c in found if c is not None]

    def active_id(self) -> str:
        try:
            return (self.dir / ACTIVE_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def set_active(self, cid: str) -> None:
        pointer = self.dir / ACTIVE_FILE
        if cid:
            atomic_write(pointer, cid + "\n")
        else:
            pointer.unlink(missing_ok=True)

    def user_file_text(self) -> tuple[str, str] | None:
        """(text, sha256) of ``.smallcode/contract.md``, or None when there is none."""
        try:
            data = self.user_file.read_bytes()
        except OSError:
            return None
        return data.decode("utf-8", "replace"), hashlib.sha256(data).hexdigest()


def render_markdown(c: Contract) -> str:
    """The readable copy: a GitHub task list with each check's state."""
    owner = "the user" if c.owner == "user" else "the model"
    lines = [
        f"# Contract: {c.title}",
        "",
        f"Set by {owner} ({c.source}) · {c.status} · {c.counts()} · id `{c.id}`",
        "",
    ]
    if c.brief:
        lines += [c.brief, ""]
    for a in c.assertions:
        box = "x" if a.done else " "
        check = f": `{a.command}`" if a.command else ""
        lines.append(f"- [{box}] {a.id} {a.description}{check} ({state_phrase(a)})")
    return "\n".join(lines) + "\n"


def state_phrase(a: Assertion) -> str:
    """A few words on an assertion's state, e.g. "failed: exit 1, run by the harness"."""
    if a.status == "pending":
        return "pending" if a.command else "pending, no command: needs evidence"
    if a.status == "skipped":
        return f"skipped: {a.evidence}" if a.evidence else "skipped"
    if a.command and a.verified:
        code = "timed out" if a.exit_code is None else f"exit {a.exit_code}"
        return f"{a.status}: {code}, run by the harness"
    if a.status == "passed":
        who = "the user" if a.by == "user" else "the model's word"
        return f"passed, unverified: {who}"
    return f"{a.status} (reported by the {a.by or 'model'})"
