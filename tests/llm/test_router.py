"""Tiers and cloud escalation, with real fake servers on loopback."""

from __future__ import annotations

import pytest

from smallcode.config import Settings
from smallcode.llm.base import collect
from smallcode.llm.factory import make_provider
from smallcode.llm.router import Escalation, Router, cost_usd, price_of
from smallcode.types import Message, Usage
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.flavored_server import FlavoredServer


def settings(tmp_path, **kw) -> Settings:
    return Settings.load(tmp_path, overrides=kw, environ={})


def test_unconfigured_tiers_use_the_main_provider(tmp_path):
    with FlavoredServer("llamacpp", models=["main.gguf"]) as s:
        cfg = settings(tmp_path, base_url=s.base_url)
        main = make_provider(cfg)
        router = Router(cfg, main)
        assert router.provider_for("main") is main
        assert router.provider_for("side") is main
        assert router.provider_for("hard") is main
        lines = router.describe()
        assert lines[0].startswith("FAST: main model (main.gguf) - side work")
        assert lines[1].startswith("MEDIUM: main model (main.gguf) - the main loop")
        assert lines[2].startswith("STRONG: main model (main.gguf) - the fallback")
        assert lines[3].startswith("escalation: off")
        assert router.mode.startswith("single model")


def test_fast_tier_on_another_server_and_strong_on_the_main_one(tmp_path):
    with (
        FlavoredServer("lmstudio", models=["big-32b", "mid-14b"], loaded=["mid-14b"]) as main_srv,
        FlavoredServer("llamacpp", models=["tiny.gguf"], n_ctx=4096, reply="fast!") as fast_srv,
    ):
        cfg = settings(
            tmp_path,
            base_url=main_srv.base_url,
            provider="lmstudio",
            base_url_fast=fast_srv.base_url,
            model_strong="big-32b",
        )
        main = make_provider(cfg)
        router = Router(cfg, main)
        side = router.provider_for("side")
        assert side is not main and side.model == "tiny.gguf"
        assert side.context_window() == 4096
        assert router.provider_for("summary") is side  # built once, kept
        strong = router.provider_for("hard")
        assert strong.model == "big-32b" and strong.name == "lmstudio"
        assert strong.context_window() == 32768  # not loaded: the model's maximum
        reply = collect(side.stream([Message("user", "summarise")], None))
        assert reply.content == "fast!"
        assert fast_srv.requests and not main_srv.requests
        router.close()


def test_an_api_key_in_the_environment_never_enables_escalation(tmp_path):
    cfg = settings(tmp_path)
    esc = Escalation(cfg, environ={"ANTHROPIC_API_KEY": "sk-ant-real"})
    assert not esc.enabled
    assert esc.request("local model failed 3 times") is None
    assert "SMALLCODE_ESCALATION=true" in esc.last_refusal


def test_escalation_needs_a_key_when_enabled(tmp_path):
    esc = Escalation(settings(tmp_path, escalation=True), environ={})
    assert esc.request("x") is None
    assert "ANTHROPIC_API_KEY" in esc.last_refusal


def test_escalation_confirm_bound_and_cost(tmp_path):
    with FakeAnthropic() as fake:
        cfg = settings(
            tmp_path,
            escalation=True,
            escalation_max=2,
            escalation_base_url=fake.url,
            escalation_model="claude-sonnet-4-5",
        )
        answers = [False, True, True]
        questions: list[str] = []

        def confirm(q: str) -> bool:
            questions.append(q)
            return answers.pop(0)

        esc = Escalation(cfg, confirm=confirm, environ={"ANTHROPIC_API_KEY": fake.api_key})
        assert esc.request("edit failed twice") is None
        assert esc.last_refusal == "declined by the user"
        p = esc.request("edit failed twice")
        assert p is not None and p.name == "anthropic"
        reply = collect(p.stream([Message("user", "fix it")], None))
        spent = esc.record(reply.usage)
        assert spent == pytest.approx((30 * 3 + 12 * 15) / 1e6)
        assert esc.request("again") is p
        assert esc.request("third time") is None  # bounded per session
        assert "limit reached" in esc.last_refusal
        assert len(questions) == 3 and "claude-sonnet-4-5" in questions[0]
        assert esc.stats()["used"] == 2 and esc.stats()["declined"] == 1
        assert "2/2 used" in esc.describe()
        esc.close()


def test_escalation_budget(tmp_path):
    cfg = settings(tmp_path, escalation=True, escalation_max_cost=0.01, escalation_api_key="k")
    esc = Escalation(cfg, make=lambda s: make_provider(s))
    esc.record(Usage(prompt_tokens=1_000_000, completion_tokens=0))
    assert esc.request("x") is None and "budget spent" in esc.last_refusal


def test_prices():
    assert price_of("claude-sonnet-4-5") == (3.0, 15.0)
    assert price_of("deepseek/deepseek-chat") == (0.27, 1.10)
    assert price_of("gpt-4.1-mini-2025") == (0.4, 1.6)
    assert cost_usd("mystery", Usage(1_000_000, 0)) == 5.0
