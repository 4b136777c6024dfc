"""/profile shows the detected model profile and the routing mode (not /provider status);
/model shows which model serves which tier."""

from __future__ import annotations

import types

from smallcode import SmallCode
from smallcode.ui import provider_wizard
from tests.fakes.openai_server import script, text, tool


def test_profile_and_model_show_tiers(project, fake_server):
    main = fake_server(
        script([tool("bash", command="echo hi"), text("Done.")]), model="qwen2.5-coder-7b"
    )
    fast = fake_server(script([text("x")]), model="qwen2.5-coder-0.5b")
    with SmallCode(
        model="qwen2.5-coder-7b",
        base_url=main.base_url,
        cwd=project,
        model_fast="qwen2.5-coder-0.5b",
        base_url_fast=fast.base_url,
    ) as sc:
        sc.run("say hi")
        ui = types.SimpleNamespace(agent=sc.agent, settings=sc.settings, router=sc.agent.ctx.router)
        profile = provider_wizard.cmd_profile(ui, "")
        model = provider_wizard.cmd_model(ui, "")
    assert profile is not None and model is not None
    for expected in (
        "- family: Qwen2.5-Coder",
        "- size class: small (4-13B) (7B)",
        "- thinking: none",
        "- edit format: tools",
        "- native tool calls: yes",
        "- routing: tiers: FAST configured",
        f"- FAST: qwen2.5-coder-0.5b @ {fast.base_url} - side work",
        "- MEDIUM: main model (qwen2.5-coder-7b) - the main loop",
        "- STRONG: main model (qwen2.5-coder-7b) - the fallback",
        "- escalation: off",
    ):
        assert expected in profile, expected
    assert "endpoint:" not in profile and "context window" not in profile
    assert "Tiers:" in model and "FAST: qwen2.5-coder-0.5b" in model
