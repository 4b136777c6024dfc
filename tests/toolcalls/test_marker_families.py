"""Granite, Phi-4-mini, xLAM, Functionary, Command-R, InternLM, LM Studio markers."""

from __future__ import annotations

from .conftest import calls


def test_granite_tool_call_token():
    text = (
        '<|tool_call|>[{"name": "read_file", "arguments": {"path": "a.py"}}, '
        '{"name": "bash", "arguments": {"command": "ls"}}]'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "ls"})]


def test_phi4_mini_functools():
    text = 'functools[{"name": "grep", "arguments": {"pattern": "import os"}}]'
    assert calls(text) == [("grep", {"pattern": "import os"})]


def test_phi4_functools_then_prose():
    text = (
        'functools[{"name": "read_file", "arguments": {"path": "a.py"}}]\n'
        "Then:\n"
        '```json\n{"name": "bash", "arguments": {"command": "pytest"}}\n```'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "pytest"})]


def test_xlam_plain_json_list():
    text = (
        '[{"name": "read_file", "arguments": {"path": "a.py"}}, '
        '{"name": "read_file", "arguments": {"path": "b.py"}}]'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("read_file", {"path": "b.py"})]


def test_xlam_tool_calls_object():
    text = (
        '{"thought": "read it", "tool_calls": [{"name": "read_file", "arguments": {"path": "z"}}]}'
    )
    assert calls(text) == [("read_file", {"path": "z"})]


def test_functionary_v3():
    text = '>>>all\nI will list the files.>>>list_files\n{"path": "src"}'
    assert calls(text) == [("list_files", {"path": "src"})]


def test_functionary_v2():
    text = '<|from|>assistant\n<|recipient|>bash\n<|content|>{"command": "whoami"}<|stop|>'
    assert calls(text) == [("bash", {"command": "whoami"})]


def test_command_r_action_block():
    text = (
        "Action: ```json\n"
        '[\n    {\n        "tool_name": "read_file",\n        "parameters": {"path": "a.py"}\n'
        '    },\n    {\n        "tool_name": "grep",\n        "parameters": {"pattern": "x"}\n'
        "    }\n]\n```"
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("grep", {"pattern": "x"})]


def test_internlm_plugin_action():
    text = (
        "I need the file.<|action_start|><|plugin|>\n"
        '{"name": "read_file", "parameters": {"path": "main.go"}}<|action_end|>\n'
    )
    assert calls(text) == [("read_file", {"path": "main.go"})]


def test_lmstudio_tool_request():
    text = '[TOOL_REQUEST]{"name": "bash", "arguments": {"command": "npm test"}}[END_TOOL_REQUEST]'
    assert calls(text) == [("bash", {"command": "npm test"})]


def test_python_repl_prompt_is_not_functionary():
    text = "In the REPL:\n>>> read_file\n'not a call'\n"
    assert calls(text) == []
