"""Code inside JSON strings: broken JSON is read without losing text, or the call is refused.

The bug: a write_file call whose content held unescaped docstrings was repaired into
``"content": ""`` (the code became unknown argument names) and an empty file was written.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcode.toolcalls import parse_tool_calls, repair_native_call
from smallcode.toolcalls.cli import main as parse_tools_main
from smallcode.types import ToolCall

from .conftest import TOOLS

STACK = (
    'class Stack:\n    """A simple stack."""\n    def __init__(self):\n        self.items = []\n'
)
HEAD = '{"name": "write_file", "arguments": {"path": "stack.py", "content": '


def _esc(code: str) -> str:
    """Backslashes and newlines escaped, quotes left raw (what small models write)."""
    return code.replace("\\", "\\\\").replace("\n", "\\n")


# (JSON the model wrote, the content it meant)
VARIANTS = {
    "issue: triple quotes around code with docstrings": (
        HEAD + '"""' + STACK + '"""}}',
        STACK,
    ),
    "escaped newlines, raw triple-quoted docstring": (HEAD + '"' + _esc(STACK) + '"}}', STACK),
    "python triple single quotes": (HEAD + "'''" + STACK + "'''}}", STACK),
    "raw newlines and quotes in a normal string": (
        HEAD + '"def main():\n    print("hi")\n"}}',
        'def main():\n    print("hi")\n',
    ),
    "unescaped quotes, escaped newlines": (
        HEAD + '"def main():\\n    print("hi", "there")\\n"}}',
        'def main():\n    print("hi", "there")\n',
    ),
    "closing quote missing before the braces": (
        HEAD + '"def main():\\n    print(\\"hi\\")\\n}}',
        'def main():\n    print("hi")\n',
    ),
    "a dict in the code with the tool's own key names": (
        HEAD + '"cfg = {"name": "app", "path": "/x"}\\nprint(cfg)\\n"}}',
        'cfg = {"name": "app", "path": "/x"}\nprint(cfg)\n',
    ),
    "a dict in the code with another key name": (
        HEAD + '"user = {"email": "a@b", "name": "Bob"}\\nprint(user)\\n"}}',
        'user = {"email": "a@b", "name": "Bob"}\nprint(user)\n',
    ),
    "nested braces closing right after a quote": (
        HEAD + '"d = {"a": {"b": "c"}}\\nprint(d)\\n"}}',
        'd = {"a": {"b": "c"}}\nprint(d)\n',
    ),
    "quote-brace-brace inside the code": (
        HEAD + '"print("}}")\\nx = 1\\n"}}',
        'print("}}")\nx = 1\n',
    ),
    "a JSON file as content": (
        '{"name": "write_file", "arguments": {"path": "p.json", "content": '
        '"{"name": "x", "deps": {"a": "1"}}"}}',
        '{"name": "x", "deps": {"a": "1"}}',
    ),
    "quotes of both kinds side by side": (
        HEAD + '"q = \'"\'\\nr = "\'"\\n"}}',
        "q = '\"'\nr = \"'\"\n",
    ),
    "regex and windows path backslashes": (
        HEAD + '"import re\\nx = re.compile(r"\\\\d+")\\np = "C:\\\\\\\\temp"\\n"}}',
        'import re\nx = re.compile(r"\\d+")\np = "C:\\\\temp"\n',
    ),
    "module docstring first": (
        HEAD + '""""Stack module."""\\nclass Stack:\\n    pass\\n"}}',
        '"""Stack module."""\nclass Stack:\n    pass\n',
    ),
    "arguments before the name": (
        '{"arguments": {"path": "stack.py", "content": "print("a")\\n"}, "name": "write_file"}',
        'print("a")\n',
    ),
}

WRAPPERS = {
    "bare": lambda s: s,
    "prose": lambda s: "I'll write the file now.\n" + s + "\nThat creates it.",
    "fence": lambda s: "```json\n" + s + "\n```",
    "tags": lambda s: "<tool_call>\n" + s + "\n</tool_call>",
}


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_content_is_kept_exactly(variant, wrapper):
    raw, content = VARIANTS[variant]
    calls = parse_tool_calls(WRAPPERS[wrapper](raw), TOOLS)
    assert len(calls) == 1
    call = calls[0]
    assert call.name == "write_file"
    assert not call.error
    assert call.arguments["content"] == content
    assert call.arguments["path"] in ("stack.py", "p.json")


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_more_keys_after_the_content(wrapper):
    raw = HEAD + '"def main():\\n    print("hi")\\n", "mode": "w"}}'
    (call,) = parse_tool_calls(WRAPPERS[wrapper](raw), TOOLS)
    assert call.arguments == {"path": "stack.py", "content": 'def main():\n    print("hi")\n'}
    assert "dropped unknown argument 'mode'" in call.repairs


def test_two_broken_calls_stay_two():
    text = (
        '{"name": "write_file", "arguments": {"path": "a.py", "content": "print("a")\\n"}}\n'
        '{"name": "write_file", "arguments": {"path": "b.py", "content": "print("b")\\n"}}'
    )
    calls = parse_tool_calls(text, TOOLS)
    assert [(c.arguments["path"], c.arguments["content"]) for c in calls] == [
        ("a.py", 'print("a")\n'),
        ("b.py", 'print("b")\n'),
    ]


def test_other_tools_keep_their_quotes():
    (call,) = parse_tool_calls('{"name": "bash", "arguments": {"command": "echo "hi" > a"}}', TOOLS)
    assert call.arguments == {"command": 'echo "hi" > a'}


