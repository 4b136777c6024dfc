"""The OpenAI-compatible client against the fake server over real HTTP."""

from __future__ import annotations

import json
import socket

import pytest

from smallcode.errors import ModelRequestError, TransientError
from smallcode.llm.base import RequestOptions, collect, complete
from smallcode.llm.openai_compat import OpenAICompatProvider
from smallcode.types import Message, ToolCall
from tests.fakes.openai_server import FakeCall, FakeReply, script, text


def provider(srv) -> OpenAICompatProvider:  # type: ignore[no-untyped-def]
    return OpenAICompatProvider(srv.base_url, "fake-model", "sk-test", timeout=10)


def test_streaming_text_reasoning_and_usage(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                FakeReply(
                    content="Hello there, world!",
                    reasoning="thinking hard",
                    prompt_tokens=42,
                    completion_tokens=7,
                )
            ]
        )
    )
    seen: list[str] = []
    reply = collect(provider(srv).stream([Message("user", "hi")], None), on_text=seen.append)
    assert reply.content == "Hello there, world!"
    assert len(seen) > 2  # really streamed in pieces
    assert reply.reasoning == "thinking hard"
    assert reply.finish_reason == "stop"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (42, 7)


def test_parallel_tool_calls_with_split_arguments(fake_server) -> None:  # type: ignore[no-untyped-def]
    args_a = {"path": "a.py", "content": "print('a')\n" * 5}
    srv = fake_server(
        script(
            [
                FakeReply(
                    calls=[FakeCall("write_file", args_a), FakeCall("bash", {"command": "ls -la"})]
                )
            ]
        )
    )
    reply = collect(provider(srv).stream([Message("user", "go")], [{"type": "function"}]))
    assert reply.finish_reason == "tool_calls"
    assert [c.name for c in reply.tool_calls] == ["write_file", "bash"]
    assert json.loads(reply.tool_calls[0].raw_arguments) == args_a
    assert json.loads(reply.tool_calls[1].raw_arguments) == {"command": "ls -la"}
    assert [c.id for c in reply.tool_calls] == ["call_0", "call_1"]


def test_request_body_never_has_null_content(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("ok")]))
    history = [
        Message("system", "sys"),
        Message("user", "task"),
        Message("assistant", "", tool_calls=[ToolCall("bash", {"command": "ls"}, id="c1")]),
        Message("tool", "a.py", tool_call_id="c1", name="bash"),
    ]
    p = provider(srv)
    collect(p.stream(history, None, RequestOptions(temperature=0.1, max_tokens=100)))
    body = srv.requests[0]
    assert all(m["content"] is not None for m in body["messages"])
    assert body["messages"][2]["tool_calls"][0]["function"]["arguments"] == '{"command": "ls"}'
    assert body["messages"][3]["tool_call_id"] == "c1"
    assert body["stream"] is True and body["max_tokens"] == 100 and body["temperature"] == 0.1
    assert body["model"] == "fake-model"


def test_retry_after_500_and_cut_stream(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                FakeReply(fault="500"),
                FakeReply(content="partial text here", fault="cut"),
                text("recovered"),
            ]
        )
    )
    retries: list[int] = []
    reply = complete(
        provider(srv),
        [Message("user", "x")],
        None,
        max_retries=3,
        backoff_s=0.01,
        on_retry=lambda n, e, w: retries.append(n),
    )
    assert reply.content == "recovered"
    assert retries == [1, 2]
    assert len(srv.requests) == 3


def test_retries_are_bounded(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="500")]))
    with pytest.raises(TransientError, match="HTTP 500"):
        complete(provider(srv), [Message("user", "x")], None, max_retries=3, backoff_s=0.01)
    assert len(srv.requests) == 3


def test_4xx_is_not_retried(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="404")]))
    with pytest.raises(ModelRequestError, match=r"model 'fake-model' .*not found"):
        complete(provider(srv), [Message("user", "x")], None, max_retries=3, backoff_s=0.01)
    assert len(srv.requests) == 1
    srv2 = fake_server(script([FakeReply(fault="401")]))
    with pytest.raises(ModelRequestError, match="SMALLCODE_API_KEY"):
        complete(provider(srv2), [Message("user", "x")], None, backoff_s=0.01)


def test_connection_refused_is_transient() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = OpenAICompatProvider(f"http://127.0.0.1:{port}/v1", "m", timeout=5)
    with pytest.raises(TransientError, match=r"cannot reach .*connection refused"):
        complete(p, [Message("user", "x")], None, max_retries=2, backoff_s=0.01)


def test_non_streaming_server(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script([FakeReply(content="plain", calls=[FakeCall("bash", {"command": "x"})])])
    )
    p = provider(srv)
    body = p.build_body([Message("user", "x")], None, None)
    body["stream"] = False
    import httpx2

    data = httpx2.post(f"{srv.base_url}/chat/completions", json=body).json()
    reply = collect(p._from_json(data))
    assert reply.content == "plain" and reply.tool_calls[0].name == "bash"
