"""Thinking budgets for GPT-5 and the o-series (hidden reasoning), reasoning tokens in usage,
and a thinking-budget retry counted as two requests."""

from __future__ import annotations

from typing import Any

import pytest

from smallcode import SmallCode
from smallcode.llm.base import RequestOptions
from smallcode.llm.openai_compat import OpenAICompatProvider, parse_usage
from smallcode.llm.profile import detect_profile
from smallcode.llm.thinking import (
    can_disable_thinking,
    retry_after_budget,
    thinking_extra_body,
    thinking_family,
)
from smallcode.types import Message
from tests.fakes.openai_server import FakeReply, script, text


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gpt-5", "openai-reasoning"),
        ("gpt-5-mini", "openai-reasoning"),
        ("openai/gpt-5.1", "openai-reasoning"),
        ("o3", "openai-reasoning"),
        ("o4-mini", "openai-reasoning"),
        ("o1-mini", "openai-reasoning"),
        ("gpt-5-chat-latest", ""),  # the chat model does not reason
        ("gpt-4o", ""),
        ("gpt-4.1-mini", ""),
        ("gpt-oss-20b", "gpt-oss"),
    ],
)
def test_family(model, family):
    assert thinking_family(model) == family


def test_gpt5_and_o_series_get_effort_and_max_completion_tokens():
    body = thinking_extra_body("gpt-5", "openai", 2000, False, max_tokens=1024)
    assert body == {
        "reasoning_effort": "low",
        "max_completion_tokens": 1024 + 2000,
        "max_tokens": None,
        "temperature": None,
    }
    assert thinking_extra_body("o3", "openai", 6000, False, 1024)["reasoning_effort"] == "medium"
    assert thinking_extra_body("gpt-5", "openai", 2000, True, 1024)["reasoning_effort"] == "minimal"
    assert thinking_extra_body("o4-mini", "openai", 2000, True, 1024)["reasoning_effort"] == "low"
    assert thinking_extra_body("gpt-5", "openrouter", 9000, False) == {
        "reasoning": {"effort": "high"}
    }
    # no limit: the server's own default effort, and no output cap
    assert thinking_extra_body("gpt-5", "openai", 0, False, 1024) == {
        "max_tokens": None,
        "temperature": None,
    }
    assert thinking_extra_body("gpt-5", "lmstudio", 2000, False, 1024) == {}
    assert can_disable_thinking("gpt-5", "openai")
    assert retry_after_budget("gpt-5", "openai", 2000, 512).extra_body["reasoning_effort"] == (
        "minimal"
    )


def test_request_body_replaces_max_tokens_and_drops_temperature():
    p = OpenAICompatProvider("http://127.0.0.1:1/v1", "o3")
    extra = thinking_extra_body("o3", "openai", 2000, False, max_tokens=800)
    body = p.build_body(
        [Message("user", "hi")],
        None,
        RequestOptions(temperature=0.2, max_tokens=800, extra_body=extra),
    )
    p.close()
    assert "max_tokens" not in body and "temperature" not in body
    assert body["max_completion_tokens"] == 2800 and body["reasoning_effort"] == "low"


def test_reasoning_tokens_in_usage():
    usage = parse_usage(
        {
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": 900,
                "completion_tokens_details": {"reasoning_tokens": 768},
            }
        }
    )
    assert usage is not None and usage.reasoning_tokens == 768
    assert usage.to_dict()["reasoning_tokens"] == 768


def test_gpt5_session_sends_openai_reasoning_fields(project, fake_server):
    srv = fake_server(script([text("4")]))
    with SmallCode(
        model="gpt-5-mini", base_url=srv.base_url, provider="openai", api_key="k", cwd=project
    ) as sc:
        sc.run("what is 2+2?")
    body = srv.requests[0]
    assert body["reasoning_effort"] == "low" and "max_completion_tokens" in body
    assert "max_tokens" not in body and "temperature" not in body


def test_budget_retry_counts_both_requests(project, fake_server):
    long = "Let me think about this very carefully. " * 40

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        if n == 0:
            return FakeReply(reasoning=long, content="late", prompt_tokens=500)
        return text("The answer is 4.", prompt_tokens=600)

    srv = fake_server(policy)
    with SmallCode(model="qwen3-8b", base_url=srv.base_url, cwd=project, thinking_budget=50) as sc:
        result = sc.run("what is 2+2?")
        requests_seen = sc.agent.context.requests
    assert result.response == "The answer is 4." and len(srv.requests) == 2
    assert result.requests == 2 and requests_seen == 2
    # the cut request counts too: its stream was closed before the server's usage came, so
    # it is estimated (its prompt, and the reasoning that streamed up to the 50-token budget)
    assert result.usage.estimated
    assert result.usage.prompt_tokens > 600 and result.usage.completion_tokens > 10 + 50


def test_profile_of_a_model():
    p = detect_profile("qwen2.5-coder-7b-instruct")
    assert (p.family, p.size_class) == ("Qwen2.5-Coder", "small (4-13B)")
    assert detect_profile("Qwen3-30B-A3B").thinking.startswith("switchable")
    assert detect_profile("gpt-5-mini").thinking.startswith("hidden reasoning")
    assert detect_profile("qwen2.5-coder-0.5b").size_class == "tiny (<4B)"
    assert detect_profile("mystery").family == "unknown"
