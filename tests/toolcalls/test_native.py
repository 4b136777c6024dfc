"""repair_native_call: the server's own tool_calls with broken arguments or names."""

from __future__ import annotations

import json

from smallcode.toolcalls import repair_native_call
from smallcode.types import ToolCall

from .conftest import TOOLS


def test_good_call_passes_unchanged():
    call = ToolCall(name="read_file", id="c1", raw_arguments='{"path": "a.py"}')
    fixed = repair_native_call(call, TOOLS)
    assert fixed is not None
    assert (fixed.name, fixed.arguments, fixed.id, fixed.repairs) == (
        "read_file",
        {"path": "a.py"},
        "c1",
        [],
    )


def test_broken_json_arguments():
    call = ToolCall(name="bash", raw_arguments="{'command': 'ls -la', 'timeout': '30',}")
    fixed = repair_native_call(call, TOOLS)
    assert fixed.arguments == {"command": "ls -la", "timeout": 30}
    assert "repaired broken JSON in the arguments" in fixed.repairs


def test_truncated_arguments():
    call = ToolCall(name="write_file", raw_arguments='{"path": "a.py", "content": "print(1)')
    assert repair_native_call(call, TOOLS).arguments == {"path": "a.py", "content": "print(1)"}


def test_double_encoded_arguments():
    raw = json.dumps(json.dumps({"path": "a.py"}))
    fixed = repair_native_call(ToolCall(name="read_file", raw_arguments=raw), TOOLS)
    assert fixed.arguments == {"path": "a.py"}
    assert "decoded arguments encoded twice as JSON" in fixed.repairs


def test_wrong_keys():
    raw = '{"file_path": "a.py", "old_string": "a", "new_string": "b"}'
    fixed = repair_native_call(ToolCall(name="edit_file", raw_arguments=raw), TOOLS)
    assert fixed.arguments == {"path": "a.py", "old_str": "a", "new_str": "b"}


def test_name_case_and_camel_case():
    fixed = repair_native_call(ToolCall(name="readFile", raw_arguments='{"path": "a"}'), TOOLS)
    assert fixed.name == "read_file"
    assert "tool name 'readFile' matched to 'read_file'" in fixed.repairs
    assert repair_native_call(ToolCall(name="BASH", raw_arguments="{}"), TOOLS).name == "bash"
    fixed = repair_native_call(ToolCall(name="functions.grep", arguments={"pattern": "x"}), TOOLS)
    assert (fixed.name, fixed.arguments) == ("grep", {"pattern": "x"})


def test_close_misspelling_is_matched_but_not_a_stranger():
    fixed = repair_native_call(ToolCall(name="read_fil", raw_arguments='{"path": "a"}'), TOOLS)
    assert fixed.name == "read_file"
    assert repair_native_call(ToolCall(name="delete_all", raw_arguments="{}"), TOOLS) is None
    assert repair_native_call(ToolCall(name="", raw_arguments="{}"), TOOLS) is None


def test_dict_arguments_when_no_raw_string():
    call = ToolCall(name="read_file", arguments={"filename": "x", "start_line": "2"})
    fixed = repair_native_call(call, TOOLS)
    assert fixed.arguments == {"path": "x", "start_line": 2}


def test_empty_and_non_json_raw_arguments():
    assert repair_native_call(ToolCall(name="list_files", raw_arguments=""), TOOLS).arguments == {}
    fixed = repair_native_call(ToolCall(name="bash", raw_arguments="git status"), TOOLS)
    assert fixed.arguments == {"command": "git status"}
