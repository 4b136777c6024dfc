from __future__ import annotations

import time

from smallcode.toolcalls import unknown_tool_names

TOOLS = [
    {
        "type": "function",
        "function": {"name": n, "parameters": {"type": "object", "properties": {}}},
    }
    for n in ("read_file", "write_file", "bash")
]


def test_invented_tools_are_named() -> None:
    text = '```json\n{\n  "name": "create_hello.py",\n  "arguments": {"path": "hello.py"}\n}\n```'
    assert unknown_tool_names(text, TOOLS) == ["create_hello.py"]
    assert unknown_tool_names("<tool_call><function=deploy>\n</function></tool_call>", TOOLS) == [
        "deploy"
    ]
    assert unknown_tool_names('<invoke name="web_search"></invoke>', TOOLS) == ["web_search"]


def test_known_and_loosely_known_names_are_not_unknown() -> None:
    text = '{"name": "read_file", "arguments": {}} {"name": "readFile", "arguments": {}}'
    assert unknown_tool_names(text, TOOLS) == []


def test_prose_and_data_are_not_calls() -> None:
    assert unknown_tool_names("I will create the file now.", TOOLS) == []
    assert unknown_tool_names('{"name": "Alice", "age": 3}', TOOLS) == []


def test_linear_on_hostile_input() -> None:
    text = '{"name": "' * 20000
    t = time.perf_counter()
    assert unknown_tool_names(text, TOOLS) == []
    assert time.perf_counter() - t < 1.0
