"""Endpoint URLs (llm/urls.py): what users type, and the URLs every client derives from it."""

from __future__ import annotations

import pytest

from smallcode.llm.anthropic import AnthropicProvider
from smallcode.llm.ollama import OllamaProvider
from smallcode.llm.openai_compat import OpenAICompatProvider
from smallcode.llm.urls import api_base, hostname, is_loopback, server_root


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("localhost:1234", "http://localhost:1234/v1"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1"),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
        ("  http://gpu.lan/lmstudio/v1/ ", "http://gpu.lan/lmstudio/v1"),
        ("", ""),
    ],
)
def test_api_base(given: str, expected: str) -> None:
    assert api_base(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:1234/v1", "http://127.0.0.1:1234"),
        ("http://127.0.0.1:1234/v1/", "http://127.0.0.1:1234"),
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("http://127.0.0.1:11434/api", "http://127.0.0.1:11434"),
        # no scheme: http:// is added (Ollama's client used to get a URL it could not open)
        ("localhost:11434", "http://localhost:11434"),
        ("localhost:1234/v1", "http://localhost:1234"),
        # behind a reverse proxy: the prefix is kept (detection used to ask the proxy's root)
        ("https://gpu.lan/ollama", "https://gpu.lan/ollama"),
        ("https://gpu.lan/lmstudio/v1", "https://gpu.lan/lmstudio"),
    ],
)
def test_server_root(given: str, expected: str) -> None:
    assert server_root(given) == expected


def test_host_helpers() -> None:
    assert hostname("LOCALHOST:1234/v1") == "localhost"
    assert is_loopback("http://127.0.0.1:8080") and is_loopback("localhost:1")
    assert not is_loopback("https://api.openai.com/v1")


def test_clients_derive_their_urls_the_same_way() -> None:
    ollama = OllamaProvider("localhost:11434/", "m")
    assert ollama.base_url == "http://localhost:11434"
    ollama.close()
    proxied = OllamaProvider("https://gpu.lan/ollama/api", "m")
    assert proxied.base_url == "https://gpu.lan/ollama"
    proxied.close()
    oa = OpenAICompatProvider("localhost:1234", "m")
    assert oa.base_url == "http://localhost:1234/v1"
    oa.close()
    an = AnthropicProvider("claude-x", "k", base_url="https://api.anthropic.com/v1/")
    assert an.base_url == "https://api.anthropic.com"
    an.close()
