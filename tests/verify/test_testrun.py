"""run_tests against real runners in temporary projects: pytest, unittest, plain commands."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from smallcode.verify.testrun import TestReport, run_tests

PYTEST = f"{shlex.quote(sys.executable)} -m pytest"
UNITTEST = f"{shlex.quote(sys.executable)} -m unittest"
# Plugins of this venv (hypothesis, anyio, ...) would add ~1.4 s to every inner pytest start.
FAST = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
needs_cargo = pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")

CALC = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
TESTS = """from calc import add, sub


def test_add():
    assert add(2, 2) == 4


def test_sub():
    assert sub(5, 3) == 2


def test_add_negative():
    assert add(-1, -1) == -2
"""


def project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def pytest_run(root: Path, **kw: object) -> TestReport:
    return run_tests(root, PYTEST, env=FAST, timeout=60, **kw)  # type: ignore[arg-type]


def check_summary(report: TestReport) -> str:
    text = report.summary()
    assert len(text) <= 1000
    json.dumps(report.to_dict())  # serialisable for events and RunResult
    return text


# -- pytest ---------------------------------------------------------------------------------


def test_pytest_all_passing(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": CALC, "tests/test_calc.py": TESTS})
    report = pytest_run(tmp_path)
    assert report.framework == "pytest"
    assert report.ok and report.exit_code == 0
    assert (report.passed, report.failed, report.errors) == (3, 0, 0)
    assert "--junitxml=" in report.command
    assert check_summary(report).startswith("3 passed (pytest, ")
    assert not (tmp_path / ".pytest_cache").exists()


def test_pytest_failing_assertion_gives_id_location_and_values(tmp_path: Path) -> None:
    broken = CALC.replace("return a + b", "return a + b + 1")
    project(tmp_path, {"calc.py": broken, "tests/test_calc.py": TESTS})
    report = pytest_run(tmp_path)
    assert not report.ok and report.exit_code == 1
    assert (report.passed, report.failed) == (1, 2)
    first = report.failures[0]
    assert first.id == "tests/test_calc.py::test_add"
    assert (first.file, first.line) == ("tests/test_calc.py", 5)  # the assert line
    assert "assert 5 == 4" in first.message
    assert first.kind == "failed"
    text = check_summary(report)
    assert text.startswith("2 failed, 1 passed (pytest, ")
    assert "tests/test_calc.py::test_add\n  assert 5 == 4" in text
    assert "at tests/test_calc.py:5" in text
    assert report.rerun_hint == f"{PYTEST} tests/test_calc.py::test_add"
    assert text.endswith(f"Rerun one: {report.rerun_hint}")
    # the hint really reruns just that test
    again = run_tests(tmp_path, report.rerun_hint, env=FAST, timeout=60)
    assert (again.passed, again.failed) == (0, 1)


def test_pytest_classes_and_parametrize_ids(tmp_path: Path) -> None:
    tests = (
        "import pytest\nfrom calc import add\n\n\nclass TestAdd:\n"
        "    @pytest.mark.parametrize('n', [1, 2])\n"
        "    def test_n(self, n):\n        assert add(n, 0) == 0\n"
    )
    project(tmp_path, {"calc.py": CALC, "tests/test_k.py": tests})
    report = pytest_run(tmp_path)
    assert [f.id for f in report.failures] == [
        "tests/test_k.py::TestAdd::test_n[1]",
        "tests/test_k.py::TestAdd::test_n[2]",
    ]
    assert report.failures[0].line == 8


def test_pytest_syntax_error_in_module_is_a_collection_error(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": "def add(a, b)\n    return a\n", "tests/test_calc.py": TESTS})
    report = pytest_run(tmp_path)
    assert report.collection_error
    assert not report.ok and report.passed == 0 and report.failed == 0
    assert report.errors == 1 and not report.no_tests
    failure = report.failures[0]
    assert failure.kind == "collection"
    assert failure.id == "tests/test_calc.py"
    assert (failure.file, failure.line) == ("calc.py", 1)
    assert "SyntaxError" in failure.message
    text = check_summary(report)
    assert text.startswith("Collection error (pytest")
    assert "passed" not in text
    assert "SyntaxError" in text and "at calc.py:1" in text
    assert report.rerun_hint == ""


def test_pytest_filter_matching_nothing_is_no_tests(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": CALC, "tests/test_calc.py": TESTS})
    report = pytest_run(tmp_path, filter="does_not_exist")
    assert report.exit_code == 5
    assert report.no_tests and not report.ok
    assert "-k does_not_exist" in report.command
    assert check_summary(report).startswith("No tests ran (pytest")


def test_pytest_filter_and_path(tmp_path: Path) -> None:
    other = "def test_other():\n    assert False\n"
    project(tmp_path, {"calc.py": CALC, "tests/test_calc.py": TESTS, "tests/test_o.py": other})
    report = pytest_run(tmp_path, filter="add")
    assert (report.passed, report.failed) == (2, 0) and report.ok
    report = pytest_run(tmp_path, path="tests/test_o.py")
    assert (report.passed, report.failed) == (0, 1)


def test_pytest_in_a_subfolder_reports_root_relative_files(tmp_path: Path) -> None:
    broken = CALC.replace("return a - b", "return b - a")
    project(
        tmp_path,
        {
            "backend/pytest.ini": "[pytest]\n",
            "backend/calc.py": broken,
            "backend/tests/test_calc.py": TESTS,
        },
    )
    report = run_tests(tmp_path, f"cd backend && {PYTEST}", env=FAST, timeout=60)
    failure = report.failures[0]
    assert failure.id == "tests/test_calc.py::test_sub"
    assert (failure.file, failure.line) == ("backend/tests/test_calc.py", 9)
    assert report.rerun_hint == f"cd backend && {PYTEST} tests/test_calc.py::test_sub"
    again = run_tests(tmp_path, report.rerun_hint, env=FAST, timeout=60)
    assert (again.passed, again.failed) == (0, 1)


def test_pytest_missing_path_is_no_tests_with_the_reason(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": CALC, "tests/test_calc.py": TESTS})
    report = pytest_run(tmp_path, path="tests/nope.py")
    assert not report.ok and report.no_tests
    assert "not found" in report.summary()


def test_pytest_usage_error_without_report_file_falls_back_to_text(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": CALC, "tests/test_calc.py": TESTS})
    report = run_tests(tmp_path, f"{PYTEST} --no-such-option", env=FAST, timeout=60)
    assert not report.ok and report.exit_code == 4
    assert "unrecognized arguments" in report.summary()


def test_sixty_failures_summary_stays_short(tmp_path: Path) -> None:
    body = "".join(
        f"def test_case_{i:02d}():\n    assert {i} == {i} + 1, 'value {i} is off by one'\n\n"
        for i in range(60)
    )
    project(tmp_path, {"tests/test_many.py": body})
    report = pytest_run(tmp_path)
    assert report.failed == 60 and report.passed == 0
    assert len(report.failures) == 20 and report.more == 40
    text = check_summary(report)
    assert "(+55 more)" in text
    assert text.count("at tests/test_many.py:") == 5
    assert "Rerun one:" in text
    assert len(report.summary(limit=300)) <= 300
    assert len(report.output_tail) <= 3000


def test_timeout_kills_the_whole_run(tmp_path: Path) -> None:
    tests = (
        "import os, time\n\n\ndef test_slow():\n"
        "    open('pid.txt', 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
    )
    project(tmp_path, {"tests/test_slow.py": tests})
    report = run_tests(tmp_path, PYTEST, env=FAST, timeout=2)
    assert report.timed_out and report.exit_code is None and not report.ok
    text = check_summary(report)
    assert text.startswith("Tests timed out after")
    if not (tmp_path / "pid.txt").exists():
        return  # a very slow machine: pytest had not reached the test yet
    pid = int((tmp_path / "pid.txt").read_text())
    for _ in range(100):  # the killed pytest is reaped by init shortly after
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"pytest process {pid} survived the timeout")


# -- unittest -------------------------------------------------------------------------------

UT_TESTS = """import unittest

