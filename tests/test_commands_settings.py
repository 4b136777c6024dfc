"""Commands and settings as a user meets them: /version, /clear, /stats, resume, rollback
lines, -C, bad numbers, SMALLCODE_DEBUG in .env, search without .smallcode/, empty replies,
and what a cloud key alone does (nothing)."""

from __future__ import annotations

import platform
import types
from pathlib import Path
from typing import Any

from smallcode import SmallCode
from smallcode.types import Message
from smallcode.ui import commands, session_commands  # noqa: F401  (registers the commands)
from tests.fakes.openai_server import script, text, tool


def base_args(srv: Any) -> list[str]:
    return ["--base-url", srv.base_url, "-m", "fake-model", "--non-interactive"]


def ui_for(sc: SmallCode) -> Any:
    return types.SimpleNamespace(agent=sc.agent, settings=sc.settings, router=None)


def test_version_and_v_show_python_and_platform(project, fake_server):
    srv = fake_server(script([text("ok")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        for cmd in ("/version", "/v"):
            out = commands.dispatch(ui_for(sc), cmd)
            assert out is not None and out.startswith("SmallCode ")
            assert f"Python {platform.python_implementation()} {platform.python_version()}" in out
            assert platform.system() in out


def test_clear_keeps_the_session_prefix_and_starts_a_new_saved_session(project, fake_server):
    srv = fake_server(script([text("first"), text("second")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        sc.agent.messages.append(Message("user", "project notes", meta={"kind": "pinned"}))
        sc.run("remember the number 7")
        first_session = sc.agent.services.session_id
        assert commands.dispatch(ui_for(sc), "/clear").startswith("Conversation cleared")
        sc.run("hello again")
        sessions = {s.id for s in sc.agent.services.list_sessions()}
    first, second = srv.requests[0]["messages"], srv.requests[1]["messages"]
    assert second[0] == first[0]  # the same system prompt: the server's cache is reused
    assert second[1]["content"] == "project notes"  # the pinned prefix stays
    assert "remember the number 7" not in str(second) and second[-1]["content"] == "hello again"
    assert first_session in sessions and len(sessions) == 2  # the cleared one is kept


def test_stats_has_no_doubled_labels(project, fake_server):
    srv = fake_server(script([text("ok")]))
    with SmallCode(
        model="fake", base_url=srv.base_url, cwd=project, escalation=True, escalation_api_key="k"
    ) as sc:
        sc.run("say ok")
        out = commands.dispatch(ui_for(sc), "/stats")
    assert out is not None
    for line in out.splitlines():
        if line.startswith("- "):
            label, _, value = line[2:].partition(": ")
            assert not value.startswith(label), line
    assert "- escalation: anthropic" in out


def test_resumed_session_shows_the_whole_id(project, fake_server, cli):
    srv = fake_server(script([text("Hi.")]))
    assert cli([*base_args(srv), "-P", "hello"], project).returncode == 0
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        full_id = sc.agent.services.list_sessions()[0].id
    r = cli([*base_args(srv), "-r", "-P", "again"], project)
    assert f"Resumed session {full_id} (" in r.stderr


def test_a_rolled_back_write_is_shown_as_rolled_back(project, fake_server, cli):
    srv = fake_server(
        script([tool("write_file", path="bad.py", content="def f(:\n"), text("Wrote bad.py.")])
    )
    r = cli(
        [*base_args(srv), "-P", "write bad.py"],
        project,
        env={"SMALLCODE_SNAPSHOT_AUTO_ROLLBACK": "true"},
    )
    line = next(ln for ln in r.stderr.splitlines() if "write_file" in ln)
    assert "[rolled back," in line and "[ok" not in line
    assert not (project / "bad.py").exists()


def test_cwd_that_does_not_exist_is_a_usage_error(tmp_path, cli):
    r = cli(["-C", str(tmp_path / "nope"), "-P", "hi", "--non-interactive"], tmp_path)
    assert r.returncode == 2 and not (tmp_path / "nope").exists()
    assert r.stderr.strip().count("\n") == 0 and "does not exist" in r.stderr


def test_invalid_numbers_are_config_errors_naming_the_variable(project, cli):
    for var, value in (("SMALLCODE_MAX_TURNS", "-5"), ("SMALLCODE_TEMPERATURE", "hot")):
        r = cli(["-P", "hi", "--non-interactive"], project, env={var: value})
        assert r.returncode == 2, r.stderr
        assert var in r.stderr and "Traceback" not in r.stderr


def test_debug_set_in_dotenv_shows_the_traceback(project, cli):
    (project / ".env").write_text("SMALLCODE_DEBUG=true\n")
    r = cli(["-P", "hi", "--non-interactive"], project, env={"SMALLCODE_MAX_TURNS": "-5"})
    assert r.returncode == 2 and "Traceback" in r.stderr and "SMALLCODE_MAX_TURNS" in r.stderr


def test_search_where_smallcode_dir_cannot_be_created(tmp_path, cli):
    (tmp_path / "net.py").write_text("def retry_download(url):\n    return url\n")
    (tmp_path / ".smallcode").write_text("a file where the folder would go")
    r = cli(["search", "retry download"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "retry_download" in r.stdout
    assert r.stderr.count("\n") == 1 and "no index written" in r.stderr
    assert (tmp_path / ".smallcode").is_file()


def test_empty_reply_is_not_a_success_without_the_quality_monitor(project, fake_server, cli):
    srv = fake_server(script([text("")]))
    r = cli(
        [*base_args(srv), "--json", "-P", "what does main.py do?"],
        project,
        env={"SMALLCODE_QUALITY_MONITOR": "false"},
    )
    import json

    result = json.loads(r.stdout)
    assert r.returncode == 1 and result["stop_reason"] == "empty_reply"
    assert len(srv.requests) == 1


def test_provider_status_says_a_key_alone_sends_nothing(tmp_path: Path, cli):
    r = cli(
        ["provider", "status"],
        tmp_path,
        env={"ANTHROPIC_API_KEY": "sk-ant-xyz", "SMALLCODE_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert "ANTHROPIC_API_KEY is set, but a key alone never sends code to the cloud" in r.stdout
    assert "SMALLCODE_ESCALATION=true" in r.stdout
    assert "sk-ant-xyz" not in r.stdout
