"""Server identification, local probing and context-window detection against fake servers."""

from __future__ import annotations

import socket
import time

import pytest

from smallcode.llm import detect
from tests.fakes.flavored_server import FlavoredServer
from tests.fakes.ollama_server import FakeOllama


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def test_guess_kind_from_url():
    assert detect.guess_kind("http://localhost:1234/v1") == "lmstudio"
    assert detect.guess_kind("http://127.0.0.1:11434") == "ollama"
    assert detect.guess_kind("localhost:8080") == "llamacpp"
    assert detect.guess_kind("http://gpu-box:8000/v1") == "vllm"
    assert detect.guess_kind("https://openrouter.ai/api/v1") == "openrouter"
    assert detect.guess_kind("https://api.deepseek.com") == "deepseek"
    assert detect.guess_kind("https://api.anthropic.com") == "anthropic"
    assert detect.guess_kind("http://10.0.0.5:9999/v1") == "openai"


def test_identify_lmstudio_loaded_model_and_window():
    with FlavoredServer("lmstudio", models=["a-7b", "b-14b"], loaded=["b-14b"], n_ctx=12288) as s:
        ep = detect.identify(s.url)
        assert ep is not None and ep.kind == "lmstudio"
        assert ep.models == ["a-7b", "b-14b"]  # the embedding model is not offered
        assert ep.loaded == ["b-14b"] and ep.best_model() == "b-14b"
        assert ep.windows == {"a-7b": 32768, "b-14b": 12288}
        assert ep.base_url == f"{s.url}/v1"
        assert detect.detect_context_window("lmstudio", ep.base_url, "b-14b") == 12288
        # not loaded: the model's maximum
        assert detect.detect_context_window("lmstudio", ep.base_url, "a-7b") == 32768


def test_identify_llamacpp_props():
    with FlavoredServer("llamacpp", models=["qwen.gguf"], n_ctx=4096) as s:
        ep = detect.identify(s.url)
        assert ep.kind == "llamacpp" and ep.windows == {"qwen.gguf": 4096}
        assert detect.detect_context_window("llamacpp", s.base_url, "qwen.gguf") == 4096
        # a generic "openai" kind still finds /props
        assert detect.detect_context_window("openai", s.base_url, "qwen.gguf") == 4096


def test_identify_vllm_max_model_len():
    with FlavoredServer("vllm", models=["Qwen/Qwen3-8B"], n_ctx=40960) as s:
        ep = detect.identify(s.url)
        assert ep.kind == "vllm" and ep.windows == {"Qwen/Qwen3-8B": 40960}
        assert detect.detect_context_window("vllm", s.base_url, "Qwen/Qwen3-8B") == 40960


def test_openrouter_model_list():
    with FlavoredServer("openrouter", models=["qwen/qwen3-coder", "x/y"], n_ctx=262144) as s:
        assert detect.detect_context_window("openrouter", s.base_url, "qwen/qwen3-coder") == 262144


def test_ollama_show_and_ps():
    fake = FakeOllama()
    fake.add_model("qwen3:8b", context_length=40960)
    fake.add_model("llama3.2:3b", context_length=131072)
    fake.loaded["llama3.2:3b"] = 8192
    with fake:
        ep = detect.identify(fake.url)
        assert ep.kind == "ollama" and ep.base_url == fake.url
        assert ep.best_model() == "llama3.2:3b" and ep.windows == {"llama3.2:3b": 8192}
        assert detect.detect_context_window("ollama", fake.url, "qwen3:8b") == 40960
        assert detect.detect_context_window("ollama", fake.url, "missing") is None


def test_llama_cpp_python_window_from_its_refusal():
    with FlavoredServer("llama-cpp-python", models=["model.gguf"], n_ctx=2048) as s:
        ep = detect.identify(s.url)
        assert ep.kind == "openai" and ep.loaded == ["model.gguf"] and ep.windows == {}
        assert detect.detect_context_window("openai", s.base_url, "model.gguf") == 2048
        assert len(s.requests) == 1 and s.requests[0]["max_tokens"] == 1


def test_generic_server_without_info_has_no_window():
    with FlavoredServer("generic", models=["m"]) as s:
        s.routes = lambda: {"/v1/models": {"data": [{"id": "m", "owned_by": "someone"}]}}
        assert detect.detect_context_window("openai", s.base_url, "m") is None
        assert s.requests == []  # no probing request for servers we cannot recognise


def test_known_cloud_windows():
    assert detect.known_window("claude-sonnet-4-5") == 200_000
    assert detect.known_window("deepseek-chat") == 128_000
    assert detect.known_window("unknown-model") is None
    assert detect.detect_context_window("anthropic", "https://api.anthropic.com", "claude-x") == (
        200_000
    )


def test_probe_local_parallel_and_fast():
    ollama = FakeOllama()
    ollama.add_model("qwen3:8b")
    with FlavoredServer("lmstudio", loaded=["qwen2.5-coder-7b-instruct"]) as lms, ollama:
        urls = [closed_port_url(), lms.url, ollama.url]
        start = time.perf_counter()
        found = detect.probe_local(urls)
        elapsed = time.perf_counter() - start
        assert [e.kind for e in found] == ["lmstudio", "ollama"]
        assert elapsed < 1.0
        ep, model = detect.pick_endpoint(found)
        assert ep.kind == "lmstudio" and model == "qwen2.5-coder-7b-instruct"


def test_probe_deadline_skips_a_hung_server():
    with FlavoredServer("vllm", delay=2.0) as slow, FlavoredServer("llamacpp") as fast:
        start = time.perf_counter()
        found = detect.probe_local([slow.url, fast.url], timeout=0.3, deadline=0.5)
        assert time.perf_counter() - start < 0.9
        assert [e.kind for e in found] == ["llamacpp"]


def test_probe_urls_from_environment(monkeypatch):
    monkeypatch.setenv("SMALLCODE_PROBE_URLS", "http://127.0.0.1:5/v1, 127.0.0.1:6")
    assert detect.probe_urls() == ["http://127.0.0.1:5", "http://127.0.0.1:6"]
    monkeypatch.setenv("SMALLCODE_PROBE_URLS", "off")
    assert detect.probe_urls() == []
    monkeypatch.delenv("SMALLCODE_PROBE_URLS")
    assert len(detect.probe_urls()) == 3


@pytest.mark.parametrize("kind", ["lmstudio", "llamacpp", "vllm"])
def test_nothing_listening(kind):
    url = closed_port_url()
    assert detect.identify(url) is None
    assert detect.detect_context_window(kind, url + "/v1", "m", timeout=0.5) is None


def test_window_from_error_messages():
    w = detect.window_from_error
    assert w("Requested tokens (3030) exceed context window of 2048") == 2048
    assert w("This model's maximum context length is 32768 tokens. However, you requested") == 32768
    assert w("the model is loaded with context length of only 4096 tokens") == 4096
    assert w('{"type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":8192}') == 8192
    assert w("some other error") is None
