"""The interactive UI is never blank and Ctrl-C always works: a real pseudo-terminal against a
model server that stalls (latency is printed as a figure, not asserted)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.fakes.openai_server import FakeReply, text, tool
from tests.ui.test_repl import spawn

pytestmark = pytest.mark.timeout(120)


def stalling_policy(body: dict[str, Any], n: int) -> FakeReply:
    task = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
    if "stall" in task:
        return FakeReply(fault="stall", stall_s=60)
    if "sleepy" in task and body["messages"][-1]["role"] == "user":
        return tool("bash", command="for i in 1 2 3 4 5; do echo tick $i; sleep 0.8; done")
    return text(f"Echo: {task[:40]}")


def _start(project: Path, fake_server: Any) -> tuple[pexpect.spawn, Any]:
    srv = fake_server(stalling_policy)
    child = spawn(project, srv)
    child.expect("›")
    return child, srv


def test_ctrl_c_stops_a_turn_waiting_on_a_silent_model(project: Path, fake_server: Any) -> None:
    child, srv = _start(project, fake_server)
    child.sendline("please stall now")
    child.expect("waiting for the model")  # the spinner, from the moment the turn starts
    time.sleep(1.0)
    sent = time.monotonic()
    child.sendintr()
    child.expect("Stopped")
    latency = time.monotonic() - sent
    child.expect("›")
    child.sendline("hello after the stop")
    child.expect("Echo: hello after the stop")
    child.expect("›")
    deadline = time.monotonic() + 5
    while srv.hangups < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.hangups == 1  # the stalled request's connection was closed
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    print(f"Ctrl-C to 'Stopped' while the model was silent: {latency * 1000:.0f} ms")


def test_a_second_ctrl_c_within_two_seconds_exits(project: Path, fake_server: Any) -> None:
    child, _ = _start(project, fake_server)
    child.sendline("please stall now")
    child.expect("waiting for the model")
    child.sendintr()
    child.expect("Stopped")
    child.expect("›")
    child.sendintr()
    child.expect(pexpect.EOF, timeout=10)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


def test_two_quick_ctrl_c_during_a_turn_exit_cleanly(project: Path, fake_server: Any) -> None:
    child, _ = _start(project, fake_server)
    log: list[str] = []
    child.sendline("please stall now")
    child.expect("waiting for the model")
    child.sendintr()
    time.sleep(0.05)
    child.sendintr()
    child.expect(pexpect.EOF, timeout=10)
    log.append(child.before or "")
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in "".join(log)


def test_ctrl_c_at_the_prompt_alone_does_not_exit(project: Path, fake_server: Any) -> None:
    child, _ = _start(project, fake_server)
    child.sendintr()
    child.expect("Ctrl-C again to exit")
    time.sleep(2.2)
    child.sendintr()
    child.expect("Ctrl-C again to exit")
    child.sendline("still here?")
    child.expect("Echo: still here")
    child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_running_tool_is_shown_while_it_runs(project: Path, fake_server: Any) -> None:
    child, _ = _start(project, fake_server)
    child.sendline("a sleepy command")
    child.expect(r"running bash command=for i in")  # before it ends
    child.expect(r"│ tick [345]")  # the tail of its output, once it runs longer than ~2 s
    child.expect("✓")  # the permanent line when it ends
    child.expect("bash")
    child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
