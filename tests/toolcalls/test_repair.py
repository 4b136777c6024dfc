"""Schema-guided argument repair."""

from __future__ import annotations

from smallcode.toolcalls import repair_arguments
from smallcode.types import tool_schema

from .conftest import TOOLS


def test_key_aliases_are_mapped():
    args, repairs = repair_arguments(
        "edit_file",
        {"filepath": "a.py", "old_string": "x", "replacement": "y"},
        TOOLS,
    )
    assert args == {"path": "a.py", "old_str": "x", "new_str": "y"}
    assert repairs == [
        "renamed argument 'filepath' to 'path'",
        "renamed argument 'old_string' to 'old_str'",
        "renamed argument 'replacement' to 'new_str'",
    ]


def test_more_aliases():
    assert repair_arguments("bash", {"cmd": "ls"}, TOOLS)[0] == {"command": "ls"}
    assert repair_arguments("grep", {"query": "x"}, TOOLS)[0] == {"pattern": "x"}
    assert repair_arguments("grep", {"regex": "x"}, TOOLS)[0] == {"pattern": "x"}
    assert repair_arguments("write_file", {"file": "a", "contents": "c"}, TOOLS)[0] == {
        "path": "a",
        "content": "c",
    }
    assert repair_arguments("write_file", {"filename": "a", "text": "c"}, TOOLS)[0] == {
        "path": "a",
        "content": "c",
    }
    assert repair_arguments("edit_file", {"path": "a", "search": "x", "replace": "y"}, TOOLS)[
        0
    ] == {"path": "a", "old_str": "x", "new_str": "y"}


def test_camel_case_spelling():
    args, repairs = repair_arguments("read_file", {"Path": "a", "startLine": "3"}, TOOLS)
    assert args == {"path": "a", "start_line": 3}
    assert repairs == [
        "renamed argument 'Path' to 'path'",
        "renamed argument 'startLine' to 'start_line'",
        "converted 'start_line' from string to integer",
    ]


def test_ambiguous_alias_is_not_guessed():
    tools = [
        tool_schema(
            "replace_in_files",
            "Replace.",
            {
                "type": "object",
                "properties": {
                    "pattern": {"type": "string"},
                    "old_str": {"type": "string"},
                    "new_str": {"type": "string"},
                },
                "required": ["pattern", "old_str", "new_str"],
            },
        )
    ]
    # "search" could mean the file pattern or the old text: dropped, not guessed
    args, repairs = repair_arguments("replace_in_files", {"search": "a", "replace": "b"}, tools)
    assert args == {"new_str": "b"}
    assert "dropped unknown argument 'search'" in repairs


def test_alias_does_not_override_the_real_key():
    args, repairs = repair_arguments("read_file", {"path": "a.py", "file_path": "b.py"}, TOOLS)
    assert args == {"path": "a.py"}
    assert repairs == ["dropped argument 'file_path' (duplicate of one already given)"]


def test_type_coercion():
    args, repairs = repair_arguments(
        "read_file", {"path": "a", "start_line": "10", "limit": 20.0}, TOOLS
    )
    assert args == {"path": "a", "start_line": 10, "limit": 20}
    assert repairs == [
        "converted 'start_line' from string to integer",
        "converted 'limit' from number to integer",
    ]
    args, _ = repair_arguments(
        "edit_file", {"path": "a", "old_str": "x", "new_str": "y", "replace_all": "true"}, TOOLS
    )
    assert args["replace_all"] is True
    args, _ = repair_arguments(
        "edit_file", {"path": "a", "old_str": "x", "new_str": "y", "replace_all": "no"}, TOOLS
    )
    assert args["replace_all"] is False
    args, _ = repair_arguments("grep", {"pattern": "x", "paths": "src"}, TOOLS)
    assert args["paths"] == ["src"]
    args, _ = repair_arguments("grep", {"pattern": "x", "paths": '["a", "b"]'}, TOOLS)
    assert args["paths"] == ["a", "b"]
    args, _ = repair_arguments("task_done", {"summary": 42, "options": '{"a": 1}'}, TOOLS)
    assert args == {"summary": "42", "options": {"a": 1}}


def test_uncoercible_value_is_left_for_the_tool_to_report():
    args, repairs = repair_arguments("read_file", {"path": "a", "start_line": "ten"}, TOOLS)
    assert args == {"path": "a", "start_line": "ten"}
    assert repairs == []


def test_none_dropped_for_optional_kept_for_required():
    args, repairs = repair_arguments("read_file", {"path": None, "limit": None}, TOOLS)
    assert args == {"path": None}
    assert repairs == ["dropped empty optional argument 'limit'"]


def test_unknown_keys_dropped():
    args, repairs = repair_arguments("bash", {"command": "ls", "explanation": "list"}, TOOLS)
    assert args == {"command": "ls"}
    assert repairs == ["dropped unknown argument 'explanation'"]


def test_single_missing_required_takes_the_single_unknown_key():
    args, repairs = repair_arguments("bash", {"shell_cmd": "ls"}, TOOLS)
    assert args == {"command": "ls"}
    assert "the only missing required argument" in repairs[0]


def test_bare_string_for_a_one_parameter_tool():
    args, repairs = repair_arguments("bash", "ls -la", TOOLS)
    assert args == {"command": "ls -la"}
    args, repairs = repair_arguments("bash", '{"command": "ls",}', TOOLS)
    assert args == {"command": "ls"}
    assert repairs == ["repaired broken JSON in the arguments"]


def test_unknown_tool_and_schemaless_tool_keep_arguments():
    assert repair_arguments("nope", {"a": 1}, TOOLS) == ({"a": 1}, [])
    loose = [{"type": "function", "function": {"name": "free"}}]
    assert repair_arguments("free", {"a": 1}, loose) == ({"a": 1}, [])


def test_additional_properties_keeps_unknown_keys():
    tools = [
        tool_schema(
            "http",
            "HTTP.",
            {
                "type": "object",
                "properties": {"url": {"type": "string"}},
                "additionalProperties": True,
            },
        )
    ]
    assert repair_arguments("http", {"url": "u", "headers": {}}, tools)[0] == {
        "url": "u",
        "headers": {},
    }


def test_anyof_and_nullable_types():
    tools = [
        tool_schema(
            "t",
            "T.",
            {
                "type": "object",
                "properties": {
                    "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    "m": {"type": ["integer", "null"]},
                },
            },
        )
    ]
    args, _ = repair_arguments("t", {"n": "5", "m": "7"}, tools)
    assert args == {"n": 5, "m": 7}


def test_never_raises_on_odd_input():
    for args in (None, 5, [1, 2], {"path": object()}, {1: 2}, "", "[]"):
        out, repairs = repair_arguments("read_file", args, TOOLS)
        assert isinstance(out, dict)
        assert isinstance(repairs, list)
