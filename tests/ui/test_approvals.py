"""The REPL's one-line approval prompt and "always", and the trust question at start, driven
through a real pseudo-terminal (pexpect) against the fake server."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.conftest import CLI
from tests.fakes.openai_server import FakeReply, last_tool_result, text, tool

PASSED = (
    "SMALLCODE_CONFIG_DIR",
    "SMALLCODE_DATA_DIR",
    "SMALLCODE_MODELS_DIR",
    "SMALLCODE_PROBE_URLS",
    "SMALLCODE_RETRY_BACKOFF",
)


def spawn(project: Path, srv: Any, **extra: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    env.update({k: v for k, v in os.environ.items() if k in PASSED})
    env.update(
        {
            "SMALLCODE_BASE_URL": srv.base_url,
            "SMALLCODE_MODEL": "fake-model",
            "TERM": "xterm",
            "COLUMNS": "160",
            "LINES": "40",
            **extra,
        }
    )
    child = pexpect.spawn(
        CLI[0], CLI[1:], cwd=str(project), env=env, encoding="utf-8", timeout=30,
        dimensions=(40, 160),
    )  # fmt: skip
    child.logfile_read = sys.stderr if os.environ.get("TEST_VERBOSE") else None
    return child


@pytest.mark.timeout(120)
def test_one_line_prompt_always_and_no(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    (project / "Makefile").write_text("hello:\n\t@echo hello-from-make\nother:\n\t@echo other\n")
    (project / ".env").write_text("SMALLCODE_ALLOW_OUTSIDE_ROOT=true\n")

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        last = body["messages"][-1]
        if last["role"] == "tool":
            return text(f"Result: {last_tool_result(body)[:60]}")
        task = last["content"]
        if "other" in task:
            return tool("bash", command="make other")
        return tool("bash", command="make hello")

    srv = fake_server(policy)
    # No sandbox, so commands off the allow list ask (inside one they would just run).
    child = spawn(project, srv, SMALLCODE_SANDBOX="off")
    child.expect("SMALLCODE_ALLOW_OUTSIDE_ROOT")
    child.expect(r"Trust this file as it is now\? \[y/N\]")
    child.sendline("n")
    child.expect("Not applied")
    child.expect("›")

    child.sendline("say hello with make")
    child.expect(r"\? bash  make hello +not on the allow list: make")
    child.expect(r"\[a\]lways Bash\(make hello:\*\)")
    child.expect(r"\[n\]o:")
    child.sendline("a")
    child.expect("hello-from-make")
    child.expect("›")
    local = json.loads((project / ".smallcode" / "settings.local.json").read_text())
    assert local["permissions"]["allow"] == ["Bash(make hello:*)"]

    child.sendline("say hello with make again")  # remembered: no question this time
    idx = child.expect([r"\? bash", "hello-from-make"])
    assert idx == 1
    child.expect("›")

    child.sendline("now the other target")
    child.expect(r"\? bash  make other")
    child.sendline("n")
    child.expect("declined")
    child.expect("›")

    child.sendline("/permissions")
    child.expect("Mode")
    child.expect("Bash\\(make hello:\\*\\)")
    child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    outputs = [m["content"] for b in srv.requests for m in b["messages"] if m["role"] == "tool"]
    assert any("user declined" in o for o in outputs)
    assert not any("trusted" in o for o in outputs)
