"""Calls that must not run as written: unreadable arguments (reported, not run), names cut off
mid-string, name-only objects in prose; and blocks that are calls although they look like
code: fenced JSON in a shell fence, several DeepSeek calls with fenced bodies."""

from __future__ import annotations

import pytest

from smallcode.toolcalls import parse_tool_calls, repair_native_call, tool_call_errors
from smallcode.toolcalls.candidates import find_fences
from smallcode.types import ToolCall, tool_schema

from .conftest import TOOLS, calls

# --------------------------------------------------------------------------- unreadable

BROKEN = [
    '{"name": "bash", "arguments": invalid}',
    '<tool_call>{"name": "grep", "arguments": 42}</tool_call>',
    '<tool_call>{"name": "edit_file", "arguments": "just some words"}</tool_call>',
    '[TOOL_CALLS][{"name": "grep", "arguments": [1, 2]}]',
    "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>grep\n"
    "```json\npattern = TODO\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    "<|tool_call_begin|>functions.grep:0<|tool_call_argument_begin|>pattern: TODO<|tool_call_end|>",
    "<tool_call>\n<function=grep>\nnot json and not parameters\n</function>\n</tool_call>",
]


@pytest.mark.parametrize("text", BROKEN)
def test_unreadable_arguments_give_no_call_and_an_error_naming_the_tool(text):
    assert calls(text) == []
    errors = tool_call_errors(text, TOOLS)
    assert len(errors) == 1
    tool = errors[0].split(":", 1)[0]
    assert tool in ("bash", "grep", "edit_file")
    assert "not run" in errors[0] and "JSON object" in errors[0] and len(errors[0]) < 300


def test_errors_are_bounded_and_absent_when_a_call_runs():
    many = "\n".join(
        f'<tool_call>{{"name": "grep", "arguments": {i}}}</tool_call>' for i in range(9)
    )
    assert calls(many) == [] and 1 <= len(tool_call_errors(many, TOOLS)) <= 3
    mixed = many + '\n<tool_call>{"name": "bash", "arguments": {"command": "ls"}}</tool_call>'
    assert calls(mixed) == [("bash", {"command": "ls"})]
    assert tool_call_errors(mixed, TOOLS) == []


def test_a_plain_string_is_still_the_bare_value_of_a_one_parameter_tool():
    assert calls('{"name": "bash", "arguments": "ls -la"}') == [("bash", {"command": "ls -la"})]


def test_unreadable_native_arguments_come_back_refused():
    call = ToolCall("edit_file", raw_arguments="path=a.py old=1 new=2")
    fixed = repair_native_call(call, TOOLS)
    assert fixed is not None and fixed.arguments == {}
    assert fixed.error.startswith("edit_file: the call was not run")
    assert '"path": ...' in fixed.error
    ok = repair_native_call(ToolCall("bash", raw_arguments='{"command": "ls"}'), TOOLS)
    assert ok is not None and not ok.error


# --------------------------------------------------------------------------- cut-off names


def _hello_tools():
    return [
        *TOOLS,
        tool_schema("say_hello", "Hi.", {"type": "object", "properties": {}}),
        tool_schema("say_hello_world", "Hi all.", {"type": "object", "properties": {}}),
    ]


@pytest.mark.parametrize(
    "text",
    [
        '<tool_call>\n{"name": "say_hello',  # the start of two tools' names
        '<tool_call>\n{"name": "say_hello_wor',  # not a whole name
        '<tool_call>\n{"name": "read_fi',  # close enough for a fuzzy match, but cut
        '{"name": "say_hello',
    ],
)
def test_a_name_cut_off_mid_string_is_never_guessed(text):
    assert parse_tool_calls(text, _hello_tools()) == []


def test_a_whole_name_before_the_cut_counts():
    found = parse_tool_calls(
        '<tool_call>\n{"name": "say_hello_world", "arguments": {', _hello_tools()
    )
    assert [(c.name, c.arguments) for c in found] == [("say_hello_world", {})]
    found = parse_tool_calls(
        '<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py', TOOLS
    )
    assert [(c.name, c.arguments) for c in found] == [("read_file", {"path": "a.py"})]


# --------------------------------------------------------------------------- name-only objects


def test_name_only_object_in_prose_before_a_call_block_is_not_a_call():
    text = (
        'I will use {"name": "read_file"} here.\n'
        '[TOOL_CALLS][{"name": "read_file", "arguments": {"path": "a.py"}}]'
    )
    assert calls(text) == [("read_file", {"path": "a.py"})]


def test_name_only_object_alone_is_a_call():
    assert calls('{"name": "list_files"}') == [("list_files", {})]


