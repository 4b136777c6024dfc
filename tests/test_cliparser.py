"""The shared argument parser: one line and exit 2, or its own exit code or exception, which
sub-parsers inherit."""

from __future__ import annotations

import pytest

from smallcode.cliparser import Parser
from smallcode.errors import SmallCodeError


def test_a_bad_argument_is_one_line_and_the_parsers_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    p = Parser(prog="smallcode x", usage_exit=3)
    p.add_subparsers(dest="verb", required=True).add_parser("run").add_argument("n", type=int)
    with pytest.raises(SystemExit) as exc:
        p.parse_args(["run", "many"])
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert err == (
        "smallcode x run: error: argument n: invalid int value: 'many' (see smallcode x run -h)\n"
    )
    with pytest.raises(SystemExit) as exc:
        Parser(prog="smallcode y").parse_args(["--nope"])
    assert exc.value.code == 2


def test_usage_error_raises_the_bare_message_instead(capsys: pytest.CaptureFixture[str]) -> None:
    p = Parser(prog="/trace", usage_error=SmallCodeError)
    p.add_subparsers(dest="verb", required=True).add_parser("view").add_argument("id")
    with pytest.raises(SmallCodeError, match=r"^the following arguments are required: id$"):
        p.parse_args(["view"])
    assert capsys.readouterr().err == ""
