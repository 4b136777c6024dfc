"""TestReport.summary(): counts first, bounded for any suite size; to_dict()."""

from __future__ import annotations

import json

import pytest

from smallcode.verify.report import TestFailure, TestReport
from tests.verify.test_parsers import new


def big_report(n: int, message_len: int, id_len: int) -> TestReport:
    report = new("pytest")
    report.failed = n
    for i in range(n):
        report.add_failure(
            TestFailure(
                id=f"tests/test_{i}.py::" + "t" * id_len,
                file=f"tests/test_{i}.py",
                line=i + 1,
                message="\n".join(["x" * message_len] * 5),
            )
        )
    report.rerun_hint = "python -m pytest tests/test_0.py::" + "t" * id_len
    report.output_tail = "E" * 3000
    return report


@pytest.mark.parametrize("limit", [1000, 500, 200, 80, 20])
@pytest.mark.parametrize(
    ("n", "message_len", "id_len"), [(1, 5, 5), (60, 300, 400), (5000, 50, 10)]
)
def test_summary_never_exceeds_the_limit(limit: int, n: int, message_len: int, id_len: int) -> None:
    report = big_report(n, message_len, id_len)
    assert len(report.failures) == min(n, 20) and report.more == max(0, n - 20)
    text = report.summary(limit=limit)
    assert len(text) <= limit
    assert text.startswith(f"{n} failed, 0 passed"[: max(0, limit - 1)])


def test_summary_counts_hidden_failures() -> None:
    text = big_report(5000, 50, 10).summary()
    shown = text.count("\n  at tests/")
    assert 1 <= shown <= 5
    assert f"(+{5000 - shown} more)" in text


def test_summary_of_a_passing_run() -> None:
    report = new("go", 0)
    report.passed, report.skipped, report.duration_s = 12, 1, 2.345
    assert report.ok
    assert report.summary() == "12 passed, 1 skipped (go, 2.3 s)"


def test_summary_when_the_exit_code_disagrees_with_the_counts() -> None:
    report = new("pytest", 1)
    report.passed = 4
    report.output_tail = "FAIL Required test coverage of 90% not reached. Total coverage: 71%"
    assert not report.ok
    text = report.summary()
    assert text.startswith("4 passed (pytest, 0.0 s), but the command exited with code 1")
    assert "coverage" in text


def test_to_dict_has_every_field_and_ok() -> None:
    report = big_report(2, 5, 5)
    data = report.to_dict()
    assert data["ok"] is False and data["failed"] == 2
    assert data["failures"][0] == {
        "id": "tests/test_0.py::ttttt",
        "file": "tests/test_0.py",
        "line": 1,
        "message": "xxxxx\nxxxxx\nxxxxx\nxxxxx\nxxxxx",
        "kind": "failed",
    }
    json.dumps(data)
