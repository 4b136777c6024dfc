"""/provider status, /model and /profile: the functions the REPL registers."""

from __future__ import annotations

from types import SimpleNamespace

from smallcode.config import Settings
from smallcode.llm.factory import make_provider
from smallcode.ui import commands, provider_wizard
from tests.fakes.flavored_server import FlavoredServer


def make_ui(tmp_path, base_url: str):
    settings = Settings.load(
        tmp_path, overrides={"base_url": base_url, "provider": "lmstudio"}, environ={}
    )
    provider = make_provider(settings)
    agent = SimpleNamespace(
        provider=provider,
        settings=settings,
        context=SimpleNamespace(window=provider.context_window()),
    )
    return SimpleNamespace(agent=agent, settings=settings, console=None)


def test_model_lists_and_switches(tmp_path):
    with FlavoredServer("lmstudio", models=["a-7b", "b-14b"], loaded=["a-7b"], n_ctx=8192) as s:
        ui = make_ui(tmp_path, s.base_url)
        shown = provider_wizard.cmd_model(ui, "")
        assert "model: **a-7b**" in shown and "- a-7b (loaded)" in shown and "- b-14b" in shown
        out = provider_wizard.cmd_model(ui, "b-14b")
        assert out == "now using LM Studio · b-14b (32,768 tokens)"  # b is not loaded: its max
        assert ui.agent.provider.model == "b-14b" and ui.settings.model == "b-14b"
        assert ui.agent.context.window == 32768


def test_provider_status_and_profile(tmp_path):
    with FlavoredServer("lmstudio", models=["a-7b"], loaded=["a-7b"], n_ctx=8192) as s:
        ui = make_ui(tmp_path, s.base_url)
        status = provider_wizard.cmd_provider(ui, "status")
        assert "- active: LM Studio · a-7b" in status and "- context window: 8,192 tokens" in status
        profile = provider_wizard.cmd_profile(ui, "")
        assert "FAST: main model" in profile and "escalation: off" in profile


def test_register_commands():
    provider_wizard.register_commands()
    assert {"provider", "model", "profile"} <= set(commands.COMMANDS)
    assert commands.COMMANDS["model"].func is provider_wizard.cmd_model
