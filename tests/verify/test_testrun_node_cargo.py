"""run_tests against real node:test and cargo runs (skipped when the tool is missing)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smallcode.verify.testrun import run_tests
from tests.verify.test_testrun import check_summary, project

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
needs_cargo = pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")


# -- node:test ------------------------------------------------------------------------------

NODE_TESTS = """import { test, describe } from 'node:test';
import assert from 'node:assert';
import { add } from '../src/calc.mjs';

test('adds', () => {
  assert.strictEqual(add(1, 1), 2);
});

describe('Calc', () => {
  test('adds big numbers', () => {
    assert.strictEqual(add(1000, 1), 1002);
  });
  test('later', { skip: true }, () => {});
});
"""
CALC_MJS = "export function add(a, b) {\n  return a + b;\n}\n"


@needs_node
def test_node_test_real_run(tmp_path: Path) -> None:
    project(tmp_path, {"src/calc.mjs": CALC_MJS, "test/calc.test.mjs": NODE_TESTS})
    report = run_tests(tmp_path, "node --test", timeout=60)
    assert report.framework == "node"
    assert (report.passed, report.failed, report.skipped) == (1, 1, 1)
    failure = report.failures[0]
    assert failure.id == "Calc > adds big numbers"
    assert (failure.file, failure.line) == ("test/calc.test.mjs", 11)
    assert "1001 !== 1002" in failure.message
    assert "--test-reporter=spec --test-reporter-destination=stdout" in report.command
    assert "adds big numbers" in report.output_tail  # the human reporter still printed
    text = check_summary(report)
    assert text.startswith("1 failed, 1 passed, 1 skipped (node, ")
    again = run_tests(tmp_path, report.rerun_hint, timeout=60)
    assert (again.passed, again.failed) == (0, 1)


@needs_node
def test_node_file_that_does_not_load_is_a_collection_error(tmp_path: Path) -> None:
    bad = "import { test } from 'node:test';\ntest('x', () => { let = ; });\n"
    project(tmp_path, {"test/bad.test.mjs": bad})
    report = run_tests(tmp_path, "node --test", timeout=60)
    assert report.collection_error and not report.ok
    failure = report.failures[0]
    assert failure.kind == "collection" and failure.id == "test/bad.test.mjs"
    assert (failure.file, failure.line) == ("test/bad.test.mjs", 2)
    assert failure.message.startswith("SyntaxError")
    assert check_summary(report).startswith("Collection error (node")


@needs_node
def test_node_filter_matching_nothing_is_no_tests(tmp_path: Path) -> None:
    project(tmp_path, {"src/calc.mjs": CALC_MJS, "test/calc.test.mjs": NODE_TESTS})
    report = run_tests(tmp_path, "node --test", filter="^nothing$", timeout=60)
    assert report.exit_code == 0 and report.no_tests and not report.ok


@needs_node
def test_npm_test_with_a_node_script_runs_the_script_with_reporters(tmp_path: Path) -> None:
    package = {"name": "demo", "type": "module", "scripts": {"test": "node --test test/"}}
    project(
        tmp_path,
        {
            "package.json": json.dumps(package),
            "src/calc.mjs": CALC_MJS,
            "test/calc.test.mjs": NODE_TESTS,
        },
    )
    report = run_tests(tmp_path, "npm test", timeout=60)
    assert report.framework == "node"
    assert report.command.startswith("node --test --test-reporter=junit")
    assert (report.passed, report.failed) == (1, 1)


# -- cargo ----------------------------------------------------------------------------------

LIB_RS = """pub fn add(a: i32, b: i32) -> i32 {
    a + b + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero() {
        assert_eq!(add(0, -1), 0);
    }

    #[test]
    fn small() {
        assert_eq!(add(1, 2), 3);
    }
}
"""


@needs_cargo
def test_cargo_real_run(tmp_path: Path) -> None:
    cargo_toml = '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n'
    project(tmp_path, {"Cargo.toml": cargo_toml, "src/lib.rs": LIB_RS})
    report = run_tests(tmp_path, "cargo test --offline", timeout=120)
    if report.collection_error and "offline" in report.output_tail:
        pytest.skip("cargo cannot build offline here")
    assert report.framework == "cargo"
    assert (report.passed, report.failed) == (1, 1)
    failure = report.failures[0]
    assert failure.id == "tests::small"
    assert (failure.file, failure.line) == ("src/lib.rs", 16)
    assert "left: 4" in failure.message
    assert report.rerun_hint == "cargo test --offline tests::small -- --exact"
