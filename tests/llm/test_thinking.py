"""Thinking budget: server controls per model family and the stream watch."""

from __future__ import annotations

import pytest

from smallcode.config import Settings
from smallcode.llm.thinking import (
    NUDGE,
    ThinkingBudget,
    can_disable_thinking,
    effort_for_budget,
    retry_after_budget,
    thinking_extra_body,
)
from smallcode.types import Finish, ReasoningDelta, TextDelta, ToolCallDelta


@pytest.mark.parametrize(
    ("model", "provider", "disable", "expected"),
    [
        ("qwen3-8b", "llamacpp", True, {"chat_template_kwargs": {"enable_thinking": False}}),
        ("Qwen/Qwen3-14B-AWQ", "vllm", True, {"chat_template_kwargs": {"enable_thinking": False}}),
        ("qwen3:8b", "ollama", True, {"think": False}),
        ("qwen3-8b", "llamacpp", False, {}),
        ("qwen3-coder-30b-a3b-instruct", "lmstudio", True, {}),  # no thinking mode
        ("Qwen3-4B-Instruct-2507", "vllm", True, {}),
        ("deepseek-r1-distill-qwen-7b", "llamacpp", True, {}),  # R1 has no switch
        ("deepseek-r1:8b", "ollama", True, {"think": False}),
        ("deepseek-v3.1", "vllm", True, {"chat_template_kwargs": {"thinking": False}}),
        ("glm-4.5-air", "vllm", True, {"chat_template_kwargs": {"enable_thinking": False}}),
        ("gpt-oss-20b", "vllm", False, {"reasoning_effort": "low"}),
        ("gpt-oss-20b", "vllm", True, {"reasoning_effort": "low"}),
        (
            "openai/gpt-oss-20b",
            "llamacpp",
            False,
            {"reasoning_effort": "low", "chat_template_kwargs": {"reasoning_effort": "low"}},
        ),
        ("gpt-oss:20b", "ollama", False, {"think": "low"}),
        ("gpt-oss-20b", "openrouter", False, {"reasoning": {"effort": "low"}}),
        ("llama-3.1-8b-instruct", "llamacpp", True, {}),  # nothing to control
        ("qwen3-8b", "anthropic", True, {}),
        ("qwen3-8b", "embedded", True, {}),
    ],
)
def test_thinking_extra_body(model, provider, disable, expected):
    assert thinking_extra_body(model, provider, 2000, disable) == expected


def test_effort_follows_the_budget():
    assert [effort_for_budget(b) for b in (500, 2000, 5000, 20000, 0)] == [
        "low",
        "low",
        "medium",
        "high",
        "high",
    ]
    assert thinking_extra_body("gpt-oss-120b", "vllm", 6000, False) == {
        "reasoning_effort": "medium"
    }
    assert thinking_extra_body("gpt-oss-120b", "vllm", 0, False) == {}  # no limit: server default


def test_retry_after_budget():
    retry = retry_after_budget("qwen3-8b", "llamacpp", 2000)
    assert retry.nudge is None
    assert retry.extra_body == {"chat_template_kwargs": {"enable_thinking": False}}
    retry = retry_after_budget("deepseek-r1-distill-llama-8b", "llamacpp", 2000)
    assert retry.nudge == NUDGE
    assert retry.extra_body == {}
    assert can_disable_thinking("qwen3-8b", "ollama")
    assert not can_disable_thinking("gpt-oss-20b", "vllm")


def test_budget_counts_reasoning_deltas():
    budget = ThinkingBudget(10)  # tokens, about 40 characters
    budget.observe(ReasoningDelta("x" * 40))
    assert budget.tokens == 10 and not budget.exceeded
    budget.observe(ReasoningDelta("y" * 4))
    assert budget.exceeded and budget.should_stop()
    budget.observe(ToolCallDelta(index=0, name="bash"))
    budget.observe(Finish())
    assert budget.tokens == 11


def test_budget_counts_inline_think_tags_split_across_deltas():
    budget = ThinkingBudget(1000)
    for piece in ["Hi <th", "ink>", "a" * 20, "b" * 20, "</thi", "nk>", "visible text " * 10]:
        budget.observe(TextDelta(piece))
    assert 40 <= budget.chars <= 45  # only the thinking, not the visible text
    assert not budget.inside
    budget.observe(TextDelta("<think>" + "c" * 8))
    assert budget.inside
    assert 48 <= budget.chars <= 53


def test_budget_template_opened_block_and_unlimited():
    budget = ThinkingBudget(2, inside=True)
    budget.feed_content("abcdefghijkl</think>answer")
    assert budget.chars == 12 and budget.exceeded and not budget.inside
    unlimited = ThinkingBudget(0)
    unlimited.feed("z" * 100000)
    assert not unlimited.exceeded
    unlimited.reset()
    assert unlimited.chars == 0


def test_settings_fields(tmp_path):
    s = Settings.load(tmp_path, environ={})
    assert (s.thinking_budget, s.thinking_disable) == (2000, False)
    s = Settings.load(
        tmp_path,
        environ={"SMALLCODE_THINKING_BUDGET": "500", "SMALLCODE_THINKING_DISABLE": "true"},
    )
    assert (s.thinking_budget, s.thinking_disable) == (500, True)