from calc import add


class TestCalc(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(1, 2), 3)

    def test_add_wrong(self):
        self.assertEqual(add(2, 2), 5)

    def test_crash(self):
        raise KeyError("missing")

    @unittest.skip("later")
    def test_later(self):
        pass
"""


def test_unittest_real_run(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": CALC, "test_calc.py": UT_TESTS})
    report = run_tests(tmp_path, f"{UNITTEST} discover", timeout=60)
    assert report.framework == "unittest"
    assert (report.passed, report.failed, report.errors, report.skipped) == (1, 1, 1, 1)
    wrong = next(f for f in report.failures if f.kind == "failed")
    assert wrong.id == "test_calc.TestCalc.test_add_wrong"
    assert (wrong.file, wrong.line) == ("test_calc.py", 11)
    assert "AssertionError: 4 != 5" in wrong.message
    crash = next(f for f in report.failures if f.kind == "error")
    assert "KeyError" in crash.message
    assert report.rerun_hint == f"{UNITTEST} test_calc.TestCalc.test_add_wrong"
    again = run_tests(tmp_path, report.rerun_hint, timeout=60)
    assert (again.passed, again.failed) == (0, 1)
    check_summary(report)


def test_unittest_import_error_is_a_collection_error(tmp_path: Path) -> None:
    project(tmp_path, {"test_broken.py": "import not_a_module\n"})
    report = run_tests(tmp_path, f"{UNITTEST} discover", timeout=60)
    assert report.collection_error and not report.ok
    failure = report.failures[0]
    assert failure.kind == "collection" and failure.id == "test_broken"
    assert (failure.file, failure.line) == ("test_broken.py", 1)
    assert "No module named 'not_a_module'" in failure.message


def test_unittest_filter(tmp_path: Path) -> None:
    project(tmp_path, {"calc.py": CALC, "test_calc.py": UT_TESTS})
    report = run_tests(tmp_path, f"{UNITTEST} discover", filter="test_add", timeout=60)
    assert (report.passed, report.failed, report.errors) == (1, 1, 0)


# -- any command ----------------------------------------------------------------------------


def test_unknown_command_is_judged_by_exit_code_and_ansi_is_stripped(tmp_path: Path) -> None:
    report = run_tests(tmp_path, "printf '\\033[31mall good\\033[0m\\n'")
    assert report.framework == "unknown" and report.ok
    assert report.output_tail == "all good"
    failed = run_tests(tmp_path, "echo 'boom: something failed' && exit 3")
    assert not failed.ok and failed.exit_code == 3
    assert "boom: something failed" in failed.summary()


def test_unknown_command_with_a_summary_line_gets_counts(tmp_path: Path) -> None:
    report = run_tests(tmp_path, "echo '== 2 failed, 7 passed in 0.5s =='; exit 1")
    assert (report.passed, report.failed) == (7, 2) and not report.ok


def test_missing_program(tmp_path: Path) -> None:
    report = run_tests(tmp_path, "no-such-test-runner --all")
    assert report.exit_code == 127 and not report.ok
    assert "not found" in report.summary()


def test_missing_project_folder_does_not_raise(tmp_path: Path) -> None:
    report = run_tests(tmp_path / "gone", "pytest")
    assert report.exit_code is None and not report.ok and not report.timed_out
    text = report.summary()
    assert text.startswith("The test command could not run (pytest).")
    assert "No such file or directory" in text


def test_env_is_passed(tmp_path: Path) -> None:
    report = run_tests(tmp_path, 'test "$MY_FLAG" = on', env={"MY_FLAG": "on"})
    assert report.ok


def test_huge_output_is_capped(tmp_path: Path) -> None:
    report = run_tests(tmp_path, "head -c 5000000 /dev/zero | tr '\\0' a; echo; echo done")
    assert report.ok
    assert report.output_tail.endswith("done") and len(report.output_tail) <= 3000


def test_background_child_holding_the_pipe_does_not_hang(tmp_path: Path) -> None:
    report = run_tests(tmp_path, "sleep 30 & echo started", timeout=20)
    assert report.exit_code == 0 and not report.timed_out
    assert "started" in report.output_tail
