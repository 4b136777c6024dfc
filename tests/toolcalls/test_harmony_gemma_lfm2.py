"""gpt-oss harmony, Gemma (tool_code, FunctionGemma) and LFM2 formats."""

from __future__ import annotations

from .conftest import calls


def test_harmony_commentary_call():
    text = (
        "<|start|>assistant<|channel|>analysis<|message|>Need to read it.<|end|>"
        "<|start|>assistant<|channel|>commentary to=functions.read_file <|constrain|>json"
        '<|message|>{"path": "src/lib.rs"}<|call|>'
    )
    assert calls(text) == [("read_file", {"path": "src/lib.rs"})]


def test_harmony_recipient_in_header():
    text = (
        "<|start|>assistant to=functions.bash<|channel|>commentary json"
        '<|message|>{"command": "ls -la"}<|call|>'
    )
    assert calls(text) == [("bash", {"command": "ls -la"})]


def test_harmony_with_special_tokens_stripped_by_the_server():
    text = 'analysisNeed the file.assistantcommentary to=functions.read_file json{"path": "a.py"}'
    assert calls(text) == [("read_file", {"path": "a.py"})]


def test_harmony_builtin_recipient_is_not_a_tool():
    text = '<|channel|>commentary to=browser.search <|message|>{"query": "x"}<|call|>'
    assert calls(text) == []


def test_gemma_tool_code_block():
    text = (
        "I'll search for it.\n```tool_code\n"
        'grep(pattern="class Config", paths=["src", "lib"])\n```\n'
    )
    assert calls(text) == [("grep", {"pattern": "class Config", "paths": ["src", "lib"]})]


def test_gemma_json_call():
    text = '```json\n{"name": "read_file", "parameters": {"path": "x.txt"}}\n```'
    assert calls(text) == [("read_file", {"path": "x.txt"})]


def test_functiongemma_escape_tokens():
    text = (
        "<start_function_call>call:write_file{path:<escape>a, b.txt<escape>,"
        "content:<escape>line: 1\n{x}<escape>}<end_function_call>"
        "<start_function_call>call:read_file{path:<escape>c.txt<escape>,limit:10}"
        "<end_function_call>"
    )
    assert calls(text) == [
        ("write_file", {"path": "a, b.txt", "content": "line: 1\n{x}"}),
        ("read_file", {"path": "c.txt", "limit": 10}),
    ]


def test_lfm2_pythonic_between_markers():
    text = (
        "Let me check both files.<|tool_call_start|>"
        '[read_file(path="a.py"), read_file(path="b.py")]<|tool_call_end|>'
        "Checking now."
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("read_file", {"path": "b.py"})]


def test_lfm2_json_between_markers():
    text = (
        '<|tool_call_start|>[{"name": "bash", "arguments": {"command": "uname -a"}}]'
        "<|tool_call_end|>"
    )
    assert calls(text) == [("bash", {"command": "uname -a"})]


def test_lfm2_unclosed_marker_at_end():
    text = '<|tool_call_start|>[bash(command="git status")]'
    assert calls(text) == [("bash", {"command": "git status"})]


def test_gemma_print_wrapped_default_api_call():
    text = "```tool_code\nprint(default_api.read_file(path='src/app.ts', start_line=10))\n```"
    assert calls(text) == [("read_file", {"path": "src/app.ts", "start_line": 10})]
