"""JUnit reports (mocha xunit, Maven Surefire, Gradle) and run_tests with stand-in runner
executables that write their report files the way the real ones do."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

from smallcode.verify.junit import java_report_files, parse_junit
from smallcode.verify.testrun import run_tests
from tests.verify.test_parsers import JEST, ROOT, new

MOCHA_XUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="Mocha Tests" tests="3" failures="1" errors="0" skipped="1" timestamp="x" time="0.01">
<testcase classname="Array #indexOf()" name="returns -1 when missing" time="0"/>
<testcase classname="Array #indexOf()" name="finds the value" time="0"><failure>expected -1 to equal 0
AssertionError: expected -1 to equal 0
    at Context.&lt;anonymous&gt; (/work/proj/test/array.spec.js:12:14)
    at process.processImmediate (node:internal/timers:476:21)</failure></testcase>
<testcase classname="Array" name="later" time="0"><skipped/></testcase>
</testsuite>
"""


def test_mocha_xunit(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(MOCHA_XUNIT)
    report = new("mocha")
    assert parse_junit([path], report, ROOT, "mocha")
    assert (report.passed, report.failed, report.skipped) == (1, 1, 1)
    failure = report.failures[0]
    assert failure.id == "Array #indexOf() > finds the value"
    assert (failure.file, failure.line) == ("test/array.spec.js", 12)
    assert failure.message.startswith("expected -1 to equal 0")


SUREFIRE = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.CalcTest" time="0.05" tests="3" errors="1" skipped="0" failures="1">
  <testcase name="adds" classname="com.example.CalcTest" time="0.01"/>
  <testcase name="subtracts" classname="com.example.CalcTest" time="0.01">
    <failure message="expected: &lt;2&gt; but was: &lt;3&gt;" type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError: expected: &lt;2&gt; but was: &lt;3&gt;
	at org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)
	at com.example.CalcTest.subtracts(CalcTest.java:21)
</failure>
  </testcase>
  <testcase name="divides" classname="com.example.CalcTest" time="0.01">
    <error message="/ by zero" type="java.lang.ArithmeticException">java.lang.ArithmeticException: / by zero
	at com.example.Calc.div(Calc.java:9)
	at com.example.CalcTest.divides(CalcTest.java:27)
</error>
  </testcase>
</testsuite>
"""


def java_project(root: Path) -> None:
    src = root / "src/test/java/com/example"
    src.mkdir(parents=True)
    (src / "CalcTest.java").write_text("class CalcTest {}\n")


def test_surefire_report(tmp_path: Path) -> None:
    java_project(tmp_path)
    reports = tmp_path / "target/surefire-reports"
    reports.mkdir(parents=True)
    (reports / "TEST-com.example.CalcTest.xml").write_text(SUREFIRE)
    files = java_report_files(tmp_path, "maven", since=time.time() - 5)
    assert [f.name for f in files] == ["TEST-com.example.CalcTest.xml"]
    report = new("maven")
    assert parse_junit(files, report, tmp_path, "java")
    assert (report.passed, report.failed, report.errors) == (1, 1, 1)
    failure, error = report.failures
    assert failure.id == "com.example.CalcTest.subtracts"
    assert (failure.file, failure.line) == ("src/test/java/com/example/CalcTest.java", 21)
    assert failure.message == "expected: <2> but was: <3>"
    assert error.kind == "error" and error.line == 27


def test_stale_java_reports_are_ignored(tmp_path: Path) -> None:
    reports = tmp_path / "build/test-results/test"
    reports.mkdir(parents=True)
    old = reports / "TEST-Old.xml"
    old.write_text(SUREFIRE)
    past = time.time() - 3600
    os.utime(old, (past, past))
    assert java_report_files(tmp_path, "gradle", since=time.time()) == []
    assert java_report_files(tmp_path, "gradle", since=past) == [old]


def write_stub(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_run_tests_reads_fresh_surefire_reports(tmp_path: Path) -> None:
    """A stand-in `mvn` on PATH writes a Surefire report, as the real one does."""
    java_project(tmp_path)
    (tmp_path / "report.xml").write_text(SUREFIRE)
    bin_dir = tmp_path / "bin"
    write_stub(
        bin_dir,
        "mvn",
        "mkdir -p target/surefire-reports\n"
        "cp report.xml target/surefire-reports/TEST-com.example.CalcTest.xml\n"
        "echo '[ERROR] Tests run: 3, Failures: 1, Errors: 1, Skipped: 0'\nexit 1\n",
    )
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    report = run_tests(tmp_path, "mvn test", env=env)
    assert report.framework == "maven"
    assert (report.passed, report.failed, report.errors) == (1, 1, 1)
    assert report.rerun_hint == "mvn test '-Dtest=com.example.CalcTest#subtracts'"


def test_run_tests_jest_through_its_json_file(tmp_path: Path) -> None:
    """A stand-in `jest` writes the canned report to the --outputFile it was given."""
    (tmp_path / "canned.json").write_text(json.dumps(JEST).replace("/work/proj", str(tmp_path)))
    bin_dir = tmp_path / "bin"
    write_stub(
        bin_dir,
        "jest",
        'for a in "$@"; do case $a in --outputFile=*) cp canned.json "${a#--outputFile=}";; esac; done\n'
        "echo 'Tests: 1 failed, 1 passed, 2 total' >&2\nexit 1\n",
    )
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    report = run_tests(tmp_path, "jest", env=env)
    assert report.framework == "jest" and "--json --outputFile=" in report.command
    assert (report.passed, report.failed, report.errors) == (1, 1, 1)
    assert report.collection_error
    assert report.rerun_hint == "jest -t 'sum negative adds negatives' src/sum.test.js"


def test_run_tests_without_the_report_falls_back_to_text(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    write_stub(bin_dir, "jest", "echo 'Tests:       2 failed, 3 passed, 5 total'\nexit 1\n")
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    report = run_tests(tmp_path, "jest", env=env)
    assert (report.passed, report.failed) == (3, 2) and not report.ok
