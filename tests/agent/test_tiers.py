"""Model tiers that route: two or three fake servers count who gets which request.

MEDIUM drives the main loop where set; FAST takes side work (compaction summaries, titles, the
typed prompt functions); after a hard failure the same model first retries with a plan, then
the STRONG tier takes over, and the cloud only after those and only when opted in.
"""

from __future__ import annotations

from typing import Any

from smallcode import SmallCode
from tests.fakes.openai_server import FakeReply, script, text, tool


def tools_of(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def looping(body: dict[str, Any], n: int) -> FakeReply:
    """A model that never finishes: a different harmless command each time."""
    return tool("bash", command=f"echo attempt {n}")


def test_medium_drives_the_loop_and_fast_gets_side_work(project, fake_server):
    main = fake_server(script([text("main should not be asked")]), model="main-model")
    medium = fake_server(
        script([tool("write_file", path="hello.py", content="print('hello')\n"), text("Done.")]),
        model="mid-14b",
    )
    fast = fake_server(script([text("Greeting script")]), model="tiny-1b")
    long_task = (
        "create hello.py that prints hello, and keep it tiny because this is only a quick "
        "check of the greeting"
    )
    with SmallCode(
        model="main-model",
        base_url=main.base_url,
        cwd=project,
        model_medium="mid-14b",
        base_url_medium=medium.base_url,
        model_fast="tiny-1b",
        base_url_fast=fast.base_url,
    ) as sc:
        result = sc.run(long_task)
        rows = {r["function"]: r for r in sc.agent.ctx.cognition.rows()}
        title = sc.agent.services.list_sessions()[0].title
    assert result.success and (project / "hello.py").exists()
    assert len(main.requests) == 0
    assert len(medium.requests) == 2 and {b["model"] for b in medium.requests} == {"mid-14b"}
    # the long task's session title came from FAST (one request, no tools)
    assert len(fast.requests) == 1 and "tools" not in fast.requests[0]
    assert title == "Greeting script"
    assert rows["title"]["requests"] == 1 and rows["title"]["tier"] == "FAST"
    assert rows["task_kind"]["rule"] == 1 and rows["task_kind"]["requests"] == 0


def test_compaction_summary_goes_to_fast(project, fake_server):
    main = fake_server(looping, n_ctx=4096)
    fast = fake_server(script([text("Summary: ran echo attempts; nothing changed yet.")]))
    for i in range(6):
        (project / f"big{i}.txt").write_text(f"line {i} " * 900)
    steps = [tool("read_file", path=f"big{i}.txt") for i in range(6)] + [text("Read them.")]
    main.policy = script(steps)
    with SmallCode(
        model="fake",
        base_url=main.base_url,
        cwd=project,
        context_window=4096,
        model_fast="tiny",
        base_url_fast=fast.base_url,
    ) as sc:
        sc.run("read the big files")
        compactions = sc.agent.context.compactions
        side = sc.agent.context.side_requests
    assert compactions >= 1 and side >= 1
    assert fast.requests and all("tools" not in b for b in fast.requests)
    assert all("tools" in b for b in main.requests)  # the main server never summarised
    assert any("Summary: ran echo attempts" in str(b["messages"]) for b in main.requests)


def test_after_a_hard_failure_a_plan_then_strong(project, fake_server):
    main = fake_server(looping)
    strong = fake_server(
        script([tool("write_file", path="fixed.txt", content="ok\n"), text("Fixed it.")]),
        model="big-32b",
    )
    cloud = fake_server(script([text("cloud answer")]))
    with SmallCode(
        model="fake",
        base_url=main.base_url,
        cwd=project,
        max_turns=2,
        model_strong="big-32b",
        base_url_strong=strong.base_url,
        escalation=True,
        escalation_provider="openai",
        escalation_api_key="sk-test",
        escalation_base_url=cloud.base_url,
    ) as sc:
        result = sc.run("fix it")
    assert result.success and result.response == "Fixed it."
    # 2 turns, then the decomposition retry on the same model (todo_write offered) ...
    assert len(main.requests) == 2 + 4
    assert "todo_write" not in tools_of(main.requests[1])
    assert "todo_write" in tools_of(main.requests[2])
    assert "small steps" in str(main.requests[2]["messages"][-1]["content"])
    # ... then STRONG takes over; the cloud is never asked
    assert len(strong.requests) == 2 and strong.requests[0]["model"] == "big-32b"
    assert cloud.requests == []
    rungs = [r["rung"] for r in result.workflows["fallback"]["rungs"]]
    assert rungs == ["decompose", "strong"] and result.workflows["fallback"]["recovered"]


def test_cloud_only_after_strong_and_only_when_opted_in(project, fake_server):
    main = fake_server(looping)
    strong = fake_server(looping, model="big-32b")
    cloud = fake_server(
        script([tool("write_file", path="fixed.txt", content="ok\n"), text("Cloud fixed it.")])
    )
    common: dict[str, Any] = {
        "model": "fake",
        "base_url": main.base_url,
        "cwd": project,
        "max_turns": 2,
        "model_strong": "big-32b",
        "base_url_strong": strong.base_url,
        "escalation_provider": "openai",
        "escalation_api_key": "sk-test",
        "escalation_base_url": cloud.base_url,
        "plan": "false",  # no plan mode: no decomposition rung
    }
    with SmallCode(**common) as sc:  # a key, but no opt-in: nothing goes to the cloud
        result = sc.run("fix it")
    assert result.stop_reason == "max_turns" and cloud.requests == []
    assert len(strong.requests) == 4 and len(main.requests) == 2
    with SmallCode(**common, escalation=True) as sc:
        result = sc.run("fix it")
    assert result.success and result.response == "Cloud fixed it."
    rungs = [r["rung"] for r in result.workflows["fallback"]["rungs"]]
    assert rungs == ["strong", "cloud"] and len(cloud.requests) == 2


def test_one_model_keeps_max_turns(project, fake_server):
    """Nothing to fall back to: the run ends at --max-turns as before."""
    main = fake_server(looping)
    with SmallCode(model="fake", base_url=main.base_url, cwd=project, max_turns=3) as sc:
        result = sc.run("fix it")
    assert result.stop_reason == "max_turns" and len(main.requests) == 3
    assert "fallback" not in result.workflows
