"""The provider kind records (llm/kinds.py): every kind complete, and every table derived from
them agreeing with them. A new kind that forgets something fails here."""

from __future__ import annotations

from dataclasses import fields
from importlib import import_module

import pytest

from smallcode.config import Settings
from smallcode.llm import detect, factory, kinds, setup
from smallcode.llm.factory import Resolved
from smallcode.llm.kinds import REGISTRY, ProviderKind
from smallcode.llm.router import ESCALATION_DEFAULTS
from smallcode.llm.thinking import can_disable_thinking, thinking_extra_body
from smallcode.tools.provider import provider_tools

ALL = list(REGISTRY.values())
SERVERS = [k for k in ALL if not k.cloud and k.default_url]  # local servers
CLOUDS = [k for k in ALL if k.cloud]
CLIENTS = [k for k in ALL if k.protocol != "embedded"]  # built without a model file


def _ids(ks: list[ProviderKind]) -> list[str]:
    return [k.name for k in ks]


def test_registry_is_keyed_by_name_and_names_are_unique() -> None:
    assert all(name == k.name for name, k in REGISTRY.items())
    spellings = [s for k in ALL for s in (k.name, *k.aliases)]
    assert len(spellings) == len(set(spellings))
    assert all(s == s.lower() and s.strip() == s for s in spellings)


@pytest.mark.parametrize("kind", ALL, ids=_ids(ALL))
def test_every_kind_is_complete(kind: ProviderKind) -> None:
    assert kind.label
    assert kind.protocol in kinds.PROTOCOLS
    module_name, func_name = kinds.PROTOCOLS[kind.protocol].split(":")
    assert callable(getattr(import_module(module_name), func_name))
    assert kind.window in kinds.WINDOW_STRATEGIES
    assert set(kind.window_routes) <= set(kinds.WINDOW_ROUTES)
    assert kind.thinking.dialect in kinds.DIALECTS
    assert kind.listing in kinds.LISTINGS
    assert kinds.canonical(kind.name) == kind.name
    assert all(kinds.canonical(a) == kind.name for a in kind.aliases)
    if kind.name != "embedded":  # everything else is offered by the wizard and the tool
        assert kind.wizard, f"{kind.name} is missing from the wizard's menu"
    if kind.escalation_model:
        assert kind.cloud and kind.key_env


@pytest.mark.parametrize("kind", SERVERS, ids=_ids(SERVERS))
def test_local_servers_have_a_port_and_a_default_url_on_it(kind: ProviderKind) -> None:
    assert kind.local_port is not None
    assert kind.default_url == f"http://127.0.0.1:{kind.local_port}{kind.api_path}"
    assert detect.guess_kind(kind.default_url) == kind.name
    assert detect.Endpoint(kind.name, f"http://127.0.0.1:{kind.local_port}").base_url == (
        kind.default_url
    )


@pytest.mark.parametrize("kind", CLOUDS, ids=_ids(CLOUDS))
def test_cloud_kinds_have_a_url_on_their_host_and_a_key_variable(kind: ProviderKind) -> None:
    assert kind.default_url.startswith("https://")
    assert kind.key_env.endswith("_API_KEY")
    assert detect.guess_kind(kind.default_url) == kind.name
    assert detect.is_cloud_url(kind.default_url)
    assert kind.local_port is None and not kind.probe


def test_only_custom_and_embedded_have_no_default_url() -> None:
    assert {k.name for k in ALL if not k.default_url} == {"custom", "embedded"}


def test_derived_tables_agree_with_the_records() -> None:
    assert tuple(REGISTRY) == factory.KINDS
    assert [(k.name, k.menu) for k in ALL if k.menu] == setup.KIND_MENU
    assert list(kinds.probe_ports()) == [k.local_port for k in ALL if k.probe]
    assert (
        tuple(f"http://127.0.0.1:{k.local_port}" for k in ALL if k.probe)
        == detect.DEFAULT_PROBE_URLS
    )
    assert {k.local_port: k.name for k in ALL if k.local_port} == detect.PORT_KINDS
    assert set(detect.HOST_KINDS.values()) == {k.name for k in ALL if k.cloud}
    assert {
        k.name: (k.escalation_model, k.key_env) for k in ALL if k.escalation_model
    } == ESCALATION_DEFAULTS
    assert set(detect._ROUTES) == set(kinds.WINDOW_ROUTES)


def test_the_tool_and_the_wizard_offer_the_same_kinds() -> None:
    schema = provider_tools()[1].parameters["properties"]["kind"]
    assert tuple(schema["enum"]) == kinds.menu_names()
    from smallcode.ui.provider_wizard import build_parser

    action = next(a for a in build_parser()._actions if a.dest == "kind")
    assert tuple(action.choices or ()) == kinds.menu_names()


def test_the_settings_help_names_every_kind() -> None:
    helps = {f.name: f.metadata.get("help", "") for f in fields(Settings)}
    assert all(name in helps["provider"] for name in REGISTRY)
    assert all(name in helps["escalation_provider"] for name in kinds.escalation_kinds())
    assert all(f":{p}" in helps["probe_urls"] for p in kinds.probe_ports())


@pytest.mark.parametrize("kind", CLIENTS, ids=_ids(CLIENTS))
def test_every_kind_builds_its_client(tmp_path, kind: ProviderKind) -> None:
    s = Settings.load(tmp_path, overrides={"context_window": 4096}, environ={})
    url = kind.default_url or "http://127.0.0.1:9/v1"
    p = factory.build(Resolved(kind.name, url, "m", "key"), s)
    try:
        assert p.name == kind.name and p.model == "m"
        if kind.protocol != "ollama":  # Ollama asks its server (num_ctx is fixed on first use)
            assert p.context_window() == 4096
    finally:
        p.close()


def test_openrouter_sends_its_title_header(tmp_path) -> None:
    s = Settings.load(tmp_path, overrides={"context_window": 4096}, environ={})
    p = factory.build(Resolved("openrouter", "https://openrouter.ai/api/v1", "m", "k"), s)
    try:
        assert p._client.headers["X-Title"] == "SmallCode"  # type: ignore[attr-defined]
    finally:
        p.close()


def test_aliases_resolve_to_the_kind(tmp_path) -> None:
    s = Settings.load(
        tmp_path,
        overrides={"provider": "llama.cpp", "model": "m", "context_window": 4096},
        environ={},
    )
    resolved = factory.resolve(s)
    assert resolved.kind == "llamacpp" and resolved.base_url == "http://127.0.0.1:8080/v1"
    assert kinds.label("LM-Studio") == "LM Studio"
    assert kinds.get("sglang") is None and kinds.label("myplugin") == "myplugin"


def test_thinking_switches_come_from_the_kind() -> None:
    # custom is an OpenAI-compatible URL: it takes the same switches as a blank name
    for name in ("custom", "", "lmstudio", "vllm", "deepseek"):
        assert thinking_extra_body("qwen3-8b", name, 0, True) == {
            "chat_template_kwargs": {"enable_thinking": False}
        }, name
    for name in ("anthropic", "embedded", "a-plugin", "sglang", "azure"):
        assert thinking_extra_body("qwen3-8b", name, 0, True) == {}, name
        assert not can_disable_thinking("qwen3-8b", name)
    assert thinking_extra_body("gpt-oss-20b", "llamacpp", 1000, False) == {
        "reasoning_effort": "low",
        "chat_template_kwargs": {"reasoning_effort": "low"},
    }
    assert thinking_extra_body("gpt-5-mini", "custom", 0, True)["reasoning_effort"] == "minimal"
