"""JUnit XML reports (pytest, node:test, mocha's xunit, Maven Surefire, Gradle) -> TestReport."""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from smallcode.verify.report import TestFailure, TestReport
from smallcode.verify.textutil import first_lines, relpath, strip_ansi

# "tests/test_x.py:12: AssertionError", "/abs/x.py:3: in f"
_PY_LOC = re.compile(r"^([^\s:][^:\n]*?\.py):(\d+): ", re.M)
_PY_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
# JS stack frames: "at f (/abs/a.test.mjs:4:30)", "at file:///abs/a.mjs:4:30"
_JS_FRAME = re.compile(r"(?:file://)?(/[^\s():]+?\.[cm]?[jt]sx?):(\d+):\d+")
_JS_TEST_FILE = re.compile(r"\.(?:[cm]?js|[cm]?ts|jsx|tsx)$")
_JAVA_FRAME = re.compile(r"at ([\w$.]+)\.([\w$<>]+)\(([\w$]+\.(?:java|kt|groovy|scala)):(\d+)\)")
_JAVA_LIB = ("org.junit.", "junit.", "java.", "jdk.", "sun.", "kotlin.", "org.opentest4j.")


def parse_junit(
    paths: Iterable[Path], report: TestReport, root: Path, style: str, output: str = ""
) -> bool:
    """Add the testcases of the JUnit files to ``report``; False when no file could be read.

    ``style`` picks the id and location conventions: "pytest", "node", "mocha" or "java".
    ``output`` (the run's console text) explains node's file-level load failures.
    """
    parsed = False
    for path in paths:
        try:
            tree = ET.parse(path)
        except (ET.ParseError, OSError):
            continue
        parsed = True
        top = tree.getroot()
        suites = [top.get("name", "")] if top.tag == "testsuite" else []
        _walk(top, suites, report, root, style, output)
    return parsed


def _walk(
    elem: ET.Element, suites: list[str], report: TestReport, root: Path, style: str, output: str
) -> None:
    for child in elem:
        if child.tag in ("testsuite", "testsuites"):
            name = child.get("name", "") if child.tag == "testsuite" else ""
            _walk(child, [*suites, name] if name else suites, report, root, style, output)
        elif child.tag == "testcase":
            _case(child, suites, report, root, style, output)


def _case(
    case: ET.Element, suites: list[str], report: TestReport, root: Path, style: str, output: str
) -> None:
    failure = case.find("failure")
    error = case.find("error")
    bad = failure if failure is not None else error
    if bad is None:
        if case.find("skipped") is not None:
            report.skipped += 1
        else:
            report.passed += 1
        return
    kind = "failed" if failure is not None else "error"
    text = strip_ansi(bad.text or "")
    message = strip_ansi(bad.get("message", ""))
    if style == "pytest":
        item = _pytest_failure(case, kind, text, message, root)
    elif style == "node":
        item = _node_failure(case, suites, bad, text, root, output)
    elif style == "mocha":
        item = _mocha_failure(case, text, root)
    else:
        item = _java_failure(case, kind, text, message, root)
    if item.kind == "failed":
        report.failed += 1
    else:
        report.errors += 1
    report.add_failure(item)


# -- pytest ---------------------------------------------------------------------------------


def _pytest_id(case: ET.Element, root: Path) -> str:
    file, cls, name = case.get("file", ""), case.get("classname", ""), case.get("name", "")
    if not file:  # xunit2: find where the module part of the class name ends
        parts = cls.split(".")
        for k in range(len(parts), 0, -1):
            candidate = "/".join(parts[:k]) + ".py"
            if (root / candidate).is_file():
                file, cls = candidate, ".".join(parts)
                break
        else:
            return f"{cls}::{name}" if cls else name
    module = file[:-3].replace("/", ".") if file.endswith(".py") else ""
    rest = cls[len(module) + 1 :] if module and cls.startswith(module + ".") else ""
    return "::".join(p for p in (file, rest.replace(".", "::"), name) if p)


def _e_lines(text: str) -> list[str]:
    """pytest's ``E   ...`` lines, dedented together (keeps the caret under the code)."""
    rows = [r[1:] for r in text.split("\n") if r.startswith("E ") or r == "E"]
    return textwrap.dedent("\n".join(rows)).split("\n") if rows else []


def _pick_location(matches: list[tuple[str, str]], root: Path) -> tuple[str, int]:
    """The last location inside the project (else the last one), relative to the root."""
    if not matches:
        return "", 0
    inside = [
        (relpath(f, root), n)
        for f, n in matches
        if "site-packages" not in f and not relpath(f, root).startswith("/")
    ]
    file, line = (inside or [(relpath(f, root), n) for f, n in matches])[-1]
    return file, int(line)


def _pytest_failure(
    case: ET.Element, kind: str, text: str, message: str, root: Path
) -> TestFailure:
    e_lines = _e_lines(text)
    if kind == "error" and message == "collection failure":
        file = case.get("file") or case.get("name", "").replace(".", "/") + ".py"
        where = _PY_FILE_LINE.findall("\n".join(e_lines))
        loc = _pick_location(where, root) if where else _pick_location(_PY_LOC.findall(text), root)
        body = [r for r in e_lines if r.strip() and not _PY_FILE_LINE.search(r)]
        return TestFailure(
            id=file,
            file=loc[0],
            line=loc[1],
            message="\n".join(body[-3:]) or "collection failure",
            kind="collection",
        )
    file, line = _pick_location(_PY_LOC.findall(text), root)
    if not file and case.get("file"):
        file, line = case.get("file", ""), int(case.get("line", "-1") or -1) + 1  # 0-based
    lines = first_lines(message, 3) if message else [r for r in e_lines if r.strip()][:3]
    return TestFailure(
        id=_pytest_id(case, root), file=file, line=line, message="\n".join(lines), kind=kind
    )


