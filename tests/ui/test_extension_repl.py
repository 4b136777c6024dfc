"""Extensions in the REPL, through a real pseudo-terminal: the trust questions at start for a
project's .mcp.json and hooks, an MCP tool called after the user approved it, /mcp, /skill,
/hooks, /plugin and a Claude plugin's markdown command."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.fakes.openai_server import FakeReply, last_tool_result, text, tool
from tests.ui.test_approvals import spawn

FAKE_MCP = str(Path(__file__).parents[1] / "plugins" / "fake_mcp_server.py")
FIXTURE = Path(__file__).parents[1] / "fixtures" / "plugins" / "guard-bash"


@pytest.mark.timeout(180)
def test_trust_questions_mcp_and_commands(project: Path, fake_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "calls.log"
    (project / ".mcp.json").write_text(
        json.dumps(
            {
                "mcpServers": {
                    "srv": {"command": sys.executable, "args": [FAKE_MCP, "--log", str(log)]}
                }
            }
        )
    )
    hook = {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "exit 2"}]}]
    }
    (project / ".smallcode").mkdir()
    (project / ".smallcode" / "settings.json").write_text(json.dumps({"hooks": hook}))
    skill = project / ".claude" / "skills" / "pdf-tools"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: pdf-tools\ndescription: Extract tables from PDFs.\n---\nUse pdftotext.\n"
    )
    config = Path(os.environ["SMALLCODE_CONFIG_DIR"])
    shutil.copytree(FIXTURE, config / "plugins" / "guard-bash")

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        last = body["messages"][-1]
        if last["role"] == "tool":
            return text(f"Result: {last_tool_result(body)[:40]}")
        if "Check whether this shell command is safe" in last["content"]:
            return text("It is safe: it only lists files.")
        return tool("mcp__srv__add", a=2, b=3)

    srv = fake_server(policy)
    child = spawn(project, srv)
    # the project's settings file (a hook) first, then its .mcp.json
    child.expect(r"settings\.json would apply:.*hooks \(1 command\)")
    child.expect(r"Trust this file as it is now\? \[y/N\]")
    child.sendline("n")
    child.expect("Not applied")
    child.expect(r"\.mcp\.json would apply:.*MCP server srv")
    child.expect(r"Trust this file as it is now\? \[y/N\]")
    child.sendline("y")
    child.expect("›")

    child.sendline("what is 2 plus 3? ask the server")
    child.expect(r"\? mcp__srv__add")
    child.expect(r"\[n\]o:")
    child.sendline("y")
    child.expect("Result: 5")
    child.expect("›")
    assert json.loads(log.read_text().splitlines()[0]) == {
        "name": "add",
        "arguments": {"a": 2, "b": 3},
    }

    child.sendline("/mcp")
    child.expect("mcp__srv__add")
    child.expect("›")
    child.sendline("/skill list")
    child.expect("guard-bash:shell-safety")
    child.expect("pdf-tools")
    child.expect("›")
    child.sendline("/hooks")
    child.expect("PreToolUse")
    child.expect("guard-bash")  # the user's plugin hook; the untrusted project hook is not listed
    child.expect("›")
    child.sendline("/plugin list")
    child.expect(r"guard-bash.*user, enabled")
    child.expect("›")
    child.sendline("/guard-bash:check ls -la")
    child.expect("It is safe")
    child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    hooks_listed = [b for b in srv.requests if "exit 2" in json.dumps(b)]
    assert not hooks_listed
