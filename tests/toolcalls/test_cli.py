"""``smallcode parse-tools`` run as a user would: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from smallcode.toolcalls.cli import main

from .conftest import TOOLS


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smallcode", "parse-tools", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_stdin_with_a_tools_object(tmp_path: Path):
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps({"tools": TOOLS}))
    out = _run(
        ["--tools", str(schemas)],
        'Reading.\n<tool_call>{"name": "read_file", "arguments": {"file_path": "a.py"}}</tool_call>',
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        {
            "name": "read_file",
            "arguments": {"path": "a.py"},
            "repairs": ["renamed argument 'file_path' to 'path'"],
        }
    ]


def test_file_argument_and_schema_list(tmp_path: Path):
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(TOOLS))
    reply = tmp_path / "reply.txt"
    reply.write_text('[read_file(path="x.py"), bash(command="ls")]\n')
    out = _run(["--tools", str(schemas), str(reply)])
    assert out.returncode == 0, out.stderr
    assert [c["name"] for c in json.loads(out.stdout)] == ["read_file", "bash"]


def test_no_calls_prints_an_empty_list(tmp_path: Path):
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(TOOLS))
    out = _run(["--tools", str(schemas)], "Just an answer, no calls.")
    assert (out.returncode, json.loads(out.stdout)) == (0, [])


def test_bad_schema_files_exit_2_with_one_line(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    empty = tmp_path / "empty.json"
    empty.write_text('{"something": 1}')
    for args in (
        ["--tools", str(tmp_path / "missing.json")],
        ["--tools", str(bad)],
        ["--tools", str(empty)],
        [],
    ):
        out = _run(args, "x")
        assert out.returncode == 2, (args, out.stdout)
        assert out.stdout == ""
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "Traceback" not in out.stderr


def test_missing_input_file_exits_2(tmp_path: Path, capsys):
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(TOOLS))
    assert main(["--tools", str(schemas), str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_schemas_file_not_utf8_is_a_usage_error(tmp_path: Path, capsys):
    schemas = tmp_path / "tools.json"
    schemas.write_bytes(b"\xff\xfe[")  # UnicodeDecodeError has no strerror: no traceback
    assert main(["--tools", str(schemas)]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "not UTF-8" in err


def test_reasoning_flag_takes_the_call_from_thinking(tmp_path: Path, capsys, monkeypatch):
    import io

    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(TOOLS))
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO('<think>[TOOL_CALLS]bash[ARGS]{"command": "ls"}</think>'),
    )
    assert main(["--tools", str(schemas), "--reasoning"]) == 0
    [call] = json.loads(capsys.readouterr().out)
    assert call["name"] == "bash"
    assert "call taken from the model's reasoning" in call["repairs"]


def test_a_call_with_unreadable_arguments_is_reported_on_stderr(tmp_path: Path):
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(TOOLS))
    out = _run(["--tools", str(schemas)], '{"name": "edit_file", "arguments": oops}')
    assert out.returncode == 0 and json.loads(out.stdout) == []
    assert out.stderr.startswith("not run: edit_file: the call was not run")
