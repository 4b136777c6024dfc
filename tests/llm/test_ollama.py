"""OllamaProvider against a fake Ollama server over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from smallcode.errors import ModelRequestError, TransientError
from smallcode.llm.base import RequestOptions, collect, complete
from smallcode.llm.ollama import OllamaProvider, choose_num_ctx, is_truncated
from smallcode.types import Message, ToolCall
from tests.fakes.ollama_server import FakeOllama

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "write_file",
            "description": "Write a file.",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
                "required": ["path", "content"],
            },
        },
    }
]


@pytest.fixture
def fake():
    f = FakeOllama()
    f.add_model("qwen2.5-coder:7b", context_length=32768)
    with f:
        yield f


def provider(fake: FakeOllama, model: str = "qwen2.5-coder:7b", **kw) -> OllamaProvider:
    return OllamaProvider(fake.url, model, **kw)


def test_streams_text_and_usage(fake):
    fake.script.append({"content": "Hello from the fake model"})
    p = provider(fake)
    texts: list[str] = []
    reply = collect(p.stream([Message("user", "hi")], None), on_text=texts.append)
    assert reply.content == "Hello from the fake model"
    assert len(texts) > 1  # really streamed in pieces
    assert reply.finish_reason == "stop"
    assert reply.usage.completion_tokens == 7
    assert reply.usage.prompt_tokens > 0
    body = fake.requests[0]
    assert body["stream"] is True
    assert body["keep_alive"] == "30m"
    assert body["options"]["num_ctx"] == 32768
    assert p.truncation is None


def test_tool_calls_and_history_shape(fake):
    fake.script.append(
        {"tool_calls": [{"name": "write_file", "arguments": {"path": "a.txt", "content": "x"}}]}
    )
    fake.script.append({"content": "done"})
    p = provider(fake)
    reply = collect(p.stream([Message("user", "make a.txt")], TOOLS))
    assert reply.finish_reason == "tool_calls"
    assert [c.name for c in reply.tool_calls] == ["write_file"]
    assert json.loads(reply.tool_calls[0].raw_arguments) == {"path": "a.txt", "content": "x"}
    history = [
        Message("user", "make a.txt"),
        Message(
            "assistant",
            "",
            tool_calls=[ToolCall("write_file", {"path": "a.txt", "content": "x"}, id="call_0")],
        ),
        Message("tool", "wrote a.txt", tool_call_id="call_0", name="write_file"),
    ]
    collect(p.stream(history, TOOLS))
    sent = fake.requests[1]["messages"]
    assert sent[1]["tool_calls"] == [
        {"function": {"name": "write_file", "arguments": {"path": "a.txt", "content": "x"}}}
    ]
    assert sent[2] == {"role": "tool", "content": "wrote a.txt", "tool_name": "write_file"}
    assert fake.requests[0]["tools"] == TOOLS


def test_thinking_is_reasoning(fake):
    fake.script.append({"thinking": "let me think", "content": "42"})
    reply = collect(provider(fake).stream([Message("user", "q")], None))
    assert reply.reasoning == "let me think"
    assert reply.content == "42"


def test_num_ctx_identical_across_a_session(fake):
    """A changing num_ctx reloads the model in Ollama: every request must carry the same one."""
    p = provider(fake)
    history = [Message("system", "You are terse."), Message("user", "one")]
    for i in range(5):
        opts = RequestOptions(
            temperature=0.1 * i,
            max_tokens=100 + i,
            extra_body={"options": {"num_ctx": 999 + i, "top_k": 20}},
        )
        reply = collect(p.stream(history, TOOLS if i % 2 else None, opts))
        history += [Message("assistant", reply.content), Message("user", f"more {i}" * (50 * i))]
    sizes = {r["options"]["num_ctx"] for r in fake.requests}
    assert sizes == {32768}
    assert fake.reloads == 0
    assert p.context_window() == 32768
    assert fake.requests[0]["options"]["top_k"] == 20
    assert fake.requests[1]["options"]["num_predict"] == 101


def test_num_ctx_from_user_setting_capped_by_trained(fake):
    fake.add_model("small", context_length=8192)
    assert provider(fake, "small", context_window=4096).num_ctx == 4096
    assert provider(fake, "small", context_window=65536).num_ctx == 8192


def test_num_ctx_reuses_loaded_model_window(fake):
    fake.loaded["qwen2.5-coder:7b"] = 16384
    p = provider(fake)
    collect(p.stream([Message("user", "hi")], None))
    assert fake.requests[0]["options"]["num_ctx"] == 16384
    assert fake.reloads == 0


def test_choose_num_ctx_rules():
    assert choose_num_ctx(trained=131072) == 32768  # default cap
    assert choose_num_ctx(trained=4096) == 4096
    assert choose_num_ctx(trained=131072, modelfile=12288) == 12288
    # memory: 1 MiB per token, 8 GiB free -> 4096 tokens at most (half the memory)
    assert choose_num_ctx(trained=131072, kv_per_token=1 << 20, free_memory=8 << 30) == 4096
    assert choose_num_ctx(trained=None, user_setting=6000) == 6000


def test_silent_front_truncation_is_detected(fake):
    fake.add_model("tiny", context_length=2048)
    seen = []
    p = provider(fake, "tiny", on_truncation=seen.append)
    big = "word " * 4000  # ~5000 tokens into a 2048 window
    reply = collect(p.stream([Message("system", "rules"), Message("user", big)], None))
    assert reply.finish_reason == "stop"
    assert p.truncation is not None
    assert p.truncation.num_ctx == 2048
    assert p.truncation.evaluated < p.truncation.sent_estimate
    assert seen == [p.truncation]
    assert "cut the prompt" in p.truncation.message()
    # the next, short request clears the flag
    collect(p.stream([Message("user", "short")], None))
    assert p.truncation is None


def test_truncation_rule_ignores_cache_reuse():
    assert not is_truncated(1000, 100, 32768)  # small prompt: a KV-cache hit, not a cut
    assert is_truncated(5000, 1984, 2048)
    assert not is_truncated(2000, 1900, 2048)


def test_no_user_query_found_is_a_clear_error(fake):
    fake.add_model("tiny", context_length=2048)
    fake.script.append({"lose_user": True})
    p = provider(fake, "tiny")
    with pytest.raises(ModelRequestError, match="too small"):
        collect(p.stream([Message("user", "x " * 9000)], None))
    assert p.truncation is not None
    assert len(fake.requests) == 1  # not retried


def test_unknown_model_is_one_clear_line(fake):
    p = provider(fake, "nope:1b")
    with pytest.raises(ModelRequestError) as err:
        collect(p.stream([Message("user", "hi")], None))
    assert "ollama pull nope:1b" in str(err.value)
    assert "\n" not in str(err.value)


def test_model_without_tools(fake):
    fake.add_model("gemma:2b", tools=False)
    p = provider(fake, "gemma:2b")
    assert "tools" not in p.capabilities()
    with pytest.raises(ModelRequestError, match="does not support tools"):
        collect(p.stream([Message("user", "hi")], TOOLS))


def test_retries_busy_server_then_succeeds(fake):
    fake.fail_next = 2
    retries = []
    p = provider(fake)
    reply = complete(
        p,
        [Message("user", "ping")],
        None,
        max_retries=3,
        backoff_s=0.01,
        on_retry=lambda a, e, w: retries.append(a),
    )
    assert reply.content == "echo: ping"
    assert retries == [1, 2]


def test_error_inside_stream(fake):
    fake.script.append({"content": "partial", "stream_error": "model runner crashed"})
    with pytest.raises(TransientError, match="runner crashed"):
        collect(provider(fake).stream([Message("user", "hi")], None))


def test_server_down_is_a_clear_line():
    p = OllamaProvider("http://127.0.0.1:9", "m")
    with pytest.raises(TransientError, match="cannot reach"):
        p.context_window()
