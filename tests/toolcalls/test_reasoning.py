"""Thinking blocks, calls inside reasoning, and answer recovery."""

from __future__ import annotations

from smallcode.toolcalls import (
    extract_calls_with_reasoning,
    recover_visible_answer,
    split_reasoning,
)

from .conftest import TOOLS


def test_think_block_is_moved_apart():
    visible, reasoning = split_reasoning("<think>\nThe user wants X.\n</think>\n\nHere is X.")
    assert (visible, reasoning) == ("Here is X.", "The user wants X.")


def test_thinking_and_reasoning_tags_and_magistral():
    assert split_reasoning("<thinking>a</thinking>b") == ("b", "a")
    assert split_reasoning("<reasoning>a</reasoning>\nb") == ("b", "a")
    assert split_reasoning("[THINK]a[/THINK]b") == ("b", "a")


def test_unclosed_think_at_start_is_all_reasoning():
    assert split_reasoning("<think>\nStill working out the plan") == (
        "",
        "Still working out the plan",
    )


def test_lone_closing_tag_from_a_template_opened_block():
    # Qwen3 / DeepSeek-R1 templates open <think> in the prompt
    assert split_reasoning("Let me think about it.\n</think>\n\nThe answer is 4.") == (
        "The answer is 4.",
        "Let me think about it.",
    )


def test_think_mentioned_mid_line_is_left_alone():
    text = 'Use a regex like "<think>(.*?)</think>" to strip them.'
    assert split_reasoning(text) == (text, "")


def test_harmony_channels():
    text = (
        "<|start|>assistant<|channel|>analysis<|message|>User asks 2+2.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>4<|return|>"
    )
    assert split_reasoning(text) == ("4", "User asks 2+2.")


def test_harmony_call_stays_visible_for_the_parser():
    text = (
        "<|channel|>analysis<|message|>Need file.<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.read_file <|constrain|>json<|message|>{"path": "a"}<|call|>'
    )
    visible, reasoning = split_reasoning(text)
    assert reasoning == "Need file."
    assert "to=functions.read_file" in visible
    assert "Need file." not in visible
    assert extract_calls_with_reasoning(text, "", TOOLS)[0].arguments == {"path": "a"}


def test_call_after_reasoning_wins():
    content = (
        '<think>Maybe {"name": "read_file", "arguments": {"path": "old.py"}}? No.</think>\n'
        '<tool_call>{"name": "read_file", "arguments": {"path": "new.py"}}</tool_call>'
    )
    calls = extract_calls_with_reasoning(content, "", TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("read_file", {"path": "new.py"})]
    assert calls[0].repairs == []


def test_only_call_inside_reasoning_is_used():
    reasoning = (
        "I need to see the file first.\n"
        '<tool_call>{"name": "read_file", "arguments": {"path": "a.py"}}</tool_call>'
    )
    calls = extract_calls_with_reasoning("", reasoning, TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("read_file", {"path": "a.py"})]
    assert "call taken from the model's reasoning" in calls[0].repairs


def test_inline_think_with_the_only_call_inside():
    content = '<think>\nRun the tests.\n[TOOL_CALLS]bash[ARGS]{"command": "pytest"}\n</think>'
    calls = extract_calls_with_reasoning(content, "", TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("bash", {"command": "pytest"})]


def test_reasoning_drafts_last_group_wins():
    reasoning = (
        '{"name": "read_file", "arguments": {"path": "draft.py"}}\n'
        "Hmm, wrong file. Better both of these:\n"
        '{"name": "read_file", "arguments": {"path": "a.py"}}\n'
        '{"name": "read_file", "arguments": {"path": "b.py"}}'
    )
    calls = extract_calls_with_reasoning("", reasoning, TOOLS)
    assert [c.arguments["path"] for c in calls] == ["a.py", "b.py"]


def test_no_call_anywhere():
    assert extract_calls_with_reasoning("<think>hmm</think>Done.", "thinking", TOOLS) == []


def test_recover_visible_answer_prefers_content():
    assert recover_visible_answer("<think>x</think>The answer.", "long reasoning") == "The answer."


def test_recover_last_paragraph_of_reasoning():
    reasoning = (
        "The user asks for the capital of France.\n\nI recall it is Paris. Let me double check: "
        "yes.\n\nThe capital of France is Paris."
    )
    assert recover_visible_answer("", reasoning) == "The capital of France is Paris."


def test_recover_explicit_final_answer_marker():
    reasoning = "Step 1: 2+2.\nStep 2: that is 4.\n\n**Final Answer:** 4\n"
    assert recover_visible_answer("", reasoning) == "4"


def test_recover_answer_tag_and_markers_stripped():
    assert recover_visible_answer("", "<think>blah</think>") == "blah"
    assert recover_visible_answer("", "thinking...\n<answer>42</answer>") == "42"


def test_recover_keeps_a_code_block_with_its_intro():
    reasoning = (
        "The user wants a function.\n\nHere is the function:\n\n"
        "```python\ndef add(a, b):\n\n    return a + b\n```"
    )
    assert recover_visible_answer("", reasoning) == (
        "Here is the function:\n\n```python\ndef add(a, b):\n\n    return a + b\n```"
    )


def test_recover_nothing():
    assert recover_visible_answer("", "") == ""
    assert recover_visible_answer("  ", "") == ""


def test_call_drafted_in_reasoning_is_not_run_when_the_reply_is_an_answer():
    reasoning = 'Maybe run {"name": "bash", "arguments": {"command": "rm -rf build"}}. No need.'
    answer = "The build folder is generated by `make`; " + "here is why it is safe. " * 40
    assert extract_calls_with_reasoning(answer, reasoning, TOOLS) == []
    # with a short visible reply (an announcement), the call is used
    assert len(extract_calls_with_reasoning("Cleaning up.", reasoning, TOOLS)) == 1
