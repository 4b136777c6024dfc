"""The session as a whole: project summary, memory and evidence across runs, resume, tool
choice, thinking budget, escalation. Real CLI processes or the API against fake servers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smallcode import SmallCode
from tests.fakes.openai_server import FakeReply, script, text, tool


def base_args(srv: Any) -> list[str]:
    return ["--base-url", srv.base_url, "-m", "fake-model", "--non-interactive"]


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def test_project_summary_is_in_the_fixed_prefix(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    )
    (project / "tests").mkdir()
    (project / "tests" / "test_x.py").write_text("def test_x():\n    assert True\n")
    (project / "AGENTS.md").write_text("Always run the tests with -q.\n")
    srv = fake_server(script([tool("bash", command="true"), text("ok")]))
    r = cli([*base_args(srv), "-P", "check"], project)
    assert r.returncode == 0, r.stderr
    system = srv.requests[0]["messages"][0]["content"]
    assert "pytest" in system and "Always run the tests with -q." in system
    # The prefix is identical on the next request.
    assert srv.requests[1]["messages"][0] == srv.requests[0]["messages"][0]


def test_memory_and_failures_carry_over_to_a_later_run(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv1 = fake_server(
        script(
            [
                tool(
                    "memory_remember",
                    type="convention",
                    title="indentation",
                    content="This project indents with tabs, never spaces.",
                    tags="style",
                ),
                tool("read_file", path="config/settings.yaml"),
                text("Noted."),
            ]
        )
    )
    r1 = cli(
        [*base_args(srv1), "-P", "remember the indentation rule and read the settings file"],
        project,
    )
    assert r1.returncode == 0, r1.stderr
    assert "memory_remember" in tool_names(srv1.requests[0])

    srv2 = fake_server(script([text("ok")]))
    # The model changes nothing here: the completion check is not what this test is about.
    r2 = cli(
        [*base_args(srv2), "-P", "read the settings file and fix the indentation"],
        project,
        env={"SMALLCODE_VERIFY": "false"},
    )
    assert r2.returncode == 0, r2.stderr
    context = [
        m["content"]
        for m in srv2.requests[0]["messages"]
        if m["role"] == "user" and m["content"].startswith("Context for the next task")
    ]
    assert context, "no context message before the task"
    assert "indents with tabs" in context[0]
    assert "config/settings.yaml" in context[0]  # the failed read from the first run
    # The task itself is the last message.
    last = srv2.requests[0]["messages"][-1]["content"]
    assert last == "read the settings file and fix the indentation"


def test_resume_continues_the_latest_session(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv1 = fake_server(script([text("Nice to meet you, Zed.")]))
    assert cli([*base_args(srv1), "-P", "my name is Zed"], project).returncode == 0
    srv2 = fake_server(script([text("Your name is Zed.")]))
    r = cli([*base_args(srv2), "-r", "-P", "what is my name?"], project)
    assert r.returncode == 0, r.stderr
    assert "Resumed session" in r.stderr
    contents = [m["content"] for m in srv2.requests[0]["messages"]]
    assert "my name is Zed" in contents and "Nice to meet you, Zed." in contents
    assert contents[-1] == "what is my name?"


def test_optional_tools_are_offered_by_task(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("a"), text("b")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, verify=False) as sc:
        sc.run("add a docstring to main.py")
    core = tool_names(srv.requests[0])
    assert core == ["read_file", "write_file", "patch", "bash", "search", "find_files"]
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, tools="all") as sc:
        sc.run("x")
    everything = tool_names(srv.requests[1])
    for name in ("hybrid_search", "explain_symbol", "memory_remember", "provider_status"):
        assert name in everything
    assert everything[:6] == core  # optional tools come after the core ones


def test_thinking_budget_cuts_and_reasks(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                FakeReply(
                    reasoning="Let me think about this very carefully. " * 40, content="late"
                ),
                text("The answer is 4."),
            ]
        )
    )
    events: list[dict[str, Any]] = []
    with SmallCode(model="qwen3-8b", base_url=srv.base_url, cwd=project, thinking_budget=50) as sc:
        sc.on("guard", events.append)
        result = sc.run("what is 2+2?")
    assert result.response == "The answer is 4."
    assert any(e["guard"] == "thinking_budget" for e in events)
    assert len(srv.requests) == 2
    # Qwen3 can switch thinking off: the second request does so.
    kwargs = srv.requests[1].get("chat_template_kwargs", {})
    assert kwargs.get("enable_thinking") is False


def test_escalation_is_opt_in_and_takes_over(project: Path, fake_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def looping(body: dict[str, Any], n: int) -> FakeReply:
        return tool("bash", command=f"echo attempt {n}")

    local = fake_server(looping)
    cloud = fake_server(
        script([tool("write_file", path="fixed.txt", content="done\n"), text("Fixed it.")])
    )
    # A key in the environment alone never enables escalation.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    with SmallCode(model="fake", base_url=local.base_url, cwd=project, max_turns=3) as sc:
        result = sc.run("fix it")
    assert result.stop_reason == "max_turns" and not cloud.requests

    with SmallCode(
        model="fake",
        base_url=local.base_url,
        cwd=project,
        max_turns=3,
        escalation=True,
        escalation_provider="openai",
        escalation_model="gpt-x",
        escalation_base_url=cloud.base_url,
        escalation_max=1,
    ) as sc:
        notes: list[dict[str, Any]] = []
        sc.on("guard", notes.append)
        result = sc.run("fix it")
        stats = sc.agent.escalation.stats()
    assert result.success and result.response == "Fixed it."
    assert (project / "fixed.txt").read_text() == "done\n"
    assert cloud.requests[0]["model"] == "gpt-x"
    assert any("escalating to" in n["message"] for n in notes)
    assert stats["used"] == 1 and stats["prompt_tokens"] > 0


def test_run_json_has_prefix_reuse(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script([tool("bash", command="echo 1"), tool("bash", command="echo 2"), text("ok")])
    )
    r = cli([*base_args(srv), "--json", "-P", "go"], project)
    result = json.loads(r.stdout)
    assert result["requests"] == 3 and result["prefix_reuse"] > 0.5


def test_repeated_finished_write_ends_with_a_summary(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    """A small model that repeats its last, finished step gets one request without tools."""

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        if not body.get("tools"):
            return text("I created hello.py, which prints hello.")
        return FakeReply(
            content='```json\n{"name": "write_file", "arguments": '
            '{"path": "hello.py", "content": "print(1)\\n"}}\n```'
        )

    srv = fake_server(policy)
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        result = sc.run("create hello.py")
    assert result.success and result.response == "I created hello.py, which prints hello."
    assert len(srv.requests) == 4 and "tools" not in srv.requests[-1]
    assert [c.ok for c in result.tool_calls] == [True, True, True]
    assert (project / "hello.py").read_text() == "print(1)\n"
