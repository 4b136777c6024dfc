"""Result parsers on canned runner output: cargo, go test -json, Jest/Vitest JSON, and the
closing summary lines of any runner."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from smallcode.verify.parsers import (
    parse_cargo,
    parse_generic,
    parse_go_json,
    parse_jest_json,
    parse_pytest_text,
)
from smallcode.verify.report import TestReport

ROOT = Path("/work/proj")


def new(framework: str = "unknown", exit_code: int | None = 1) -> TestReport:
    return TestReport(framework=framework, command="x", exit_code=exit_code)


# -- cargo ----------------------------------------------------------------------------------

CARGO = """\
   Compiling demo v0.1.0 (/work/proj)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.52s
     Running unittests src/lib.rs (target/debug/deps/demo-1234)

running 3 tests
test tests::ok ... ok
test tests::bad ... FAILED
test tests::later ... ignored

failures:

---- tests::bad stdout ----

thread 'tests::bad' (4968) panicked at src/lib.rs:8:16:
assertion `left == right` failed: sum of 1 and 2
  left: 4
 right: 3
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    tests::bad

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/api.rs (target/debug/deps/api-5678)

running 3 tests
test old_style ... FAILED
test must_panic - should panic ... FAILED
test fine ... ok

failures:

---- old_style stdout ----
thread 'old_style' panicked at 'assertion failed: `(left == right)`
  left: `1`,
 right: `2`', tests/api.rs:5:5

---- must_panic stdout ----
note: test did not panic as expected

