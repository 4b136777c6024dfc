"""Why a test failed: an assertion, a missing name, a syntax error or another error.

The TDD harness confirms "red" only for a failure that says the behaviour is missing (an
assertion failed, or the name under test does not exist yet), never for a test that cannot be
loaded for another reason. Plain pattern matching over the parsed failure, no model call.
``red_evidence`` applies that to a whole report and the cycle's new test files.
"""

from __future__ import annotations

import importlib.util
import re
import sys

from smallcode.verify.report import TestFailure, TestReport

ASSERTION = "assertion"
MISSING = "missing"  # the name under test does not exist (yet), or is not implemented
SYNTAX = "syntax"
ERROR = "error"  # another exception or crash
COLLECTION = "collection"  # could not load for another reason

_MISSING = re.compile(
    r"cannot import name|No module named|NameError|is not defined|has no attribute|"
    r"is not a function|is not a constructor|does not provide an export named|"
    r"Cannot find module|ERR_MODULE_NOT_FOUND|\bundefined: \w|"
    r"cannot find (?:function|value|type|struct|macro|module|trait|crate)|unresolved import|"
    r"no (?:function|method|associated item|field) named|error\[E0(?:425|432|433|412|599)\]|"
    r"cannot find symbol|NotImplementedError|not (?:yet )?implemented|"
    r"unexpected keyword argument|takes \d+ positional arguments? but|"
    r"missing \d+ required (?:positional|keyword-only) argument"
)
_NO_MODULE = re.compile(r"No module named '([\w.]+)'")
_SYNTAX = re.compile(
    r"SyntaxError|IndentationError|TabError|Unexpected token|Unexpected end of input|"
    r"Unterminated|ParseError|syntax error|error: expected|expected one of"
)
_OTHER_ERROR = re.compile(
    r"^\s*(?!AssertionError\b)[A-Z]\w*(?:Error|Exception|Exit|Interrupt)\b(?: \[\w+\])?:|"
    r"^\s*panic: |runtime error|index out of bounds|called `(?:Option|Result)::unwrap\(\)`"
)


def _missing_module_is_external(message: str) -> bool:
    """``No module named 'x'`` for a module that exists elsewhere (stdlib, installed): that is
    an environment problem or a typo, not the code under test."""
    m = _NO_MODULE.search(message)
    if not m:
        return False
    top = m.group(1).split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def failure_cause(failure: TestFailure) -> str:
    """One of ASSERTION, MISSING, SYNTAX, ERROR, COLLECTION."""
    message = failure.message or ""
    if _MISSING.search(message) and not _missing_module_is_external(message):
        return MISSING
    if _SYNTAX.search(message):
        return SYNTAX
    if failure.kind == "collection":
        return COLLECTION
    if failure.kind == "error" or _OTHER_ERROR.search(message):
        return ERROR
    return ASSERTION


def confirms_red(failure: TestFailure) -> bool:
    """True when the failure shows missing behaviour (what a new failing test should show)."""
    return failure_cause(failure) in (ASSERTION, MISSING)


def _first_line(text: str, limit: int = 160) -> str:
    line = next((r.strip() for r in text.splitlines() if r.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def belongs(failure: TestFailure, tests: list[str]) -> bool:
    """The failure is in one of ``tests`` (files or folders, relative to the project root)."""
    where = {w for w in (failure.file, failure.id.split("::")[0]) if w}
    for t in tests:
        t = t.rstrip("/")
        if t in where or any(w.startswith(t + "/") for w in where):
            return True
    return False


def red_evidence(report: TestReport, new_tests: list[str]) -> tuple[TestFailure | None, str]:
    """The failure in ``new_tests`` that shows missing behaviour, or None and why there is none
    (a pass, nothing run, a syntax or load error, failures elsewhere)."""
    if report.timed_out or report.exit_code is None:
        return None, "the tests did not run to the end (timeout or command error)."
    if report.no_tests:
        return None, (
            "no test ran (nothing collected, or the filter/path matched no test); that is not "
            "a failing test."
        )
    if not report.failures:
        return None, (
            "the tests pass, so nothing fails yet. Write a test for behaviour the code does "
            "not have yet."
        )
    if not new_tests:
        return None, "no test file was written in this cycle: write the failing test first."
    own = [f for f in report.failures if belongs(f, new_tests)]
    if not own:
        return None, f"the failures are not in the new test ({', '.join(new_tests[:3])})."
    for failure in own:
        if confirms_red(failure):
            return failure, ""
    what = {
        SYNTAX: "the new test has a syntax error",
        COLLECTION: "the new test cannot be loaded",
    }.get(failure_cause(own[0]), "the new test crashes with an error, not an assertion")
    return None, (
        f"{what} ({_first_line(own[0].message)}). Red needs an assertion failure or a missing "
        "name: fix the test."
    )
