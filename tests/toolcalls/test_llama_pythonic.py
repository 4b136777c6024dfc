"""Llama 3.x JSON (with or without <|python_tag|>) and python-style call lists."""

from __future__ import annotations

from smallcode.toolcalls import parse_tool_calls

from .conftest import TOOLS, calls


def test_llama31_bare_json_with_parameters_key():
    text = '{"name": "read_file", "parameters": {"path": "app.py"}}'
    assert calls(text) == [("read_file", {"path": "app.py"})]


def test_llama_python_tag_and_eom():
    text = '<|python_tag|>{"name": "bash", "parameters": {"command": "ls"}}<|eom_id|>'
    assert calls(text) == [("bash", {"command": "ls"})]


def test_llama_python_tag_several_separated_by_semicolon():
    text = (
        '<|python_tag|>{"name": "read_file", "parameters": {"path": "a.py"}}; '
        '{"name": "read_file", "parameters": {"path": "b.py"}}'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("read_file", {"path": "b.py"})]


def test_bare_json_with_prose_around_and_type_function():
    text = (
        "To answer, I need the file.\n"
        '{"type": "function", "name": "read_file", "parameters": {"path": "notes.txt"}}\n'
        "Then I will summarise it."
    )
    assert calls(text) == [("read_file", {"path": "notes.txt"})]


def test_pythonic_list_with_several_calls():
    text = '[read_file(path="a.py"), bash(command="ls -la"), grep(pattern="TODO", paths=["src"])]'
    assert calls(text) == [
        ("read_file", {"path": "a.py"}),
        ("bash", {"command": "ls -la"}),
        ("grep", {"pattern": "TODO", "paths": ["src"]}),
    ]


def test_pythonic_with_code_and_escapes():
    text = (
        "[write_file(path='hello.py', content='def hi():\\n    print(\"hi\")\\n'), "
        "bash(command='python hello.py')]"
    )
    assert calls(text) == [
        ("write_file", {"path": "hello.py", "content": 'def hi():\n    print("hi")\n'}),
        ("bash", {"command": "python hello.py"}),
    ]


def test_pythonic_with_real_newlines_inside_a_normal_string():
    # not valid Python (newline in a '...' string): the forgiving tokenizer reads it
    text = '[write_file(path="x.py", content="a = 1\nb = \'two\'\n")]'
    assert calls(text) == [("write_file", {"path": "x.py", "content": "a = 1\nb = 'two'\n"})]


def test_pythonic_positional_arguments_take_schema_order():
    [call] = parse_tool_calls('[read_file("src/x.py", 5)]', TOOLS)
    assert call.arguments == {"path": "src/x.py", "start_line": 5}
    assert "named positional argument as 'path'" in call.repairs


def test_single_call_alone_on_its_line():
    text = 'I\'ll list the directory.\n\nlist_files(path="src")\n'
    assert calls(text) == [("list_files", {"path": "src"})]


def test_prose_with_a_call_mid_sentence_is_not_a_call():
    assert calls("You can call read_file(path) to read a file.") == []
    assert calls("read_file(path) returns the file with line numbers.") == []


def test_pythonic_booleans_and_numbers():
    text = "[grep(pattern='x', ignore_case=true), read_file(path='a', limit=3)]"
    assert calls(text) == [
        ("grep", {"pattern": "x", "ignore_case": True}),
        ("read_file", {"path": "a", "limit": 3}),
    ]


def test_signature_or_code_on_its_own_line_is_not_a_call():
    text = "The helpers:\n\nread_file(path)\nbash(command, timeout=None)\nread_file(path: str)\n"
    assert calls(text) == []


def test_bare_words_between_call_markers_are_accepted():
    # LFM2 / Gemma sometimes leave a string unquoted inside their call markers
    assert calls("<|tool_call_start|>[list_files(path=src)]<|tool_call_end|>") == [
        ("list_files", {"path": "src"})
    ]
