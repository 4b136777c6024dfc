"""configure_provider / provider_status through the real registry and fake servers."""

from __future__ import annotations

from smallcode.config import Settings
from smallcode.events import EventBus
from smallcode.llm.factory import make_provider
from smallcode.tools.provider import provider_tools
from smallcode.tools.registry import ToolContext, ToolRegistry
from tests.fakes.flavored_server import FlavoredServer


def make_ctx(root, **settings) -> ToolContext:
    cfg = Settings.load(root, overrides=settings, environ={})
    return ToolContext(root=root, settings=cfg, events=EventBus())


def registry() -> ToolRegistry:
    return ToolRegistry(provider_tools())


def test_schemas_are_small_and_keyless():
    schemas = {s["function"]["name"]: s["function"] for s in registry().schemas()}
    assert set(schemas) == {"provider_status", "configure_provider"}
    props = schemas["configure_provider"]["parameters"]["properties"]
    assert "api_key" not in props and "key" not in props
    assert "ollama" in props["kind"]["enum"]
    assert not any(t.core for t in provider_tools())  # not sent by default


def test_status_reports_the_active_window(tmp_path):
    with FlavoredServer("llamacpp", models=["m.gguf"], n_ctx=6144) as s:
        ctx = make_ctx(tmp_path, base_url=s.base_url)
        ctx.provider = make_provider(ctx.settings)
        res = registry().call("provider_status", {}, ctx)
    assert res.ok
    assert "context window: 6,144 tokens" in res.output
    assert "API key: (none)" in res.output


def test_refused_without_confirmation_in_non_interactive_runs(tmp_path):
    with FlavoredServer("lmstudio", models=["a"], loaded=["a"]) as s:
        ctx = make_ctx(tmp_path)
        res = registry().call(
            "configure_provider", {"kind": "lmstudio", "base_url": s.base_url}, ctx
        )
    assert not res.ok and "confirmation" in res.output
    assert not (tmp_path / ".env").exists()
    assert not s.requests  # not even validated


def test_user_declines(tmp_path):
    with FlavoredServer("lmstudio", models=["a"], loaded=["a"]) as s:
        ctx = make_ctx(tmp_path)
        asked: list[str] = []
        ctx.confirm = lambda q: asked.append(q) or False
        res = registry().call(
            "configure_provider", {"kind": "lmstudio", "base_url": s.base_url}, ctx
        )
    assert not res.ok and "declined" in res.output
    assert asked and "lmstudio a at" in asked[0]
    assert not (tmp_path / ".env").exists()


def test_confirmed_change_is_validated_and_saved(tmp_path):
    with FlavoredServer("lmstudio", models=["a", "b"], loaded=["b"], n_ctx=12288) as s:
        ctx = make_ctx(tmp_path)
        ctx.confirm = lambda q: True
        res = registry().call(
            "configure_provider", {"kind": "lmstudio", "base_url": s.base_url}, ctx
        )
        assert res.ok, res.output
        assert "context window 12288" in res.output
        assert len(s.requests) == 1  # the tiny validation request
    env = (tmp_path / ".env").read_text()
    assert "SMALLCODE_MODEL=b" in env and f"SMALLCODE_BASE_URL={s.base_url}" in env
    assert ctx.provider_changed["model"] == "b"


def test_setting_allows_unattended_change_but_validation_still_guards(tmp_path):
    with FlavoredServer("llamacpp", models=["m.gguf"], tools=False) as s:
        ctx = make_ctx(tmp_path, allow_provider_change=True)
        res = registry().call(
            "configure_provider", {"kind": "llamacpp", "base_url": s.base_url}, ctx
        )
    assert not res.ok and "does not support tools" in res.output
    assert not (tmp_path / ".env").exists()


def test_cloud_kind_without_key(tmp_path):
    ctx = make_ctx(tmp_path, allow_provider_change=True)
    res = registry().call("configure_provider", {"kind": "openai", "model": "gpt-4.1"}, ctx)
    assert not res.ok and "smallcode provider" in res.output
