"""Run a project's test command and turn its result into a :class:`TestReport`.

The command runs in bash in its own process group (the whole group is killed on timeout),
with the runner's machine-readable report requested where it has one (JUnit XML, Jest/Vitest
JSON, ``go test -json``); text summary lines are the fallback.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from smallcode.verify.commands import build_command, report_suffix
from smallcode.verify.junit import java_report_files, parse_junit
from smallcode.verify.parsers import (
    parse_cargo,
    parse_generic,
    parse_go_json,
    parse_jest_json,
    parse_pytest_text,
    parse_unittest,
)
from smallcode.verify.report import MAX_FAILURES, TestFailure, TestReport
from smallcode.verify.runners import detect_framework, find_runner, script_text
from smallcode.verify.textutil import error_lines, relpath, strip_ansi, tail_lines

__all__ = [
    "MAX_FAILURES",
    "TestFailure",
    "TestReport",
    "build_command",
    "detect_framework",
    "run_tests",
]

HEAD_BYTES = 256 * 1024  # the start of the output is kept (collection errors come first) ...
TAIL_BYTES = 1792 * 1024  # ... and the end (summaries come last): ~2 MB in all
_COLLECTION_HINTS = re.compile(
    r"SyntaxError|IndentationError|ModuleNotFoundError|ImportError|Cannot find module|"
    r"error\[E\d+\]|could not compile|COMPILATION ERROR|Compilation failed|\[build failed\]|"
    r"\[setup failed\]|error during collection"
)


class _Capture(threading.Thread):
    """Drains a pipe, keeping the head and a rolling tail of the bytes."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_size = 0
        self.dropped = 0

    def run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            room = HEAD_BYTES - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            if chunk:
                self.tail.append(chunk)
                self.tail_size += len(chunk)
                while self.tail_size > TAIL_BYTES and len(self.tail) > 1:
                    old = self.tail.popleft()
                    self.tail_size -= len(old)
                    self.dropped += len(old)

    def text(self) -> str:
        head = bytes(self.head).decode("utf-8", "replace")
        tail = b"".join(self.tail).decode("utf-8", "replace")
        if self.dropped:
            head += f"\n... [{self.dropped} bytes of output omitted] ...\n"
        return head + tail


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _execute(
    command: str,
    cwd: Path,
    timeout: float,
    env: dict[str, str] | None,
    writable: tuple[Path, ...] = (),
) -> tuple[str, int | None, bool, str]:
    """Run ``command``: (output, exit code, timed out, start error). In the session's sandbox
    when one is registered for ``cwd`` (``writable``: the report folder), without secrets."""
    from smallcode.permissions.sandbox import confine

    full_env = dict(os.environ)
    full_env.pop("FORCE_COLOR", None)
    full_env.update({"NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    full_env.update(env or {})
    argv, full_env = confine(
        cwd, [shutil.which("bash") or "bash", "-c", command], full_env, writable
    )
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return "", None, False, f"could not start the command: {exc}"
    assert proc.stdout is not None
    capture = _Capture(proc.stdout.fileno())
    capture.start()
    timed_out = False
    try:
        code: int | None = proc.wait(timeout=max(0.1, timeout))
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.wait()
        code, timed_out = None, True
    capture.join(0.5)
    if capture.is_alive():  # a background child still holds the pipe: stop the group
        _kill_group(proc.pid)
        capture.join(2.0)
    proc.stdout.close()
    return capture.text(), code, timed_out, ""


def run_tests(
    root: Path,
    command: str,
    *,
    filter: str | None = None,
    path: str | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
) -> TestReport:
    """Run the test ``command`` in ``root`` and parse its results (never raises)."""
    root = Path(root)
    framework = detect_framework(command, root)
    tmp = Path(tempfile.mkdtemp(prefix="smallcode-tests-"))
    try:
        suffix = report_suffix(framework)
        report_file = tmp / f"report{suffix}" if suffix else None
        if framework == "go":
            report_file = tmp / "unused.json"  # asks for -json; go writes to stdout
        final = build_command(
            command,
            framework=framework,
            filter=filter,
            path=path,
            report_file=report_file,
            root=root,
        )
        if report_file is not None and str(report_file) not in final and framework != "go":
            report_file = None  # the command shape did not allow a report (e.g. a long script)
        started = time.time()
        t0 = time.monotonic()
        output, code, timed_out, start_error = _execute(final, root, timeout, env, (tmp,))
        report = TestReport(framework=framework, command=final, exit_code=code)
        report.duration_s = round(time.monotonic() - t0, 3)
        report.timed_out = timed_out
        text = strip_ansi(output)
        if start_error:
            report.output_tail = start_error
            return report
        parsed, human = _parse(report, framework, text, report_file, root, started)
        _finish(report, parsed, human, command, root)
        return report
    except Exception as exc:  # the engine must not take the agent down
        report = TestReport(framework=framework, command=command, exit_code=None)
        report.output_tail = f"internal error while running tests: {type(exc).__name__}: {exc}"
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _parse(
    report: TestReport,
    framework: str,
    text: str,
    report_file: Path | None,
    root: Path,
    started: float,
) -> tuple[bool, str]:
    """Fill the counts: (whether results were found, the human-readable output)."""
    parsed = False
    human = text
    has_file = report_file is not None and report_file.is_file()
    if framework in ("pytest", "node", "mocha") and has_file:
        assert report_file is not None
        parsed = parse_junit([report_file], report, root, framework, text)
        if framework == "pytest":
            _rebase_pytest_files(report, text, root)
    elif framework in ("jest", "vitest") and has_file:
        assert report_file is not None
        parsed = parse_jest_json(report_file, report, root)
    elif framework == "go":
        parsed, human = parse_go_json(text, report, root)
    elif framework == "cargo":
        parsed = parse_cargo(text, report, root)
    elif framework == "unittest":
        parsed = parse_unittest(text, report, root)
    elif framework in ("maven", "gradle"):
        files = java_report_files(root, framework, started)
        parsed = bool(files) and parse_junit(files, report, root, "java")
    if not parsed and not report.timed_out:
        parsed = (
            parse_pytest_text(text, report)
            if framework == "pytest"
            else parse_generic(text, report, root)
        )
    return parsed, human


def _rebase_pytest_files(report: TestReport, text: str, root: Path) -> None:
    """pytest reports paths from its rootdir (``cd sub && pytest``): make files root-relative;
    ids stay rootdir-relative because that is what the rerun command needs."""
    m = re.search(r"^rootdir: (.+?)(?:, |$)", text, re.M)
    if not m:
        return
    rootdir = Path(m.group(1).strip())
    try:
        if rootdir.resolve() == root.resolve():
            return
    except OSError:
        return
    for failure in report.failures:
        rel = failure.file
        local = rel and not rel.startswith("/") and not (root / rel).exists()
        if local and (rootdir / rel).exists():
            failure.file = relpath(str(rootdir / rel), root)


def _finish(report: TestReport, parsed: bool, human: str, command: str, root: Path) -> None:
    report.output_tail = tail_lines(human, 40, 3000)
    if any(f.kind == "collection" for f in report.failures):
        report.collection_error = True
    if report.timed_out or report.exit_code is None:
        return
    if (report.framework == "pytest" and report.exit_code == 5) or (
        parsed and report.passed + report.failed + report.errors == 0
    ):
        report.no_tests = True
    if (
        report.exit_code != 0
        and not report.failed
        and not report.passed
        and not report.collection_error
        and _COLLECTION_HINTS.search(human)
    ):
        report.collection_error = True
        report.no_tests = False
        lines = error_lines(human, 3)
        if lines and not report.failures:
            report.errors = max(report.errors, 1)
            report.add_failure(TestFailure("(load)", message="\n".join(lines), kind="collection"))
    if report.collection_error:
        report.no_tests = False
    first = next((f for f in report.failures if f.kind == "failed"), None) or next(
        (f for f in report.failures if f.kind == "error"), None
    )
    if first is not None:
        report.rerun_hint = rerun_command(command, report.framework, first, root)


def _js_pattern(text: str) -> str:
    return re.sub(r"([\\^$.*+?()[\]{}|/])", r"\\\1", text)


def rerun_command(command: str, framework: str, failure: TestFailure, root: Path) -> str:
    """A command that reruns just ``failure`` ("" when the runner has no way to)."""
    name = failure.id.split(" > ")[-1]
    file = failure.file if failure.file and not failure.file.startswith("/") else None
    try:
        if framework == "pytest" and "::" in failure.id:
            return build_command(command, framework=framework, path=failure.id, root=root)
        if framework == "unittest":
            return _unittest_rerun(command, failure.id, root)
        if framework == "node":
            pattern = f"^{_js_pattern(name)}$"
            return build_command(command, framework=framework, filter=pattern, path=file, root=root)
        if framework in ("jest", "vitest"):
            pattern = _js_pattern(" ".join(failure.id.split(" > ")))
            return build_command(command, framework=framework, filter=pattern, path=file, root=root)
        if framework == "mocha":
            return build_command(command, framework=framework, filter=_js_pattern(name), root=root)
        if framework == "go":
            test = failure.id.split("/", 1)[-1]
            pattern = "/".join(f"^{_js_pattern(p)}$" for p in test.split("/"))
            return build_command(command, framework=framework, filter=pattern, root=root)
        if framework == "cargo":
            rerun = build_command(command, framework=framework, filter=failure.id, root=root)
            return rerun + (" --exact" if " -- " in rerun else " -- --exact")
        if framework == "maven" and "." in failure.id:
            cls, method = failure.id.rsplit(".", 1)
            return build_command(command, framework=framework, filter=f"{cls}#{method}", root=root)
        if framework == "gradle":
            return build_command(command, framework=framework, filter=failure.id, root=root)
    except (ValueError, IndexError):
        return ""
    return ""


def _unittest_rerun(command: str, ident: str, root: Path) -> str:
    runner = find_runner(command, root)
    if runner is None:
        return ""
    if runner.framework == "script":
        command = script_text(runner, root)
        runner = find_runner(command, root)
        if runner is None:
            return ""
    words = runner.words
    at = runner.at - 1 if words[runner.at].value == "discover" else runner.at
    return f"{command[: words[at].end]} {shlex.quote(ident)}"