failures:
    must_panic
    old_style

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

   Doc-tests demo

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
"""


def test_cargo_sums_every_result_line_and_reads_panics() -> None:
    report = new("cargo", 101)
    assert parse_cargo(CARGO, report, ROOT)
    assert (report.passed, report.failed, report.skipped) == (2, 3, 1)
    by_id = {f.id: f for f in report.failures}
    assert list(by_id) == ["tests::bad", "old_style", "must_panic"]
    bad = by_id["tests::bad"]
    assert (bad.file, bad.line) == ("src/lib.rs", 8)
    assert bad.message.split("\n") == [
        "assertion `left == right` failed: sum of 1 and 2",
        "  left: 4",
        " right: 3",
    ]
    old = by_id["old_style"]
    assert (old.file, old.line) == ("tests/api.rs", 5)
    assert old.message.startswith("assertion failed: `(left == right)`")
    assert by_id["must_panic"].message == "note: test did not panic as expected"


def test_cargo_compile_error_is_a_collection_error() -> None:
    output = textwrap.dedent("""\
           Compiling demo v0.1.0 (/work/proj)
        error[E0425]: cannot find value `y` in this scope
         --> src/lib.rs:2:9
          |
        2 |     a + y
          |         ^ help: a local variable with a similar name exists: `a`

        For more information about this error, try `rustc --explain E0425`.
        error: could not compile `demo` (lib test) due to 1 previous error
        """)
    report = new("cargo", 101)
    assert parse_cargo(output, report, ROOT)
    assert report.collection_error and report.errors == 1 and report.passed == 0
    failure = report.failures[0]
    assert failure.kind == "collection"
    assert (failure.file, failure.line) == ("src/lib.rs", 2)
    assert failure.message == "error[E0425]: cannot find value `y` in this scope"


def test_cargo_filter_that_matched_nothing() -> None:
    output = "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out; finished in 0.00s\n"
    report = new("cargo", 0)
    assert parse_cargo(output, report, ROOT)
    assert report.passed + report.failed == 0


# -- go test -json --------------------------------------------------------------------------


def go_events() -> str:
    pkg = "example.com/m/calc"
    events = [
        {"Action": "start", "Package": pkg},
        {"Action": "run", "Package": pkg, "Test": "TestAdd"},
        {"Action": "output", "Package": pkg, "Test": "TestAdd", "Output": "=== RUN   TestAdd\n"},
        {"Action": "pass", "Package": pkg, "Test": "TestAdd", "Elapsed": 0},
        {"Action": "run", "Package": pkg, "Test": "TestSub"},
        {
            "Action": "output",
            "Package": pkg,
            "Test": "TestSub",
            "Output": "    calc_test.go:12: Sub(5, 3) = 3; want 2\n",
        },
        {"Action": "output", "Package": pkg, "Test": "TestSub", "Output": "--- FAIL: TestSub\n"},
        {"Action": "fail", "Package": pkg, "Test": "TestSub", "Elapsed": 0},
        {"Action": "run", "Package": pkg, "Test": "TestTable"},
        {"Action": "run", "Package": pkg, "Test": "TestTable/zero"},
        {"Action": "pass", "Package": pkg, "Test": "TestTable/zero"},
        {"Action": "run", "Package": pkg, "Test": "TestTable/negative_numbers"},
        {
            "Action": "output",
            "Package": pkg,
            "Test": "TestTable/negative_numbers",
            "Output": "    calc_test.go:30: got -1\n",
        },
        {
            "Action": "output",
            "Package": pkg,
            "Test": "TestTable/negative_numbers",
            "Output": "        want -2\n",
        },
        {"Action": "fail", "Package": pkg, "Test": "TestTable/negative_numbers"},
        {"Action": "fail", "Package": pkg, "Test": "TestTable"},
        {"Action": "skip", "Package": pkg, "Test": "TestLater"},
        {"Action": "output", "Package": pkg, "Output": "FAIL\n"},
        {"Action": "fail", "Package": pkg, "Elapsed": 0.01},
    ]
    return "\n".join(json.dumps(e) for e in events) + "\n"


def test_go_json_counts_leaf_tests_and_reads_locations() -> None:
    report = new("go")
    parsed, human = parse_go_json(go_events(), report, ROOT)
    assert parsed
    assert (report.passed, report.failed, report.skipped, report.errors) == (2, 2, 1, 0)
    sub, neg = report.failures
    assert sub.id == "calc/TestSub"
    assert (sub.file, sub.line, sub.message) == ("calc_test.go", 12, "Sub(5, 3) = 3; want 2")
    assert neg.id == "calc/TestTable/negative_numbers"
    assert neg.message == "got -1\nwant -2"
    assert "--- FAIL: TestSub" in human and "{" not in human
    assert not report.collection_error


def test_go_build_failure_old_and_new_formats() -> None:
    old = (
        "# example.com/m/broken\n"
        "broken/b.go:3:2: undefined: x\n"
        + json.dumps(
            {
                "Action": "output",
                "Package": "example.com/m/broken",
                "Output": "FAIL\texample.com/m/broken [build failed]\n",
            }
        )
        + "\n"
        + json.dumps({"Action": "fail", "Package": "example.com/m/broken"})
        + "\n"
    )
    new_style = "\n".join(
        json.dumps(e)
        for e in [
            {
                "ImportPath": "example.com/m/broken [example.com/m/broken.test]",
                "Action": "build-output",
                "Output": "broken/b.go:3:2: undefined: x\n",
            },
            {
                "ImportPath": "example.com/m/broken [example.com/m/broken.test]",
                "Action": "build-fail",
            },
            {"Action": "fail", "Package": "example.com/m/broken", "FailedBuild": "x"},
        ]
    )
    for output in (old, new_style):
        report = new("go")
        parsed, _ = parse_go_json(output, report, ROOT)
        assert parsed and report.collection_error
        assert report.errors == 1 and len(report.failures) == 1
        failure = report.failures[0]
        assert failure.id == "example.com/m/broken" and failure.kind == "collection"
        assert (failure.file, failure.line, failure.message) == ("broken/b.go", 3, "undefined: x")


def test_go_plain_text_is_not_json() -> None:
    parsed, human = parse_go_json("ok  \texample.com/m\t0.01s\n", new("go"), ROOT)
    assert not parsed and "ok" in human


# -- Jest / Vitest JSON ---------------------------------------------------------------------

JEST = {
    "numFailedTests": 1,
    "numPassedTests": 1,
    "success": False,
    "testResults": [
        {
            "name": "/work/proj/src/sum.test.js",
            "status": "failed",
            "message": "",
            "assertionResults": [
                {
                    "ancestorTitles": ["sum"],
                    "title": "adds",
                    "fullName": "sum adds",
                    "status": "passed",
                    "failureMessages": [],
                },
                {
                    "ancestorTitles": ["sum", "negative"],
                    "title": "adds negatives",
                    "fullName": "sum negative adds negatives",
                    "status": "failed",
                    "failureMessages": [
                        "Error: \u001b[2mexpect(\u001b[22m\u001b[31mreceived\u001b[39m\u001b[2m).\u001b[22mtoBe\u001b[2m(\u001b[22m\u001b[32mexpected\u001b[39m\u001b[2m) // Object.is equality\u001b[22m\n\nExpected: \u001b[32m-2\u001b[39m\nReceived: \u001b[31m0\u001b[39m\n    at Object.toBe (/work/proj/src/sum.test.js:9:24)\n    at Promise.then.completed (/work/proj/node_modules/jest-circus/build/utils.js:298:28)"
                    ],
                    "location": {"line": 8, "column": 5},
                },
                {
                    "ancestorTitles": [],
                    "title": "todo later",
                    "fullName": "todo later",
                    "status": "todo",
                    "failureMessages": [],
                },
            ],
        },
        {
            "name": "/work/proj/src/broken.test.js",
            "status": "failed",
            "message": "\u001b[1m\u001b[31m  \u001b[1m● \u001b[22m\u001b[1mTest suite failed to run\u001b[39m\u001b[22m\n\n    SyntaxError: /work/proj/src/broken.js: Unexpected token (3:5)\n\n      1 | export function f() {\n",
            "assertionResults": [],
        },
    ],
}


def test_jest_json(tmp_path: Path) -> None:
    path = tmp_path / "jest.json"
    path.write_text(json.dumps(JEST))
    report = new("jest")
    assert parse_jest_json(path, report, ROOT)
    assert (report.passed, report.failed, report.skipped, report.errors) == (1, 1, 1, 1)
    failure, broken = report.failures
    assert failure.id == "sum > negative > adds negatives"
    assert (failure.file, failure.line) == ("src/sum.test.js", 9)
    assert failure.message == (
        "Error: expect(received).toBe(expected) // Object.is equality\nExpected: -2\nReceived: 0"
    )
    assert broken.kind == "collection" and broken.id == "src/broken.test.js"
    assert (broken.file, broken.line) == ("src/broken.js", 3)
    assert broken.message.startswith("SyntaxError: /work/proj/src/broken.js: Unexpected token")


def test_vitest_json_shape(tmp_path: Path) -> None:
    data = {
        "numTotalTests": 2,
        "testResults": [
            {
                "name": "/work/proj/test/math.test.ts",
                "status": "failed",
                "message": "",
                "assertionResults": [
                    {
                        "ancestorTitles": ["math"],
                        "fullName": "math multiplies",
                        "title": "multiplies",
                        "status": "failed",
                        "failureMessages": [
                            "AssertionError: expected 6 to be 7 // Object.is equality"
                        ],
                        "location": {"line": 4, "column": 20},
                    },
                    {
                        "ancestorTitles": ["math"],
                        "fullName": "math skips",
                        "title": "skips",
                        "status": "skipped",
                        "failureMessages": [],
                    },
                ],
            }
        ],
    }
    path = tmp_path / "vitest.json"
    path.write_text(json.dumps(data))
    report = new("vitest")
    assert parse_jest_json(path, report, ROOT)
    assert (report.passed, report.failed, report.skipped) == (0, 1, 1)
    failure = report.failures[0]
    assert failure.id == "math > multiplies"
    assert (failure.file, failure.line) == ("test/math.test.ts", 4)


def test_bad_json_report_is_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"testResults": [')
    assert not parse_jest_json(path, new(), ROOT)
    assert not parse_jest_json(tmp_path / "missing.json", new(), ROOT)


# -- generic summary lines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "counts"),
    [
        ("===== 3 failed, 10 passed, 2 skipped in 1.2s =====", (10, 3, 0, 2)),
        ("1 passed, 1 error in 0.1s", (1, 0, 1, 0)),
        ("Tests:       1 failed, 1 skipped, 4 passed, 6 total", (4, 1, 0, 1)),
        ("# tests 5\n# pass 4\n# fail 1\n# skipped 0", (4, 1, 0, 0)),
        ("ℹ tests 3\nℹ pass 3\nℹ fail 0\nℹ cancelled 0\nℹ skipped 0", (3, 0, 0, 0)),
        ("Ran 4 tests in 0.01s\n\nFAILED (failures=1, errors=1)", (2, 1, 1, 0)),
        ("Ran 2 tests in 0.01s\n\nOK", (2, 0, 0, 0)),
        ("  5 passing (20ms)\n  2 failing\n  1 pending", (5, 2, 0, 1)),
        (" Tests  1 failed | 3 passed | 1 skipped (5)", (3, 1, 0, 1)),
        ("[ERROR] Tests run: 7, Failures: 2, Errors: 1, Skipped: 1", (3, 2, 1, 1)),
        ("--- PASS: TestA (0.00s)\n--- FAIL: TestB (0.00s)", (1, 1, 0, 0)),
    ],
)
def test_generic_summary_lines(output: str, counts: tuple[int, int, int, int]) -> None:
    report = new()
    assert parse_generic(output, report, ROOT)
    assert (report.passed, report.failed, report.errors, report.skipped) == counts


def test_generic_nothing_recognised() -> None:
    report = new()
    assert not parse_generic("compiling...\ndone\n", report, ROOT)
    assert (report.passed, report.failed) == (0, 0)


def test_pytest_text_fallback_reads_short_summary() -> None:
    output = (
        "FAILED tests/test_a.py::test_x - assert 1 == 2\n"
        "ERROR tests/test_b.py - ModuleNotFoundError: No module named 'b'\n"
        "==== 1 failed, 2 passed, 1 error in 0.3s ====\n"
    )
    report = new("pytest")
    assert parse_pytest_text(output, report)
    assert (report.passed, report.failed, report.errors) == (2, 1, 1)
    assert [(f.id, f.kind) for f in report.failures] == [
        ("tests/test_a.py::test_x", "failed"),
        ("tests/test_b.py", "collection"),
    ]
    assert report.collection_error
