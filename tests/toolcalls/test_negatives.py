"""Text that holds no call must yield none."""

from __future__ import annotations

import pytest

from .conftest import calls

NOT_CALLS = [
    # prose that mentions tool names
    "I used read_file on main.py and then ran bash to execute the tests; grep found nothing.",
    "Next I would call edit_file to change the import, then write_file for the new module.",
    # JSON data that is not a call
    '{"name": "Alice", "age": 3}',
    '```json\n{"name": "demo-app", "version": "1.0.0", "scripts": {"test": "jest"}}\n```',
    '[{"name": "Alice", "arguments": {"x": 1}}, {"id": 2, "tags": ["read_file"]}]',
    '{"name": "bash", "version": "5.2", "license": "GPL"}',
    # python / bash code fences
    '```python\nread_file(path="a.py")\nbash(command="ls")\n```',
    "```bash\ngrep -rn 'TODO' src/\n```",
    '```python\ncall = {"name": "read_file", "arguments": {"path": "a.py"}}\n```',
    '```sh\necho \'<tool_call>{"name": "bash", "arguments": {"command": "ls"}}</tool_call>\'\n```',
    # explanations of a format in backticks
    'Write `{"name": "read_file", "arguments": {"path": "..."}}` to read a file.',
    'The Qwen3 template wraps calls like `<tool_call>{"name": "bash", "arguments": '
    '{"command": "ls"}}</tool_call>`.',
    'Gemma would print `[read_file(path="a.py")]` in a tool_code block.',
    # an echoed tool schema is a definition, not a call
    '{"type": "function", "function": {"name": "read_file", "description": "Read a file.", '
    '"parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}',
    # the tool name only as a value of some other key
    '{"tool_used": "read_file", "result": "ok"}',
    "",
    "   \n\t ",
]


@pytest.mark.parametrize("text", NOT_CALLS)
def test_no_call(text):
    assert calls(text) == []


def test_no_tools_means_no_calls():
    from smallcode.toolcalls import parse_tool_calls

    assert parse_tool_calls('{"name": "read_file", "arguments": {"path": "a"}}', []) == []


def test_real_call_after_a_code_fence_still_counts():
    text = (
        "The bug is here:\n```python\nread_file(path='x')  # old helper\n```\n"
        "Let me look at it.\n"
        '<tool_call>{"name": "read_file", "arguments": {"path": "helpers.py"}}</tool_call>'
    )
    assert calls(text) == [("read_file", {"path": "helpers.py"})]


def test_unclosed_python_fence_followed_by_a_json_fence():
    # the model forgot to close the first block; the json fence line starts a new one
    text = (
        "```python\nx = 1\n\n"
        '```json\n{"name": "bash", "arguments": {"command": "python x.py"}}\n```'
    )
    assert calls(text) == [("bash", {"command": "python x.py"})]


def test_write_file_whose_content_has_a_python_fence():
    # a fence inside a call's value does not hide the call
    text = (
        "<tool_call>\n<function=write_file>\n<parameter=path>\nREADME.md\n</parameter>\n"
        "<parameter=content>\n# Demo\n\n```python\nread_file(path='x')\n```\n</parameter>\n"
        "</function>\n</tool_call>"
    )
    assert calls(text) == [
        (
            "write_file",
            {"path": "README.md", "content": "# Demo\n\n```python\nread_file(path='x')\n```"},
        )
    ]