def test_general_repair_still_used_for_other_breakage():
    (call,) = parse_tool_calls(
        '{"name": "write_file", "arguments": {"path": "a.py" "content": "x = 1"}}', TOOLS
    )
    assert call.arguments == {"path": "a.py", "content": "x = 1"}
    assert not call.error


# ---------------------------------------------------------------------- refusing


UNREADABLE = (
    '{"name": "write_file", "arguments": {"path": "stack.py", "content": class Stack:\n'
    '    """A simple stack."""\n'
    "    def push(self, x):\n"
    "        self.items.append(x)\n"
    "}}"
)


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_content_that_cannot_be_read_is_refused_not_emptied(wrapper):
    (call,) = parse_tool_calls(WRAPPERS[wrapper](UNREADABLE), TOOLS)
    assert call.error.startswith("write_file: the content argument could not be read")
    assert "escaped" in call.error
    assert "content" not in call.arguments  # even a caller ignoring error cannot write ""
    assert call.arguments == {"path": "stack.py"}
    assert call.repairs[-1] == "refused: " + call.error


def test_faithful_readings_carry_no_error():
    (call,) = parse_tool_calls(HEAD + '"x = 1"}}', TOOLS)
    assert call.error == "" and call.repairs == []


# ---------------------------------------------------------------------- native calls


def test_native_arguments_with_docstrings_are_kept():
    raw = '{"path": "stack.py", "content": "' + _esc(STACK) + '"}'
    fixed = repair_native_call(ToolCall("write_file", raw_arguments=raw), TOOLS)
    assert fixed is not None and not fixed.error
    assert fixed.arguments == {"path": "stack.py", "content": STACK}


def test_native_arguments_that_cannot_be_read_are_refused():
    raw = UNREADABLE[UNREADABLE.index('{"path"') : -1]
    fixed = repair_native_call(ToolCall("write_file", id="c1", raw_arguments=raw), TOOLS)
    assert fixed is not None
    assert fixed.error.startswith("write_file: the content argument could not be read")
    assert fixed.arguments == {"path": "stack.py"} and fixed.id == "c1"


# ---------------------------------------------------------------------- parse-tools


def test_parse_tools_cli_reproduction(tmp_path, capsys):
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(TOOLS))
    reply = tmp_path / "reply.txt"
    reply.write_text(VARIANTS["issue: triple quotes around code with docstrings"][0])
    assert parse_tools_main(["--tools", str(schemas), str(reply)]) == 0
    (out,) = json.loads(capsys.readouterr().out)
    assert out["arguments"]["content"] == STACK and "error" not in out
    reply.write_text(UNREADABLE)
    assert parse_tools_main(["--tools", str(schemas), str(reply)]) == 0
    (out,) = json.loads(capsys.readouterr().out)
    assert out["error"].startswith("write_file: the content argument")


# ---------------------------------------------------------------------- property

_LINES = [
    'print("hi")',
    '    """A docstring."""',
    "    '''Another.'''",
    "x = 'a'",
    's = "it\'s"',
    'd = {"a": 1}',
    'print(f"{x}")',
    'return {"k": "v"}',
    '# say "quoted"',
    'a, b = "x", "y"',
    'def f(x: str = "a", y: int = 0):',
    "    pass",
    'cfg = {"name": "app", "path": "/x"}',
    "q = '\"'",
    'json.dumps({"a": [1, 2]})',
    "if x: {}",
    "}",
    "]",
    'print("}}")',
    'x = ["a", "b"]',
    "class A:",
    "self.items = []",
    '""',
    "''",
]
_BACKSLASH_LINES = ['r"\\d+"', 'p = "C:\\\\temp"', 'print("a\\nb")', "re.compile(r'\\s')"]


def _wrap(mode: str, code: str) -> str:
    head = '{"name": "write_file", "arguments": {"path": "a.py", "content": '
    if mode == "raw":  # nothing escaped
        return head + '"' + code + '"}}'
    if mode == "newlines":  # backslashes and newlines escaped, quotes not
        return head + '"' + _esc(code) + '"}}'
    if mode == "triple":
        return head + '"""' + code + '"""}}'
    if mode == "single-triple":
        return head + "'''" + code + "'''}}"
    return head + '"' + _esc(code) + '", "mode": "w"}}'  # "more-keys"


@st.composite
def _badly_wrapped(draw):
    mode = draw(st.sampled_from(["raw", "newlines", "triple", "single-triple", "more-keys"]))
    pool = _LINES if mode == "raw" else _LINES + _BACKSLASH_LINES
    if mode == "triple":
        pool = [x for x in pool if '"""' not in x]
    if mode == "single-triple":
        pool = [x for x in pool if "'''" not in x]
    lines = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=8))
    code = "\n".join(["import os", *lines, "x = 1"]) + draw(st.sampled_from(["", "\n"]))
    wrapper = draw(st.sampled_from(sorted(WRAPPERS)))
    return WRAPPERS[wrapper](_wrap(mode, code)), code


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_badly_wrapped())
def test_badly_wrapped_code_is_never_silently_changed(case):
    text, code = case
    calls = parse_tool_calls(text, TOOLS)
    assert len(calls) == 1
    call = calls[0]
    # the exact code, or a refusal the model can act on: never a shorter or altered file
    if call.error:
        assert "content" not in call.arguments
    else:
        assert call.arguments["content"] == code
