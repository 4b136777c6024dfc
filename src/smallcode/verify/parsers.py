"""Result parsers for JSON reports (Jest, Vitest, ``go test -json``) and console text (cargo,
unittest, and the summary lines of any runner)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from smallcode.verify.junit import js_location
from smallcode.verify.report import TestFailure, TestReport
from smallcode.verify.textutil import first_lines, relpath, strip_ansi

# -- Jest / Vitest JSON ---------------------------------------------------------------------

_SKIPPED_STATES = {"pending", "skipped", "todo", "disabled"}


def _js_message(text: str) -> str:
    rows = [r.rstrip() for r in strip_ansi(text).split("\n")]
    rows = [r for r in rows if r.strip() and not r.strip().startswith("at ")]
    rows = [r for r in rows if "● Test suite failed to run" not in r]
    return "\n".join(r.strip() for r in rows[:3])


def parse_jest_json(path: Path, report: TestReport, root: Path) -> bool:
    """Jest's ``--json --outputFile`` (Vitest's json reporter writes the same shape)."""
    try:
        data = json.loads(path.read_text("utf-8", "replace"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or not isinstance(data.get("testResults"), list):
        return False
    for suite in data["testResults"]:
        if not isinstance(suite, dict):
            continue
        suite_file = relpath(str(suite.get("name", "")), root)
        cases = suite.get("assertionResults") or []
        for case in cases:
            if not isinstance(case, dict):
                continue
            status = str(case.get("status", ""))
            if status == "passed":
                report.passed += 1
            elif status in _SKIPPED_STATES:
                report.skipped += 1
            elif status == "failed":
                report.failed += 1
                report.add_failure(_jest_failure(case, suite_file, root))
        suite_message = str(suite.get("message") or suite.get("failureMessage") or "")
        ran_any = any(isinstance(c, dict) and c.get("status") == "failed" for c in cases)
        if suite.get("status") == "failed" and suite_message.strip() and not ran_any:
            report.errors += 1
            file, line = js_location(strip_ansi(suite_message), root)
            if not file:
                m = re.search(r"(/\S+?):\s.*\((\d+):\d+\)", strip_ansi(suite_message))
                file, line = (relpath(m.group(1), root), int(m.group(2))) if m else (suite_file, 0)
            report.add_failure(
                TestFailure(suite_file, file, line, _js_message(suite_message), "collection")
            )
    return True


def _jest_failure(case: dict[str, Any], suite_file: str, root: Path) -> TestFailure:
    titles = [str(t) for t in case.get("ancestorTitles") or []]
    title = str(case.get("title") or case.get("fullName") or "")
    messages = [str(m) for m in case.get("failureMessages") or []]
    text = strip_ansi("\n".join(messages))
    file, line = js_location(text, root)
    location = case.get("location")
    if not file:
        file = suite_file
        if isinstance(location, dict) and isinstance(location.get("line"), int):
            line = location["line"]
    return TestFailure(" > ".join([*titles, title]), file, line, _js_message(text), "failed")


# -- go test -json --------------------------------------------------------------------------

_GO_LOC = re.compile(r"^\s+([\w./-]+\.go):(\d+): ?(.*)$")


def parse_go_json(output: str, report: TestReport, root: Path) -> tuple[bool, str]:
    """``go test -json`` events; returns (parsed, the human-readable output they carried)."""
    outputs: dict[tuple[str, str], list[str]] = {}
    results: dict[tuple[str, str], str] = {}
    human: list[str] = []
    build_failed: list[str] = []
    parsed = False
    for raw in output.split("\n"):
        if not raw.startswith("{"):
            if raw.strip():
                human.append(raw)
            continue
        try:
            event = json.loads(raw)
        except ValueError:
            human.append(raw)
            continue
        if not isinstance(event, dict):
            continue
        parsed = True
        action = str(event.get("Action", ""))
        key = (
            # build events carry "pkg [pkg.test]" as ImportPath
            str(event.get("Package") or event.get("ImportPath") or "").split(" [", 1)[0],
            str(event.get("Test") or ""),
        )
        if action in ("output", "build-output"):
            text = str(event.get("Output", ""))
            outputs.setdefault(key, []).append(text)
            human.append(text.rstrip("\n"))
        elif action in ("pass", "fail", "skip"):
            results[key] = action
        elif action == "build-fail":
            build_failed.append(key[0])
    if not parsed:
        return False, output
    tests = [k for k in results if k[1]]
    parents = {(pkg, name[:i]) for pkg, name in tests for i, c in enumerate(name) if c == "/"}
    with_tests = {pkg for pkg, _ in tests}
    leaves = [k for k in tests if k not in parents]  # a parent fails when a subtest does
    for key in leaves:
        action = results[key]
        if action == "pass":
            report.passed += 1
        elif action == "skip":
            report.skipped += 1
        else:
            report.failed += 1
            report.add_failure(_go_failure(key, outputs.get(key, [])))
    for (pkg, test), action in results.items():
        if test or action != "fail" or pkg in with_tests:
            continue
        text = "".join(outputs.get((pkg, ""), []))
        build_failed.append(pkg)
        report.add_failure(_go_package_failure(pkg, text, human))
    for pkg in dict.fromkeys(build_failed):
        report.errors += 1
        report.collection_error = True
        if not any(f.id == pkg for f in report.failures):
            report.add_failure(_go_package_failure(pkg, "", human))
    return True, "\n".join(human)


def _go_failure(key: tuple[str, str], lines: list[str]) -> TestFailure:
    pkg, test = key
    file, line, message = "", 0, []
    for row in "".join(lines).split("\n"):
        m = _GO_LOC.match(row)
        if m and not file:
            file, line = m.group(1), int(m.group(2))
            message.append(m.group(3))
        elif file and row.startswith("        ") and len(message) < 3:
            message.append(row.strip())
        elif row.startswith("panic: ") and not message:
            message.append(row)
    short = pkg.rsplit("/", 1)[-1]
    return TestFailure(f"{short}/{test}", file, line, "\n".join(m for m in message if m))


_GO_BUILD_ERROR = re.compile(r"^(?:\.?/)?([\w./-]+\.go):(\d+):(?:\d+:)? (.+)$", re.M)


def _go_package_failure(pkg: str, text: str, human: list[str]) -> TestFailure:
    """A package that failed without a failing test: a build error or a crash in setup."""
    for source in (text, "\n".join(human)):
        m = _GO_BUILD_ERROR.search(source)
        if m:
            return TestFailure(pkg, m.group(1), int(m.group(2)), m.group(3), "collection")
    lines = first_lines(text or "\n".join(human), 3)
    return TestFailure(pkg, message="\n".join(lines), kind="collection")


# -- cargo test (libtest text) --------------------------------------------------------------

_CARGO_RESULT = re.compile(
    r"^test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured", re.M
)
_CARGO_FAILED = re.compile(r"^test (\S+)(?: - should panic)? \.\.\. FAILED$", re.M)
_CARGO_BLOCK = re.compile(r"^---- (\S+) stdout ----$", re.M)
_PANIC_NEW = re.compile(r"panicked at ([^\s:]+):(\d+):\d+:$")
_PANIC_OLD = re.compile(r"panicked at '(.*?)', ([^\s:]+):(\d+):\d+", re.S)  # Rust < 1.73
_RUST_ERROR = re.compile(r"^error(\[E\d+\])?: (.+)$", re.M)


def parse_cargo(output: str, report: TestReport, root: Path) -> bool:
    results = _CARGO_RESULT.findall(output)
    for _state, passed, failed, ignored, _measured in results:
        report.passed += int(passed)
        report.failed += int(failed)
        report.skipped += int(ignored)
    blocks = _cargo_blocks(output)
    for name in dict.fromkeys(_CARGO_FAILED.findall(output)):
        file, line, message = blocks.get(name, ("", 0, ""))
        report.add_failure(TestFailure(name, file, line, message))
    if not results:
        compile_errors = [
            m for m in _RUST_ERROR.finditer(output) if not m.group(2).startswith("test failed")
        ]
        if compile_errors and ("could not compile" in output or "aborting due" in output):
            first = compile_errors[0]
            loc = re.search(r"^\s*--> ([^\s:]+):(\d+):\d+", output[first.end() :], re.M)
            report.errors += 1
            report.collection_error = True
            report.add_failure(
                TestFailure(
                    "cargo build",
                    loc.group(1) if loc else "",
                    int(loc.group(2)) if loc else 0,
                    first.group(0),
                    "collection",
                )
            )
            return True
    return bool(results)


def _cargo_blocks(output: str) -> dict[str, tuple[str, int, str]]:
    """``---- name stdout ----`` blocks -> (file, line, message) of the panic in each."""
    blocks: dict[str, tuple[str, int, str]] = {}
    marks = list(_CARGO_BLOCK.finditer(output))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(output)
        body = output[mark.end() : end].split("\nfailures:\n", 1)[0]
        rows = body.split("\n")
        found: tuple[str, int, str] | None = None
        for j, row in enumerate(rows):
            new = _PANIC_NEW.search(row)
            if new:
                said: list[str] = []
                for nxt in rows[j + 1 :]:
                    if not nxt.strip() or nxt.startswith(("note:", "stack backtrace:")):
                        break
                    said.append(nxt.rstrip())
                found = (new.group(1), int(new.group(2)), "\n".join(said[:3]))
                break
        old = _PANIC_OLD.search(body) if found is None else None
        if old:
            message = "\n".join(old.group(1).split("\n")[:3])
            found = (old.group(2), int(old.group(3)), message)
        if found is None:  # e.g. "note: test did not panic as expected"
            found = ("", 0, "\n".join(first_lines(body, 2)))
        blocks[mark.group(1)] = found
    return blocks


# -- unittest -------------------------------------------------------------------------------

_UT_RAN = re.compile(r"^Ran (\d+) tests? in", re.M)
_UT_END = re.compile(r"^(OK|FAILED)(?: \(([^)]*)\))?\s*$", re.M)
_UT_BLOCK = re.compile(r"^(FAIL|ERROR|UNEXPECTED SUCCESS): (\S+) \(([^)]*)\)[^\n]*\n-+\n", re.M)
_UT_FILE = re.compile(r'File "([^"]+)", line (\d+)')
_UT_EXC = re.compile(r"^\w[\w.]*(Error|Exception|Failure|Exit|Interrupt)\b")


def parse_unittest(output: str, report: TestReport, root: Path) -> bool:
    ran = _UT_RAN.findall(output)
    ends = _UT_END.findall(output)
    if not ran:
        return False
    total = sum(int(n) for n in ran)
    counts = {"failures": 0, "errors": 0, "skipped": 0, "expected failures": 0}
    for _state, detail in ends:
        for part in detail.split(","):
            key, _, value = part.strip().partition("=")
            if value.isdigit():
                counts[key] = counts.get(key, 0) + int(value)
    unexpected = counts.get("unexpected successes", 0)
    report.failed += counts["failures"] + unexpected
    report.skipped += counts["skipped"]
    blocks = list(_UT_BLOCK.finditer(output))
    collection = 0
    for i, block in enumerate(blocks):
        end = blocks[i + 1].start() if i + 1 < len(blocks) else len(output)
        body = output[block.end() : end]
        body = re.split(r"^(?:=+|-{20,})$", body, maxsplit=1, flags=re.M)[0]
        kind = "failed" if block.group(1) != "ERROR" else "error"
        dotted = block.group(3).split(" ")[0]
        if "_FailedTest" in dotted or "Failed to import test module" in body:
            kind, collection = "collection", collection + 1
        where = [(f, n) for f, n in _UT_FILE.findall(body) if "/unittest/" not in f]
        file, line = (relpath(where[-1][0], root), int(where[-1][1])) if where else ("", 0)
        lines = [r for r in body.split("\n") if r.strip()]
        at = next(
            (k for k in range(len(lines) - 1, -1, -1) if _UT_EXC.match(lines[k])), len(lines) - 1
        )
        message = lines[at : at + 3]
        ident = dotted if "." in dotted else f"{dotted}.{block.group(2)}"
        if kind == "collection":
            ident = block.group(2)
        report.add_failure(TestFailure(ident, file, line, "\n".join(message), kind))
    report.errors += counts["errors"]
    report.passed += max(0, total - report.failed - counts["errors"] - report.skipped)
    if collection:
        report.collection_error = True
    return True


# -- generic summary lines ------------------------------------------------------------------

_PYTEST_LINE = re.compile(
    r"^=*\s*((?:\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?)"
    r"(?:, )?)+)(?: in [\d.]+s)?.*$",
    re.M,
)
_PYTEST_FAILED = re.compile(r"^(FAILED|ERROR) (\S+?)(?: - (.*))?$", re.M)
_JEST_LINE = re.compile(r"^Tests:\s+(.*\d+ total)", re.M)
_TAP = re.compile(r"^(?:#|ℹ) (pass|fail|skipped|skip|todo|cancelled) (\d+)$", re.M)
_VITEST_LINE = re.compile(r"^\s*Tests\s+(.*)\(\d+\)\s*$", re.M)
_MOCHA = re.compile(r"^\s+(\d+) (passing|failing|pending)\b", re.M)
_MAVEN = re.compile(r"Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)")
_GO_PLAIN = re.compile(r"^\s*--- (PASS|FAIL|SKIP): (\S+)", re.M)


def _numbers(text: str) -> dict[str, int]:
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", text)}


def parse_pytest_text(output: str, report: TestReport) -> bool:
    lines = _PYTEST_LINE.findall(output)
    if not lines:
        return False
    nums = _numbers(lines[-1])
    report.passed += nums.get("passed", 0) + nums.get("xpassed", 0)
    report.failed += nums.get("failed", 0)
    report.errors += nums.get("errors", 0) + nums.get("error", 0)
    report.skipped += nums.get("skipped", 0) + nums.get("xfailed", 0)
    for state, ident, message in _PYTEST_FAILED.findall(output):
        kind = "failed" if state == "FAILED" else "error"
        if state == "ERROR" and "::" not in ident:
            kind = "collection"
            report.collection_error = True
        report.add_failure(TestFailure(ident, message=message or "", kind=kind))
    return True


def parse_generic(output: str, report: TestReport, root: Path) -> bool:
    """Counts from the closing lines of common runners; False when none is recognised."""
    if parse_pytest_text(output, report):
        return True
    if _CARGO_RESULT.search(output):
        return parse_cargo(output, report, root)
    if _UT_RAN.search(output):
        return parse_unittest(output, report, root)
    jest = _JEST_LINE.findall(output)
    if jest:
        nums = _numbers(jest[-1])
        report.passed += nums.get("passed", 0)
        report.failed += nums.get("failed", 0)
        report.skipped += nums.get("skipped", 0) + nums.get("todo", 0)
        return True
    tap = _TAP.findall(output)
    if tap:
        tap_nums: dict[str, int] = {}
        for word, n in tap:
            tap_nums[word] = int(n)  # the last summary wins
        report.passed += tap_nums.get("pass", 0)
        report.failed += tap_nums.get("fail", 0)
        report.errors += tap_nums.get("cancelled", 0)
        report.skipped += (
            tap_nums.get("skipped", 0) + tap_nums.get("skip", 0) + tap_nums.get("todo", 0)
        )
        return True
    vitest = _VITEST_LINE.findall(output)
    if vitest:
        nums = _numbers(vitest[-1].replace("|", ","))
        report.passed += nums.get("passed", 0)
        report.failed += nums.get("failed", 0)
        report.skipped += nums.get("skipped", 0) + nums.get("todo", 0)
        return True
    mocha = _MOCHA.findall(output)
    if mocha:
        nums = {word: int(n) for n, word in mocha}
        report.passed += nums.get("passing", 0)
        report.failed += nums.get("failing", 0)
        report.skipped += nums.get("pending", 0)
        return True
    maven = _MAVEN.findall(output)
    if maven:
        run, failures, errors, skipped = (int(x) for x in maven[-1])
        report.failed += failures
        report.errors += errors
        report.skipped += skipped
        report.passed += max(0, run - failures - errors - skipped)
        return True
    go = _GO_PLAIN.findall(output)
    if go:
        for state, name in go:
            if state == "PASS":
                report.passed += 1
            elif state == "SKIP":
                report.skipped += 1
            else:
                report.failed += 1
                report.add_failure(TestFailure(name))
        return True
    return False
