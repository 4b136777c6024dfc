"""Hermes / Qwen2.5 / Qwen3 ``<tool_call>`` JSON, and Jamba's ``<tool_calls>`` list."""

from __future__ import annotations

import json

from smallcode.toolcalls import parse_tool_calls

from .conftest import TOOLS, calls


def test_single_call_with_prose_around():
    text = (
        "Let me look at the entry point first.\n\n"
        '<tool_call>\n{"name": "read_file", "arguments": {"path": "src/app/main.py"}}\n'
        "</tool_call>\n\nI'll continue once I have seen it."
    )
    assert calls(text) == [("read_file", {"path": "src/app/main.py"})]


def test_several_calls_in_order():
    text = (
        '<tool_call>\n{"name": "grep", "arguments": {"pattern": "def main", "paths": ["src"]}}\n'
        "</tool_call>\n"
        '<tool_call>\n{"name": "bash", "arguments": {"command": "pytest -q"}}\n</tool_call>'
    )
    assert calls(text) == [
        ("grep", {"pattern": "def main", "paths": ["src"]}),
        ("bash", {"command": "pytest -q"}),
    ]


def test_code_value_with_quotes_and_newlines_survives():
    code = 'def greet(name):\n    """Say hi."""\n    return f"Hello, {name}!\\n"\n'
    text = (
        "<tool_call>\n"
        + json.dumps({"name": "write_file", "arguments": {"path": "greet.py", "content": code}})
        + "\n</tool_call>"
    )
    assert calls(text) == [("write_file", {"path": "greet.py", "content": code})]


def test_multiline_pretty_printed_json():
    text = """<tool_call>
{
  "name": "edit_file",
  "arguments": {
    "path": "setup.cfg",
    "old_str": "version = 1.0",
    "new_str": "version = 1.1"
  }
}
</tool_call>"""
    assert calls(text) == [
        ("edit_file", {"path": "setup.cfg", "old_str": "version = 1.0", "new_str": "version = 1.1"})
    ]


def test_broken_json_is_repaired_and_noted():
    # single quotes, a trailing comma, a Python literal, and a raw newline in a string
    text = (
        "<tool_call>\n{'name': 'edit_file', 'arguments': {'path': 'a.py', 'old_str': 'x = 1\n', "
        "'new_str': 'x = 2\n', 'replace_all': True,}}\n</tool_call>"
    )
    [call] = parse_tool_calls(text, TOOLS)
    assert call.name == "edit_file"
    assert call.arguments == {
        "path": "a.py",
        "old_str": "x = 1\n",
        "new_str": "x = 2\n",
        "replace_all": True,
    }
    assert any("JSON" in r for r in call.repairs)


def test_cut_off_before_closing_braces():
    text = '<tool_call>\n{"name": "bash", "arguments": {"command": "ls -la src'
    assert calls(text) == [("bash", {"command": "ls -la src"})]


def test_unclosed_tag_then_prose_keeps_later_calls():
    text = (
        '<tool_call>{"name": "read_file", "arguments": {"path": "a.py"}}\n'
        "Now the tests:\n"
        '```json\n{"name": "bash", "arguments": {"command": "pytest"}}\n```'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "pytest"})]


def test_fence_inside_the_tag():
    text = '<tool_call>\n```json\n{"name": "list_files", "arguments": {}}\n```\n</tool_call>'
    assert calls(text) == [("list_files", {})]


def test_jamba_tool_calls_list():
    text = (
        '<tool_calls>[{"name": "read_file", "arguments": {"path": "a.py"}}, '
        '{"name": "read_file", "arguments": {"path": "b.py"}}]</tool_calls>'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("read_file", {"path": "b.py"})]


def test_unknown_tool_is_not_returned():
    text = '<tool_call>{"name": "delete_everything", "arguments": {}}</tool_call>'
    assert calls(text) == []


def test_wrong_keys_and_string_numbers_are_repaired():
    text = (
        '<tool_call>{"name": "read_file", "arguments": '
        '{"file_path": "a.py", "start_line": "10", "limit": null}}</tool_call>'
    )
    [call] = parse_tool_calls(text, TOOLS)
    assert call.arguments == {"path": "a.py", "start_line": 10}
    assert "renamed argument 'file_path' to 'path'" in call.repairs
    assert "converted 'start_line' from string to integer" in call.repairs
    assert "dropped empty optional argument 'limit'" in call.repairs


def test_placeholder_from_the_system_prompt_is_not_a_call():
    text = (
        "For each function call, return a json object with function name and arguments "
        "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
        '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
    )
    assert calls(text) == []


def test_closing_tag_inside_a_json_string_value():
    # a model writing a test for a tool-call parser: the content holds the tags themselves
    content = 'SAMPLE = "<tool_call>{}</tool_call>"\n'
    text = (
        "<tool_call>\n"
        + json.dumps({"name": "write_file", "arguments": {"path": "t.py", "content": content}})
        + "\n</tool_call>\nDone."
    )
    assert calls(text) == [("write_file", {"path": "t.py", "content": content})]


def test_hermes2_pro_python_dict_with_arguments_first():
    text = "<tool_call>\n{'arguments': {'path': 'a.py', 'limit': 5}, 'name': 'read_file'}\n</tool_call>"
    assert calls(text) == [("read_file", {"path": "a.py", "limit": 5})]


def test_arguments_string_holding_a_python_dict():
    text = '<tool_call>{"name": "read_file", "arguments": "{\'path\': \'a.py\'}"}</tool_call>'
    assert calls(text) == [("read_file", {"path": "a.py"})]


def test_long_cut_off_write_keeps_its_content_exactly():
    content = "line = 1\n" * 4000 + "    indented = 'x'  \n"
    args = json.dumps({"path": "big.py", "content": content})
    text = '<tool_call>\n{"name": "write_file", "arguments": ' + args[:-2]  # cut before '"}'
    [call] = parse_tool_calls(text, TOOLS)
    assert call.arguments == {"path": "big.py", "content": content}
    assert "repaired broken JSON" in call.repairs
