"""AnthropicProvider against a fake Messages API over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from smallcode.errors import ModelRequestError, TransientError
from smallcode.llm.anthropic import AnthropicProvider, to_anthropic
from smallcode.llm.base import collect, complete
from smallcode.types import Message, ToolCall
from tests.fakes.anthropic_server import FakeAnthropic

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file.",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
        },
    }
]


@pytest.fixture
def fake():
    with FakeAnthropic() as f:
        yield f


def make(fake: FakeAnthropic, **kw) -> AnthropicProvider:
    kw.setdefault("api_key", fake.api_key)
    return AnthropicProvider(kw.pop("model", "claude-sonnet-4-5"), base_url=fake.url, **kw)


def test_text_stream_usage_and_system(fake):
    fake.script.append({"content": "Hello there, friend", "thinking": "hmm"})
    texts: list[str] = []
    msgs = [Message("system", "Be brief."), Message("user", "hi")]
    reply = collect(make(fake).stream(msgs, None), on_text=texts.append)
    assert reply.content == "Hello there, friend"
    assert reply.reasoning == "hmm"
    assert len(texts) > 1
    assert reply.finish_reason == "stop"
    assert reply.usage.prompt_tokens == 30 and reply.usage.cached_tokens == 5
    assert reply.usage.completion_tokens == 12
    sent = fake.requests[0]
    assert sent["system"] == "Be brief."
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def test_tool_round_trip(fake):
    fake.script.append({"tool_calls": [{"name": "read_file", "arguments": {"path": "a.py"}}]})
    fake.script.append({"content": "It is empty."})
    p = make(fake)
    reply = collect(p.stream([Message("user", "read a.py")], TOOLS))
    assert reply.finish_reason == "tool_calls"
    call = reply.tool_calls[0]
    assert call.name == "read_file" and call.id == "toolu_0"
    assert json.loads(call.raw_arguments) == {"path": "a.py"}
    assert fake.requests[0]["tools"][0]["input_schema"]["properties"] == {
        "path": {"type": "string"}
    }
    history = [
        Message("user", "read a.py"),
        Message("assistant", "", tool_calls=[ToolCall("read_file", {"path": "a.py"}, id=call.id)]),
        Message("tool", "", tool_call_id=call.id, name="read_file"),
        Message("system", "note: be careful"),
    ]
    reply2 = collect(p.stream(history, TOOLS))
    assert reply2.content == "It is empty."  # the fake accepted the converted history


def test_history_conversion_merges_roles():
    system, msgs = to_anthropic(
        [
            Message("system", "S"),
            Message("assistant", "hello"),
            Message("user", "a"),
            Message("user", "b"),
        ]
    )
    assert system == "S"
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert len(msgs[2]["content"]) == 2


def test_bad_key_is_a_clear_line(fake):
    p = make(fake, api_key="sk-wrong-key-000000")
    with pytest.raises(ModelRequestError) as err:
        collect(p.stream([Message("user", "hi")], None))
    text = str(err.value)
    assert "401" in text and "SMALLCODE_API_KEY" in text
    assert "sk-wrong-key-000000" not in text


def test_missing_key_refused_before_sending(fake):
    with pytest.raises(ModelRequestError, match="no Anthropic API key"):
        collect(make(fake, api_key="").stream([Message("user", "hi")], None))
    assert fake.requests == []


def test_unknown_model(fake):
    with pytest.raises(ModelRequestError, match="model 'claude-9' not found"):
        collect(make(fake, model="claude-9").stream([Message("user", "hi")], None))


def test_overloaded_is_retried_then_reported(fake):
    fake.script += [{"status": 529, "error_type": "overloaded_error", "message": "Overloaded"}] * 2
    with pytest.raises(TransientError, match="Overloaded"):
        complete(make(fake), [Message("user", "hi")], None, max_retries=2, backoff_s=0.01)
    assert len(fake.requests) == 2  # one try + one retry


def test_overloaded_then_ok(fake):
    fake.script += [{"status": 529, "error_type": "overloaded_error", "message": "Overloaded"}]
    reply = complete(make(fake), [Message("user", "hi")], None, max_retries=2, backoff_s=0.01)
    assert reply.content == "echo: hi"


def test_error_event_mid_stream(fake):
    fake.script.append({"content": "part", "stream_error": "Overloaded"})
    with pytest.raises(TransientError, match="overloaded_error"):
        collect(make(fake).stream([Message("user", "hi")], None))


def test_max_tokens_maps_to_length(fake):
    fake.script.append({"content": "cut", "stop_reason": "max_tokens"})
    assert collect(make(fake).stream([Message("user", "hi")], None)).finish_reason == "length"
