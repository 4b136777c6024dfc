"""The completion check: when the model stops, is the task really done?

It runs before a run is reported as done, makes no model call, and each part is cheap:

- the task asks for a change, but nothing changed (tool writes, or files touched by commands);
- every file changed in this run still parses (verify/syntax.py);
- changed Python files use no undefined name and break no import of another project module
  (verify/pycheck.py: static, nothing runs);
- files the task names and that should now exist do exist;
- "rename X to Y": X is gone from the project's source files and Y is there;
- when the task is to make tests pass, those tests were not changed;
- when the task asks for tests to be added, a test file was written;
- a new script the task says prints something runs without crashing and prints something;
- a flag the task adds to a script: without it the script prints what it did, with it
  something else (verify/flags.py);
- where the project has tests related to the task or to the changed files, they pass.

A failed check becomes one short note for the model (bounded re-asks, see the loop); the record
of every check, with its command and exit code, goes into ``RunResult.verification``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.agent import intent
from smallcode.verify.syntax import CheckOutcome

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.tools.registry import ToolContext

NOTE_LIMIT = 1400
_SCAN_LIMIT = 5000
_OWN_DIRS = (".smallcode/", ".git/")
_TEST_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".rs")
# Files a script may be given to read (the task's "file given as its first argument").
_DATA_SUFFIXES = (".txt", ".csv", ".tsv", ".log", ".dat", ".json", ".md", ".text", "")


@dataclass
class Verification:
    """What the completion check found: passed, failed, or nothing to check."""

    status: str = "skipped"  # passed | failed | skipped (nothing to check) | off
    checks: list[dict[str, Any]] = field(default_factory=list)
    reasks: int = 0
    tests: dict[str, Any] | None = None  # the last test report, whole
    # What the checks could not see (said plainly, so exit 0 is not read as more than it is).
    unverified: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if not c["ok"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checks": list(self.checks),
            "reasks": self.reasks,
            "tests": self.tests,
            "unverified": list(self.unverified),
        }

    def reason(self) -> str:
        """One line for stderr and RunResult.error."""
        parts = []
        for c in self.failed:
            first = (c.get("evidence") or "").strip().splitlines()
            parts.append(f"{c['name']} {c['target']}: {first[0] if first else 'failed'}")
        return "not verified: " + "; ".join(parts)[:400] if parts else ""


def snapshot_files(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of the project's files: changes made by shell commands show up here."""
    from smallcode.tools.fsutil import project_files

    state: dict[str, tuple[int, int]] = {}
    for rel in project_files(root, limit=_SCAN_LIMIT):
        if rel.startswith(_OWN_DIRS):
            continue  # the harness's own state (snapshots, memory, plans) is not the work
        try:
            st = (root / rel).stat()
        except OSError:
            continue
        state[rel] = (st.st_mtime_ns, st.st_size)
    return state


