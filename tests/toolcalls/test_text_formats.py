"""ReAct text, YAML blocks, fenced JSON, OpenAI-shaped JSON, double-encoded arguments."""

from __future__ import annotations

import json

from smallcode.toolcalls import parse_tool_calls

from .conftest import TOOLS, calls


def test_react_json_input():
    text = (
        "Thought: I should look at the failing test.\nAction: read_file\n"
        'Action Input: {"path": "tests/test_api.py"}\nObservation:'
    )
    assert calls(text) == [("read_file", {"path": "tests/test_api.py"})]


def test_react_plain_input_goes_to_the_only_required_parameter():
    text = "Thought: run it\nAction: bash\nAction Input: python -m pytest -k 'slow and not db'\n"
    [call] = parse_tool_calls(text, TOOLS)
    assert call.arguments == {"command": "python -m pytest -k 'slow and not db'"}
    assert "used the bare value as argument 'command'" in call.repairs


def test_react_bold_markdown_and_multiline_json():
    text = (
        "**Action:** edit_file\n**Action Input:** {\n"
        '  "path": "a.py",\n  "old_str": "def f():\\n    pass",\n'
        '  "new_str": "def f():\\n    return 1"\n}\n'
    )
    assert calls(text) == [
        (
            "edit_file",
            {"path": "a.py", "old_str": "def f():\n    pass", "new_str": "def f():\n    return 1"},
        )
    ]


def test_react_action_as_python_call():
    assert calls('Action: read_file(path="a.py")') == [("read_file", {"path": "a.py"})]


def test_react_prose_action_is_not_a_call():
    assert calls("Action: I will now fix the bug in the parser.") == []


def test_yaml_fenced_block_with_block_scalar():
    text = (
        "```yaml\ntool: write_file\nargs:\n  path: hello.sh\n  content: |\n"
        '    #!/bin/sh\n    echo "hi: there"\n\n    exit 0\n```'
    )
    assert calls(text) == [
        ("write_file", {"path": "hello.sh", "content": '#!/bin/sh\necho "hi: there"\n\nexit 0\n'})
    ]


def test_yaml_unfenced_block_after_prose():
    text = "Next step:\n\ntool: grep\narguments:\n  pattern: TODO\n  paths: src\n\nDone."
    assert calls(text) == [("grep", {"pattern": "TODO", "paths": ["src"]})]


def test_yaml_aliases_are_refused():
    text = "```yaml\ntool: bash\nargs: &a\n  command: ls\nagain: *a\n```"
    assert calls(text) == []


def test_fenced_json_qwen25_coder_style():
    text = (
        "I'll read the file to understand the structure.\n\n"
        '```json\n{"name": "read_file", "arguments": {"path": "src/server.js"}}\n```'
    )
    assert calls(text) == [("read_file", {"path": "src/server.js"})]


def test_fenced_json_with_parameters_key_and_no_language():
    text = '```\n{"name": "bash", "parameters": {"command": "npm run build"}}\n```'
    assert calls(text) == [("bash", {"command": "npm run build"})]


def test_openai_shaped_json_pasted_as_text():
    payload = {
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "read_file", "arguments": json.dumps({"path": "a.py"})},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "bash", "arguments": json.dumps({"command": "ls"})},
            },
        ]
    }
    assert calls(json.dumps(payload, indent=2)) == [
        ("read_file", {"path": "a.py"}),
        ("bash", {"command": "ls"}),
    ]


def test_double_encoded_arguments():
    args = json.dumps(json.dumps({"path": "a.py", "limit": 5}))
    text = '<tool_call>{"name": "read_file", "arguments": ' + args + "}</tool_call>"
    [call] = parse_tool_calls(text, TOOLS)
    assert call.arguments == {"path": "a.py", "limit": 5}
    assert "decoded arguments given as a JSON string" in call.repairs


def test_flat_arguments_next_to_the_name():
    text = '{"name": "bash", "command": "ls -la"}'
    assert calls(text) == [("bash", {"command": "ls -la"})]


def test_langchain_action_json():
    text = '{"action": "read_file", "action_input": {"path": "a.py"}}'
    assert calls(text) == [("read_file", {"path": "a.py"})]