# -- node:test ------------------------------------------------------------------------------


def js_location(text: str, root: Path) -> tuple[str, int]:
    for path, line in _JS_FRAME.findall(text):
        rel = relpath(path, root)
        if not rel.startswith("/") and "node_modules" not in rel:
            return rel, int(line)
    return "", 0


def _node_message(text: str, fallback: str) -> str:
    rows: list[str] = []
    for raw in text.split("\n"):
        row = re.sub(r"^\s*\[?Error \[ERR_TEST_FAILURE\]: ", "", raw).rstrip()
        stripped = row.strip()
        if re.match(r"^(at |\] \{|\{$|code: |failureType: |cause: )", stripped):
            if rows:
                break
            continue
        if stripped:
            rows.append(row)
    found = dict(re.findall(r"^\s*(actual|expected): (.+?),?$", text, re.M))
    if rows and rows[0].endswith("] {"):  # "[Error [ERR_TEST_FAILURE]: msg] {"
        rows[0] = rows[0][:-3].rstrip()
    cause = re.search(r"^\s*cause: (\w+)(?: \[\w+\])?: ", text, re.M)
    name = cause.group(1) if cause else ""
    if rows and name and name != "AssertionError" and not rows[0].lstrip().startswith(name):
        rows[0] = f"{name}: {rows[0].lstrip()}"  # "TypeError: x is not a function"
    lines = rows[:3]
    if "actual" in found and "expected" in found and len(rows) > 2:
        lines = [*rows[:2], f"actual: {found['actual']}; expected: {found['expected']}"]
    return "\n".join(lines) or fallback


def _node_failure(
    case: ET.Element, suites: list[str], bad: ET.Element, text: str, root: Path, output: str
) -> TestFailure:
    name = case.get("name", "")
    if _JS_TEST_FILE.search(name) and ("/" in name or "\\" in name) and "exitCode" in text:
        return _node_file_error(name, root, output)
    kind = "error" if bad.get("type", "") == "cancelledByParent" else "failed"
    file, line = js_location(text, root)
    message = _node_message(text, bad.get("message", ""))
    return TestFailure(" > ".join([*suites, name]), file, line, message, kind)


def _node_file_error(name: str, root: Path, output: str) -> TestFailure:
    """A test file that failed to load: the reason is in the console output."""
    rel = relpath(name, root)
    rows = output.split("\n")
    start = next((i for i, r in enumerate(rows) if name in r), 0)
    window = rows[start : start + 40] if start else rows
    file, line, error = rel, 0, ""
    for row in window:
        m = re.match(r"^(?:file://)?(/\S+?):(\d+)$", row.strip())
        if m and not line:
            file, line = relpath(m.group(1), root), int(m.group(2))
        if re.match(r"^\w*Error\b", row.strip()) and not error:
            error = row.strip()
    return TestFailure(rel, file, line, error or "the test file failed to load", "collection")


# -- mocha (xunit reporter) -----------------------------------------------------------------


def _mocha_failure(case: ET.Element, text: str, root: Path) -> TestFailure:
    cls, name = case.get("classname", ""), case.get("name", "")
    kind = "error" if re.match(r'^"(before|after) (all|each)" hook', name) else "failed"
    rows = [r for r in text.split("\n") if r.strip() and not r.strip().startswith("at ")]
    file, line = js_location(text, root)
    return TestFailure(f"{cls} > {name}" if cls else name, file, line, "\n".join(rows[:3]), kind)


# -- Maven Surefire / Gradle ----------------------------------------------------------------


def _java_failure(case: ET.Element, kind: str, text: str, message: str, root: Path) -> TestFailure:
    cls, name = case.get("classname", ""), case.get("name", "")
    frames = _JAVA_FRAME.findall(text)
    pick = next((f for f in frames if f[0] == cls or f[0].startswith(cls + "$")), None)
    if pick is None:
        pick = next((f for f in frames if not f[0].startswith(_JAVA_LIB)), None)
    file, line = "", 0
    if pick is not None:
        file, line = _java_source(root, pick[0], pick[2]), int(pick[3])
    lines = first_lines(message, 3) if message else first_lines(text, 1)
    return TestFailure(f"{cls}.{name}" if cls else name, file, line, "\n".join(lines), kind)


def _java_source(root: Path, cls: str, file: str) -> str:
    pkg = "/".join(cls.split("$")[0].split(".")[:-1])
    for base in ("src/test/java", "src/test/kotlin", "src/main/java", "src/main/kotlin", "src"):
        for prefix in ("", "*/"):
            hits = list(root.glob(f"{prefix}{base}/{pkg}/{file}".replace("//", "/")))
            if hits:
                return relpath(str(hits[0]), root)
    return file


def java_report_files(root: Path, framework: str, since: float) -> list[Path]:
    """Surefire / Gradle XML reports written at or after ``since`` (older ones are stale)."""
    if framework == "maven":
        pattern = "target/surefire-reports/TEST-*.xml"
    else:
        pattern = "build/test-results/*/*.xml"
    found: list[Path] = []
    for prefix in ("", "*/", "*/*/"):
        for path in root.glob(prefix + pattern):
            try:
                if path.stat().st_mtime >= since - 1:
                    found.append(path)
            except OSError:
                continue
    return sorted(found)
