"""Why a test failed (assertion, missing name, syntax, other error): real pytest runs and the
messages other runners print."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smallcode.verify.classify import (
    ASSERTION,
    COLLECTION,
    ERROR,
    MISSING,
    SYNTAX,
    confirms_red,
    failure_cause,
)
from smallcode.verify.report import TestFailure
from smallcode.verify.testrun import run_tests

NO_EXPORT = "does not provide an export named 'add'"
CASES = {
    "test_assert.py": ("def test_a():\n    assert 1 + 1 == 3\n", ASSERTION),
    "test_import.py": ("from calc import nope\n\n\ndef test_a():\n    assert nope()\n", MISSING),
    "test_name.py": ("def test_a():\n    assert add(1, 2) == 3\n", MISSING),
    "test_attr.py": ("import calc\n\n\ndef test_a():\n    assert calc.mul(2, 3) == 6\n", MISSING),
    "test_module.py": ("import calcx\n\n\ndef test_a():\n    assert calcx.f()\n", MISSING),
    "test_syntax.py": ("def test_a(:\n    pass\n", SYNTAX),
    "test_crash.py": ("def test_a():\n    assert 1 / 0\n", ERROR),
    "test_stdlib.py": ("import json.nope\n\n\ndef test_a():\n    pass\n", COLLECTION),
    "test_raises.py": (
        "import pytest\n\n\ndef test_a():\n    with pytest.raises(ValueError):\n        pass\n",
        ASSERTION,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_pytest_failures(tmp_path: Path, name: str) -> None:
    content, cause = CASES[name]
    (tmp_path / "calc.py").write_text("def sub(a, b):\n    return a - b\n")
    (tmp_path / name).write_text(content)
    report = run_tests(tmp_path, "python -m pytest", path=name)
    assert report.failures, report.summary()
    assert failure_cause(report.failures[0]) == cause, report.failures[0]
    assert confirms_red(report.failures[0]) == (cause in (ASSERTION, MISSING))


@pytest.mark.parametrize(
    ("message", "kind", "cause"),
    [
        ("Expected values to be strictly equal:\n-1 !== 5", "failed", ASSERTION),  # node
        ("TypeError: calc.mul is not a function", "failed", MISSING),  # node
        (f"SyntaxError: The requested module './calc.mjs' {NO_EXPORT}", "collection", MISSING),
        ("SyntaxError: Unexpected token ';'", "collection", SYNTAX),  # node
        ("ReferenceError: add is not defined", "failed", MISSING),  # jest
        ("expect(received).toBe(expected)\nExpected: 5\nReceived: -1", "failed", ASSERTION),
        ("error[E0425]: cannot find function `add` in this scope", "collection", MISSING),
        ("error[E0432]: unresolved import `calc::add`", "collection", MISSING),
        ("assertion `left == right` failed\n  left: -1\n right: 5", "failed", ASSERTION),
        ("not yet implemented", "failed", MISSING),  # cargo todo!()
        ("./calc_test.go:6:9: undefined: Add", "collection", MISSING),  # go build
        ("calc_test.go:9: got -1, want 5", "failed", ASSERTION),  # go t.Errorf
        ("panic: runtime error: index out of range [3]", "failed", ERROR),
        ("TypeError: add() takes 1 positional argument but 2 were given", "failed", MISSING),
        ("TypeError: unsupported operand type(s) for +: 'int' and 'str'", "failed", ERROR),
        ("fixture 'db' not found", "error", ERROR),
    ],
)
def test_runner_messages(message: str, kind: str, cause: str) -> None:
    assert failure_cause(TestFailure("t", message=message, kind=kind)) == cause


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_real_node_failures_name_their_error(tmp_path: Path) -> None:
    (tmp_path / "calc.mjs").write_text("export function sub(a, b) {\n  return a - b;\n}\n")
    (tmp_path / "calc.test.mjs").write_text(
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n"
        "import * as calc from './calc.mjs';\n\n"
        "test('sub', () => { assert.equal(calc.sub(2, 3), 5); });\n"
        "test('mul', () => { assert.equal(calc.mul(2, 3), 6); });\n"
    )
    report = run_tests(tmp_path, "node --test")
    by_id = {f.id: f for f in report.failures}
    assert by_id["mul"].message == "TypeError: calc.mul is not a function"
    assert failure_cause(by_id["mul"]) == MISSING
    assert failure_cause(by_id["sub"]) == ASSERTION