class CompletionCheck:
    """One per run: remembers the project's state at the start and checks the end."""

    def __init__(self, settings: Settings, ctx: ToolContext, task: str) -> None:
        self.settings = settings
        self.ctx = ctx
        self.root = ctx.root
        self.task = task
        self.wants_change = intent.wants_change(task)
        self.created_before = set(ctx.files_created)
        self.edited_before = set(ctx.files_edited)
        self.files_before = snapshot_files(self.root)
        self.must_exist = (
            [f for f in intent.files_to_create(task) if not (self.root / f).exists()]
            if self.wants_change
            else []
        )
        self.tests_are_goal = self.wants_change and intent.tests_are_the_goal(task)
        self.asks_for_tests = self.wants_change and intent.asks_for_tests(task)
        self.flag = intent.added_flag(task) if self.wants_change else None
        self.expects_output = self.wants_change and intent.expects_output(task)
        self.rename = intent.rename_pair(task) if self.wants_change else None
        if self.rename and not _occurrences(self.root, self.rename[0], limit=1):
            self.rename = None  # nothing of that name to rename: nothing to check
        self.edit_format = "tools"  # set by the loop: how the note asks for the change
        # Text of files before their first write in this run (tools/files.py fills it).
        self.originals: dict[str, str | None] = {}
        ctx.originals = self.originals
        self._last_tests: tuple[frozenset[tuple[str, tuple[int, int]]], Any] | None = None

    def protected_tests(self) -> set[str]:
        """Test files that existed when the task began (kept as they are when the tests are
        the goal of the task)."""
        return {rel for rel in self.files_before if intent.is_test_file(rel)}

    # ------------------------------------------------------------------ what changed

    def changed_files(self) -> list[str]:
        """Files created, edited or deleted in this run (by tools or by commands)."""
        by_tools = (self.ctx.files_created - self.created_before) | (
            self.ctx.files_edited - self.edited_before
        )
        now = snapshot_files(self.root)
        by_scan = {rel for rel, st in now.items() if self.files_before.get(rel) != st}
        by_scan |= {rel for rel in self.files_before if rel not in now}
        return sorted(by_tools | by_scan)

    # ------------------------------------------------------------------ the check

    def run(self) -> Verification:
        from smallcode.verify.syntax import check_files_syntax

        v = Verification()
        changed = self.changed_files()
        outcomes: list[CheckOutcome | dict[str, Any]] = []
        if self.wants_change and not changed:
            outcomes.append(
                _outcome(
                    "changed",
                    "project",
                    False,
                    "nothing was changed: no file was written, edited or deleted",
                )
            )
        existing = [rel for rel in changed if (self.root / rel).is_file()]
        syntax = check_files_syntax(self.root, existing)
        outcomes.extend(syntax)
        broken = {o.target for o in syntax if not o.ok}
        outcomes.extend(self._python_checks([r for r in existing if r not in broken], changed))
        if self.tests_are_goal:
            touched = sorted(set(changed) & self.protected_tests())
            if touched:
                outcomes.append(
                    _outcome(
                        "tests_unchanged",
                        ", ".join(touched),
                        False,
                        f"{', '.join(touched)} changed, but the task is to make these tests "
                        "pass as they are: restore them and change the code instead",
                    )
                )
        if self.asks_for_tests and changed and not any(intent.is_test_file(c) for c in changed):
            named = [f for f in intent.named_files(self.task) if intent.is_test_file(f)]
            outcomes.append(
                _outcome(
                    "tests_added",
                    ", ".join(named) or "tests",
                    False,
                    "the task asks for tests, but no test file was written"
                    + (f": add them to {', '.join(named)}" if named else ""),
                )
            )
        if self.rename:
            outcomes.extend(self._rename_checks(*self.rename))
        for rel in self.must_exist:
            exists = (self.root / rel).exists()
            outcomes.append(
                _outcome(
                    "exists",
                    rel,
                    exists,
                    "" if exists else f"{rel} does not exist, but the task names it",
                )
            )
        if (
            self.expects_output
            and self.settings.verify_run
            and not any(not _ok(o) for o in outcomes)
        ):
            outcomes.extend(self._run_scripts())
        if self.flag and self.settings.verify_run and not any(not _ok(o) for o in outcomes):
            outcomes.extend(self._flag_checks(self.flag, changed))
        if changed and not any(not _ok(o) for o in outcomes):
            tests = self._run_tests(changed)
            if tests is not None:
                outcomes.append(tests)
        v.checks = [o if isinstance(o, dict) else o.to_dict() for o in outcomes]
        v.unverified = self._unverified(changed, v.checks)
        if self._last_tests is not None:
            v.tests = self._last_tests[1].to_dict()
        if any(not c["ok"] for c in v.checks):
            v.status = "failed"
        elif any(not c.get("skipped") for c in v.checks):
            v.status = "passed"
        return v

    def _unverified(self, changed: list[str], checks: list[dict[str, Any]]) -> list[str]:
        """What this task's result depends on that no check looked at."""
        if not self.wants_change or not changed:
            return []
        names = {c["name"] for c in checks if not c.get("skipped")}
        out = []
        if "tests" not in names:
            out.append("behaviour: no tests ran for the changed files")
        if self.expects_output and intent.expected_output(self.task) is None:
            out.append("what the program prints: the task gives no exact text to compare with")
        return out

    # ------------------------------------------------------------------ more checks

    def _python_checks(self, files: list[str], changed: list[str]) -> list[CheckOutcome]:
        """Undefined names in changed Python files, what a change lost or doubled (headings,
        definitions), and project imports the change broke."""
        from smallcode.verify.pycheck import broken_project_imports, new_undefined_names
        from smallcode.verify.structure import structure_problems

        out: list[CheckOutcome] = []
        for rel in files:
            if not rel.endswith(".py") or rel not in self.originals:
                continue  # changed by a command: no earlier text to compare with
            try:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found = new_undefined_names(rel, text, self.originals[rel])
            if found is not None:
                out.append(found)
        for rel in files:
            original = self.originals.get(rel)
            if original is None:
                continue  # new, or changed by a command: nothing to compare with
            try:
                now = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            lost = structure_problems(rel, original, now, self.task)
            if lost is not None:
                out.append(lost)
        py_files = [f for f in snapshot_files(self.root) if f.endswith(".py")]
        imports = broken_project_imports(self.root, changed, py_files, self.originals)
        if imports is not None:
            out.append(imports)
        return out

    def _rename_checks(self, old: str, new: str) -> list[dict[str, Any]]:
        left = _occurrences(self.root, old, limit=6)
        if left:
            where = ", ".join(left[:5]) + (" ..." if len(left) > 5 else "")
            return [
                _outcome(
                    "renamed", old, False, f"{old} is still used: {where} (rename it to {new})"
                )
            ]
        if not _occurrences(self.root, new, limit=1):
            return [_outcome("renamed", new, False, f"{new} appears nowhere: the rename is lost")]
        return [_outcome("renamed", f"{old} -> {new}", True, "")]

    def _run_scripts(self) -> list[dict[str, Any]]:
        """Run each new script the task names once: it must not crash and must print."""
        from smallcode.verify.smoke import smoke_run

        created = (self.ctx.files_created - self.created_before) | {
            rel for rel in self.changed_files() if rel not in self.files_before
        }
        named = set(intent.named_files(self.task))
        scripts = sorted(rel for rel in created if rel in named or len(created) == 1)
        out = []
        expected = intent.expected_output(self.task)
        args = self._file_argument(created)
        number = intent.expects_number(self.task)
        for rel in scripts:
            one = len(scripts) == 1
            outcome = smoke_run(
                self.root,
                rel,
                expected if one else None,
                args=args if one else (),
                number=number and one and bool(args),
            )
            if outcome is not None:
                out.append(outcome)
        return out

    def _flag_checks(self, flag: str, changed: list[str]) -> list[dict[str, Any]]:
        """The one changed script the task names, with and without the flag it adds."""
        from smallcode.verify.flags import flag_check

        named = set(intent.named_files(self.task))
        scripts = [
            rel
            for rel in changed
            if rel in named and rel.endswith(".py") and self.originals.get(rel) is not None
        ]
        if len(scripts) != 1:
            return []
        outcome = flag_check(self.root, scripts[0], self.originals[scripts[0]] or "", flag)
        return [outcome] if outcome is not None else []

    def _file_argument(self, created: set[str]) -> tuple[str, ...]:
        """The file to pass to a new script that the task says reads the file given as its
        argument: the data file the task names, else the project's only data file (one that
        was there before the run and is not code). None found: no argument."""
        if not intent.takes_file_argument(self.task):
            return ()
        data = [
            rel
            for rel in sorted(self.files_before)
            if rel not in created
            and "/" not in rel
            and Path(rel).suffix.lower() in _DATA_SUFFIXES
            and (self.root / rel).is_file()
        ]
        named = [rel for rel in data if rel in set(intent.named_files(self.task))]
        pick = named or data
        return (pick[0],) if len(pick) == 1 else ()

    def note(self, v: Verification, reasks_left: int) -> str:
        """The message for the model after a failed check: what failed, what to do."""
        lines = ["The task is not done yet. The harness checked your work:"]
        for c in v.failed:
            evidence = (c.get("evidence") or "failed").strip()
            lines.append(f"- {evidence}")
        if any(c["name"] == "changed" for c in v.failed):
            lines.append(self._how_to_change())
        else:
            lines.append(self._how_to_fix(v))
        if reasks_left <= 0:
            lines.append("This is the last check before the run ends as not done.")
        text = "\n".join(lines)
        return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 4] + " ..."

    # ------------------------------------------------------------------ tests

    def _run_tests(self, changed: list[str]) -> CheckOutcome | dict[str, Any] | None:
        command = self.test_command()
        if not command or not self._tests_relevant(changed):
            return None
        key = frozenset(snapshot_files(self.root).items())
        if self._last_tests is not None and self._last_tests[0] == key:
            report = self._last_tests[1]
        else:
            from smallcode.verify.testrun import run_tests

            report = run_tests(self.root, command, timeout=self.settings.verify_timeout)
            self._last_tests = (key, report)
        if report.no_tests or _runner_missing(report.output_tail):
            return _outcome(
                "tests",
                report.command,
                True,
                "no tests ran" if report.no_tests else "the test runner is not installed",
                skipped=True,
                command=report.command,
                exit_code=report.exit_code,
            )
        return _outcome(
            "tests",
            report.command,
            report.ok,
            "" if report.ok else f"Tests fail ({report.command}):\n{report.summary(1000)}",
            command=report.command,
            exit_code=report.exit_code,
        )

    def _how_to_change(self) -> str:
        """What to do when nothing changed, in the edit format the model is asked for."""
        missing = [f for f in self.must_exist if not (self.root / f).exists()]
        targets = missing if len(missing) == 1 else intent.files_to_create(self.task)
        if self.edit_format != "tools" and len(targets) == 1:
            name = targets[0]
            return (
                f"Reply with the line {name} and below it the complete content of {name} in "
                "a fenced code block (all of the file, written out in full)."
            )
        if self.edit_format != "tools":  # the way the system prompt shows, not tool calls
            files = intent.named_files(self.task)[:6]
            return (
                "Reply with the path of the file to change alone on a line and below it its "
                "complete new content in a fenced code block"
                + (f" (the files of this task: {', '.join(files)})." if files else ".")
            )
        return (
            "Make the change now: call write_file for a new file or patch for an existing "
            "one (read_file first), or write the whole file in a fenced code block with "
            "its path on the line above."
        )

    def _how_to_fix(self, v: Verification) -> str:
        """What to do about a failed check, in the edit format the model is asked for: in a
        text format, the one file to write again (the test file asked for, else the one file
        this run changed)."""
        if self.edit_format != "tools":
            if any(c["name"] == "tests_added" for c in v.failed):
                files = [f for f in intent.named_files(self.task) if intent.is_test_file(f)]
            else:
                files = [f for f in self.changed_files() if (self.root / f).is_file()]
            if len(files) == 1:
                return (
                    f"Reply with the line {files[0]} and below it the complete corrected "
                    f"content of {files[0]} in a fenced code block."
                )
        return "Fix this with a tool call, then answer with a short summary."

    def test_command(self) -> str:
        from smallcode.verify.discover import detect_test_command

        return detect_test_command(self.root, self.settings)

    def _tests_relevant(self, changed: list[str]) -> bool:
        """Run the tests when the task is about tests or a test covers a changed file."""
        if intent.mentions_tests(self.task) or any(intent.is_test_file(c) for c in changed):
            return True
        stems = {Path(c).stem for c in changed if c.endswith(_TEST_SUFFIXES)}
        if not stems:
            return False
        from smallcode.verify.discover import test_files

        for rel in test_files(self.root):
            name = Path(rel).name
            if any(s in name for s in stems):
                return True
            try:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")[:20000]
            except OSError:
                continue
            if any(_imports(text, s) for s in stems):
                return True
        return False


