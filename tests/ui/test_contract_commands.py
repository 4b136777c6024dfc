"""/contract create|list|status|activate|abort on a real agent session (fake server): a user's
contract made between tasks brings the contract tools and the done guard with the next task."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pexpect
import pytest

from smallcode import SmallCode
from smallcode.ui import commands, contract_commands
from tests.fakes.openai_server import FakeOpenAIServer, script, text
from tests.fakes.openai_server import tool as call

CHECK = f'{shlex.quote(sys.executable)} -c "import app; assert app.f() == 2"'


def tools_of(body: dict[str, Any]) -> set[str]:
    return {t["function"]["name"] for t in body.get("tools", [])}


def session(project: Path, srv: FakeOpenAIServer, **settings: Any) -> tuple[SmallCode, Any]:
    sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project, **settings)
    return sc, SimpleNamespace(agent=sc.agent, settings=sc.agent.settings, console=None)


def test_contract_commands_drive_a_session(
    project: Path, fake_server: Callable[..., FakeOpenAIServer]
) -> None:
    srv = fake_server(script([text("Hello."), text("Done."), text("Done."), text("Done.")]))
    sc, ui = session(project, srv)
    try:
        assert sc.run("say hello").exit_code == 0
        assert "contract_status" not in tools_of(srv.requests[0])
        assert "No contract is active" in commands.dispatch(ui, "/contract")
        assert commands.dispatch(ui, "/contract create") == contract_commands.USAGE
        out = commands.dispatch(ui, f"/contract create Ship f; f returns 2: `{CHECK}`; docs")
        assert 'Contract "Ship f" created and active' in out and "next task" in out
        assert "- a01 f returns 2: `" in out and "- a02 docs (no command)" in out

        r = sc.run("finish it")  # the tools join now, and the guard holds the run
        assert tools_of(srv.requests[1]) >= {"contract_create", "contract_assert_pass"}
        assert "the task is done only when these pass" in str(srv.requests[1]["messages"])
        assert r.stop_reason == "contract_unmet" and r.exit_code == 1
        assert len(srv.requests) == 4  # 1 + the stop + 2 notes
        rec = r.workflows["contract"]
        assert rec["owner"] == "user" and rec["source"] == "command"

        status = commands.dispatch(ui, "/contract status")
        assert "a01 f returns 2" in status and "failed: exit 1, run by the harness" in status
        assert "ModuleNotFoundError" in status
        cid = rec["id"]
        assert f"**`{cid}`** (active)" in commands.dispatch(ui, "/contract list")

        assert commands.dispatch(ui, "/contract abort") == 'Contract "Ship f" aborted.'
        assert sc.run("something else").exit_code == 0  # no active contract: no guard
        assert "aborted" in commands.dispatch(ui, "/contract list")

        out = commands.dispatch(ui, f"/contract activate {cid[:15]}")
        assert out == 'Contract "Ship f" is active (0/2 passed).'
        assert "matches" in commands.dispatch(ui, "/contract activate nothing-like-it")
    finally:
        sc.close()


def test_model_contract_then_user_sees_it(
    project: Path, fake_server: Callable[..., FakeOpenAIServer]
) -> None:
    steps = [
        call("contract_create", title="t", assertions=[{"description": "ok", "command": "true"}]),
        text("Done."),
    ]
    srv = fake_server(script(steps))
    sc, ui = session(project, srv, contract="true")
    try:
        assert sc.run("do it").exit_code == 0
        status = commands.dispatch(ui, "/contract status")
        assert "set by the model): met, 1/1 passed" in status
    finally:
        sc.close()


def test_contract_commands_when_off(
    project: Path, fake_server: Callable[..., FakeOpenAIServer]
) -> None:
    srv = fake_server(script([text("Hi.")]))
    sc, ui = session(project, srv, contract="false")
    try:
        assert commands.dispatch(ui, "/contract create x; y") == (
            "Contracts are off (SMALLCODE_CONTRACT=false)."
        )
    finally:
        sc.close()


@pytest.mark.timeout(90)
def test_contract_in_the_repl(project: Path, fake_server: Callable[..., FakeOpenAIServer]) -> None:
    from tests.ui.test_repl import spawn

    srv = fake_server(script([text("Done.")]))
    child = spawn(project, srv)
    child.expect("›")
    child.sendline("/contract create Ship it; it runs: `true`")
    child.expect("created and active")
    child.sendline("/contract status")
    child.expect("a01 it runs")
    child.sendline("finish")
    child.expect("Done.")
    child.sendline("/contract status")
    child.expect(r"met, 1/1 passed")
    child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert "contract_assert_pass" in tools_of(srv.requests[0])
    assert 'Contract "Ship it" is active' in str(srv.requests[0]["messages"])