# --------------------------------------------------------------------------- fences


@pytest.mark.parametrize("lang", ["bash", "sh", "shell", "console", "python", "text"])
def test_a_fence_whose_whole_body_is_a_json_call_is_a_call(lang):
    text = f'Running it:\n```{lang}\n{{"name": "bash", "arguments": {{"command": "ls"}}}}\n```'
    assert calls(text) == [("bash", {"command": "ls"})]


@pytest.mark.parametrize(
    "body",
    [
        "ls -la\nbash run.sh",
        'curl -d \'{"name": "bash", "arguments": {"command": "ls"}}\' http://x',
        '{"name": "bash", "arguments": {"command": "ls"}}\necho done',
    ],
)
def test_shell_commands_around_a_call_keep_the_block_an_example(body):
    assert calls(f"```bash\n{body}\n```") == []


def test_deepseek_v3_several_calls_with_fenced_bodies_on_their_own_lines():
    text = "<｜tool▁calls▁begin｜>" + "\n".join(
        f"<｜tool▁call▁begin｜>function<｜tool▁sep｜>read_file\n```json\n"
        f'{{"path": "{name}"}}\n```<｜tool▁call▁end｜>'
        for name in ("a.py", "b.py", "c.py")
    )
    assert calls(text + "<｜tool▁calls▁end｜>") == [
        ("read_file", {"path": "a.py"}),
        ("read_file", {"path": "b.py"}),
        ("read_file", {"path": "c.py"}),
    ]


def test_a_fence_line_with_a_token_after_it_only_closes():
    text = "```json\n{}\n```<|end|>\nprose\n```python\nx = 1\n```"
    assert [(f.lang, text[f.body_start : f.body_end]) for f in find_fences(text)] == [
        ("json", "{}\n"),
        ("python", "x = 1\n"),
    ]


# --------------------------------------------------------------------------- null / None

NULLABLE = [
    *TOOLS,
    tool_schema(
        "configure",
        "Set options.",
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "level": {"type": "integer"},
                "label": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "tags": {"type": ["array", "null"], "items": {"type": "string"}},
            },
            "required": ["name", "level"],
        },
    ),
]


def _xml(**params: str) -> str:
    body = "".join(f"<parameter={k}>\n{v}\n</parameter>\n" for k, v in params.items())
    return f"<tool_call>\n<function=configure>\n{body}</function>\n</tool_call>"


def test_null_and_none_text_become_null_where_the_schema_allows_or_the_type_is_not_string():
    found = parse_tool_calls(_xml(name="x", level="None", label="null", tags="None"), NULLABLE)
    assert found[0].arguments == {"name": "x", "level": None, "label": None, "tags": None}


def test_null_text_for_a_required_string_stays_text():
    found = parse_tool_calls(_xml(name="null", level="2"), NULLABLE)
    assert found[0].arguments == {"name": "null", "level": 2}


def test_glm_and_invoke_values_null():
    glm = (
        "<tool_call>configure<arg_key>name</arg_key><arg_value>a</arg_value>"
        "<arg_key>level</arg_key><arg_value>1</arg_value>"
        "<arg_key>label</arg_key><arg_value>None</arg_value></tool_call>"
    )
    assert parse_tool_calls(glm, NULLABLE)[0].arguments == {"name": "a", "level": 1, "label": None}


SCHEMA_ECHO = (
    '```json\n{ "name": "read_file", "arguments": { "path": {"type": "string", "description": '
    '"File path relative to the project root."}, "start_line": {"type": "integer", '
    '"description": "First line"} } }\n```'
)


def test_arguments_copied_from_the_schema_are_refused_with_how_to_send_values() -> None:
    """The packaged 0.5B model sent the parameter descriptions as the values; turning them
    into strings made `read_file` look for a file named '{ "type": "string", ... }'."""
    (call,) = parse_tool_calls(SCHEMA_ECHO, TOOLS)
    assert call.name == "read_file" and call.arguments == {}
    assert "parameter descriptions" in call.error and '"path": "..."' in call.error
    raw = '{"path": {"type": "string", "description": "File path"}}'
    native = repair_native_call(ToolCall("read_file", raw_arguments=raw), TOOLS)
    assert native is not None and "parameter descriptions" in native.error


def test_one_real_value_beside_an_object_is_not_a_schema_echo() -> None:
    text = '{"name": "write_file", "arguments": {"path": "a.json", "content": {"type": "object"}}}'
    (call,) = parse_tool_calls(text, TOOLS)
    assert not call.error and call.arguments["path"] == "a.json"
