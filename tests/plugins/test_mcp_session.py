"""MCP servers in a real session: a scripted model calls their tools and the server really
receives the calls; the 5 % budget; trust of project files; permissions; start-up timeouts."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode, trust
from smallcode.testing import ScriptedModel, text, tool
from tests.plugins.conftest import fake_server_spec, write_json


def run(
    project: Path, replies: list[Any], task: str = "use the server", window: int = 8192, **kw: Any
) -> tuple[Any, ScriptedModel, list[dict[str, Any]]]:
    model = ScriptedModel(replies, window=window)
    events: list[dict[str, Any]] = []
    with SmallCode(cwd=project, llm=model, **kw) as sc:
        sc.on("*", events.append)
        result = sc.run(task)
    return result, model, events


def notices(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events if e["type"] == "notice"]


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def test_model_calls_an_mcp_tool_and_the_server_receives_it(
    project: Path, config_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    write_json(
        config_dir / "mcp.json", {"mcpServers": {"srv": fake_server_spec("--log", str(log))}}
    )
    write_json(config_dir / "settings.json", {"permissions": {"allow": ["mcp__srv"]}})
    result, model, events = run(project, [tool("mcp__srv__add", a=2, b=3), text("2 + 3 = 5.")])
    assert result.success, result.error
    assert calls(log) == [{"name": "add", "arguments": {"a": 2, "b": 3}}]
    assert "mcp__srv__add" in model.requests[0]["tools"]
    tool_msgs = [m for m in model.requests[1]["messages"] if m["role"] == "tool"]
    assert tool_msgs[-1]["content"] == "5"
    assert any("MCP: srv (2 tools); offered directly" in n for n in notices(events))


def test_without_a_rule_the_call_is_denied_when_nobody_can_be_asked(
    project: Path, config_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    write_json(
        config_dir / "mcp.json", {"mcpServers": {"srv": fake_server_spec("--log", str(log))}}
    )
    result, _, _ = run(project, [tool("mcp__srv__add", a=1, b=1), text("Could not.")])
    assert calls(log) == []
    assert result.permission_denials[0]["tool_name"] == "mcp__srv__add"


def test_auto_approve_and_read_only_annotation(
    project: Path, config_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    spec = {**fake_server_spec("--log", str(log)), "autoApprove": ["add"]}
    write_json(config_dir / "mcp.json", {"mcpServers": {"srv": spec}})
    result, _, _ = run(project, [tool("mcp__srv__add", a=4, b=5), text("9")])
    assert calls(log) == [{"name": "add", "arguments": {"a": 4, "b": 5}}]
    assert result.success


def test_over_budget_tools_go_behind_search_and_call(
    project: Path, config_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    write_json(
        config_dir / "mcp.json",
        {"mcpServers": {"srv": fake_server_spec("--tools", "20", "--log", str(log))}},
    )
    write_json(config_dir / "settings.json", {"permissions": {"allow": ["mcp__srv"]}})
    replies = [
        tool("mcp_search", query="tool_7 for a file"),
        tool("mcp_call", server="srv", tool="tool_7", arguments={"path": "a.txt", "query": "x"}),
        text("Done."),
    ]
    result, model, events = run(project, replies, window=8192)
    assert result.success, result.error
    offered = model.requests[0]["tools"]
    assert "mcp_search" in offered and "mcp_call" in offered
    assert not [t for t in offered if t.startswith("mcp__")]
    found = [m for m in model.requests[1]["messages"] if m["role"] == "tool"][-1]["content"]
    assert "tool 'tool_7'" in found.split("\n\n")[0]  # ranked first
    assert 'mcp_call(server="srv", tool="tool_7"' in found
    assert calls(log) == [{"name": "tool_7", "arguments": {"path": "a.txt", "query": "x"}}]
    assert any("behind mcp_search and mcp_call" in n for n in notices(events))


def test_schemas_stay_within_five_percent(project: Path, config_dir: Path) -> None:
    write_json(config_dir / "mcp.json", {"mcpServers": {"srv": fake_server_spec("--tools", "20")}})
    for window in (8192, 32768, 131072):
        model = ScriptedModel([text("ok")], window=window)
        with SmallCode(cwd=project, llm=model) as sc:
            sc.run("hello")
            schemas = [
                s for s in sc.agent.tool_schemas() if s["function"]["name"].startswith("mcp")
            ]
        share = len(json.dumps(schemas)) / 4 / window
        assert share <= 0.05, (window, share)
        direct = any(s["function"]["name"].startswith("mcp__") for s in schemas)
        assert direct == (window == 131072)


def test_mcp_call_respects_deny_rules(project: Path, config_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    write_json(
        config_dir / "mcp.json",
        {"mcpServers": {"srv": fake_server_spec("--tools", "20", "--log", str(log))}},
    )
    write_json(
        config_dir / "settings.json",
        {"permissions": {"allow": ["mcp__srv"], "deny": ["mcp__srv__add"]}},
    )
    replies = [tool("mcp_call", server="srv", tool="add", arguments={"a": 1, "b": 2}), text("No.")]
    _, model, _ = run(project, replies)
    out = [m for m in model.requests[1]["messages"] if m["role"] == "tool"][-1]["content"]
    assert "not run" in out and "mcp__srv__add" in out
    assert calls(log) == []


def test_a_bare_deny_removes_the_server(project: Path, config_dir: Path) -> None:
    write_json(config_dir / "mcp.json", {"mcpServers": {"srv": fake_server_spec()}})
    write_json(config_dir / "settings.json", {"permissions": {"deny": ["mcp__srv"]}})
    _, model, _ = run(project, [text("ok")])
    assert not [t for t in model.requests[0]["tools"] if "mcp" in t]


def test_untrusted_project_file_is_skipped_until_trusted(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    path = write_json(
        project / ".mcp.json", {"mcpServers": {"proj": fake_server_spec("--log", str(log))}}
    )
    write_json(project / ".smallcode" / "settings.json", {})
    _, model, events = run(project, [text("ok")])
    assert not [t for t in model.requests[0]["tools"] if t.startswith("mcp")]
    assert any(
        "skipped MCP server proj of" in n and "smallcode trust" in n for n in notices(events)
    )
    trust.trust(path)
    _, model, _ = run(project, [text("ok")])
    assert "mcp__proj__add" in model.requests[0]["tools"]
    path.write_text(path.read_text().replace("proj", "proj2"))  # changed: asks again
    _, model, _ = run(project, [text("ok")])
    assert not [t for t in model.requests[0]["tools"] if t.startswith("mcp")]


def test_a_slow_server_is_left_out(project: Path, config_dir: Path) -> None:
    slow = {**fake_server_spec("--sleep", "30"), "startup_timeout_sec": 1}
    write_json(config_dir / "mcp.json", {"mcpServers": {"slow": slow, "ok": fake_server_spec()}})
    started = time.monotonic()
    result, model, events = run(project, [text("ok")])
    assert time.monotonic() - started < 15
    assert result.success
    assert any("MCP server slow left out: not ready within 1s" in n for n in notices(events))
    assert "mcp__ok__echo" in model.requests[0]["tools"]


def test_variables_expand_and_a_missing_one_leaves_the_server_out(
    project: Path, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.log"
    monkeypatch.setenv("MCP_TEST_LOG", str(log))
    good = {**fake_server_spec("--log", "${MCP_TEST_LOG}"), "env": {"MODE": "${MCP_MODE:-fast}"}}
    bad = fake_server_spec("--log", "${MCP_UNSET_VARIABLE}")
    write_json(config_dir / "mcp.json", {"mcpServers": {"good": good, "bad": bad}})
    write_json(config_dir / "settings.json", {"permissions": {"allow": ["mcp__good"]}})
    _, model, events = run(project, [tool("mcp__good__add", a=1, b=2), text("3")])
    assert calls(log) == [{"name": "add", "arguments": {"a": 1, "b": 2}}]
    assert any("MCP server bad left out: needs ${MCP_UNSET_VARIABLE}" in n for n in notices(events))
    assert not [t for t in model.requests[0]["tools"] if t.startswith("mcp__bad")]


def test_project_file_wins_over_the_user_file(
    project: Path, config_dir: Path, tmp_path: Path
) -> None:
    from smallcode.plugins import mcp_config

    write_json(config_dir / "mcp.json", {"mcpServers": {"srv": fake_server_spec("--tools", "3")}})
    p = write_json(project / ".mcp.json", {"mcpServers": {"srv": fake_server_spec("--tools", "5")}})
    own = write_json(
        project / ".smallcode" / "mcp.json",
        {"mcpServers": {"srv": fake_server_spec("--tools", "7")}},
    )
    cfg = mcp_config.load(project)
    assert [s.source for s in cfg.servers] == [
        str(config_dir / "mcp.json")
    ]  # untrusted ones skipped
    trust.trust(p)
    trust.trust(own)
    cfg = mcp_config.load(project)
    assert [(s.name, s.args[-1]) for s in cfg.servers] == [("srv", "7")]


def test_nothing_declared_changes_nothing(project: Path) -> None:
    model = ScriptedModel([text("ok")])
    with SmallCode(cwd=project, llm=model) as sc:
        sc.run("hello")
        assert sc.agent.ctx.extensions is None
    assert model.requests[0]["tools"] == [
        "read_file",
        "write_file",
        "patch",
        "bash",
        "search",
        "find_files",
    ]


def test_smallcode_trust_lists_and_trusts_extension_files(project: Path, cli: Any) -> None:
    write_json(project / ".mcp.json", {"mcpServers": {"proj": fake_server_spec()}})
    hooks = {"Stop": [{"hooks": [{"type": "command", "command": "true"}]}]}
    write_json(project / ".claude" / "settings.json", {"hooks": hooks})
    proc = cli(["trust"], project)
    assert proc.returncode == 1
    assert "MCP server proj" in proc.stdout and "hooks (1 command)" in proc.stdout
    proc = cli(["trust", "--yes"], project)
    assert proc.returncode == 0, proc.stderr
    assert trust.is_trusted(project / ".mcp.json")
    assert trust.is_trusted(project / ".claude" / "settings.json")
    _, model, _ = run(project, [text("ok")])
    assert "mcp__proj__add" in model.requests[0]["tools"]


def test_closing_before_the_first_task_stops_the_servers(project: Path, config_dir: Path) -> None:
    write_json(config_dir / "mcp.json", {"mcpServers": {"srv": fake_server_spec()}})
    sc = SmallCode(cwd=project, llm=ScriptedModel([text("ok")]))
    hub = sc.agent.ctx.extensions.ext.hub
    deadline = time.monotonic() + 10
    while hub.servers[0].conn is None or getattr(hub.servers[0].conn, "proc", None) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc = hub.servers[0].conn.proc
    sc.close()
    proc.wait(timeout=5)
    assert proc.poll() is not None
