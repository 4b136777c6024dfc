"""Typed prompt functions: rules first, cache, timeout, retry and repair, deterministic
fallback, statistics for /cognition; a trivial task never costs a side request."""

from __future__ import annotations

import types

from smallcode import SmallCode
from smallcode.cognition import Cognition
from smallcode.cognition.functions import (
    ALL,
    TASK_KIND,
    extractive_summary,
    fallback_title,
    task_kind_rule,
)
from smallcode.config import Settings
from smallcode.llm.factory import make_provider
from tests.fakes.openai_server import FakeReply, script, text, tool


def cognition_on(tmp_path, srv, fast: bool = True) -> Cognition:
    settings = Settings.load(tmp_path, {"base_url": srv.base_url, "model": "tiny"}, environ={})
    provider = make_provider(settings)
    cog = Cognition(lambda role: provider, lambda: fast, settings=settings)
    for fn in ALL:
        cog.register(fn)
    return cog


def test_rules_decide_common_tasks_without_a_model():
    assert task_kind_rule("create hello.py that prints hello") == "edit"
    assert task_kind_rule("fix the crash in parser.py") == "debug"
    assert task_kind_rule("make the failing tests pass") == "test"
    assert task_kind_rule("why does the cache miss?") == "question"
    assert task_kind_rule("where is the retry handled?") == "search"
    assert task_kind_rule("the upload thing on big files") is None  # no rule decides


def test_model_answer_validated_repaired_cached(tmp_path, fake_server):
    srv = fake_server(script([text("This looks like a debug task to me.")]))
    cog = cognition_on(tmp_path, srv)
    out = cog.call("task_kind", "the upload thing on big files")
    assert (out.value, out.source) == ("debug", "repaired")
    again = cog.call("task_kind", "the upload thing on big files")
    assert (again.value, again.source) == ("debug", "cache")
    st = cog.stats["task_kind"]
    assert (st.calls, st.requests, st.cache_hits, st.repaired) == (2, 1, 1, 1)
    assert len(srv.requests) == 1 and srv.requests[0]["max_tokens"] == TASK_KIND.max_tokens


def test_invalid_answers_retry_then_fall_back(tmp_path, fake_server):
    srv = fake_server(script([text("banana"), text("also banana")]))
    cog = cognition_on(tmp_path, srv)
    out = cog.call("task_kind", "the upload thing on big files")
    assert (out.value, out.source) == ("other", "fallback")
    st = cog.stats["task_kind"]
    assert st.requests == 2 and st.failures == 2 and st.fallbacks == 1
    assert "could not be used" in srv.requests[1]["messages"][0]["content"]


def test_timeout_then_fallback(tmp_path, fake_server):
    srv = fake_server(script([FakeReply(fault="stall", stall_s=5)]))
    cog = cognition_on(tmp_path, srv)
    import dataclasses

    cog.register(dataclasses.replace(TASK_KIND, timeout_s=0.5, retries=0))
    out = cog.call("task_kind", "the upload thing on big files")
    assert out.source == "fallback" and out.value == "other"
    assert cog.stats["task_kind"].mean_ms is not None and cog.stats["task_kind"].mean_ms < 3000


def test_no_fast_tier_no_request_for_niceties(tmp_path, fake_server):
    srv = fake_server(script([text("should not be asked")]))
    cog = cognition_on(tmp_path, srv, fast=False)
    long_task = "please " + "do the thing with the other thing " * 5
    assert cog("title", long_task) == fallback_title(long_task)
    assert cog("task_kind", "the upload thing on big files") == "other"
    assert srv.requests == []
    rows = {r["function"]: r for r in cog.rows()}
    assert rows["title"]["tier"] == "none" and rows["summarize"]["tier"] == "main"


def test_summary_fallback_is_extractive():
    transcript = (
        "USER: fix the parser\n\nASSISTANT: \n[called read_file path=parser.py]\n\n"
        "RESULT of bash: Error: SyntaxError at line 3"
    )
    out = extractive_summary(transcript)
    assert "fix the parser" in out and "read_file path=parser.py" in out and "SyntaxError" in out


def test_trivial_task_adds_no_side_request_even_with_a_fast_tier(project, fake_server):
    main = fake_server(
        script([tool("write_file", path="hello.py", content="print('hello')\n"), text("Done.")])
    )
    fast = fake_server(script([text("should not be asked")]))
    with SmallCode(
        model="fake", base_url=main.base_url, cwd=project, base_url_fast=fast.base_url
    ) as sc:
        result = sc.run("create hello.py that prints hello")
        rows = sc.agent.ctx.cognition.rows()
    assert result.success and len(main.requests) == 2 and fast.requests == []
    assert sum(r["requests"] for r in rows) == 0


def test_cognition_command_lists_the_functions(project, fake_server):
    from smallcode.ui import commands, insight_commands  # noqa: F401  (registers /cognition)

    srv = fake_server(script([text("Hi.")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        sc.run("say hi")
        ui = types.SimpleNamespace(agent=sc.agent, settings=sc.settings)
        out = commands.dispatch(ui, "/cognition")
    assert out is not None
    for word in ("summarize", "task_kind", "title", "tier", "model", "calls", "cache", "fail"):
        assert word in out
    assert "mean" in out
