"""The interactive UI driven through a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.conftest import CLI
from tests.fakes.openai_server import FakeReply, text, tool


def spawn(project: Path, srv: Any) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    env.update(
        {
            k: v
            for k, v in os.environ.items()
            if k
            in (
                "SMALLCODE_CONFIG_DIR",
                "SMALLCODE_DATA_DIR",
                "SMALLCODE_MODELS_DIR",
                "SMALLCODE_PROBE_URLS",
                "SMALLCODE_RETRY_BACKOFF",
            )
        }
    )
    env.update(
        {
            "SMALLCODE_BASE_URL": srv.base_url,
            "SMALLCODE_MODEL": "fake-model",
            "TERM": "xterm",
            "COLUMNS": "120",
            "LINES": "40",
        }
    )
    child = pexpect.spawn(
        CLI[0],
        CLI[1:],
        cwd=str(project),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    child.logfile_read = sys.stderr if os.environ.get("TEST_VERBOSE") else None
    return child


@pytest.mark.timeout(90)
def test_repl_session(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    def policy(body: dict[str, Any], n: int) -> FakeReply:
        task = body["messages"][-1]["content"]
        if "slow" in task:
            return tool("bash", command="sleep 60")
        if "write" in task:
            return tool("write_file", path="made.txt", content="hi\n")
        if task.startswith("Created made.txt") or "made.txt" in task:
            return text("I created **made.txt** for you.")
        return text(f"Echo: {task[:40]}")

    srv = fake_server(policy)
    child = spawn(project, srv)
    child.expect("SmallCode")
    child.expect("fake-model")
    child.expect("›")

    child.sendline("/version")
    child.expect(r"SmallCode \d+\.\d+")
    child.sendline("/help")
    child.expect("/clear")
    child.expect("/quit")

    child.sendline("please write the file")
    child.expect("write_file")
    child.expect("for you")
    child.expect(r"2 requests")
    assert (project / "made.txt").read_text() == "hi\n"

    child.sendline("/tokens")
    child.expect("Prefix reuse")
    child.sendline("/budget")
    child.expect("%")
    child.sendline("/stats")
    child.expect("model requests")
    child.expect("files created: made.txt")
    child.sendline("/sessions")
    child.expect(r"\(current\)")
    child.sendline("/memory")
    child.expect("No memories yet")
    child.sendline("/undo")
    child.expect("made.txt")
    child.expect("›")
    assert not (project / "made.txt").exists()

    # Ctrl-C stops the current turn (a long shell command), not the program.
    child.sendline("run something slow")
    time.sleep(2.0)
    child.sendintr()
    child.expect("Stopped", timeout=15)
    child.expect("›")
    child.sendline("/clear")
    child.expect("Conversation cleared")
    child.sendline("hello again")
    child.expect("Echo: hello again")
    child.sendline("/nonsense")
    child.expect("Unknown command")
    child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    # after /clear the conversation restarted: system + the new task only
    assert [m["role"] for m in srv.requests[-1]["messages"]] == ["system", "user"]