_SOURCE_SUFFIXES = (
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".go", ".rs", ".java", ".kt",
    ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".rb", ".php", ".swift", ".scala", ".sh", ".lua",
)  # fmt: skip


def _occurrences(root: Path, name: str, limit: int) -> list[str]:
    """``file:line`` where ``name`` occurs as a whole word in the project's source files."""
    import re

    from smallcode.tools.fsutil import project_files

    word = re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])")
    found: list[str] = []
    for rel in project_files(root, limit=_SCAN_LIMIT):
        if not rel.endswith(_SOURCE_SUFFIXES) or rel.startswith(_OWN_DIRS):
            continue
        try:
            path = root / rel
            if path.stat().st_size > 1_000_000:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if name not in text:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if word.search(line):
                found.append(f"{rel}:{n}")
                if len(found) >= limit:
                    return found
    return found


def _imports(text: str, stem: str) -> bool:
    import re

    return (
        re.search(rf"^\s*(?:from|import)\s+(?:[\w.]+\.)?{re.escape(stem)}\b", text, re.M)
        is not None
        or re.search(rf"""require\(\s*['"][./\w-]*{re.escape(stem)}['"]""", text) is not None
        or re.search(rf"""from\s+['"][./\w-]*{re.escape(stem)}(?:\.[cm]?[jt]s)?['"]""", text)
        is not None
    )


def _runner_missing(output: str) -> bool:
    return "No module named pytest" in output or "command not found" in output


def _ok(o: CheckOutcome | dict[str, Any]) -> bool:
    return bool(o["ok"] if isinstance(o, dict) else o.ok)


def _outcome(
    name: str,
    target: str,
    ok: bool,
    evidence: str,
    *,
    skipped: bool = False,
    command: str = "",
    exit_code: int | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "target": target,
        "ok": ok,
        "skipped": skipped,
        "command": command,
        "exit_code": exit_code,
        "evidence": evidence,
    }
