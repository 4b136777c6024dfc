"""Any text, however large or malformed: parsing returns, quickly, and never raises.

The bounds here are generous ceilings against catastrophic (quadratic or worse) behaviour,
not speed measurements: benchmarks/bench_parser.py measures speed.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcode.toolcalls import (
    extract_calls_with_reasoning,
    find_tool_calls,
    parse_tool_calls,
    recover_visible_answer,
    split_reasoning,
    strip_tool_call_text,
)
from smallcode.types import ToolCall

from .conftest import TOOLS

# Pieces of every notation, so random text hits the parsers' interesting paths.
FRAGMENTS = [
    "<tool_call>",
    "</tool_call>",
    "<function=",
    "<parameter=",
    "</parameter>",
    "</function>",
    "<arg_key>",
    "</arg_key>",
    "<arg_value>",
    "[TOOL_CALLS]",
    "[ARGS]",
    "<|python_tag|>",
    "<｜tool▁call▁begin｜>",
    "<｜tool▁sep｜>",
    "<|tool_call_start|>",
    "<|tool_call_end|>",
    "to=functions.",
    "<|message|>",
    "<|channel|>",
    "<|call|>",
    "```",
    "```json\n",
    "```tool_code\n",
    "```yaml\n",
    "```python\n",
    "<start_function_call>",
    "call:",
    "<escape>",
    "<|tool_call|>",
    "functools[",
    ">>>",
    '<invoke name="',
    '<parameter name="',
    "<read_file>",
    "</read_file>",
    "<path>",
    "Action: ",
    "Action Input: ",
    "tool: ",
    "args:\n  ",
    "<think>",
    "</think>",
    "read_file",
    "bash",
    "write_file",
    '"name": ',
    '"arguments": ',
    '{"name": "read_file", "arguments": {"path": "',
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    '"',
    "'",
    "\\",
    "\n",
    ":",
    ",",
    "`",
    "=",
    " ",
    "True",
    "null",
]
texty = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=120).map(
    "".join
)


def _check(text: str) -> None:
    result = parse_tool_calls(text, TOOLS)
    assert isinstance(result, list)
    names = {t["function"]["name"] for t in TOOLS}
    for call in result:
        assert isinstance(call, ToolCall)
        assert call.name in names
        assert isinstance(call.arguments, dict)
        assert all(isinstance(r, str) for r in call.repairs)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texty)
def test_fragment_soup_never_raises(text):
    _check(text)
    visible, reasoning = split_reasoning(text)
    assert isinstance(visible, str) and isinstance(reasoning, str)
    assert isinstance(recover_visible_answer(text, text), str)
    assert isinstance(extract_calls_with_reasoning(text, text, TOOLS), list)
    assert isinstance(strip_tool_call_text(text, TOOLS), str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_unicode_never_raises(text):
    _check(text)
    split_reasoning(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8)), max_size=4), texty)
def test_odd_tool_lists_never_raise(tools, text):
    parse_tool_calls(text, tools)  # type: ignore[arg-type]
    parse_tool_calls(text, [{"function": {"name": "read_file"}}, {"type": "x"}, None])  # type: ignore[list-item]


def test_non_string_input_returns_empty():
    for bad in (None, 5, b"<tool_call>", ["x"]):
        assert parse_tool_calls(bad, TOOLS) == []  # type: ignore[arg-type]


def test_spans_point_into_the_text():
    text = 'Intro.\n<tool_call>{"name": "bash", "arguments": {"command": "ls"}}</tool_call>\nEnd.'
    [found] = find_tool_calls(text, TOOLS)
    assert text[found.start : found.end].startswith("<tool_call>")
    assert found.format == "hermes"
    assert strip_tool_call_text(text, TOOLS) == "Intro.\n\nEnd."


PATHOLOGICAL = {
    "braces": "{" * 20000,
    "brackets": "[" * 20000,
    "brace-quotes": '{"' * 10000,
    "tool-call-tags": "<tool_call>" * 5000,
    "unclosed-json-calls": '<tool_call>{"name": "read_file", "arguments": {' * 2000,
    "name-anchors": '{"name": "read_file", ' * 3000,
    "open-parens-one-line": "read_file(" * 5000,
    "open-parens-lines": "read_file(\n" * 5000,
    "pythonic-lists": '[read_file(path="' * 3000,
    "cline-tags": "<read_file><path>" * 3000,
    "cline-one-closer": "<read_file>" * 5000 + "</read_file>",
    "qwen-xml": "<function=read_file><parameter=path>" * 3000,
    "invokes": '<invoke name="read_file">' * 3000,
    "harmony": "to=functions.read_file " * 3000,
    "mistral": "[TOOL_CALLS]read_file[ARGS]{" * 3000,
    "deepseek": "<｜tool▁call▁begin｜>" * 5000,
    "react": "Action: read_file\n" * 5000,
    "react-inputs": "Action: read_file\nAction Input: {" * 3000,
    "yaml": "tool: read_file\n" * 5000,
    "fences": '```json\n{"name": "read_file", "arguments": {\n' * 2000,
    "think-tags": "<think>\n" * 5000,
    "think-closers": "</think>" * 5000,
    "think-mentions": "a <think> b </think>" * 3000,
    "backticks": "`read_file`" * 5000,
    "functiongemma": "<start_function_call>call:read_file{" * 3000,
    "escapes": '"\\' * 20000,
    "functionary": ">>>read_file\n{" * 3000,
    "answer-tags": "<answer>" * 5000,
    "nested-quotes": "{'a': \"" * 8000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_is_linear_enough(name):
    text = PATHOLOGICAL[name]
    t = time.perf_counter()
    _check(text)
    split_reasoning(text)
    recover_visible_answer("", text)
    elapsed = time.perf_counter() - t
    # ~50 KB each; linear code takes milliseconds, quadratic code takes seconds
    assert elapsed < 2.0, f"{name}: {elapsed:.2f}s"


def test_large_random_text_is_bounded():
    import random

    rng = random.Random(7)
    text = "".join(rng.choice(FRAGMENTS) for _ in range(15000))  # ~80 KB
    t = time.perf_counter()
    _check(text)
    split_reasoning(text)
    assert time.perf_counter() - t < 5.0


WHITESPACE_RUNS = {
    "name-then-spaces": "<tool_call>read_file" + " " * 50000 + "x</tool_call>",
    "call-id-spaces": "[TOOL_CALLS]read_file[CALL_ID]" + " " * 50000 + "x",
    "action-spaces": "Action:" + " " * 50000 + "x" * 400,
    "fence-spaces": "```" + " " * 50000 + "`x",
    "yaml-spaces": "tool: read_file" + " " * 50000 + "x",
    "line-spaces": " " * 50000 + "read_file(x",
    "think-spaces": " " * 50000 + "<think",
    "anchor-spaces": '"name"' + " " * 50000 + ': "read_file"',
}


@pytest.mark.parametrize("name", sorted(WHITESPACE_RUNS))
def test_long_whitespace_runs_do_not_backtrack(name):
    text = WHITESPACE_RUNS[name]
    t = time.perf_counter()
    _check(text)
    split_reasoning(text)
    assert time.perf_counter() - t < 2.0
